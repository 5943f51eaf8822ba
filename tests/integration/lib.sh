# Shared helpers of the integration tests. Source it from a test script:
#
#   source "$(dirname "$0")/lib.sh"
#
# Environment (set by CTest, see tests/CMakeLists.txt; defaults for direct runs):
#   STRATA_BIN         the strata executable   (default: <source>/build/bin/strata)
#   STRATA_SOURCE_DIR  the repository          (default: two folders above this file)
#   STRATA_BUILD_DIR   the build folder        (default: folder of bin/ of STRATA_BIN)
#
# Every test gets its own temporary folder ($WORK), its own servers on free
# loopback ports and its own data folders; everything it started is stopped and
# removed by an EXIT trap, also on failure.

set -euo pipefail

STRATA_SOURCE_DIR="${STRATA_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
STRATA_BIN="${STRATA_BIN:-$STRATA_SOURCE_DIR/build/bin/strata}"
STRATA_BUILD_DIR="${STRATA_BUILD_DIR:-$(dirname "$(dirname "$STRATA_BIN")")}"
FIXTURE_PKGS="$STRATA_SOURCE_DIR/tests/fixtures/pkgs"
DEMO_PKGS="$STRATA_SOURCE_DIR/examples/demo-pkgs"
TEST_NAME="$(basename "$0" .sh)"

CHECKS=0
SERVER_PID=""
SERVER_PORT=""
SERVER_LOG=""
REGISTRY=""
BASE=""
_ALL_SERVER_PIDS=()
_CLEANUP_HOOKS=()

log() { printf '[%s] %s\n' "$TEST_NAME" "$*" >&2; }

# ---------------------------------------------------------------------------
# Temporary folder and cleanup

WORK="$(mktemp -d "${TMPDIR:-/tmp}/strata-$TEST_NAME.XXXXXX")"

# An id unique to this run (the temporary folder's name), e.g. for run-id below.
RUN_ID="$(basename "$WORK" | tr -c 'a-zA-Z0-9\n' '-')"

# add_cleanup 'command …': run at exit, last added first.
add_cleanup() { _CLEANUP_HOOKS+=("$1"); }

