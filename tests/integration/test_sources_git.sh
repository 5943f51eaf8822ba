#!/usr/bin/env bash
# Git package sources, end to end, with repositories made at test time:
#   - several sources in one registry, routed by the longest prefix, a default
#     source (prefix ""), and GET /api/v1/sources without any credential;
#   - transports: git:// (a `git daemon` on a loopback port), file://, and
#     http:// (git-http-server.pl running git http-backend behind basic
#     authentication: the token file and user:password@ URL credentials reach
#     libgit2; a wrong token fails cleanly; no secret in answers or logs);
#   - tags (annotated and lightweight), branches, 40-hex commits and latest,
#     each pulled with skopeo, unpacked and run to prove which version it holds;
#   - pinning: the pin API, pulls by pinned name and by digest, a commit gives
#     the digest of the tag that pointed at it;
#   - a commit pushed during the test: seen at once with refreshSeconds 0, only
#     after refreshSeconds with 3; known tags and commits are never fetched
#     again; repeated pulls of latest while the branch has not moved fetch at
#     most once per refreshSeconds and run no Nix. Figures (FIGURE lines):
#     resolve_cached_tag_ms (from /metrics), manifest_pull_cached_tag_ms,
#     resolve_latest_cached_ms and manifest_pull_latest_unmoved_ms (within
#     refreshSeconds), *_latest_refetch_unmoved_ms (fetching first), and
#     skopeo_pull_latest_unmoved_s;
#   - a tag moved upstream keeps the commit Strata first saw;
#   - unknown refs answer 404 naming them; invalid refs answer 400 and reach
#     neither libgit2 nor Nix.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sources_lib.sh"
require_tools skopeo umoci chroot

# --- repositories --------------------------------------------------------------------
src="$WORK/src"
make_pkg_repo "$src"
c1="$(commit_version "$src" 1)"
git -C "$src" tag -a v1 -m "release 1"   # annotated
git -C "$src" branch stable              # a branch at c1
git -C "$src" tag dup                    # a tag "dup" at c1 ...
c2="$(commit_version "$src" 2)"
git -C "$src" tag v2                     # lightweight
git -C "$src" branch dup                 # ... and a branch "dup" at c2
mkdir -p "$WORK/git"
bare_from "$src" "$WORK/git/acme.git"
bare_from "$src" "$WORK/git/local.git"
start_git_daemon "$WORK/git"
[[ "$c1" != "$c2" ]] || fail "the two releases have the same commit"
ok "repositories made: v1=$c1 v2=$c2"

# Secrets: one password serves as the URL password and as the token; the
# wrong token is a secret too. None may appear in an answer or a log.
secret="s3cret-$RUN_ID-pw"
wrong="wr0ng-$RUN_ID-tk"
mkdir -p "$WORK/creds-SECRETDIR"
printf '%s\n' "$secret" >"$WORK/creds-SECRETDIR/token"
printf '%s\n' "$wrong" >"$WORK/creds-SECRETDIR/wrong-token"
keyfile="$WORK/creds-SECRETDIR/id_ed25519_KEYMARK"
: >"$keyfile"
start_git_http "$WORK/git" deploy "$secret"
http_url="http://127.0.0.1:$GIT_HTTP_PORT/git/acme.git"

