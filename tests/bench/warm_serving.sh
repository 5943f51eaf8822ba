#!/usr/bin/env bash
# Warm serving: manifest requests per second and big-blob throughput with wrk,
# Strata against Debian's docker-registry (distribution) holding the same image
# (copied with skopeo), in the same run. Also peak memory of both servers.
# Prints FIGURE lines.
source "$(dirname "$0")/common.sh"
cd "$root"
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
image=bench/app

start_strata "$work/strata-data"
t=$(now)
curl -fs -o /dev/null "http://127.0.0.1:$port/v2/$image/manifests/latest"
echo "first pull of $image: $(elapsed "$t") s"

# distribution on a free port, filesystem storage in the work dir
dport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<YML
version: 0.1
log: { level: error, accesslog: { disabled: true } }
storage:
  filesystem: { rootdirectory: $work/registry-data }
  cache: { blobdescriptor: inmemory }
http: { addr: 127.0.0.1:$dport }
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$dport/v2/" >/dev/null && break; sleep 0.1; done

skopeo copy -q --preserve-digests --src-tls-verify=false --dest-tls-verify=false \
  "docker://127.0.0.1:$port/$image:latest" "docker://127.0.0.1:$dport/$image:latest"

accept='Accept: application/vnd.oci.image.manifest.v1+json'
sd=$(curl -fsI -H "$accept" "http://127.0.0.1:$port/v2/$image/manifests/latest" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}')
dd=$(curl -fsI -H "$accept" "http://127.0.0.1:$dport/v2/$image/manifests/latest" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}')
echo "manifest digest: strata $sd, distribution $dd"
[ "$sd" = "$dd" ] || { echo "the copy changed the manifest" >&2; exit 1; }

# the largest layer
big=$(curl -fs -H "$accept" "http://127.0.0.1:$port/v2/$image/manifests/latest" |
  jq -r '.layers | max_by(.size) | "\(.digest) \(.size)"')
read -r blob size <<<"$big"
echo "largest layer: $blob ($size bytes)"

cat >"$work/accept.lua" <<'LUA'
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"
LUA

rps() { wrk -t2 -c"$connections" -d"${duration}s" -s "$work/accept.lua" "$1" | awk '/Requests\/sec/ {print $2}'; }
mbps() { wrk -t1 -c2 -d"${duration}s" "$1" | awk '/Transfer\/sec/ {v=$2; u=substr(v, length(v)-1); n=v+0; if (u=="GB") n*=1024; if (u=="KB") n/=1024; print n}'; }

s_rps=$(rps "http://127.0.0.1:$port/v2/$image/manifests/latest")
d_rps=$(rps "http://127.0.0.1:$dport/v2/$image/manifests/latest")
s_digest_rps=$(rps "http://127.0.0.1:$port/v2/$image/manifests/$sd")
d_digest_rps=$(rps "http://127.0.0.1:$dport/v2/$image/manifests/$sd")
# Blob throughput varies a lot between runs on two shared cores: take the
# median of three runs each, alternating the servers.
runs=${BLOB_RUNS:-3}
s_all=() d_all=()
for _ in $(seq "$runs"); do
  s_all+=("$(mbps "http://127.0.0.1:$port/v2/$image/blobs/$blob")")
  d_all+=("$(mbps "http://127.0.0.1:$dport/v2/$image/blobs/$blob")")
done
s_mb=$(printf '%s\n' "${s_all[@]}" | median)
d_mb=$(printf '%s\n' "${d_all[@]}" | median)
s_peak=$(peak_rss_mib "$server_pid")
# The same with storage.sendfile on (zero-copy), for comparison.
stop_strata
start_strata "$work/strata-data" --set storage.sendfile=true
z_all=()
for _ in $(seq "$runs"); do z_all+=("$(mbps "http://127.0.0.1:$port/v2/$image/blobs/$blob")"); done
z_mb=$(printf '%s\n' "${z_all[@]}" | median)

echo "FIGURE manifest_by_tag_rps strata=$s_rps distribution=$d_rps ratio=$(echo "$s_rps / $d_rps" | bc -l | xargs printf '%.2f')"
echo "FIGURE manifest_by_digest_rps strata=$s_digest_rps distribution=$d_digest_rps ratio=$(echo "$s_digest_rps / $d_digest_rps" | bc -l | xargs printf '%.2f')"
echo "blob MiB/s runs: strata ${s_all[*]}; distribution ${d_all[*]}; strata+sendfile ${z_all[*]}"
echo "FIGURE blob_MiB_per_s strata=$s_mb distribution=$d_mb ratio=$(echo "$s_mb / $d_mb" | bc -l | xargs printf '%.2f') strata_sendfile=$z_mb"
echo "FIGURE peak_rss_mib strata=$s_peak distribution=$(peak_rss_mib "$registry_pid")"
