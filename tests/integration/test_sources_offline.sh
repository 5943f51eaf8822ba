#!/usr/bin/env bash
# Git package sources when the git server is gone, and after crashes:
#   - with the git daemon stopped (and a file:// repository moved away), tags,
#     commits and branches fetched before still build and serve (a branch from
#     its last fetched state); refs never seen answer 503 naming them;
#   - after wiping the blob store (and then the database too) and restarting
#     Strata with the git daemon still stopped, a pinned commit rebuilds to the
#     same digest and runs the same program;
#   - leftovers of interrupted exports and mirror creations (.tmp-* folders, one
#     holding a corrupt copy of a commit) and a stale ref lock are removed at
#     start-up: never trusted, and they do not block later fetches;
#   - while a fetch from a server that accepts and never answers hangs, known
#     tags and commits of the same source (and other sources) still answer;
#     Strata killed (SIGKILL) during that fetch starts again cleanly.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sources_lib.sh"
require_tools skopeo umoci chroot

# --- repositories and server -----------------------------------------------------------
src="$WORK/src"
make_pkg_repo "$src"
c1="$(commit_version "$src" 1)"
git -C "$src" tag -a v1 -m "release 1"
c2="$(commit_version "$src" 2)"
git -C "$src" tag v2
mkdir -p "$WORK/git"
bare_from "$src" "$WORK/git/acme.git"
bare_from "$src" "$WORK/git/local.git"
start_git_daemon "$WORK/git"

# A server that accepts connections and never answers: a fetch from it hangs.
hung_port_file="$WORK/hung.port"
perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 16, ReuseAddr => 1) or die "$!";
  open(my $f, ">", "$ARGV[0].tmp") or die; print $f $s->sockport(), "\n"; close $f; rename("$ARGV[0].tmp", $ARGV[0]);
  $| = 1; my @held;
  while (my $c = $s->accept()) { push @held, $c; print "accepted\n"; }' "$hung_port_file" >"$WORK/hung.log" 2>&1 &
hung_pid=$!
add_cleanup "kill -TERM $hung_pid"
for ((i = 0; i < 100; i++)); do [[ -s "$hung_port_file" ]] && break; sleep 0.1; done
[[ -s "$hung_port_file" ]] || fail "the hanging server did not start"
hung_port="$(cat "$hung_port_file")"

