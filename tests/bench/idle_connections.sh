#!/usr/bin/env bash
# Connections held open without a finished request (clients dripping one
# header line a second) against the latency of a new client's GET /v2/,
# with the default http.* limits. "one address": every slow client from
# 127.0.0.2, so http.maxConnectionsPerClient applies; "spread": each from an
# address of its own, so only the head deadline and the pressure rules do.
# Prints FIGURE lines (worst of five GETs, in seconds).
source "$(dirname "$0")/common.sh"
cd "$root"

worst_of_five() {
  local worst=0 t
  for _ in 1 2 3 4 5; do
    t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 60 "http://127.0.0.1:$port/v2/")
    worst=$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b > a) ? b : a }')
    sleep 0.3
  done
  echo "$worst"
}

start_strata "$work/data"
for mode in one spread; do
  for held in 0 100 250 400 800; do
    args=(--source 127.0.0.2)
    [ "$mode" = spread ] && args=(--spread)
    rm -f "$work/ready"
    /usr/bin/python3 tests/tools/slow_clients.py --port "$port" --count "$held" "${args[@]}" \
      --mode drip --interval 1 --duration 9 --ready "$work/ready" >"$work/held.json" &
    holder=$!
    for _ in $(seq 300); do [ -e "$work/ready" ] && break; sleep 0.1; done
    sleep 1
    t=$(worst_of_five)
    wait "$holder"
    echo "FIGURE new_client_seconds{held=$held,addresses=$mode}=$t  ($(cat "$work/held.json"))"
    sleep 2
  done
done
stop_strata