# --- configuration: six sources --------------------------------------------------------
write_config "$WORK/strata.json" "
  .sources = [
    { name: \"default\", prefix: \"\", type: \"path\", path: \"$DEMO_PKGS\" },
    { name: \"acme\", prefix: \"acme\", type: \"git\",
      url: \"git://127.0.0.1:$GIT_DAEMON_PORT/acme.git\", defaultRef: \"main\", refreshSeconds: 3 },
    { name: \"local\", prefix: \"acme/local\", type: \"git\",
      url: \"file://$WORK/git/local.git\", refreshSeconds: 0 },
    { name: \"private\", prefix: \"private\", type: \"git\", url: \"$http_url\",
      credentials: { tokenFile: \"$WORK/creds-SECRETDIR/token\", username: \"deploy\",
                     sshKeyFile: \"$keyfile\" } },
    { name: \"urlcreds\", prefix: \"private/url\", type: \"git\",
      url: \"http://deploy:$secret@127.0.0.1:$GIT_HTTP_PORT/git/acme.git\" },
    { name: \"wrong\", prefix: \"private/wrong\", type: \"git\", url: \"$http_url\",
      credentials: { tokenFile: \"$WORK/creds-SECRETDIR/wrong-token\", username: \"deploy\" } }
  ]"
start_server "$WORK/strata.json"

# no_secret TEXT WHERE: none of the secrets, nor the credential files' paths.
no_secret() {
  expect_not_contains "$1" "$secret" "$2: not the password/token"
  expect_not_contains "$1" "$wrong" "$2: not the wrong token"
  expect_not_contains "$1" "SECRETDIR" "$2: not the credential files' paths"
  expect_not_contains "$1" "KEYMARK" "$2: not the ssh key file"
}

# --- GET /api/v1/sources -------------------------------------------------------------
http GET /api/v1/sources
expect_status 200 "GET /api/v1/sources"
sources_json="$(body)"
expect_eq "acme default local private urlcreds wrong" \
  "$(jq -r '[.sources[].name] | sort | join(" ")' "$WORK/last.body")" "every configured source is listed"
expect_eq ':default acme/local:local acme:acme private/url:urlcreds private/wrong:wrong private:private' \
  "$(jq -r '[.sources[] | "\(.prefix):\(.name)"] | sort | join(" ")' "$WORK/last.body")" \
  "each source with its prefix (prefix:name)"
expect_eq "git" "$(jq -r '.sources[] | select(.name == "acme") | .type' "$WORK/last.body")" "acme is a git source"
expect_eq "3" "$(jq -r '.sources[] | select(.name == "acme") | .refreshSeconds' "$WORK/last.body")" "acme's refreshSeconds"
expect_eq "main" "$(jq -r '.sources[] | select(.name == "local") | .defaultRef' "$WORK/last.body")" "defaultRef defaults to main"
expect_eq "http://***@127.0.0.1:$GIT_HTTP_PORT/git/acme.git" \
  "$(jq -r '.sources[] | select(.name == "urlcreds") | .url' "$WORK/last.body")" "a URL's user:password@ is redacted"
expect_eq "0" "$(jq '[.sources[] | select(has("credentials"))] | length' "$WORK/last.body")" "no source shows its credentials"
no_secret "$sources_json" "GET /api/v1/sources"

# --- routing and first pulls -------------------------------------------------------------
# pull_version IMAGE EXPECTED DESCRIPTION: pull, unpack and run /bin/tool.
pull_version() {
  expect_eq "$2" "$(run_image "$1" /bin/tool)" "$3"
}

pull_version "acme/tool:v1" "version-1" "acme/tool:v1 (annotated tag over git://) runs version 1"
pull_version "acme/tool:v2" "version-2" "acme/tool:v2 (lightweight tag) runs version 2"
pull_version "acme/tool:latest" "version-2" "acme/tool:latest (main, at v2) runs version 2"
pull_version "acme/tool:$c1" "version-1" "acme/tool:<commit of v1> runs version 1"
pull_version "acme/local/tool:v1" "version-1" "acme/local/tool:v1 (file://) runs version 1"

expect_eq "acme" "$(pin_field acme/tool v1 source)" "acme/tool routes to source acme"
expect_eq "local" "$(pin_field acme/local/tool v1 source)" "acme/local/tool routes to the longer prefix acme/local"
expect_eq "private" "$(pin_field private/tool v1 source)" "private/tool routes to source private"
expect_eq "urlcreds" "$(pin_field private/url/tool v1 source)" "private/url/tool routes to source urlcreds"
expect_eq "default" "$(pin_field hello latest source)" "hello routes to the default source (prefix \"\")"
http GET /v2/acmex/hello/manifests/latest
expect_error 404 MANIFEST_UNKNOWN "acmex/hello: no prefix matches (acme is not a component prefix of acmex)"
expect_contains "$(error_field message)" "'acmex'" "the default source looked for a package acmex"
expect_contains "$(error_field message)" "'default'" "the message names the default source"
http GET /v2/acme/localx/tool/manifests/v1
expect_error 404 MANIFEST_UNKNOWN "acme/localx/tool: prefixes match whole components, so localx is a package of acme"
expect_contains "$(error_field message)" "localx" "the message names the unknown package"

# http:// with credentials from the token file and from the URL.
pull_version "private/tool:v2" "version-2" "private/tool:v2 over http:// with the token file runs version 2"
pull_version "private/url/tool:v1" "version-1" "private/url/tool:v1 over http:// with URL credentials runs version 1"
http GET /v2/private/wrong/tool/manifests/v1
expect_error 503 UNAVAILABLE "a source whose token the server rejects: 503"
no_secret "$(body)" "the 503 answer"
[[ "$(fetches wrong)" -ge 1 ]] || fail "the failed fetch of source wrong is not logged"
ok "the failed fetch of source wrong is logged"

# --- revisions, pins, digests ------------------------------------------------------------------
d_v1="$(manifest_digest acme/tool v1)"
d_v2="$(manifest_digest acme/tool v2)"
expect_ne "$d_v1" "$d_v2" "v1 and v2 have different digests"
expect_eq "$c1" "$(image_revision acme/tool v1)" "the image of v1 is labelled with the commit of v1"
expect_eq "$c2" "$(image_revision acme/tool v2)" "the image of v2 is labelled with the commit of v2"
expect_eq "$d_v1" "$(manifest_digest acme/tool "$c1")" "pull by the commit of v1: the digest of v1"
expect_eq "$d_v2" "$(manifest_digest acme/tool "$c2")" "pull by the commit of v2: the digest of v2"
expect_eq "$d_v2" "$(manifest_digest acme/tool latest)" "latest (main at v2): the digest of v2"
expect_eq "$d_v1" "$(manifest_digest acme/tool stable)" "the branch stable (at v1): the digest of v1"
expect_eq "$c1" "$(pin_field acme/tool dup revision)" "a tag and a branch named dup: the tag wins"
expect_ne "$d_v1" "$(manifest_digest acme/local/tool v1)" "the same commit in another source: another digest (source label)"
expect_eq "$c1" "$(pin_field acme/local/tool v1 revision)" "... but the same revision"

pin acme/tool v1
cp "$WORK/last.body" "$WORK/pin-v1.json"
expect_eq "$c1" "$(jq -r .revision "$WORK/pin-v1.json")" "pin: revision is the commit"
expect_eq "$d_v1" "$(jq -r .digest "$WORK/pin-v1.json")" "pin: digest is the manifest digest"
expect_eq "acme/tool:$c1" "$(jq -r .pinnedName "$WORK/pin-v1.json")" "pin: pinnedName is name:<commit>"
expect_eq "acme/tool@$d_v1" "$(jq -r .byDigest "$WORK/pin-v1.json")" "pin: byDigest is name@<digest>"
expect_eq "acme" "$(jq -r .source "$WORK/pin-v1.json")" "pin: the source"
pinned="$(jq -r .pinnedName "$WORK/pin-v1.json")"
by_digest="$(jq -r .byDigest "$WORK/pin-v1.json")"
skopeo inspect --tls-verify=false "docker://$REGISTRY/$pinned" >"$WORK/inspect-pinned.json" || fail "skopeo inspect $pinned"
expect_eq "$d_v1" "$(jq -r .Digest "$WORK/inspect-pinned.json")" "skopeo: the pinned name has the digest of v1"
skopeo inspect --tls-verify=false "docker://$REGISTRY/$by_digest" >"$WORK/inspect-digest.json" || fail "skopeo inspect $by_digest"
expect_eq "$d_v1" "$(jq -r .Digest "$WORK/inspect-digest.json")" "skopeo: by digest, the digest of v1"
pull_version "$pinned" "version-1" "the pinned name runs version 1"
pull_version "$by_digest" "version-1" "the image by digest runs version 1"
expect_eq "$d_v2" "$(pin_field acme/tool latest digest)" "pin of latest: the digest of v2"
expect_eq "acme/tool:$c2" "$(pin_field acme/tool latest pinnedName)" "pin of latest: pinnedName names the commit of main"

# --- known tags and commits are never fetched again; figure: resolving a cached tag ----------
f0="$(fetches acme)"
n0="$(nix_runs)"
sum0="$(metric 'strata_build_phase_seconds_sum{phase="resolve"}')"
cnt0="$(metric 'strata_build_phase_seconds_count{phase="resolve"}')"
times=()
for i in $(seq 1 20); do
  times+=("$(timed_manifest acme/tool v1)")
  [[ "$HTTP_STATUS" == 200 && "$(header Docker-Content-Digest)" == "$d_v1" ]] ||
    fail "GET acme/tool:v1 #$i: HTTP $HTTP_STATUS, $(header Docker-Content-Digest)"
done
sum1="$(metric 'strata_build_phase_seconds_sum{phase="resolve"}')"
cnt1="$(metric 'strata_build_phase_seconds_count{phase="resolve"}')"
for ref in v2 "$c1" "$c2" dup; do
  http GET "/v2/acme/tool/manifests/$ref" -H "Accept: $OCI_MANIFEST"
  [[ "$HTTP_STATUS" == 200 ]] || fail "GET acme/tool:$ref: HTTP $HTTP_STATUS"
done
expect_eq "$f0" "$(fetches acme)" "24 pulls of known tags and commits: no fetch"
expect_eq "$n0" "$(nix_runs)" "24 pulls of known tags and commits: no Nix run"
expect_eq "20" "$((cnt1 - cnt0))" "20 pulls of v1: 20 resolutions counted"
figure resolve_cached_tag_ms "$(awk -v a="$sum0" -v b="$sum1" 'BEGIN { printf "%.3f", (b - a) * 1000 / 20 }')"
figure manifest_pull_cached_tag_ms "$(mean "${times[@]}")"

# --- latest while main has not moved: fetched again after refreshSeconds, no Nix run --------
n0="$(nix_runs)"
f0="$(fetches acme)"
sleep 3.2 # past refreshSeconds: the first pull below fetches, the next ones do not
sum0="$(metric 'strata_build_phase_seconds_sum{phase="resolve"}')"
t0="$(now_seconds)" # the fetch below starts after this
first="$(timed_manifest acme/tool latest)"
expect_status 200 "latest after refreshSeconds"
expect_eq "$d_v2" "$(header Docker-Content-Digest)" "latest after refreshSeconds (main has not moved): the digest of v2"
sum1="$(metric 'strata_build_phase_seconds_sum{phase="resolve"}')"
f1="$(fetches acme)"
expect_eq "$((f0 + 1))" "$f1" "latest after refreshSeconds: fetched again, once"
times=()
for i in $(seq 1 10); do
  times+=("$(timed_manifest acme/tool latest)")
  [[ "$HTTP_STATUS" == 200 && "$(header Docker-Content-Digest)" == "$d_v2" ]] ||
    fail "GET acme/tool:latest #$i: HTTP $HTTP_STATUS, $(header Docker-Content-Digest)"
done
since="$(elapsed "$t0")"
sum2="$(metric 'strata_build_phase_seconds_sum{phase="resolve"}')"
ok "10 more pulls of latest: the digest of v2"
if awk -v s="$since" 'BEGIN { exit !(s < 3) }'; then
  expect_eq "$f1" "$(fetches acme)" "10 pulls of latest within refreshSeconds: no fetch"
else
  log "the fetch and 10 pulls took $since s (longer than refreshSeconds): fetch count not checked"
fi
figure resolve_latest_refetch_unmoved_ms "$(awk -v a="$sum0" -v b="$sum1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')"
figure manifest_pull_latest_refetch_unmoved_ms "$first"
figure resolve_latest_cached_ms "$(awk -v a="$sum1" -v b="$sum2" 'BEGIN { printf "%.3f", (b - a) * 1000 / 10 }')"
figure manifest_pull_latest_unmoved_ms "$(mean "${times[@]}")"
start="$(now_seconds)"
rootfs="$(pull_rootfs acme/tool:latest)"
figure skopeo_pull_latest_unmoved_s "$(elapsed "$start")"
expect_eq "version-2" "$(run_in_rootfs "$rootfs" /bin/tool)" "a full skopeo pull of latest: version 2"
expect_eq "$n0" "$(nix_runs)" "repeated pulls of latest while main has not moved: no Nix run"

# --- a new commit on main --------------------------------------------------------------------
sleep 3.2 # past refreshSeconds: the next resolution of latest fetches
f0="$(fetches acme)"
t0="$(now_seconds)"
expect_eq "$c2" "$(pin_field acme/tool latest revision)" "before the push: latest is v2"
[[ "$(fetches acme)" -gt "$f0" ]] || fail "the resolution before the push did not fetch"
c3="$(commit_version "$src" 3)"
git -C "$src" push -q "$WORK/git/acme.git" main
git -C "$src" push -q "$WORK/git/local.git" main
ok "pushed a third commit $c3 to main of both bare repositories"
rev_after_push="$(pin_field acme/tool latest revision)"
since="$(elapsed "$t0")"
if awk -v s="$since" 'BEGIN { exit !(s < 3) }'; then
  expect_eq "$c2" "$rev_after_push" "within refreshSeconds (3) of the last fetch: latest is still v2 ($since s)"
else
  log "the pull after the push came $since s after the fetch (not within refreshSeconds): not checked"
fi
expect_eq "$c3" "$(pin_field acme/local/tool latest revision)" "refreshSeconds 0 (file://): latest is the new commit at once"
pull_version "acme/local/tool:latest" "version-3" "acme/local/tool:latest runs version 3"
sleep 3.2
expect_eq "$c3" "$(pin_field acme/tool latest revision)" "after refreshSeconds: latest follows main to the new commit"
pull_version "acme/tool:latest" "version-3" "acme/tool:latest runs version 3"
d_v3="$(manifest_digest acme/tool latest)"
expect_ne "$d_v2" "$d_v3" "the new commit has a new digest"
expect_eq "$d_v3" "$(manifest_digest acme/tool "$c3")" "pull by the new commit: the digest of latest"
expect_eq "$d_v2" "$(manifest_digest acme/tool v2)" "v2 keeps its digest"
expect_eq "$d_v1" "$(manifest_digest acme/tool "$c1")" "the pinned commit of v1 keeps its digest"

# --- a tag moved upstream: Strata keeps the commit it knew ---------------------------------------
git -C "$src" tag -f v1 "$c3" >/dev/null
git -C "$src" push -q -f "$WORK/git/local.git" v1
expect_eq "$c3" "$(git -C "$WORK/git/local.git" rev-parse 'v1^{commit}')" "upstream, v1 now points at the new commit"
expect_eq "$c3" "$(pin_field acme/local/tool latest revision)" "a fetch of local (refreshSeconds 0)"
expect_eq "$c1" "$(pin_field acme/local/tool v1 revision)" "v1, known before it moved, still resolves to its first commit"
git -C "$src" tag v3 "$c3"
git -C "$src" push -q "$WORK/git/local.git" v3
expect_eq "$c3" "$(pin_field acme/local/tool v3 revision)" "a tag new upstream is fetched on first use"

# --- unknown refs: 404 naming them ------------------------------------------------------------
n0="$(nix_runs)"
http GET /v2/acme/tool/manifests/no-such-branch
expect_error 404 MANIFEST_UNKNOWN "an unknown branch or tag"
expect_contains "$(error_field message)" "no-such-branch" "the message names the ref"
unknown_commit="0123456789abcdef0123456789abcdef01234567"
http GET "/v2/acme/tool/manifests/$unknown_commit"
expect_error 404 MANIFEST_UNKNOWN "an unknown commit"
expect_contains "$(error_field message)" "$unknown_commit" "the message names the commit"
http GET /api/v1/images/acme/tool:no-such-branch/pin
expect_error 404 MANIFEST_UNKNOWN "pin of an unknown ref"
long_ok="$(printf 'a%.0s' $(seq 1 128))"
http GET "/v2/acme/tool/manifests/$long_ok"
expect_error 404 MANIFEST_UNKNOWN "a 128-character ref (the longest valid tag) that does not exist"
expect_eq "$n0" "$(nix_runs)" "unknown refs: no Nix run"

# --- invalid refs: 400, no fetch, no Nix -----------------------------------------------------------
n0="$(nix_runs)"
f0="$(fetches acme)"
for ref in -rf --upload-pack=x a..b v1..v2 x.lock release. "$(printf 'a%.0s' $(seq 1 129))"; do
  http GET "/v2/acme/tool/manifests/$ref"
  expect_error 400 TAG_INVALID "invalid ref '${ref:0:20}'"
  http GET "/api/v1/images/acme/tool:$ref/pin"
  expect_error 400 TAG_INVALID "pin of invalid ref '${ref:0:20}'"
done
# Characters outside the tag grammar (sent as they are: -g, no URL globbing).
for ref in '@{u}' 'HEAD@{1}' 'a^b' 'a~1' 'a*b' 'a[b' 'a\b'; do
  http GET "/v2/acme/tool/manifests/$ref" -g
  expect_status 400 "ref '$ref'"
  log "ref '$ref': $(jq -r '.errors[0].code' "$WORK/last.body")"
done
expect_eq "$f0" "$(fetches acme)" "invalid refs: libgit2 fetched nothing"
expect_eq "$n0" "$(nix_runs)" "invalid refs: no Nix run"
expect_not_contains "$(cat "$SERVER_LOG")" "upload-pack=x" "the server log never saw --upload-pack=x as an argument"

# --- credentials never in the log --------------------------------------------------------------
no_secret "$(cat "$SERVER_LOG")" "the server log"

expect_server_alive
stop_server
no_secret "$(cat "$SERVER_LOG")" "the whole server log"
