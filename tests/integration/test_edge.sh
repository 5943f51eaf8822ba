#!/usr/bin/env bash
# The HTTP edge under attack and at shutdown: slow and silent clients cannot
# hold the server (one deadline for a whole request head, a cap on
# connections per client address), and SIGTERM with a build that never ends
# stops within http.drainSeconds, answers the waiting client 503 and leaves
# no Nix process behind.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools jq curl /usr/bin/python3

copy="$(copy_fixture_unique "$WORK/tree")"
write_config "$WORK/strata.json" ".sources[0].path = \"$copy\" |
  .http.requestHeadSeconds = 3 | .http.drainSeconds = 12"
start_server "$WORK/strata.json"
SLOW_CLIENTS="$STRATA_SOURCE_DIR/tests/tools/slow_clients.py"

# new_client_seconds: the slowest of five GET /v2/ from 127.0.0.1, in seconds.
new_client_seconds() {
  local i t worst=0
  for i in 1 2 3 4 5; do
    t="$(curl -s -o /dev/null -w '%{time_total}' --max-time 30 "$BASE/v2/")"
    worst="$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b > a) ? b : a }')"
    sleep 0.2
  done
  echo "$worst"
}

# hold_connections NAME ARGS…: slow_clients.py in the background; returns once
# every client has connected. Its JSON report lands in $WORK/NAME.json.
hold_connections() {
  local name="$1" i
  shift
  HOLD_NAME="$name"
  rm -f "$WORK/$name.ready"
  /usr/bin/python3 "$SLOW_CLIENTS" --port "$SERVER_PORT" --ready "$WORK/$name.ready" "$@" \
    >"$WORK/$name.json" &
  HOLD_PID=$!
  for ((i = 0; i < 300; i++)); do
    [[ -e "$WORK/$name.ready" ]] && return 0
    sleep 0.1
  done
  fail "$name: the clients did not connect within 30 s"
}

# expect_new_client_fast FIGURE WHILE: while the held connections last, a new
# client is answered within a second; then waits for the holders and sets
# $report to their JSON report.
expect_new_client_fast() {
  sleep 0.5
  local worst
  worst="$(new_client_seconds)"
  figure "new_client_seconds_with_$1" "$worst"
  expect_eq 1 "$(awk -v t="$worst" 'BEGIN { print (t < 1.0) ? 1 : 0 }')" \
    "a new client is answered within a second $2 ($worst s)"
  wait "$HOLD_PID"
  report="$(cat "$WORK/$HOLD_NAME.json")"
  log "$HOLD_NAME: $report"
}

# --- 300 clients dripping one header line a second ---------------------------------
hold_connections drip --count 300 --source 127.0.0.2 --mode drip --interval 1 --duration 8
expect_new_client_fast 300_dripping "while 300 clients drip headers"
expect_eq 300 "$(jq .connected <<<"$report")" "all 300 dripping clients connected"
expect_eq 236 "$(jq '.answers["429"] // 0' <<<"$report")" \
  "236 beyond http.maxConnectionsPerClient (64) were refused with 429"
expect_eq 64 "$(jq '.answers["408"] // 0' <<<"$report")" \
  "the 64 admitted got 408 when their head missed http.requestHeadSeconds"
expect_eq 300 "$(jq .json_errors <<<"$report")" "every answer is a JSON registry error"
expect_eq 0 "$(jq .open_at_end <<<"$report")" "the server closed every dripping connection"
expect_eq 1 "$(jq '.last_close_seconds < 4.5' <<<"$report" | sed 's/true/1/;s/false/0/')" \
  "the last one within the 3 s head deadline (closed at $(jq .last_close_seconds <<<"$report") s)"

# --- 500 silent connections --------------------------------------------------------
hold_connections silent --count 500 --source 127.0.0.3 --mode silent --duration 6
expect_new_client_fast 500_silent "while 500 connections stay silent"
expect_eq 436 "$(jq '.answers["429"] // 0' <<<"$report")" "436 silent connections beyond the cap refused"
expect_eq 0 "$(jq .open_at_end <<<"$report")" "the 64 admitted closed at their head deadline"

# --- idle keep-alive: one connection serves several requests -------------------------
out="$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}\n' "$BASE/v2/" "$BASE/v2/" |
  awk '{ n += $1 } END { print n }')"
expect_eq 1 "$out" "two requests on one kept-alive connection"
metrics="$(curl -s "$BASE/metrics")"
expect_match "$(grep '^strata_http_connections_refused_total' <<<"$metrics")" ' (67[2-9]|6[89][0-9]|[7-9][0-9][0-9])$' \
  "refusals counted in /metrics"
expect_match "$(grep '^strata_http_head_timeouts_total' <<<"$metrics")" ' (6[4-9]|[7-9][0-9]|[0-9]{3})$' \
  "head timeouts counted in /metrics"

# --- SIGTERM during a build that never ends ------------------------------------------
marker="STRATA-FIXTURE-ENDLESS-$RUN_ID"
curl -s -o "$WORK/endless.body" -w '%{http_code}' -H "Accept: $OCI_MANIFEST" \
  "$BASE/v2/fx/endless/manifests/latest" >"$WORK/endless.status" &
pull_pid=$!
for ((i = 0; i < 300; i++)); do
  pgrep -f "$marker" >/dev/null && break
  sleep 0.1
done
pgrep -f "$marker" >/dev/null || fail "the endless build did not start within 30 s"
start="$(now_seconds)"
kill -TERM "$SERVER_PID"
for ((i = 0; i < 300; i++)); do
  _running "$SERVER_PID" || break
  sleep 0.1
done
took="$(elapsed "$start")"
figure sigterm_exit_seconds_with_endless_build "$took"
_running "$SERVER_PID" && fail "the server still runs 30 s after SIGTERM"
rc=0
wait "$SERVER_PID" || rc=$?
_forget_pid "$SERVER_PID"
SERVER_PID=""
expect_eq 0 "$rc" "the server exits with status 0 after draining"
expect_eq 1 "$(awk -v t="$took" 'BEGIN { print (t <= 13.0) ? 1 : 0 }')" \
  "it exits within http.drainSeconds (12 s) of SIGTERM ($took s)"
wait "$pull_pid" || true
expect_eq 503 "$(cat "$WORK/endless.status")" "the waiting pull is answered 503"
expect_eq UNAVAILABLE "$(jq -r '.errors[0].code' "$WORK/endless.body")" "with code UNAVAILABLE"
expect_contains "$(jq -r '.errors[0].message' "$WORK/endless.body")" "shutting down" \
  "and a message saying the server is shutting down"
sleep 1
expect_eq "" "$(pgrep -f "$marker" || true)" "no builder of the endless build is left"
expect_eq "" "$(pgrep -f 'nix-build.*endless' || true)" "no nix-build is left"
expect_contains "$(cat "$SERVER_LOG")" "stopping the builds still running" "the log says builds were stopped"
