#!/usr/bin/env bash
# Installs, builds and runs every test (unit and integration), then the unit
# tests again built by clang with AddressSanitizer and UndefinedBehaviorSanitizer
# (in build-sanitize/; STRATA_SANITIZE_RUN=0 skips that), seven integration
# suites against that build's server (logs in build-sanitize/), and the fuzz targets
# of the same build for STRATA_FUZZ_SECONDS each (tests/fuzz/run.sh, default
# 30). Exit status 0 only when all pass. Extra arguments go to ctest (e.g.
# -L unit, -R blob).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --tests
(cd build && ctest --output-on-failure --timeout 1500 "$@")

if [[ "${STRATA_SANITIZE_RUN:-1}" == 1 ]]; then
  # One clang build for both: the unit tests under the sanitizers and the
  # libFuzzer targets (STRATA_FUZZ). A build folder configured for another
  # compiler is started afresh (CMake cannot switch it).
  if [[ -f build-sanitize/CMakeCache.txt ]] &&
    ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' build-sanitize/CMakeCache.txt; then
    rm -rf build-sanitize
  fi
  cmake -S . -B build-sanitize -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DSTRATA_SANITIZE=ON \
    -DSTRATA_FUZZ=ON >/dev/null
  ninja -C build-sanitize
  # Any report fails the run (-fno-sanitize-recover); leaks inside Debian's
  # libraries are listed in tests/sanitize/lsan.supp.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    LSAN_OPTIONS="suppressions=$PWD/tests/sanitize/lsan.supp" \
    UBSAN_OPTIONS=print_stacktrace=1 \
    build-sanitize/bin/strata_unit_tests --gtest_brief=1
  echo "unit tests under AddressSanitizer and UndefinedBehaviorSanitizer: passed"
  # The suites that drive the server hardest through its edge, its errors,
  # its plugins and its auth, against the sanitized server: a report ends
  # it with a non-zero status, which the suites check at every stop.
  for suite in registry_api errors edge plugins auth isolation disk_full; do
    STRATA_BIN="$PWD/build-sanitize/bin/strata" STRATA_SOURCE_DIR="$PWD" \
      STRATA_BUILD_DIR="$PWD/build-sanitize" ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
      LSAN_OPTIONS="suppressions=$PWD/tests/sanitize/lsan.supp" UBSAN_OPTIONS=print_stacktrace=1 \
      bash "tests/integration/test_$suite.sh" >"build-sanitize/test_$suite.log" 2>&1 ||
      { tail -n 40 "build-sanitize/test_$suite.log"; exit 1; }
    echo "integration.test_$suite under AddressSanitizer and UndefinedBehaviorSanitizer: passed"
  done
  tests/fuzz/run.sh build-sanitize
fi
