#!/usr/bin/env bash
# Checks the include rules between components (shared/DESIGN.md and
# docs/architecture.md). The link rules are enforced by the build itself: each
# component is a shared library linked with --no-undefined against only the
# components it may use (server/CMakeLists.txt). Prints every violation;
# exit status 1 when there is one.
set -uo pipefail
cd "$(dirname "$0")/../.."

violations=0
# forbid FOLDER REGEX WHY: no line matching REGEX in the C++ files under FOLDER.
forbid() {
  local folder=$1 regex=$2 why=$3
  local hits
  # Comment lines do not count.
  hits=$(grep -rnE --include='*.cpp' --include='*.h' "$regex" "$folder" 2>/dev/null |
    grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' || true)
  if [ -n "$hits" ]; then
    echo "$why:"
    echo "$hits" | sed 's/^/  /'
    violations=$((violations + 1))
  fi
}
server_headers='#include "(util|config|image|storage|meta|nix|sources|layers|plugins|auth|builder|catalog|pull|http|cli)/'

# Plugins and the SDK never reach into the server.
forbid sdk "$server_headers" "sdk/ includes a server header"
forbid plugins "$server_headers" "a plugin includes a server header"
forbid examples "$server_headers" "an example plugin includes a server header"

# The HTTP layer sees use cases and plain data only.
forbid server/http '#include "(meta|sources|nix|layers)/' "http/ includes meta/, sources/, nix/ or layers/"
forbid server/http '#include "plugins/(PluginHost|PolicyRegistry)\.h"' "http/ includes the plugin host"
forbid server/http '(^|[^A-Za-z0-9_:])(::)?(open|openat|sendfile|pread)[[:space:]]*\(' \
  "http/ opens or reads files itself (blobs go through storage/)"
forbid server/http '#include <(fcntl\.h|sys/sendfile\.h)>' "http/ includes file I/O headers"

# Storage, metadata, Nix, layers and sources know nothing of the server's
# HTTP side (an S3 store is an HTTP client, which is fine).
for c in storage meta nix layers sources image; do
  forbid "server/$c" '#include "(http|pull|auth|builder|cli)/|#include <Poco/Net/(HTTPServer|HTTPRequestHandler)' \
    "$c/ includes the HTTP server, a use case or the auth layer"
done
# The image component is plain data.
forbid server/image '#include "(storage|meta|nix|layers|sources|plugins|catalog)/' \
  "image/ depends on more than util/ and config/"
# The build service never calls up into the use cases or the transport.
forbid server/builder '#include "(http|pull|auth|catalog|cli)/' "builder/ includes a layer above it"
forbid server/auth '#include "(http|pull|builder|cli)/' "auth/ includes a layer above it"
forbid server/pull '#include "(http|cli)/' "pull/ includes the transport"

# The SQL dialect and SQLite itself live in the SQLite implementation only.
hits=$(grep -rnE --include='*.cpp' --include='*.h' 'sqlite3|Poco/Data/SQLite' server |
  grep -v '^server/meta/sqlite/' || true)
if [ -n "$hits" ]; then
  echo "SQLite outside server/meta/sqlite/:"
  echo "$hits" | sed 's/^/  /'
  violations=$((violations + 1))
fi

if ((violations)); then
  echo "check_dependencies: $violations rule(s) broken"
  exit 1
fi
echo "check_dependencies: every rule holds"
