#!/usr/bin/env bash
# Layering strategies compared on the dependency graph of the Debian packages
# installed on this machine (/var/lib/dpkg/status): layers, bytes stored, and
# bytes a client downloads again when one package in the middle of the graph
# changes (that package and everything depending on it get new store paths);
# then version bumps of deep libraries (libssl3, zlib1g, ...) under five
# application images and under the whole-system image, the re-download as a
# multiple of the bytes that really changed.
# Prints a table and FIGURE lines; needs no server, no Nix and no network.
#
#   tests/bench/layering_strategies.sh [--status FILE] [--budgets 20,94] [--changes 5]
#
# STRATA_BUILD_DIR (default build/) must hold bin/strata_layering_bench and
# plugins/layering-{flat,auto}.so (ninja builds them).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${STRATA_BUILD_DIR:-$root/build}
bench=$build/bin/strata_layering_bench
[ -x "$bench" ] || { echo "no $bench: build it first (ninja -C $build)" >&2; exit 1; }
exec "$bench" --plugins "$build/plugins" "$@"
