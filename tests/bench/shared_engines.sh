#!/usr/bin/env bash
# Warm serving on the shared engines: Strata with metadata in PostgreSQL 15 and
# blobs in s3rver, against Debian's docker-registry (distribution) holding the
# same image (copied with skopeo). distribution runs on its filesystem driver:
# its S3 driver needs ListMultipartUploads, which s3rver does not implement,
# and a local disk only favours it. Figures: manifest requests per second (by
# tag, by digest), blob redirects per second (Strata's 307 to a presigned
# URL), and big-blob throughput with Strata streaming from the bucket. Prints
# FIGURE lines; asserts nothing about the figures.
#
#   tests/bench/shared_engines.sh        (DURATION=10 CONNECTIONS=32 BLOB_RUNS=3)
source "$(dirname "$0")/../integration/lib.sh"
require_tools wrk skopeo docker-registry psql node bc
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}

start_postgres
start_s3 strata

write_config "$WORK/strata.json" "$(pg_filter) | $(s3_filter strata)"
start_server "$WORK/strata.json"
strata_base="$BASE"
manifest_image=fx/shell/hello
blob_image=fx/bigdata
for image in "$manifest_image" "$blob_image"; do
  start="$(now_seconds)"
  curl -fs -o /dev/null -H "Accept: $OCI_MANIFEST" "$strata_base/v2/$image/manifests/latest"
  echo "first pull of $image: $(elapsed "$start") s"
done

start_distribution distribution
dist_base="http://127.0.0.1:$dport"
for image in "$manifest_image" "$blob_image"; do
  skopeo copy -q --preserve-digests --src-tls-verify=false --dest-tls-verify=false \
    "docker://$REGISTRY/$image:latest" "docker://127.0.0.1:$dport/$image:latest" ||
    fail "skopeo copy of $image into distribution"
done

digest_of() { curl -fsI -H "Accept: $OCI_MANIFEST" "$1/v2/$2/manifests/latest" | tr -d '\r' |
  awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}'; }
sd="$(digest_of "$strata_base" "$manifest_image")"
[[ "$sd" == "$(digest_of "$dist_base" "$manifest_image")" ]] || fail "the copy changed the manifest"
read -r blob size < <(curl -fs -H "Accept: $OCI_MANIFEST" "$strata_base/v2/$blob_image/manifests/latest" |
  jq -r '.layers | max_by(.size) | "\(.digest) \(.size)"')
echo "big blob: $blob ($size bytes)"

cat >"$WORK/accept.lua" <<'LUA'
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"
LUA
# rps URL: requests per second; non-2xx/3xx answers make it fail.
rps() {
  wrk -t2 -c"$connections" -d"${duration}s" -s "$WORK/accept.lua" "$1" >"$WORK/wrk.out"
  grep -q "Non-2xx or 3xx" "$WORK/wrk.out" && { cat "$WORK/wrk.out" >&2; fail "errors from $1"; }
  awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out"
}
mbps() { wrk -t1 -c2 -d"${duration}s" "$1" | awk '/Transfer\/sec/ {v=$2; u=substr(v, length(v)-1); n=v+0; if (u=="GB") n*=1024; if (u=="KB") n/=1024; print n}'; }
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }

# Strata answers 307 to a presigned URL of the bucket (wrk does not follow it).
expect_eq 307 "$(curl -s -o /dev/null -w '%{http_code}' "$strata_base/v2/$blob_image/blobs/$blob")" "Strata redirects the blob"

s_tag="$(rps "$strata_base/v2/$manifest_image/manifests/latest")"
d_tag="$(rps "$dist_base/v2/$manifest_image/manifests/latest")"
s_dig="$(rps "$strata_base/v2/$manifest_image/manifests/$sd")"
d_dig="$(rps "$dist_base/v2/$manifest_image/manifests/$sd")"
s_red="$(rps "$strata_base/v2/$blob_image/blobs/$blob")"
# What a client then gets from the bucket itself: the ceiling of streaming.
presigned="$(curl -s -o /dev/null -w '%{redirect_url}' "$strata_base/v2/$blob_image/blobs/$blob")"
s_peak="$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status")"
stop_server

# Streaming: Strata with storage.s3.redirect off, through it from the bucket.
jq '.storage.s3.redirect = false' "$WORK/strata.json" >"$WORK/stream.json"
start_server "$WORK/stream.json"
runs=${BLOB_RUNS:-3}
s_all=() d_all=() b_all=()
for _ in $(seq "$runs"); do
  b_all+=("$(mbps "$presigned")")
  s_all+=("$(mbps "$BASE/v2/$blob_image/blobs/$blob")")
  d_all+=("$(mbps "$dist_base/v2/$blob_image/blobs/$blob")")
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
s_mb="$(printf '%s\n' "${s_all[@]}" | median)"
d_mb="$(printf '%s\n' "${d_all[@]}" | median)"
b_mb="$(printf '%s\n' "${b_all[@]}" | median)"
stop_server

echo "FIGURE shared_manifest_by_tag_rps strata=$s_tag distribution=$d_tag ratio=$(ratio "$s_tag" "$d_tag")"
echo "FIGURE shared_manifest_by_digest_rps strata=$s_dig distribution=$d_dig ratio=$(ratio "$s_dig" "$d_dig")"
echo "FIGURE shared_blob_redirect_rps strata=$s_red"
echo "blob MiB/s runs: strata (streamed from s3rver) ${s_all[*]}; distribution (its disk) ${d_all[*]}; s3rver itself (presigned URL) ${b_all[*]}"
echo "FIGURE shared_blob_stream_MiB_per_s strata=$s_mb distribution=$d_mb ratio=$(ratio "$s_mb" "$d_mb") bucket_direct=$b_mb"
echo "FIGURE shared_peak_rss_mib strata=$s_peak"
