# Shared by the benchmark scripts: start and stop a Strata server, time commands.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
strata=${STRATA_BIN:-$root/build/bin/strata}
work=$(mktemp -d /tmp/strata-bench.XXXXXX)
server_pid=""

cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l | xargs printf '%.3f'; }

# start_strata DATADIR [--set k=v]...: starts the server on a free port, sets $port.
start_strata() {
  local data=$1
  shift
  "$strata" serve --config "$here/bench.json" --set "dataDir=$data" --set listen=127.0.0.1:0 \
    "$@" >"$work/strata.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    port=$(grep -o 'listening on port [0-9]*' "$work/strata.log" | awk '{print $4}' || true)
    [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && return 0
    sleep 0.1
  done
  cat "$work/strata.log" >&2
  return 1
}

stop_strata() {
  kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# peak resident memory of a process in MiB
peak_rss_mib() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

nix_opts=(--option substituters '')
