#!/usr/bin/env bash
# kill -9 of the server at any moment of a build loses nothing: after each
# kill, every blob in the store holds exactly the bytes its name says (a blob
# is published only once complete), and after a restart the same pull gives
# the digest of a clean build, with every blob it names intact.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools sha256sum

# A clean build of bigdata (50 MiB that gzip cannot shrink: its layer takes a
# while to write) in a data folder of its own.
write_config "$WORK/clean.json"
start_server "$WORK/clean.json"
clean="$(manifest_digest fx/bigdata latest)"
stop_server

# blobs_intact DATA: every published blob's content matches its name.
blobs_intact() {
  local f bad=0
  while IFS= read -r f; do
    [[ "sha256:$(sha256sum <"$f" | cut -d' ' -f1)" == "sha256:$(basename "$f")" ]] || bad=$((bad + 1))
  done < <(find "$1/blobs/sha256" -type f 2>/dev/null)
  echo "$bad"
}

write_config "$WORK/crash.json"
data="$(config_data_dir "$WORK/crash.json")"
for delay in 0.2 0.5 0.8 1.1 1.5; do
  start_server "$WORK/crash.json"
  curl -s -o /dev/null -H "Accept: $OCI_MANIFEST" "$BASE/v2/fx/bigdata/manifests/latest" &
  pull=$!
  sleep "$delay"
  kill -KILL "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  wait "$pull" 2>/dev/null || true
  _forget_pid "$SERVER_PID"
  SERVER_PID=""
  expect_eq 0 "$(blobs_intact "$data")" "kill -9 after $delay s: every stored blob is whole"
  # How many kills struck while a blob was being written (for the record:
  # the timing is the machine's).
  parts=$((${parts:-0} + $(find "$data" -name '*.part' | wc -l)))
done
figure temporary_blob_files_left_by_the_kills "$parts"

start_server "$WORK/crash.json"
expect_eq "$clean" "$(manifest_digest fx/bigdata latest)" \
  "after five kills, the same pull gives the clean build's digest"
for digest in $(jq -r '.config.digest, .layers[].digest' "$WORK/last.body"); do
  http GET "/v2/fx/bigdata/blobs/$digest"
  expect_eq "$digest" "sha256:$(sha256sum <"$WORK/last.body" | cut -d' ' -f1)" \
    "blob ${digest:7:12} is served whole"
done
expect_eq 0 "$(find "$data" -name '*.part' | wc -l)" "no temporary file is left once a build finished"
