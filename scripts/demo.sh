#!/usr/bin/env bash
# Installs, builds and serves the demo package set on 127.0.0.1:8080.
# Then:  skopeo inspect --tls-verify=false docker://127.0.0.1:8080/demo/shell/hello
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec ./build/bin/strata serve --config config/strata.json "$@"
