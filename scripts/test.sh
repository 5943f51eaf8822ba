#!/usr/bin/env bash
# Installs, builds and runs every test (unit and integration). Exit status 0
# only when all pass. Extra arguments go to ctest (e.g. -L unit, -R blob).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --tests
cd build
ctest --output-on-failure --timeout 1500 "$@"
