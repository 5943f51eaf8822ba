#!/usr/bin/env bash
# Runs every fuzz target built in BUILD_DIR (default build-sanitize, as
# scripts/test.sh builds it with STRATA_FUZZ=ON) for STRATA_FUZZ_SECONDS each
# (default 30; 0 replays the seeds only), on a copy of
# tests/fuzz/corpus/<target>/: new inputs never go into the repository. Prints the executions per target; exit status 1 when
# any target crashed, leaked, timed out or ran out of memory. Crash inputs are
# kept in BUILD_DIR/fuzz-artifacts/<target>/.
#
#   tests/fuzz/run.sh [BUILD_DIR [TARGET…]]     e.g. tests/fuzz/run.sh build-fuzz tar
set -uo pipefail
cd "$(dirname "$0")/../.."
source_dir=$PWD

build=${1:-build-sanitize}
shift || true
seconds=${STRATA_FUZZ_SECONDS:-30}
[[ "$build" = /* ]] || build="$source_dir/$build"

if (($#)); then
  targets=("$@")
else
  targets=()
  for bin in "$build"/bin/fuzz_*; do
    [[ -x "$bin" ]] && targets+=("${bin##*/fuzz_}")
  done
fi
if ((${#targets[@]} == 0)); then
  echo "fuzz: no fuzz targets in $build/bin (configure with -DSTRATA_FUZZ=ON)" >&2
  exit 1
fi

# Inputs longer than a target's real inputs only slow it down.
max_len() {
  case $1 in
    range) echo 256 ;;
    accept) echo 1024 ;;
    image_name) echo 512 ;;
    json | path_info) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

# In memory when there is a tmpfs: the tar target makes and removes a file
# tree per input, which ext4 slows down to a crawl.
tmp=${TMPDIR:-/tmp}
[[ -d /dev/shm && -w /dev/shm ]] && tmp=/dev/shm
work=$(mktemp -d "$tmp/strata-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# As for the unit tests under sanitizers (scripts/test.sh).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export LSAN_OPTIONS="suppressions=$source_dir/tests/sanitize/lsan.supp"
export UBSAN_OPTIONS=print_stacktrace=1

failed=()
for target in "${targets[@]}"; do
  bin="$build/bin/fuzz_$target"
  if [[ ! -x "$bin" ]]; then
    echo "fuzz: $target: no $bin" >&2
    failed+=("$target")
    continue
  fi
  corpus="$work/corpus-$target"
  artifacts="$build/fuzz-artifacts/$target"
  mkdir -p "$corpus" "$artifacts" "$work/tmp-$target"
  if [[ -d "tests/fuzz/corpus/$target" ]]; then
    cp -R "tests/fuzz/corpus/$target/." "$corpus/"
  fi
  args=(-max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  # libFuzzer reads max_total_time=0 as "no limit".
  if ((seconds > 0)); then args+=(-max_total_time="$seconds"); else args+=(-runs=0); fi
  [[ -f "tests/fuzz/dict/$target.dict" ]] && args+=(-dict="tests/fuzz/dict/$target.dict")
  log="$work/$target.log"
  # libFuzzer stops itself after max_total_time; the outer bound is for a
  # target stuck outside an input.
  TMPDIR="$work/tmp-$target" timeout --kill-after=10 $((seconds + 120)) \
    "$bin" "${args[@]}" "$corpus" >"$log" 2>&1
  status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if ((status == 0)); then
    printf 'fuzz: %-12s %10s executions in %s s\n' "$target" "${executions:-?}" "$seconds"
  else
    echo "fuzz: $target FAILED (exit status $status) after ${executions:-?} executions:"
    # The report: from the sanitizer's or libFuzzer's first line on.
    sed -n '/==[0-9]*==\|^fuzz invariant\|^ALARM\|ERROR: libFuzzer\|Test unit written/,$p' "$log" |
      head -80 | sed 's/^/  /'
    echo "  inputs: $artifacts/"
    failed+=("$target")
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds} s each: no crash, leak or timeout"
