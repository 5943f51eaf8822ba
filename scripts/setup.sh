#!/usr/bin/env bash
# Installs what Strata needs on Debian 12 (as root), prepares Nix for builds
# without a daemon, and builds build/bin/strata. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# setup.sh [--tests]: what serving needs; with --tests also the clients,
# servers and tools the tests and benchmarks use (scripts/test.sh passes it).
tests=false
[[ "${1:-}" == --tests ]] && tests=true

packages=(
  # build
  cmake ninja-build ccache g++ pkg-config clang-format
  # libraries
  libpoco-dev libsqlite3-dev libpq-dev libgit2-dev libssl-dev libboost-dev libboost-filesystem-dev
  zlib1g-dev libdeflate-dev libzstd-dev libgtest-dev libgmock-dev
  # builds and package sets
  nix-bin busybox-static git
)
if $tests; then
  packages+=(
    # registry clients and tools used by the tests and benchmarks
    skopeo umoci podman curl jq sqlite3 openssl bc wrk pigz docker-registry valgrind
    # the sanitizer build (clang's ASan and UBSan) and its fuzz targets (libFuzzer)
    clang libfuzzer-14-dev
    # the S3 tests: AWS's own signer and command line client
    python3-botocore awscli
    # the PostgreSQL tests: PostgreSQL 15 (initdb, pg_ctl) and psql
    postgresql-15 postgresql-client-15
    # containerd's ctr pulls images (runc runs them)
    containerd runc
    # a Debian 13 root for the OCI conformance runner's Go 1.24
    debootstrap
    # the Kubernetes manifests' test: YAML to JSON for the schema check
    python3-yaml
    # the web page's test: headless Chromium driven by Selenium
    chromium chromium-driver python3-selenium
  )
  # kubectl kustomize renders the manifests (any kubectl will do)
  command -v kubectl >/dev/null || packages+=(kubernetes-client)
  # npm installs the test-side tools (tests/tools/package.json)
  command -v npm >/dev/null || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

if $tests; then
  # Pinned by tests/tools/package-lock.json.
  # Optional dependencies are left out: the CycloneDX library's XML support
  # (libxmljs2) would compile native code; only its JSON validator is used.
  npm ci --prefix tests/tools --omit=optional --no-audit --no-fund --loglevel=error
  # The OCI distribution spec's conformance runner (Go 1.24 from Debian 13 in
  # a debootstrap root), when a clone of its source is at hand.
  tests/tools/oci-conformance/build.sh
  # Debian 13's Nix 2.26 in the same kind of root, for the second run of the
  # suites that exercise Nix (nix.binDir).
  tests/tools/nix-2.26/build.sh
fi

# Nix as root without a daemon builds as the members of group nixbld (its
# default build-users-group); Debian's nix-bin does not create them.
if ! getent group nixbld >/dev/null; then
  groupadd --system nixbld
fi
for i in 1 2 3 4 5 6 7 8; do
  if ! id "nixbld$i" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /var/empty --shell /usr/sbin/nologin \
      --gid nixbld --groups nixbld --comment "Nix build user $i" "nixbld$i"
  fi
done

# Build.
build_type=${STRATA_BUILD_TYPE:-RelWithDebInfo}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
ninja -C build
