#!/usr/bin/env bash
# Instructions the server spends per warm manifest request, by tag and by
# digest, counted by callgrind (repeatable, unlike requests per second on two
# shared cores). STRATA_BIN is measured; BASELINE_BIN, when set, too (another
# build, for a before/after in the same run). N requests each (default 2000)
# on one keep-alive connection, after 200 to warm up. Prints FIGURE lines.
source "$(dirname "$0")/common.sh"
cd "$root"
n=${N:-2000}
command -v valgrind >/dev/null || { echo "valgrind is needed" >&2; exit 1; }

accept='Accept: application/vnd.oci.image.manifest.v1+json'
# requests URL COUNT: COUNT GETs of URL on one connection
requests() { curl -fs -H "$accept" $(for _ in $(seq "$2"); do echo "$1"; done) >/dev/null; }

measure() { # label binary
  local label=$1 bin=$2 data="$work/$1"
  valgrind --tool=callgrind --callgrind-out-file="$work/$label.%p.cg" "$bin" serve \
    --config "$here/bench.json" --set "dataDir=$data" --set listen=127.0.0.1:0 \
    >"$work/$label.log" 2>&1 &
  local vpid=$! p=""
  for _ in $(seq 600); do
    p=$(grep -o 'listening on port [0-9]*' "$work/$label.log" | awk '{print $4}' || true)
    [ -n "$p" ] && break
    sleep 0.2
  done
  [ -n "$p" ] || { cat "$work/$label.log" >&2; return 1; }
  local base="http://127.0.0.1:$p/v2/demo/shell/manifests"
  curl -fs -o /dev/null "$base/latest"  # builds the image
  local digest
  digest=$(curl -fsI -H "$accept" "$base/latest" | tr -d '\r' |
    awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}')
  for kind in tag digest; do
    local ref=latest
    [ "$kind" = digest ] && ref=$digest
    requests "$base/$ref" 200
    callgrind_control -z "$vpid" >/dev/null
    requests "$base/$ref" "$n"
    callgrind_control -d "$vpid" >/dev/null
    sleep 1
    local dump ir
    dump=$(ls -t "$work/$label".*.cg* | head -1)
    ir=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    echo "FIGURE instructions_per_manifest_request binary=$label by=$kind value=$((ir / n))"
  done
  kill -INT "$vpid"
  wait "$vpid" 2>/dev/null || true
}

if [ -n "${BASELINE_BIN:-}" ]; then measure baseline "$BASELINE_BIN"; fi
measure strata "$strata"
