#!/usr/bin/env bash
# Memory of a server that builds many distinct images: pulls the manifests of
# COUNT (default 10000) images, each two of the 150 tiny packages of
# tests/bench/pkgs (bench/tiny.pA/tiny.pB, A < B), PARALLEL (default 2) at a
# time, and prints the server's resident memory every EVERY (default 1000)
# images. Extra arguments go to `strata serve` (e.g. --set cache.memoryMiB=16).
# Prints FIGURE lines: resident memory at the end, its peak, and the growth per
# image over the last half of the run (a plateau is near 0).
source "$(dirname "$0")/common.sh"
cd "$root"
count=${COUNT:-10000}
parallel=${PARALLEL:-2}
every=${EVERY:-1000}
((count <= 11175)) || { echo "COUNT: at most 11175 distinct pairs" >&2; exit 2; }

# The packages are built once, outside the timing.
nix-build "${nix_opts[@]}" tests/bench/pkgs -A tiny --no-out-link >/dev/null 2>&1

names="$work/names"
for ((a = 0; a < 150; a++)); do
  for ((b = a + 1; b < 150; b++)); do
    printf 'bench/tiny.p%03d/tiny.p%03d\n' "$a" "$b"
  done
done >"$work/pairs"
head -n "$count" "$work/pairs" >"$names"

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

start_strata "$work/data" "$@"
echo "images  RSS MiB  images/s"
declare -A rss_at
done_count=0 t=$(now)
while ((done_count < count)); do
  batch=$((count - done_count < every ? count - done_count : every))
  sed -n "$((done_count + 1)),$((done_count + batch))p" "$names" |
    xargs -P "$parallel" -I{} curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/{}/manifests/latest"
  done_count=$((done_count + batch))
  rss_at[$done_count]=$(rss_kib "$server_pid")
  printf '%6d  %7.1f  %8.1f\n' "$done_count" "$(echo "${rss_at[$done_count]} / 1024" | bc -l)" \
    "$(echo "$batch / ($(now) - $t)" | bc -l)"
  t=$(now)
done
((count > every)) || { echo "COUNT must exceed EVERY" >&2; exit 2; }
half=$(((count / 2 + every - 1) / every * every))
((half < count)) || half=$every
growth=$(echo "(${rss_at[$count]} - ${rss_at[$half]}) * 1024 / ($count - $half)" | bc -l)
echo "FIGURE many_images_count=$count"
echo "FIGURE many_images_rss_mib=$(echo "${rss_at[$count]} / 1024" | bc -l | xargs printf '%.1f')"
echo "FIGURE many_images_peak_rss_mib=$(peak_rss_mib "$server_pid")"
echo "FIGURE many_images_growth_bytes_per_image_last_half=$(printf '%.0f' "$growth")"
stop_strata
