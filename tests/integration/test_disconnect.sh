#!/usr/bin/env bash
# Clients that go away: blob downloads killed mid-way, and a manifest request
# for an image still building abandoned before the answer. The server must keep
# serving, finish the build for the others, leave no *.part file behind, and
# serve the image afterwards.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo umoci chroot

# A copy of the fixture with a run-id: fx/sleepy and fx/sleepytoo are then
# built afresh in this run (3 s each), which keeps the images building while
# the first clients leave.
copy="$(copy_fixture_unique "$WORK/tree")"
write_config "$WORK/strata.json" ".sources[0].path = \"$copy\""
data_dir="$(config_data_dir "$WORK/strata.json")"
start_server "$WORK/strata.json"
server_pid="$SERVER_PID"

IMAGE=fx/sleepy/bigdata/shell

# --- a manifest request abandoned while the image builds -------------------------------
# Client A gives up after 1 s; client B, started at the same time, waits. The
# build (Nix: sleepy 3 s; layers: ~50 MB to gzip) outlasts client A.
start="$(now_seconds)"
curl -s --max-time 1 -o "$WORK/a.body" -w '%{http_code}' -H "Accept: $OCI_MANIFEST" \
  "$BASE/v2/$IMAGE/manifests/latest" >"$WORK/a.status" 2>/dev/null &
client_a=$!
curl -s --max-time 600 -o "$WORK/b.body" -w '%{http_code}' -D "$WORK/b.headers" -H "Accept: $OCI_MANIFEST" \
  "$BASE/v2/$IMAGE/manifests/latest" >"$WORK/b.status" 2>/dev/null &
client_b=$!
rc_a=0
wait "$client_a" || rc_a=$?
expect_eq 28 "$rc_a" "client A disconnected (curl timeout, exit 28) before the image was built"
expect_eq 0 "$(stat -c %s "$WORK/a.body" 2>/dev/null || echo 0)" "client A received no body"
expect_server_alive
rc_b=0
wait "$client_b" || rc_b=$?
figure abandoned_build_seconds "$(elapsed "$start")"
expect_eq 0 "$rc_b" "client B completed"
expect_eq 200 "$(cat "$WORK/b.status")" "client B got the manifest although client A left"
manifest_digest="$(tr -d '\r' <"$WORK/b.headers" | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')"
expect_eq "$manifest_digest" "sha256:$(sha256sum <"$WORK/b.body" | cut -d' ' -f1)" "client B: the body hashes to the digest"
cp "$WORK/b.body" "$WORK/manifest.json"

leftovers="$(find "$data_dir/blobs/tmp" -type f | wc -l)"
expect_eq 0 "$leftovers" "no file (*.part) left in <dataDir>/blobs/tmp after the build"

# A request of its own after the abandoned one: same image, from the cache.
http GET "/v2/$IMAGE/manifests/latest" -H "Accept: $OCI_MANIFEST"
expect_status 200 "the image is served after the abandoned request"
expect_eq "$manifest_digest" "$(header Docker-Content-Digest)" "the same digest"

# An image whose only requester leaves (Nix needs 3 s for sleepyToo): the next
# client gets it, from the build still in flight or from the cache.
http GET "/v2/fx/sleepytoo/manifests/latest" -H "Accept: $OCI_MANIFEST" --max-time 1
expect_eq 000 "$HTTP_STATUS" "a lone client leaves before fx/sleepytoo is answered"
expect_server_alive
http GET "/v2/fx/sleepytoo/manifests/latest" -H "Accept: $OCI_MANIFEST"
expect_status 200 "fx/sleepytoo is served to the next client"
rootfs="$(pull_rootfs fx/sleepytoo:latest)"
expect_eq "sleepy-too $RUN_ID" "$(run_in_rootfs "$rootfs" /bin/sleepy-too)" "fx/sleepytoo runs"
leftovers="$(find "$data_dir/blobs/tmp" -type f | wc -l)"
expect_eq 0 "$leftovers" "no file left in <dataDir>/blobs/tmp after the lone client left"

# --- blob downloads killed mid-way ---------------------------------------------------------
layer_digest="$(jq -r '.layers | max_by(.size) | .digest' "$WORK/manifest.json")"
layer_size="$(jq -r '.layers | max_by(.size) | .size' "$WORK/manifest.json")"
[[ "$layer_size" -gt 50000000 ]] || fail "the largest layer has $layer_size bytes, expected more than 50 MB (bigdata)"
ok "the bigdata layer has $layer_size bytes"
blob_url="$BASE/v2/$IMAGE/blobs/$layer_digest"