_cleanup() {
  local rc=$?
  set +e
  local i
  for ((i = ${#_CLEANUP_HOOKS[@]} - 1; i >= 0; i--)); do eval "${_CLEANUP_HOOKS[$i]}" >/dev/null 2>&1; done
  for pid in "${_ALL_SERVER_PIDS[@]+"${_ALL_SERVER_PIDS[@]}"}"; do _stop_pid "$pid"; done
  if [[ -n "${KEEP_WORK:-}" ]]; then
    log "kept $WORK"
  else
    rm -rf "$WORK"
  fi
  if [[ $rc -eq 0 ]]; then
    log "PASS ($CHECKS checks)"
  else
    log "FAILED (exit status $rc after $CHECKS passed checks)"
  fi
  exit $rc
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A write to a closed pipe or socket must fail the test visibly, not end the
# shell with a status the EXIT trap cannot see.
trap 'exit 141' PIPE

# next_id: a number unique within this test run (for folder names); kept in a
# file so that calls from command substitutions (subshells) count too.
next_id() {
  local n=0
  [[ -f "$WORK/.counter" ]] && n="$(cat "$WORK/.counter")"
  n=$((n + 1))
  echo "$n" >"$WORK/.counter"
  echo "$n"
}

# ---------------------------------------------------------------------------
# Failing and asserting

# fail MESSAGE: prints the message, the last HTTP answer and the server log, exits 1.
fail() {
  {
    echo "FAIL [$TEST_NAME]: $*"
    if [[ -s "$WORK/last.headers" ]]; then
      echo "--- last response headers:"
      cat "$WORK/last.headers"
    fi
    if [[ -s "$WORK/last.body" ]]; then
      echo "--- last response body (first 2000 bytes):"
      head -c 2000 "$WORK/last.body" | tr -c '[:print:]\n' '.'
      echo
    fi
    if [[ -n "$SERVER_LOG" && -f "$SERVER_LOG" ]]; then
      echo "--- server log (last 60 lines of $SERVER_LOG):"
      tail -n 60 "$SERVER_LOG"
    fi
  } >&2
  exit 1
}

ok() {
  CHECKS=$((CHECKS + 1))
  printf 'ok %d - %s\n' "$CHECKS" "$*"
}

# expect_eq EXPECTED ACTUAL DESCRIPTION
expect_eq() {
  if [[ "$1" != "$2" ]]; then
    fail "$3: expected '$1', got '$2'"
  fi
  ok "$3"
}

# expect_ne UNEXPECTED ACTUAL DESCRIPTION
expect_ne() {
  if [[ "$1" == "$2" ]]; then
    fail "$3: did not expect '$2'"
  fi
  ok "$3"
}

# expect_contains HAYSTACK NEEDLE DESCRIPTION
expect_contains() {
  if [[ "$1" != *"$2"* ]]; then
    fail "$3: '$2' not found in: $1"
  fi
  ok "$3"
}

# expect_not_contains HAYSTACK NEEDLE DESCRIPTION
expect_not_contains() {
  if [[ "$1" == *"$2"* ]]; then
    fail "$3: '$2' unexpectedly found in: $1"
  fi
  ok "$3"
}

# expect_match STRING EXTENDED_REGEX DESCRIPTION
expect_match() {
  if ! [[ "$1" =~ $2 ]]; then
    fail "$3: '$1' does not match /$2/"
  fi
  ok "$3"
}

# ---------------------------------------------------------------------------
# Configuration

# write_config FILE [JQ_FILTER]: writes a configuration for one test server:
# listen on a free loopback port, data in a fresh folder under $WORK, no
# binary caches, two path sources: "fx" (tests/fixtures/pkgs) and "demo"
# (examples/demo-pkgs). JQ_FILTER customises it, e.g. '.layering.maxLayers = 5'.
# The data folder is in the JSON (.dataDir).
write_config() {
  local file="$1" filter="${2:-.}" data
  data="$WORK/data-$(next_id)"
  jq -n --arg data "$data" --arg fx "$FIXTURE_PKGS" --arg demo "$DEMO_PKGS" \
    --arg plugins "$STRATA_BUILD_DIR/plugins" '{
      listen: "127.0.0.1:0",
      publicUrl: "http://127.0.0.1",
      dataDir: $data,
      storage: { backend: "filesystem", path: "" },
      database: { backend: "sqlite", path: "" },
      nix: { timeoutSeconds: 600, maxConcurrentBuilds: 2, maxQueuedBuilds: 32,
             options: { substituters: "" } },
      layering: { strategy: "closure", maxLayers: 94, popularityFile: "" },
      plugins: { directory: $plugins, load: [], config: {} },
      auth: { enabled: false, anonymousPull: false, tokenTtlSeconds: 900 },
      sources: [
        { name: "fx", prefix: "fx", type: "path", path: $fx,
          metaPackages: { shell: ["busybox"] }, alwaysInclude: [] },
        { name: "demo", prefix: "demo", type: "path", path: $demo,
          metaPackages: { shell: ["busybox"] }, alwaysInclude: [] }
      ]
    }' | jq "$filter" | jq "$_ALLOW_FIXTURE_IMPORTS" >"$file"
  _use_test_nix "$file"
}

# The second and third runs of the suites that exercise Nix (tests/CMakeLists.txt):
# STRATA_TEST_NIX_BIN_DIR: every server runs that Nix (nix.binDir), e.g. the
# Nix 2.26 of tests/tools/nix-2.26; STRATA_TEST_NIX_DAEMON=1: every server
# goes through a nix-daemon as nobody (nix.daemon), which must be able to
# read the test's folder. A configuration that sets them itself is kept.
_use_test_nix() {
  local file="$1" tmp="$1.tmp"
  if [[ -n "${STRATA_TEST_NIX_BIN_DIR:-}" ]]; then
    jq --arg dir "$STRATA_TEST_NIX_BIN_DIR" '.nix.binDir //= $dir' "$file" >"$tmp" && mv "$tmp" "$file"
  fi
  if [[ "${STRATA_TEST_NIX_DAEMON:-0}" == 1 ]]; then
    chmod 755 "$WORK"
    start_nix_daemon
    jq '.nix.daemon //= true' "$file" >"$tmp" && mv "$tmp" "$file"
  fi
}

# What the test package sets import from outside their folder, for sources
# that do not say (restrict-eval): Debian's busybox, and for a copy of the
# fixture (copy_fixture) the demo's lib.nix at the same relative place.
_ALLOW_FIXTURE_IMPORTS='.sources |= map(
  if has("allowedPaths") then . else
    .allowedPaths = ["/usr/bin"] + (
      if .type == "path" and (.path | endswith("/tests/fixtures/pkgs"))
      then [(.path | rtrimstr("/tests/fixtures/pkgs")) + "/examples/demo-pkgs/lib.nix"]
      else [] end)
  end)'

# copy_fixture DEST: copies the fixture package set to DEST/tests/fixtures/pkgs,
# with the one file outside it that it imports (examples/demo-pkgs/lib.nix) at
# the same relative place. Prints the path of the copied package set.
copy_fixture() {
  local dest="$1"
  mkdir -p "$dest/tests/fixtures" "$dest/examples/demo-pkgs"
  cp -R "$FIXTURE_PKGS" "$dest/tests/fixtures/pkgs"
  cp "$DEMO_PKGS/lib.nix" "$dest/examples/demo-pkgs/lib.nix"
  echo "$dest/tests/fixtures/pkgs"
}

# copy_fixture_unique DEST: copy_fixture, plus a file "run-id" holding
# $RUN_ID: the fixture's `slow` and `sleepy` then are derivations of this run
# alone (never built before, never shared with a concurrent run).
copy_fixture_unique() {
  local copy
  copy="$(copy_fixture "$1")"
  printf '%s' "$RUN_ID" >"$copy/run-id"
  echo "$copy"
}

# config_data_dir FILE: the data folder of a configuration.
config_data_dir() { jq -r .dataDir "$1"; }

# pick_port: a loopback port nothing listens on now (pure bash: no connection),
# below Linux's ephemeral range (32768 and up): a port from that range may be
# taken by any outgoing connection between the check and the bind.
pick_port() {
  local p
  while true; do
    p=$((12000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
}

# ---------------------------------------------------------------------------
# Server

# start_server CONFIG [EXTRA_ARGS…]: starts `strata serve`, waits until GET /v2/
# answers (200, or 401 with auth on). Sets SERVER_PID, SERVER_PORT, SERVER_LOG, REGISTRY (host:port)
# and BASE (http://host:port).
start_server() {
  local config="$1"
  shift
  SERVER_LOG="$WORK/server-$(next_id).log"
  : >"$SERVER_LOG"
  "$STRATA_BIN" serve --config "$config" "$@" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  _ALL_SERVER_PIDS+=("$SERVER_PID")
  SERVER_PORT=""
  local i
  for ((i = 0; i < 300; i++)); do
    if ! _running "$SERVER_PID"; then
      fail "the server exited during start-up"
    fi
    SERVER_PORT="$(sed -n 's/.*listening on port \([0-9][0-9]*\).*/\1/p' "$SERVER_LOG" | head -n 1)"
    [[ -n "$SERVER_PORT" ]] && break
    sleep 0.1
  done
  [[ -n "$SERVER_PORT" ]] || fail "the server did not report its port within 30 s"
  REGISTRY="127.0.0.1:$SERVER_PORT"
  BASE="http://$REGISTRY"
  local code
  for ((i = 0; i < 300; i++)); do
    # 200, or 401 when auth is on: either way the registry answers.
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/v2/" || true)"
    if [[ "$code" == 200 || "$code" == 401 ]]; then
      log "server $SERVER_PID listening on $REGISTRY (log: $SERVER_LOG)"
      _check_test_nix
      return 0
    fi
    _running "$SERVER_PID" || fail "the server exited during start-up"
    sleep 0.1
  done
  fail "GET /v2/ did not answer within 30 s"
}

# _check_test_nix: in the second and third runs (_use_test_nix), the server
# really runs that Nix, or through the daemon: the runs are not the first one
# again.
_check_test_nix() {
  if [[ -n "${STRATA_TEST_NIX_BIN_DIR:-}" ]]; then
    : "${_TEST_NIX_VERSION:=$("$STRATA_TEST_NIX_BIN_DIR/nix-instantiate" --version | awk '{print $NF}')}"
    grep -q "Nix $_TEST_NIX_VERSION runs" "$SERVER_LOG" ||
      fail "the server does not run the Nix of STRATA_TEST_NIX_BIN_DIR ($_TEST_NIX_VERSION)"
  fi
  if [[ "${STRATA_TEST_NIX_DAEMON:-0}" == 1 ]]; then
    grep -q "runs through the nix-daemon" "$SERVER_LOG" ||
      fail "the server does not run Nix through the daemon (STRATA_TEST_NIX_DAEMON)"
  fi
  return 0
}

# _running PID: the process exists and has not ended (a child that ended but
# was not waited for yet is a zombie: kill -0 still succeeds on it).
_running() {
  kill -0 "$1" 2>/dev/null || return 1
  [[ "$(ps -o stat= -p "$1" 2>/dev/null)" != Z* ]]
}

_stop_pid() {
  local pid="$1" i
  _running "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 400; i++)); do
    _running "$pid" || break
    sleep 0.1
  done
  if _running "$pid"; then
    log "server $pid did not stop within 40 s of SIGTERM: killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# _forget_pid PID: a server that has ended is no longer ours to stop (its pid
# may be reused by another process).
_forget_pid() {
  local p kept=()
  for p in "${_ALL_SERVER_PIDS[@]}"; do [[ "$p" == "$1" ]] || kept+=("$p"); done
  _ALL_SERVER_PIDS=("${kept[@]+"${kept[@]}"}")
}

# stop_server: SIGTERM to the current server; fails unless it exits with status 0.
stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  local pid="$SERVER_PID" i rc=0
  kill -TERM "$pid"
  for ((i = 0; i < 400; i++)); do
    _running "$pid" || break
    sleep 0.1
  done
  _running "$pid" && fail "server $pid did not stop within 40 s of SIGTERM"
  wait "$pid" || rc=$?
  _forget_pid "$pid"
  SERVER_PID=""
  expect_eq 0 "$rc" "server stops cleanly on SIGTERM (exit status)"
}

# expect_server_alive: the current server process still runs and answers GET /v2/.
expect_server_alive() {
  _running "$SERVER_PID" || fail "the server process $SERVER_PID is gone"
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE/v2/" || true)"
  expect_eq 200 "$code" "server $SERVER_PID still alive and answering GET /v2/"
}

# ---------------------------------------------------------------------------
# HTTP (curl)

# http METHOD PATH [CURL_ARGS…]: one request to the current server. The path
# goes as is (no '..' folding). Sets HTTP_STATUS; body in $WORK/last.body,
# headers in $WORK/last.headers. The body is never printed.
http() {
  local method="$1" path="$2"
  shift 2
  local -a args=(-s --path-as-is --max-time 900 -D "$WORK/last.headers" -w '%{http_code}')
  # curl --head writes the headers as the output: keep the body file empty.
  if [[ "$method" == HEAD ]]; then
    args+=(--head -o /dev/null)
  else
    args+=(-X "$method" -o "$WORK/last.body")
  fi
  : >"$WORK/last.body"
  HTTP_STATUS="$(curl "${args[@]}" "$@" "$BASE$path" || true)"
}

# raw_head PATH [HEADER_LINE…]: a HEAD request over a plain socket, reading
# until the server closes the connection. Prints the number of bytes the server
# sent after the end of the headers (0 for a correct HEAD answer). The status
# line is in $WORK/raw.status.
raw_head() {
  local path="$1" fd
  shift
  exec {fd}<>"/dev/tcp/127.0.0.1/$SERVER_PORT"
  {
    printf 'HEAD %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n' "$path" "$REGISTRY"
    local h
    for h in "$@"; do printf '%s\r\n' "$h"; done
    printf '\r\n'
  } >&"$fd"
  timeout 600 cat <&"$fd" >"$WORK/raw.response" || true
  exec {fd}>&-
  head -n 1 "$WORK/raw.response" | tr -d '\r' >"$WORK/raw.status"
  local total headers
  total="$(stat -c %s "$WORK/raw.response")"
  headers="$(grep -abo $'\r$' "$WORK/raw.response" | awk -F: 'prev != "" && $1 == prev + 2 { print $1 + 2; exit } { prev = $1 }')"
  [[ -n "$headers" ]] || fail "raw HEAD $path: no end of headers in the answer"
  echo $((total - headers))
}

# body: the body of the last answer.
body() { cat "$WORK/last.body"; }

# header NAME: the value of a header of the last answer ("" when absent).
header() {
  tr -d '\r' <"$WORK/last.headers" | awk -v name="$1" '
    /^HTTP\// { value = ""; found = 0 }   # a new (final) response starts
    { i = index($0, ":"); if (i > 0 && tolower(substr($0, 1, i - 1)) == tolower(name)) { value = substr($0, i + 1); sub(/^[ \t]+/, "", value); found = 1 } }
    END { if (found) print value }'
}

# has_header NAME: exit status 0 when the last answer carries the header.
has_header() { tr -d '\r' <"$WORK/last.headers" | grep -qi "^$1:"; }

# body_sha256: "sha256:<hex>" of the last body.
body_sha256() { echo "sha256:$(sha256sum <"$WORK/last.body" | cut -d' ' -f1)"; }

body_size() { stat -c %s "$WORK/last.body"; }

# expect_status CODE DESCRIPTION: checks the status of the last answer, and
# that it carries Docker-Distribution-API-Version: registry/2.0.
expect_status() {
  if [[ "$HTTP_STATUS" != "$1" ]]; then
    fail "$2: expected HTTP $1, got HTTP $HTTP_STATUS"
  fi
  local api
  api="$(header Docker-Distribution-API-Version)"
  if [[ "$api" != "registry/2.0" ]]; then
    fail "$2: HTTP $1 answer without Docker-Distribution-API-Version: registry/2.0 (got '$api')"
  fi
  ok "$2 (HTTP $1)"
}

# expect_error STATUS CODE DESCRIPTION: an error answer: status, JSON error code.
expect_error() {
  expect_status "$1" "$3"
  local code
  code="$(jq -r '.errors[0].code' "$WORK/last.body" 2>/dev/null || echo "<not JSON>")"
  expect_eq "$2" "$code" "$3: error code"
}

# expect_error_code CODE DESCRIPTION: the JSON error code of the last answer.
expect_error_code() {
  local code
  code="$(jq -r '.errors[0].code' "$WORK/last.body" 2>/dev/null || echo "<not JSON>")"
  expect_eq "$1" "$code" "$2"
}

# error_field FIELD: .errors[0].FIELD of the last answer.
error_field() { jq -r ".errors[0].$1 // \"\"" "$WORK/last.body" 2>/dev/null || true; }

# Media types.
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json

# get_manifest NAME REF [ACCEPT]: GET a manifest; fails unless 200. The body
# is in $WORK/last.body; prints nothing.
get_manifest() {
  local accept="${3:-$OCI_MANIFEST}"
  http GET "/v2/$1/manifests/$2" -H "Accept: $accept"
  [[ "$HTTP_STATUS" == 200 ]] || fail "GET /v2/$1/manifests/$2: HTTP $HTTP_STATUS"
}

# manifest_digest NAME REF [ACCEPT]: prints the Docker-Content-Digest of the manifest.
manifest_digest() {
  get_manifest "$@"
  header Docker-Content-Digest
}

# ---------------------------------------------------------------------------
# Registry clients: skopeo, umoci, chroot

# oci_pull IMAGE[:TAG] DIR: skopeo copy from the current server into an OCI
# layout DIR (tag "img").
oci_pull() {
  local image="$1" dir="$2"
  if ! skopeo copy --quiet --src-tls-verify=false "docker://$REGISTRY/$image" "oci:$dir:img" \
    >"$WORK/skopeo.out" 2>&1; then
    cat "$WORK/skopeo.out" >&2
    fail "skopeo copy docker://$REGISTRY/$image failed"
  fi
}

# oci_unpack DIR BUNDLE: umoci unpack of the layout's "img" tag into BUNDLE.
oci_unpack() {
  if ! umoci unpack --image "$1:img" "$2" >"$WORK/umoci.out" 2>&1; then
    cat "$WORK/umoci.out" >&2
    fail "umoci unpack $1:img failed"
  fi
}

# pull_rootfs IMAGE[:TAG]: pulls with skopeo, unpacks with umoci, prints the
# rootfs folder.
pull_rootfs() {
  local id dir bundle
  id="$(next_id)"
  dir="$WORK/oci-$id"
  bundle="$WORK/bundle-$id"
  oci_pull "$1" "$dir"
  oci_unpack "$dir" "$bundle"
  echo "$bundle/rootfs"
}

# run_in_rootfs ROOTFS COMMAND…: runs COMMAND chrooted into ROOTFS, with a
# clean environment (PATH=/bin as in the image config). Prints its output.
run_in_rootfs() {
  local rootfs="$1"
  shift
  local chroot_bin
  chroot_bin="$(command -v chroot)" || fail "chroot is not installed"
  env -i PATH=/bin "$chroot_bin" "$rootfs" "$@"
}

# pull_and_run IMAGE[:TAG] COMMAND…: pull_rootfs, then run_in_rootfs.
pull_and_run() {
  local rootfs
  rootfs="$(pull_rootfs "$1")"
  shift
  run_in_rootfs "$rootfs" "$@"
}

# ---------------------------------------------------------------------------
# Misc

# now_seconds: a monotonic-enough wall clock with milliseconds, for FIGURE lines.
now_seconds() { date +%s.%N; }

# elapsed START: seconds since START (now_seconds), 3 decimals.
elapsed() { awk -v a="$1" -v b="$(now_seconds)" 'BEGIN { printf "%.3f", b - a }'; }

# figure NAME VALUE: prints a measured figure (never asserted).
figure() { echo "FIGURE $1=$2"; }

# require_tools TOOL…: fails when a tool is missing.
require_tools() {
  local t
  for t in "$@"; do command -v "$t" >/dev/null || fail "required tool '$t' is not installed"; done
}

require_tools curl jq sha256sum
[[ -x "$STRATA_BIN" ]] || fail "STRATA_BIN '$STRATA_BIN' is not an executable (build it first)"

# ---------------------------------------------------------------------------
# nix-daemon

# start_nix_daemon: makes sure a nix-daemon answers on the default socket
# (Debian's nix-bin, without binary caches), started by this test when none
# runs, and stopped at its end.
start_nix_daemon() {
  # Writing to the store (toFile) needs the daemon; evaluating alone would not.
  local probe='builtins.toFile "strata-daemon-probe" "ok"'
  NIX_REMOTE=daemon nix-instantiate --eval --read-write-mode -E "$probe" >/dev/null 2>&1 && return 0
  NIX_CONFIG=$'substituters =\nsandbox = true' nix-daemon --daemon >"$WORK/nix-daemon.log" 2>&1 &
  local pid=$! i
  add_cleanup "kill $pid 2>/dev/null || true"
  for ((i = 0; i < 100; i++)); do
    NIX_REMOTE=daemon nix-instantiate --eval --read-write-mode -E "$probe" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "nix-daemon did not answer within 10 s (log: $WORK/nix-daemon.log)"
}

# ---------------------------------------------------------------------------
# distribution (Debian's docker-registry), the reference registry

# start_distribution NAME: docker-registry on its filesystem driver, data in
# $WORK/NAME-data, on a free loopback port. Sets dport (its port) and dpid.
start_distribution() {
  local name="$1"
  dport="$(pick_port)"
  cat >"$WORK/$name.yml" <<YML
version: 0.1
log: { level: error, accesslog: { disabled: true } }
storage:
  filesystem: { rootdirectory: $WORK/$name-data }
  cache: { blobdescriptor: inmemory }
http: { addr: 127.0.0.1:$dport }
YML
  docker-registry serve "$WORK/$name.yml" >"$WORK/$name.log" 2>&1 &
  dpid=$!
  add_cleanup "kill $dpid"
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$dport/v2/" >/dev/null && return 0; sleep 0.1; done
  cat "$WORK/$name.log" >&2
  fail "docker-registry did not start"
}

# ---------------------------------------------------------------------------
# containerd (Debian's), driven with ctr

# start_containerd: a containerd of this test alone (root, state and socket
# under $WORK; no CRI). Sets CTR (the ctr command line for it).
start_containerd() {
  local dir="$WORK/containerd"
  mkdir -p "$dir"
  cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
TOML
  containerd --config "$dir/config.toml" >"$dir.log" 2>&1 &
  local pid=$!
  add_cleanup "kill $pid"
  CTR=(ctr --address "$dir/containerd.sock" --namespace strata-test)
  for _ in $(seq 100); do "${CTR[@]}" version >/dev/null 2>&1 && return 0; sleep 0.1; done
  cat "$dir.log" >&2
  fail "containerd did not start"
}

# ---------------------------------------------------------------------------
# S3 (s3rver from tests/tools, installed by scripts/setup.sh --tests)

S3RVER="$STRATA_SOURCE_DIR/tests/tools/node_modules/.bin/s3rver"

# start_s3 [BUCKET] [DIR] [PORT]: starts s3rver on a loopback port (a free
# one unless given) with BUCKET (default "strata"), its data in DIR (default:
# a new folder under $WORK). Sets S3_PID, S3_PORT, S3_DIR, S3_URL and
# S3_SECRET_FILE (holding s3rver's secret; its access key is "S3RVER").
start_s3() {
  local bucket="${1:-strata}"
  [[ -x "$S3RVER" ]] || fail "s3rver is not installed: run scripts/setup.sh --tests"
  S3_DIR="${2:-$WORK/s3-$(next_id)}"
  S3_PORT="${3:-$(pick_port)}"
  mkdir -p "$S3_DIR"
  # s3rver 3.7 makes continuation tokens with a cipher Node 18+ keeps in its
  # legacy provider.
  NODE_OPTIONS=--openssl-legacy-provider \
    "$S3RVER" -d "$S3_DIR" -a 127.0.0.1 -p "$S3_PORT" --configure-bucket "$bucket" \
    >>"$S3_DIR.log" 2>&1 &
  S3_PID=$!
  add_cleanup "kill $S3_PID"
  S3_URL="http://127.0.0.1:$S3_PORT"
  S3_SECRET_FILE="$WORK/s3-secret"
  printf 'S3RVER\n' >"$S3_SECRET_FILE"
  local i
  for ((i = 0; i < 100; i++)); do
    curl -s -o /dev/null "$S3_URL/" && return 0
    sleep 0.1
  done
  fail "s3rver did not answer on $S3_URL"
}

# stop_s3: stops the s3rver (its data stays in $S3_DIR).
stop_s3() {
  kill "$S3_PID" 2>/dev/null || true
  wait "$S3_PID" 2>/dev/null || true
}

# s3_filter [BUCKET] [PREFIX]: a write_config filter storing blobs in the bucket.
s3_filter() {
  printf '.storage = {backend: "s3", s3: {endpoint: "%s", bucket: "%s", region: "us-east-1",
    accessKeyId: "S3RVER", secretAccessKeyFile: "%s", prefix: "%s", pathStyle: true,
    redirect: true, presignSeconds: 300}}' "$S3_URL" "${1:-strata}" "$S3_SECRET_FILE" "${2:-}"
}

# aws_s3 ARGS…: the AWS command line client against the s3rver.
aws_s3() {
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1 \
    aws --endpoint-url "$S3_URL" "$@"
}

# ---------------------------------------------------------------------------
# PostgreSQL 15 (Debian), run by an unprivileged user: it refuses root

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

# start_postgres: initdb + pg_ctl on a free loopback port, data under $WORK.
# Role "strata" with password "pg-secret" (scram-sha-256 over TCP), database
# "strata". Sets PG_PORT, PG_DIR, PG_CONN (a libpq connection string without
# the password), PG_PASSWORD_FILE and PG_ADMIN (a superuser connection string
# over the socket, for the tests themselves).
start_postgres() {
  [[ -x "$PG_BIN/initdb" ]] || fail "PostgreSQL 15 is not installed ($PG_BIN)"
  PG_DIR="$WORK/pg-$(next_id)"
  PG_PORT="$(pick_port)"
  mkdir -p "$PG_DIR"
  chown nobody "$PG_DIR"
  chmod o+x "$WORK"  # the server's user must reach its folder (and nothing else in $WORK)
  runuser -u nobody -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 >"$PG_DIR.initdb.log" 2>&1 || { cat "$PG_DIR.initdb.log" >&2; fail "initdb"; }
  pg_start
  add_cleanup "runuser -u nobody -- '$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m immediate stop"
  PG_ADMIN="host=$PG_DIR port=$PG_PORT user=postgres dbname=postgres"
  psql -q "$PG_ADMIN" -c "CREATE ROLE strata LOGIN PASSWORD 'pg-secret'" -c "CREATE DATABASE strata OWNER strata" ||
    fail "creating the role and database"
  PG_CONN="host=127.0.0.1 port=$PG_PORT dbname=strata user=strata connect_timeout=5"
  PG_PASSWORD_FILE="$WORK/pg-password"
  printf 'pg-secret\n' >"$PG_PASSWORD_FILE"
}

# pg_start / pg_stop: the server of start_postgres (its data stays).
pg_start() {
  runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/server.log" \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null ||
    { cat "$PG_DIR/server.log" >&2; fail "pg_ctl start"; }
}
pg_stop() {
  runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
}

# pg_filter: a write_config filter keeping the metadata in that database.
pg_filter() {
  printf '.database = {backend: "postgresql", postgresql: {connection: "%s", passwordFile: "%s"}}' \
    "$PG_CONN" "$PG_PASSWORD_FILE"
}

# raw_exchange TEXT: sends TEXT (printf escapes: \r\n) on a new connection and
# waits up to 5 s for the server to close it. The bytes the server sent are in
# $WORK/raw.response; RAW_CLOSED is "yes" when the server closed the
# connection itself within the 5 s.
raw_exchange() {
  local fd
  exec {fd}<>"/dev/tcp/127.0.0.1/$SERVER_PORT"
  # The server may answer and close before all of TEXT is written.
  (trap '' PIPE; printf "$1" >&"$fd") 2>/dev/null || true
  # Closed: cat ends (end of input, or a reset); not closed: timeout's 124.
  local rc=0
  timeout 5 cat <&"$fd" >"$WORK/raw.response" 2>/dev/null || rc=$?
  RAW_CLOSED=yes
  [[ "$rc" == 124 ]] && RAW_CLOSED=no
  exec {fd}>&-
}
