#!/usr/bin/env bash
# Cold image with Nix already a cache hit: Strata's time to the manifest
# against `nix-build` (no-op) + `tar --sort=name | pigz -p2 -6 | sha256sum` on
# the same closure (about 100 MB), in the same run. Prints FIGURE lines.
source "$(dirname "$0")/common.sh"
cd "$root"
runs=${RUNS:-3}

app=$(nix-build "${nix_opts[@]}" tests/bench/pkgs -A app --no-out-link 2>/dev/null)
closure=$(nix --extra-experimental-features nix-command path-info -r "$app")
bytes=$(nix --extra-experimental-features nix-command path-info -rsS "$app" | awk 'END {print $3}')
files=$(find $closure -type f | wc -l)
echo "closure: $(echo "$closure" | wc -l) store paths, $files files, $bytes bytes (NAR)"

strata_times=() pipe_times=()
for i in $(seq "$runs"); do
  data="$work/data-$i"
  start_strata "$data"
  t=$(now)
  curl -fs -o /dev/null "http://127.0.0.1:$port/v2/bench/app/manifests/latest"
  strata_times+=("$(elapsed "$t")")
  peak=$(peak_rss_mib "$server_pid")
  stop_strata

  t=$(now)
  nix-build "${nix_opts[@]}" tests/bench/pkgs -A app --no-out-link >/dev/null 2>&1
  tar --sort=name -cf - $closure 2>/dev/null | pigz -p2 -6 | sha256sum >/dev/null
  pipe_times+=("$(elapsed "$t")")
  echo "run $i: strata ${strata_times[-1]} s (peak RSS $peak MiB), nix-build+tar+pigz ${pipe_times[-1]} s"
done
s=$(printf '%s\n' "${strata_times[@]}" | median)
p=$(printf '%s\n' "${pipe_times[@]}" | median)
echo "FIGURE cold_manifest_strata_seconds=$s"
echo "FIGURE cold_manifest_pipeline_seconds=$p"
echo "FIGURE cold_manifest_ratio=$(echo "$s / $p" | bc -l | xargs printf '%.2f')"
