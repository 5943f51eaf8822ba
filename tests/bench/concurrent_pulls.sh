#!/usr/bin/env bash
# Eight concurrent first pulls of one new image: how many Nix runs, how many
# digests, and the total time against one pull alone. Prints FIGURE lines.
source "$(dirname "$0")/common.sh"
cd "$root"
clients=${CLIENTS:-8}
image=bench/app/busybox
url_path="/v2/$image/manifests/latest"

# One pull alone, on a fresh data dir.
start_strata "$work/alone"
t=$(now)
curl -fs -o /dev/null "http://127.0.0.1:$port$url_path"
alone=$(elapsed "$t")
stop_strata

# The same first pull from $clients clients at once, on another fresh data dir.
start_strata "$work/together"
t=$(now)
pids=()
for i in $(seq "$clients"); do
  curl -fs -D "$work/headers-$i" -o /dev/null "http://127.0.0.1:$port$url_path" &
  pids+=($!)
done
wait "${pids[@]}"
together=$(elapsed "$t")
digests=$(cat "$work"/headers-* | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}' | sort -u)
nix_runs=$(curl -fs "http://127.0.0.1:$port/metrics" | awk -F' ' '/strata_build_phase_seconds_count\{phase="nix"\}/ {print $2}')
shared=$(curl -fs "http://127.0.0.1:$port/metrics" | awk -F' ' '/strata_image_cache_total\{result="shared"\}/ {print $2}')
peak=$(peak_rss_mib "$server_pid")

echo "digests: $digests"
echo "FIGURE concurrent_pulls clients=$clients nix_runs=${nix_runs:-0} distinct_digests=$(echo "$digests" | grep -c .) waited_on_shared_build=${shared:-0}"
echo "FIGURE concurrent_pulls_seconds together=$together alone=$alone ratio=$(echo "$together / $alone" | bc -l | xargs printf '%.2f')"
echo "FIGURE concurrent_pulls_peak_rss_mib=$peak"
