# shellcheck shell=bash
# Helpers of the git package-source tests (test_sources_*.sh). Source it after
# lib.sh:
#
#   source "$(dirname "$0")/lib.sh"
#   source "$(dirname "$0")/sources_lib.sh"
#
# Repositories are made at test time under $WORK with the git command line
# (the server itself uses libgit2 only); servers started here (git daemon,
# git-http-server.pl running git http-backend) listen on free loopback ports and are
# stopped by the EXIT trap.

require_tools git perl

# The git command line of the tests: no user or system configuration.
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME="Strata Test" GIT_AUTHOR_EMAIL="test@strata.invalid"
export GIT_COMMITTER_NAME="Strata Test" GIT_COMMITTER_EMAIL="test@strata.invalid"

# port_open PORT: exit status 0 when something accepts connections on PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- the package repository --------------------------------------------------------

# make_pkg_repo DIR: a working repository (branch main) holding a small package
# set that needs no nixpkgs: lib.nix (a copy of examples/demo-pkgs/lib.nix),
# version.nix and default.nix with
#   tool     /bin/tool prints "version-<version.nix>"
#   busybox  the runtime busybox
# The first commit has version 0. Prints nothing.
make_pkg_repo() {
  local dir="$1"
  git init -q -b main "$dir"
  cp "$DEMO_PKGS/lib.nix" "$dir/lib.nix"
  cat >"$dir/default.nix" <<'EOF'
# A package set in a git repository, made by Strata's source tests.
{ system ? builtins.currentSystem }:
let
  lib = import ./lib.nix { inherit system; };
  version = import ./version.nix;
  base = {
    inherit (lib) busybox;
    tool = lib.writeScriptBin "tool" ''
      echo "version-${version}"
    '';
  };
in
# describe_pkg_repo adds extra.nix: descriptions and more packages.
base // (if builtins.pathExists ./extra.nix then import ./extra.nix { inherit lib version base; } else { })
EOF
  echo '"0"' >"$dir/version.nix"
  git -C "$dir" add -A
  git -C "$dir" commit -q -m "package set, version 0"
}

# describe_pkg_repo DIR: commits (on the current branch of a make_pkg_repo
# repository) extra.nix, which makes the package set one that package search
# can look into:
#   tool              as before, with meta.description "Prints the version of
#                     the package set" and version "1.<version.nix>"
#   extras.greeter    in a nested set with recurseForDerivations (listed), with
#                     meta.description "Says a friendly word"
#   hidden.secretTool in a nested set without it (not listed)
#   broken            throws when evaluated (left out of the listing)
describe_pkg_repo() {
  local dir="$1"
  cat >"$dir/extra.nix" <<'NIX'
{ lib, version, base }:
{
  tool = base.tool // { version = "1.${version}"; meta.description = "Prints the version of the package set"; };
  extras = {
    recurseForDerivations = true;
    greeter = lib.writeScriptBin "greeter" "echo hi" // { meta.description = "Says a friendly word"; };
  };
  hidden = { secretTool = lib.writeScriptBin "secret-tool" "echo no"; };
  broken = throw "STRATA-TEST: broken on purpose";
}
NIX
  git -C "$dir" add -A
  git -C "$dir" commit -q -m "package set with descriptions"
}

# commit_version DIR VERSION: sets the version of `tool`, commits, prints the commit.
commit_version() {
  echo "\"$2\"" >"$1/version.nix"
  git -C "$1" commit -q -a -m "version $2"
  git -C "$1" rev-parse HEAD
}

# bare_from DIR BARE: a bare repository BARE holding every branch and tag of DIR.
bare_from() {
  git init -q --bare "$2"
  git -C "$1" push -q "$2" 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'
}

# --- git daemon ----------------------------------------------------------------------

GIT_DAEMON_PID=""
GIT_DAEMON_PORT=""

# start_git_daemon BASE_PATH [PORT]: serves every repository under BASE_PATH
# over git:// on a free loopback port (or PORT), waits until it answers.
start_git_daemon() {
  local base="$1" want="${2:-}" i port
  for _ in 1 2 3 4 5; do
    port="${want:-$(pick_port)}"
    git daemon --base-path="$base" --export-all --reuseaddr --informative-errors \
      --listen=127.0.0.1 --port="$port" "$base" >"$WORK/git-daemon-$port.log" 2>&1 &
    GIT_DAEMON_PID=$!
    add_cleanup "kill -TERM $GIT_DAEMON_PID"
    for ((i = 0; i < 100; i++)); do
      kill -0 "$GIT_DAEMON_PID" 2>/dev/null || break
      if port_open "$port"; then
        GIT_DAEMON_PORT="$port"
        log "git daemon $GIT_DAEMON_PID serving $base on git://127.0.0.1:$port/"
        return 0
      fi
      sleep 0.1
    done
    kill -TERM "$GIT_DAEMON_PID" 2>/dev/null || true
    wait "$GIT_DAEMON_PID" 2>/dev/null || true
    [[ -z "$want" ]] || break
    log "git daemon could not listen on $port: trying another port"
  done
  cat "$WORK"/git-daemon-*.log >&2 || true
  fail "git daemon did not start"
}

