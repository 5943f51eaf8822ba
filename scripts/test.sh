#!/usr/bin/env bash
# Installs, builds and runs every test (unit and integration), then the unit
# tests again built with AddressSanitizer and UndefinedBehaviorSanitizer (in
# build-sanitize/; STRATA_SANITIZE_RUN=0 skips that). Exit status 0 only when
# all pass. Extra arguments go to ctest (e.g. -L unit, -R blob).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --tests
(cd build && ctest --output-on-failure --timeout 1500 "$@")

if [[ "${STRATA_SANITIZE_RUN:-1}" == 1 ]]; then
  cmake -S . -B build-sanitize -G Ninja -DSTRATA_SANITIZE=ON >/dev/null
  ninja -C build-sanitize
  # Any report fails the run (-fno-sanitize-recover); leaks inside Debian's
  # libraries are listed in tests/sanitize/lsan.supp.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    LSAN_OPTIONS="suppressions=$PWD/tests/sanitize/lsan.supp" \
    UBSAN_OPTIONS=print_stacktrace=1 \
    build-sanitize/bin/strata_unit_tests --gtest_brief=1
  echo "unit tests under AddressSanitizer and UndefinedBehaviorSanitizer: passed"
fi