# config ACME_URL: the configuration, with source acme fetched from ACME_URL.
config() {
  write_config "$WORK/strata.json" "
    .dataDir = \"$WORK/data\" |
    .sources = [
      { name: \"acme\", prefix: \"acme\", type: \"git\", url: \"$1\", refreshSeconds: 2 },
      { name: \"local\", prefix: \"local\", type: \"git\",
        url: \"file://$WORK/git/local.git\", refreshSeconds: 0 }
    ]"
}
config "git://127.0.0.1:$GIT_DAEMON_PORT/acme.git"
data_dir="$WORK/data"
start_server "$WORK/strata.json"

expect_eq "version-1" "$(run_image acme/tool:v1 /bin/tool)" "online: acme/tool:v1 runs version 1"
expect_eq "version-2" "$(run_image acme/tool:latest /bin/tool)" "online: acme/tool:latest runs version 2"
d_v1="$(manifest_digest acme/tool v1)"
d_v2="$(manifest_digest acme/tool v2)"
expect_eq "$d_v1" "$(manifest_digest acme/tool "$c1")" "online: the commit of v1 has the digest of v1"
expect_eq "$c1" "$(pin_field acme/tool v1 revision)" "online: v1 is pinned to its commit"
d_local_v1="$(manifest_digest local/tool v1)"
d_local_latest="$(manifest_digest local/tool latest)"

# --- offline: the git daemon stopped --------------------------------------------------
stop_git_daemon
ok "git daemon stopped: its port refuses connections"
sleep 2.2 # past refreshSeconds: the next resolution of a branch tries to fetch
n0="$(nix_runs)"
expect_eq "$d_v1" "$(manifest_digest acme/tool v1)" "offline: the known tag v1 serves its digest"
expect_eq "$d_v2" "$(manifest_digest acme/tool "$c2")" "offline: the known commit of v2 serves its digest"
start="$(now_seconds)"
expect_eq "$d_v2" "$(manifest_digest acme/tool latest)" "offline: latest serves the last fetched state of main"
figure offline_pull_manifest_latest_ms "$(awk -v t="$(elapsed "$start")" 'BEGIN { printf "%.1f", t * 1000 }')"
grep -q "source 'acme': fetch from git://127.0.0.1:$GIT_DAEMON_PORT/acme.git failed" "$SERVER_LOG" ||
  fail "the failed fetch is not in the server log"
ok "the failed fetch is logged"
expect_eq "version-1" "$(run_image acme/tool:v1 /bin/tool)" "offline: acme/tool:v1 still pulls and runs version 1"
http GET /v2/acme/tool/manifests/never-seen
expect_error 503 UNAVAILABLE "offline: a ref never seen"
expect_contains "$(error_field message)" "never-seen" "the message names the ref"
expect_contains "$(error_field message)" "acme" "the message names the source"
unknown_commit="89abcdef0123456789abcdef0123456789abcdef"
http GET "/v2/acme/tool/manifests/$unknown_commit"
expect_error 503 UNAVAILABLE "offline: a commit never seen (it may exist upstream)"
expect_contains "$(error_field message)" "$unknown_commit" "the message names the commit"
expect_eq "$n0" "$(nix_runs)" "offline: everything served from the cache, no Nix run"

# The file:// repository moved away.
mv "$WORK/git/local.git" "$WORK/git/local.git.away"
expect_eq "$d_local_v1" "$(manifest_digest local/tool v1)" "file:// gone: the known tag v1 serves its digest"
expect_eq "$d_local_latest" "$(manifest_digest local/tool latest)" "file:// gone: latest serves the last fetched main"
http GET /v2/local/tool/manifests/never-seen
expect_error 503 UNAVAILABLE "file:// gone: a ref never seen"
mv "$WORK/git/local.git.away" "$WORK/git/local.git"

# --- wipe the blob store, restart, git daemon still stopped ----------------------------------
stop_server
rm -rf "$data_dir/blobs"
[[ -d "$data_dir/sources/acme/mirror.git" && ! -e "$data_dir/blobs" ]] || fail "could not wipe the blob store"
ok "blob store wiped; mirrors and exports kept"
start_server "$WORK/strata.json"
http GET "/v2/acme/tool/manifests/$d_v1"
expect_status 200 "blobs wiped, offline: GET by the digest of v1"
expect_eq "$d_v1" "$(body_sha256)" "blobs wiped, offline: rebuilt to the same digest"
[[ "$(nix_runs)" -ge 1 ]] || fail "the image was not rebuilt with Nix"
ok "blobs wiped, offline: the image was rebuilt with Nix ($(nix_runs) runs)"
expect_eq "$d_v1" "$(manifest_digest acme/tool "$c1")" "blobs wiped, offline: the pinned commit of v1 has the same digest"
expect_eq "version-1" "$(run_image "acme/tool:$c1" /bin/tool)" "blobs wiped, offline: the pinned commit runs version 1"
expect_eq "$d_v1" "$(manifest_digest acme/tool v1)" "blobs wiped, offline: v1 has the same digest"
expect_eq "$d_v2" "$(manifest_digest acme/tool latest)" "blobs wiped, offline: latest (stale main) has the digest of v2"

# --- wipe the blob store and the database ---------------------------------------------------
stop_server
rm -rf "$data_dir/blobs" "$data_dir/strata.db" "$data_dir"/strata.db-*
ok "blob store and database wiped"
start_server "$WORK/strata.json"
expect_eq "$d_v2" "$(manifest_digest acme/tool "$c2")" "blobs and database wiped, offline: the commit of v2 rebuilds to the same digest"
expect_eq "version-2" "$(run_image "acme/tool:$c2" /bin/tool)" "blobs and database wiped, offline: it runs version 2"
expect_eq "$c1" "$(pin_field acme/tool v1 revision)" "blobs and database wiped, offline: v1 is still pinned to its commit"
expect_eq "$d_v1" "$(pin_field acme/tool v1 digest)" "... with the same digest"

# --- leftovers of a crash are never trusted ------------------------------------------------
stop_server
exports="$data_dir/sources/acme/exports"
[[ -d "$exports/$c1" ]] || fail "no export of $c1 in $exports"
# The export of c1 never finished: only a corrupt temporary copy is there.
rm -rf "${exports:?}/$c1"
dead_pid=999999
mkdir -p "$exports/.tmp-$c1-$dead_pid-0"
cp -R "$src/." "$exports/.tmp-$c1-$dead_pid-0/"
rm -rf "$exports/.tmp-$c1-$dead_pid-0/.git"
echo '"BOGUS"' >"$exports/.tmp-$c1-$dead_pid-0/version.nix"
mkdir -p "$exports/.tmp-$c2-$dead_pid-1" "$data_dir/sources/acme/.tmp-mirror-$dead_pid-2/objects"
# A ref lock left by a process killed while it updated main.
echo "$c1" >"$data_dir/sources/acme/mirror.git/refs/heads/main.lock"
rm -rf "$data_dir/blobs"
# The git daemon is back (on a new port) with a new commit on main.
c3="$(commit_version "$src" 3)"
git -C "$src" push -q "$WORK/git/acme.git" main
start_git_daemon "$WORK/git"
config "git://127.0.0.1:$GIT_DAEMON_PORT/acme.git"
start_server "$WORK/strata.json"
leftovers="$(find "$data_dir/sources" -name '.tmp-*' -o -name '*.lock' -path '*mirror.git*' | sort)"
expect_eq "" "$leftovers" "at start-up, .tmp-* folders and stale ref locks are removed"
expect_eq "$d_v1" "$(manifest_digest acme/tool "$c1")" "the commit whose export never finished: exported again, same digest"
expect_eq "version-1" "$(run_image "acme/tool:$c1" /bin/tool)" "... and it runs version 1, not the corrupt copy"
[[ -d "$exports/$c1" ]] || fail "the commit was not exported again"
ok "the commit was exported again under exports/$c1"
expect_eq "$c3" "$(pin_field acme/tool latest revision)" "the stale lock is gone: a fetch updates main to the new commit"
expect_eq "version-3" "$(run_image acme/tool:latest /bin/tool)" "acme/tool:latest runs version 3"

# --- a fetch that hangs; SIGKILL during it -----------------------------------------------------
# acme now points at a server that accepts and never answers.
stop_server
config "git://127.0.0.1:$hung_port/acme.git"
start_server "$WORK/strata.json"
curl -s -o "$WORK/hung.body" -w '%{http_code}' --max-time 600 "$BASE/v2/acme/tool/manifests/latest" \
  >"$WORK/hung.status" 2>/dev/null &
curl_pid=$!
add_cleanup "kill -TERM $curl_pid"
for ((i = 0; i < 100; i++)); do grep -q accepted "$WORK/hung.log" && break; sleep 0.1; done
grep -q accepted "$WORK/hung.log" || fail "the fetch of latest never connected to the silent server"
ok "the fetch for acme/tool:latest is connected to the silent server and waiting"
start="$(now_seconds)"
http GET "/v2/acme/tool/manifests/v1" -H "Accept: $OCI_MANIFEST" --max-time 60
expect_status 200 "while acme's fetch hangs, its known tag v1 answers"
expect_eq "$d_v1" "$(header Docker-Content-Digest)" "... with the digest of v1"
figure pull_manifest_known_tag_during_hung_fetch_ms "$(awk -v t="$(elapsed "$start")" 'BEGIN { printf "%.1f", t * 1000 }')"
http GET "/v2/acme/tool/manifests/$c3" -H "Accept: $OCI_MANIFEST" --max-time 60
expect_status 200 "while acme's fetch hangs, a known commit answers"
http GET "/v2/local/tool/manifests/v1" -H "Accept: $OCI_MANIFEST" --max-time 60
expect_status 200 "while acme's fetch hangs, other sources answer"
kill -0 "$curl_pid" 2>/dev/null || fail "the request for latest ended early: $(cat "$WORK/hung.status")"
ok "the request for latest is still waiting"
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
_forget_pid "$SERVER_PID"
wait "$curl_pid" 2>/dev/null || true
ok "Strata killed with SIGKILL during the fetch"
config "git://127.0.0.1:$GIT_DAEMON_PORT/acme.git"
start_server "$WORK/strata.json"
leftovers="$(find "$data_dir/sources" -name '.tmp-*' -o -name '*.lock' -path '*mirror.git*' | sort)"
expect_eq "" "$leftovers" "after the kill: no .tmp-* folder, no ref lock"
expect_eq "$d_v1" "$(manifest_digest acme/tool v1)" "after the kill: v1 still has its digest"
expect_eq "$c3" "$(pin_field acme/tool latest revision)" "after the kill: the git daemon again, latest is the new commit"
git -C "$src" tag v3
git -C "$src" push -q "$WORK/git/acme.git" v3
expect_eq "$c3" "$(pin_field acme/tool v3 revision)" "after the kill: a new tag is fetched"

expect_server_alive
stop_server