# stop_git_daemon: stops it and waits until its port refuses connections.
stop_git_daemon() {
  kill -TERM "$GIT_DAEMON_PID" 2>/dev/null || true
  wait "$GIT_DAEMON_PID" 2>/dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do
    port_open "$GIT_DAEMON_PORT" || return 0
    sleep 0.1
  done
  fail "git daemon still accepts connections on $GIT_DAEMON_PORT"
}

# --- git over http: git-http-server.pl running git http-backend -------------------------

GIT_HTTP_PID=""
GIT_HTTP_PORT=""

# start_git_http BASE_PATH USER PASSWORD: serves every repository under
# BASE_PATH as http://127.0.0.1:PORT/git/<repo>, behind HTTP basic
# authentication with USER:PASSWORD.
start_git_http() {
  local portfile="$WORK/git-http.port" i
  rm -f "$portfile"
  TMPDIR="$WORK" perl "$(dirname "${BASH_SOURCE[0]}")/git-http-server.pl" "$portfile" "$1" "$2:$3" \
    >"$WORK/git-http.log" 2>&1 &
  GIT_HTTP_PID=$!
  add_cleanup "kill -TERM $GIT_HTTP_PID"
  for ((i = 0; i < 100; i++)); do
    [[ -s "$portfile" ]] && break
    kill -0 "$GIT_HTTP_PID" 2>/dev/null || break
    sleep 0.1
  done
  [[ -s "$portfile" ]] || { cat "$WORK/git-http.log" >&2; fail "the git http server did not start"; }
  GIT_HTTP_PORT="$(cat "$portfile")"
  log "git http server $GIT_HTTP_PID serving $1 on http://127.0.0.1:$GIT_HTTP_PORT/git/"
}

# --- registry helpers ------------------------------------------------------------------

# metric SERIES: the value of one series of GET /metrics (0 when absent).
metric() {
  curl -s --max-time 30 "$BASE/metrics" | awk -v s="$1" '$1 == s { v = $2 } END { print (v == "" ? 0 : v) }'
}

# nix_runs: how many builds ran Nix so far.
nix_runs() { metric 'strata_build_phase_seconds_count{phase="nix"}'; }

# fetches SOURCE: how many fetches (successful or not) of SOURCE the current
# server logged.
fetches() { grep -c -E "source '$1': (fetched|fetch from|cannot fetch)" "$SERVER_LOG" || true; }

# pin NAME TAG: GET /api/v1/images/NAME:TAG/pin; fails unless 200. Body in $WORK/last.body.
pin() {
  http GET "/api/v1/images/$1:$2/pin"
  [[ "$HTTP_STATUS" == 200 ]] || fail "GET /api/v1/images/$1:$2/pin: HTTP $HTTP_STATUS $(body)"
}

# pin_field NAME TAG FIELD: one field of the pin answer.
pin_field() {
  pin "$1" "$2"
  jq -r ".$3" "$WORK/last.body"
}

# image_revision NAME TAG: the org.opencontainers.image.revision label of the image config.
image_revision() {
  get_manifest "$1" "$2" "$OCI_MANIFEST"
  http GET "/v2/$1/blobs/$(jq -r .config.digest "$WORK/last.body")"
  [[ "$HTTP_STATUS" == 200 ]] || fail "config blob of $1:$2: HTTP $HTTP_STATUS"
  jq -r '.config.Labels["org.opencontainers.image.revision"]' "$WORK/last.body"
}

# run_image IMAGE[:TAG|@DIGEST] COMMAND…: pulls with skopeo, unpacks with umoci,
# runs COMMAND chrooted in the image. Prints its output.
run_image() { pull_and_run "$@"; }

# timed_manifest NAME REF: GET of an OCI manifest; prints curl's total time in
# milliseconds. Status in HTTP_STATUS, headers and body as with http.
timed_manifest() {
  local out
  : >"$WORK/last.body"
  out="$(curl -s --max-time 900 -o "$WORK/last.body" -D "$WORK/last.headers" \
    -w '%{http_code} %{time_total}' -H "Accept: $OCI_MANIFEST" "$BASE/v2/$1/manifests/$2" || true)"
  HTTP_STATUS="${out%% *}"
  awk -v t="${out##* }" 'BEGIN { printf "%.2f", t * 1000 }'
}

# mean NUMBER…: the arithmetic mean, 2 decimals.
mean() { printf '%s\n' "$@" | awk '{ s += $1; n++ } END { printf "%.2f", n ? s / n : 0 }'; }