# start_download FILE [CURL_ARGS…]: a slow download in the background; sets DL_PID.
start_download() {
  local file="$1"
  shift
  curl -s --limit-rate 2M --max-time 300 -o "$file" "$@" "$blob_url" 2>/dev/null &
  DL_PID=$!
}

# wait_for_bytes FILE N: until FILE holds at least N bytes.
wait_for_bytes() {
  local i
  for ((i = 0; i < 600; i++)); do
    [[ -f "$1" && "$(stat -c %s "$1")" -ge "$2" ]] && return 0
    sleep 0.05
  done
  fail "download $1 did not reach $2 bytes"
}

pids=()
for n in 1 2 3 4; do
  start_download "$WORK/partial-$n.bin"
  pids+=("$DL_PID")
done
start_download "$WORK/partial-range.bin" -H "Range: bytes=1000000-"
pids+=("$DL_PID")
for n in 1 2 3 4; do wait_for_bytes "$WORK/partial-$n.bin" 1000000; done
wait_for_bytes "$WORK/partial-range.bin" 1000000
{
  for pid in "${pids[@]}"; do kill -KILL "$pid" || true; done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
} 2>/dev/null # no "Killed" job notices
got="$(stat -c %s "$WORK/partial-1.bin")"
[[ "$got" -lt "$layer_size" ]] || fail "download 1 was complete ($got bytes) before it was killed"
ok "five downloads killed mid-way (download 1 had $got of $layer_size bytes)"
expect_eq "$(head -c "$got" "$WORK/partial-1.bin" | sha256sum)" \
  "$(curl -s -r "0-$((got - 1))" "$blob_url" | sha256sum)" "the bytes received before the kill were the right ones"

expect_eq "$server_pid" "$SERVER_PID" "the same server process"
expect_server_alive

# A download closed by the client after the headers (HEAD-like use of GET).
curl -s --max-time 10 "$blob_url" 2>/dev/null | head -c 100 >/dev/null || true
ok "a client that closes after 100 bytes"

# Resume the killed download: the result is the whole blob.
start="$(now_seconds)"
curl -s --max-time 300 -C - -o "$WORK/partial-1.bin" "$blob_url" || fail "resuming the download failed"
figure resume_seconds "$(elapsed "$start")"
expect_eq "$layer_digest" "sha256:$(sha256sum <"$WORK/partial-1.bin" | cut -d' ' -f1)" "resumed download: the whole blob"

# A full download after all of this.
http GET "/v2/$IMAGE/blobs/$layer_digest"
expect_status 200 "a full blob download after the disconnects"
expect_eq "$layer_digest" "$(body_sha256)" "full download: the body hashes to the digest"
expect_eq "$layer_size" "$(body_size)" "full download: every byte"

# Keep-alive connections: after the disconnects, several requests on one connection work.
curl -s --max-time 60 -o /dev/null -o /dev/null -o "$WORK/ka.json" -w '%{http_code} ' \
  "$BASE/v2/" "$BASE/v2/$IMAGE/blobs/$layer_digest" "$BASE/v2/$IMAGE/manifests/latest" >"$WORK/ka.status"
expect_eq "200 200 200 " "$(cat "$WORK/ka.status")" "three requests on one keep-alive connection"

# --- the image pulls and runs -----------------------------------------------------------------
rootfs="$(pull_rootfs "$IMAGE:latest")"
expect_eq "sleepy $RUN_ID" "$(run_in_rootfs "$rootfs" /bin/sleepy)" "the image built for the departed client runs"
blob_in_image="$(run_in_rootfs "$rootfs" /bin/sh -c 'sha256sum /nix/store/*-fixture-bigdata-1.0/share/bigdata/blob' | cut -d' ' -f1)"
blob_in_store="$(sha256sum /nix/store/*-fixture-bigdata-1.0/share/bigdata/blob | head -n 1 | cut -d' ' -f1)"
expect_eq "$blob_in_store" "$blob_in_image" "the 50 MB file arrived intact in the image"

leftovers="$(find "$data_dir/blobs/tmp" -type f | wc -l)"
expect_eq 0 "$leftovers" "no file left in <dataDir>/blobs/tmp at the end"
expect_server_alive
stop_server
