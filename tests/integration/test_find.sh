#!/usr/bin/env bash
# Finding what to pull, with a real server, real Nix, real git and skopeo:
#   - `skopeo list-tags` on a git source lists latest, its tags and its
#     branches that are valid tags (not feature/x), and commits pulled by name;
#     a tag pushed upstream appears once the source's refreshSeconds passed;
#     a folder lists latest and its revision;
#   - GET /api/v1/sources/<source>/refs: kinds, commits, which are tags;
#   - GET /api/v1/sources/<source>/packages: found by part of a name and by a
#     word of a description, best match first, nested sets that ask for it,
#     broken packages left out, at a ref; the listing is evaluated once per
#     revision, also for concurrent first searches;
#   - hostile queries and refs: Nix code, quotes, 10 KB, NUL and control
#     characters, unicode, ../x and --upload-pack: clear 400/404, no crash,
#     no file read;
#   - `strata admin refs` and `strata admin search`;
#   - with auth on: a user sees only the packages granted to them, a user
#     without a grant on the source gets 403, an anonymous caller 401.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sources_lib.sh"
require_tools skopeo jq

# --- a git package set with tags, branches and descriptions ---------------------------
src="$WORK/src"
make_pkg_repo "$src"
describe_pkg_repo "$src"
c1="$(commit_version "$src" 1)"
git -C "$src" tag -a v1 -m "release 1"
git -C "$src" branch stable
git -C "$src" branch feature/x
c2="$(commit_version "$src" 2)"
git -C "$src" tag v2
mkdir -p "$WORK/git"
bare_from "$src" "$WORK/git/acme.git"
ok "repository made: v1=$c1 main=$c2"

write_config "$WORK/strata.json" "
  .sources += [
    { name: \"acme\", prefix: \"acme\", type: \"git\", url: \"file://$WORK/git/acme.git\",
      defaultRef: \"main\", refreshSeconds: 2 } ]"
start_server "$WORK/strata.json"

list_tags() { skopeo list-tags --tls-verify=false "docker://$REGISTRY/$1" | jq -c .Tags; }

# --- tags/list ---------------------------------------------------------------------------
expect_eq '["latest","main","stable","v1","v2"]' "$(list_tags acme/tool)" \
  "skopeo list-tags: latest, the branches and the tags (feature/x is no tag), sorted"
expect_eq '["latest","main","stable","v1","v2"]' "$(list_tags acme/never/pulled)" \
  "a name never pulled lists its source's tags"
rev="$(curl -s "$BASE/api/v1/sources/fx/refs" | jq -r '.refs[1].revision')"
expect_eq "[\"$rev\",\"latest\"]" "$(list_tags fx/hello)" "a folder: its revision and latest"

get_manifest acme/tool "$c1"
expect_eq "[\"$c1\",\"latest\",\"main\",\"stable\",\"v1\",\"v2\"]" "$(list_tags acme/tool)" \
  "a commit pulled under the name is listed too"
expect_eq '["latest","main","stable","v1","v2"]' "$(list_tags acme/busybox)" \
  "but only under that name"
http GET "/v2/acme/tool/tags/list?n=2"
expect_status 200 "tags/list?n=2"
expect_eq "[\"$c1\",\"latest\"]" "$(jq -c .tags "$WORK/last.body")" "the first page"
expect_eq "</v2/acme/tool/tags/list?n=2&last=latest>; rel=\"next\"" "$(header Link)" "a Link to the next"
http GET "/v2/acme/tool/tags/list?n=2&last=latest"
expect_eq '["main","stable"]' "$(jq -c .tags "$WORK/last.body")" "the second page"
http GET /v2/nosource/x/tags/list
expect_error 404 NAME_UNKNOWN "a name no source serves"

# A tag pushed upstream: the listing is fetched again once refreshSeconds passed.
sleep 2.2
list_tags acme/tool >/dev/null # fetches: the listing is fresh for 2 s now
listed_at="$(now_seconds)"
git -C "$src" tag v3
git -C "$WORK/git/acme.git" fetch -q "$src" 'refs/tags/v3:refs/tags/v3'
quick="$(list_tags acme/tool)"
if awk -v e="$(elapsed "$listed_at")" 'BEGIN { exit !(e < 1.5) }'; then
  expect_not_contains "$quick" '"v3"' "within refreshSeconds the last fetched state answers"
else
  log "the machine is slow: skipping the check within refreshSeconds"
fi
sleep 2.2
expect_eq "[\"$c1\",\"latest\",\"main\",\"stable\",\"v1\",\"v2\",\"v3\"]" "$(list_tags acme/tool)" \
  "after refreshSeconds the new tag v3 is listed"

# --- refs ----------------------------------------------------------------------------------
http GET /api/v1/sources/acme/refs
expect_status 200 "GET /api/v1/sources/acme/refs"
expect_eq acme "$(jq -r .source "$WORK/last.body")" "it names the source"
expect_eq "latest latest $c2 true" \
  "$(jq -r '.refs[0] | "\(.name) \(.kind) \(.commit) \(.tag)"' "$WORK/last.body")" "latest first, at main"
expect_eq "branch $c1 false" \
  "$(jq -r '.refs[] | select(.name == "feature/x") | "\(.kind) \(.commit) \(.tag)"' "$WORK/last.body")" \
  "feature/x: a branch, not usable as a tag"
expect_eq "tag $c1 true" \
  "$(jq -r '.refs[] | select(.name == "v1") | "\(.kind) \(.commit) \(.tag)"' "$WORK/last.body")" \
  "an annotated tag names its commit"
expect_eq "branch tag" \
  "$(jq -r '[.refs[] | select(.name == "stable" or .name == "v3") | .kind] | join(" ")' "$WORK/last.body")" \
  "branches and tags"
http GET /api/v1/sources/fx/refs
expect_eq "latest:latest:$rev $rev:revision:$rev" \
  "$(jq -r '[.refs[] | "\(.name):\(.kind):\(.revision)"] | join(" ")' "$WORK/last.body")" \
  "a folder: latest and its revision"
http GET /api/v1/sources/nosuch/refs
expect_error 404 NAME_UNKNOWN "an unknown source"
expect_contains "$(error_field message)" "nosuch" "named in the message"

# --- package search --------------------------------------------------------------------------
search() { http GET "/api/v1/sources/$1/packages?$2"; }
attrs() { jq -r '[.packages[].attr] | join(" ")' "$WORK/last.body"; }

search fx "q=shou"
expect_status 200 "search fx for 'shou'"
expect_eq "shout toolbox" "$(attrs)" \
  "found by part of its name, before toolbox (whose description says it shouts)"
expect_eq "shout||Shouts the fixture's phrase" \
  "$(jq -r '.packages[0] | "\(.name)|\(.version)|\(.description)"' "$WORK/last.body")" \
  "with its name, version and description"
expect_eq "fx latest $rev shou false" \
  "$(jq -r '"\(.source) \(.ref) \(.revision) \(.query) \(.truncated)"' "$WORK/last.body")" \
  "the answer names source, ref, revision and query"
search fx "q=PHRASE"
expect_eq "shout" "$(attrs)" "found by a word of its description, whatever the case"
search fx "q=hello"
expect_eq "hello helloWorld" "$(attrs)" "the exact match first"
search fx "q=&n=3"
expect_eq 3 "$(jq '.packages | length' "$WORK/last.body")" "an empty query lists n packages"
expect_eq true "$(jq .truncated "$WORK/last.body")" "and says there are more"
expect_eq "bigdata busybox drowsy" "$(attrs)" "by attribute path"
search fx "q=fixture-eval-error"
expect_eq "" "$(attrs)" "a package that throws is left out, the listing still works"

search acme "q=greet"
expect_eq "extras.greeter" "$(attrs)" "a nested set with recurseForDerivations is listed"
search acme "q=friendly%20word"
expect_eq "extras.greeter" "$(attrs)" "found by words of its description"
search acme "q=secret"
expect_eq "" "$(attrs)" "a nested set without recurseForDerivations is not"
search acme "q=tool&ref=v1"
expect_eq "tool 1.1 $c1 v1" \
  "$(jq -r '"\(.packages[0].attr) \(.packages[0].version) \(.revision) \(.ref)"' "$WORK/last.body")" \
  "at a tag: its revision and that revision's version"
search acme "q=tool&ref=feature%2Fx"
expect_status 200 "at a branch that is no registry tag"
search acme "q=tool&ref=no-such-ref"
expect_error 404 MANIFEST_UNKNOWN "an unknown ref"
search nosuch "q=x"
expect_error 404 NAME_UNKNOWN "an unknown source"
listings="$(grep -c "source 'fx': listed" "$SERVER_LOG" || true)"
expect_eq 1 "$listings" "fx was evaluated once for all its searches"
# Concurrent first searches of a new revision share one evaluation.
c4="$(commit_version "$src" 4)"
git -C "$src" push -q "$WORK/git/acme.git" main:next
pids=()
for i in 1 2 3 4; do
  curl -s -o "$WORK/concurrent-$i.json" "$BASE/api/v1/sources/acme/packages?q=tool&ref=next" &
  pids+=($!)
done
wait "${pids[@]}"
for i in 1 2 3 4; do
  expect_eq "tool 1.4" "$(jq -r '.packages[0] | "\(.attr) \(.version)"' "$WORK/concurrent-$i.json")" \
    "concurrent search $i: the new revision's package"
done
expect_eq 1 "$(grep -c "source 'acme': listed [0-9]* packages at revision $c4" "$SERVER_LOG" || true)" \
  "four concurrent searches of a new revision: one evaluation"

# --- hostile queries and refs -----------------------------------------------------------------
for q in '"; builtins.readFile "/etc/passwd"; "' '${builtins.readFile "/etc/passwd"}' \
  "' \" \\\\ \`" 'café ✓ 日本'; do
  http GET "/api/v1/sources/fx/packages" -G --data-urlencode "q=$q"
  expect_status 200 "q=${q:0:30}: a text like any other"
  expect_eq "" "$(attrs)" "q=${q:0:30}: no match"
  expect_not_contains "$(body)" "root:" "q=${q:0:30}: no file read"
done
http GET "/api/v1/sources/fx/packages?q=$(head -c 10240 /dev/zero | tr '\0' a)"
expect_error 400 UNSUPPORTED "a 10 KB query"
expect_contains "$(error_field message)" "longer than 200 bytes" "says why"
for bad in 'a%00b' 'a%0Ab' '%1B%5B31m' '%FF%FE'; do
  http GET "/api/v1/sources/fx/packages?q=$bad"
  expect_error 400 UNSUPPORTED "q=$bad"
done
for ref in '..%2Fx' '--upload-pack%3Dtouch%20%2Ftmp%2Fpwned' '%00' 'a%0Ab'; do
  http GET "/api/v1/sources/acme/packages?q=x&ref=$ref"
  expect_error 400 TAG_INVALID "acme ref=$ref"
done
http GET "/api/v1/sources/fx/packages?q=x&ref=..%2Fx"
expect_error 404 MANIFEST_UNKNOWN "a folder's ref ../x: unknown"
http GET "/api/v1/sources/fx/packages?n=abc"
expect_status 400 "n=abc"
http GET "/api/v1/sources/fx/packages?n=100000"
expect_status 200 "a large n is capped"
expect_server_alive

# --- the admin CLI -----------------------------------------------------------------------------
adm() { "$STRATA_BIN" admin --config "$WORK/strata.json" "$@"; }
out="$(adm refs acme)"
expect_contains "$out" "latest latest $c2" "admin refs: latest"
expect_contains "$out" "feature/x branch $c1 (not a tag)" "admin refs: a ref that is no tag"
expect_eq "shout - Shouts the fixture's phrase" "$(adm search fx phrase)" "admin search: one line a package"
expect_eq "tool 1.1 Prints the version of the package set" "$(adm search acme tool --ref v1)" \
  "admin search --ref"
rc=0
adm search fx >"$WORK/cli.out" 2>"$WORK/cli.err" || rc=$?
expect_ne 0 "$rc" "admin search without a query fails"
expect_eq 1 "$(wc -l <"$WORK/cli.err")" "with one line"
expect_contains "$(cat "$WORK/cli.err")" "usage: strata admin search SOURCE QUERY" "naming the usage"
rc=0
adm refs nosuch >"$WORK/cli.out" 2>"$WORK/cli.err" || rc=$?
expect_ne 0 "$rc" "admin refs of an unknown source fails"
expect_contains "$(cat "$WORK/cli.err")" "unknown source 'nosuch'" "naming it"
stop_server

# --- with auth on --------------------------------------------------------------------------------
jq '.auth.enabled = true' "$WORK/strata.json" >"$WORK/auth.json"
adm_auth() { "$STRATA_BIN" admin --config "$WORK/auth.json" "$@" >/dev/null; }
printf 'ann-pw\n' | adm_auth user add ann
printf 'bob-pw\n' | adm_auth user add bob
adm_auth team add shouters
adm_auth team add demo-users
adm_auth team add-member shouters ann
adm_auth team add-member demo-users bob
adm_auth grant shouters fx 'sh*' pull
adm_auth grant shouters fx 'toolbox' pull
adm_auth grant demo-users demo '*' pull
start_server "$WORK/auth.json"
http GET "/api/v1/sources/fx/packages?q=" -u ann:ann-pw
expect_status 200 "a user granted some packages searches"
expect_eq "shout toolbox" "$(attrs)" "and sees only those"
http GET "/api/v1/sources/fx/packages?q=hello" -u ann:ann-pw
expect_eq "" "$(attrs)" "not even by name"
http GET /api/v1/sources/fx/refs -u ann:ann-pw
expect_status 200 "the user lists the source's refs"
http GET "/api/v1/sources/fx/packages?q=" -u bob:bob-pw
expect_error 403 DENIED "a user with no grant on the source"
expect_contains "$(error_field message)" "source 'fx'" "naming the source"
http GET /api/v1/sources/fx/refs -u bob:bob-pw
expect_error 403 DENIED "refs too"
http GET /api/v1/sources/demo/refs -u bob:bob-pw
expect_status 200 "bob's own source"
http GET "/api/v1/sources/fx/packages?q="
expect_error 401 UNAUTHORIZED "an anonymous caller"
http GET /v2/fx/shout/tags/list -u ann:ann-pw
expect_status 200 "tags/list of a granted name"
http GET /v2/fx/hello/tags/list -u ann:ann-pw
expect_error 403 DENIED "tags/list of a name not granted"
http GET /healthz
expect_status 200 "the server is alive"
stop_server
