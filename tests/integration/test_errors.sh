#!/usr/bin/env bash
# Error answers: unknown packages, failing and timed-out builds, sets and
# throwing attributes, hostile names, tags and digests, unknown sources. The
# server must answer each with the right status and distribution error code,
# and still be running at the end.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# "fu": a copy of the fixture with this run's id, for derivations no earlier
# run has built (the Nix store outlives tests).
unique="$(copy_fixture_unique "$WORK/unique")"
write_config "$WORK/strata.json" '.sources += [{name: "fu", prefix: "fu", type: "path", path: "'"$unique"'"}]'
start_server "$WORK/strata.json"
main_pid="$SERVER_PID"
data_dir="$(config_data_dir "$WORK/strata.json")"

# --- unknown packages: 404 MANIFEST_UNKNOWN naming every missing one ------------
http GET /v2/fx/nosuch-one/hello/nosuch-two/manifests/latest
expect_error 404 MANIFEST_UNKNOWN "two unknown packages beside a known one"
msg="$(error_field message)"
expect_contains "$msg" "nosuch-one" "the message names the first missing package"
expect_contains "$msg" "nosuch-two" "the message names the second missing package"
expect_not_contains "$msg" "'hello'" "the message does not name the package that exists"
http HEAD /v2/fx/nosuch-one/manifests/latest
expect_status 404 "HEAD of an unknown package"
http GET /v2/demo/does-not-exist/manifests/latest
expect_error 404 MANIFEST_UNKNOWN "unknown package in the demo source"
expect_contains "$(error_field message)" "does-not-exist" "the message names it"
# A lowercase name that matches no attribute even ignoring case.
http GET /v2/fx/tools.nosuch/manifests/latest
expect_error 404 MANIFEST_UNKNOWN "unknown attribute inside a nested set"
expect_contains "$(error_field message)" "tools.nosuch" "the message names the attribute path"

# --- a set of packages is not a package: 404 -----------------------------------
http GET /v2/fx/collection/manifests/latest
expect_error 404 MANIFEST_UNKNOWN "an attribute that is a set of packages"
expect_contains "$(error_field message)" "collection" "the message names the set"
http GET /v2/fx/tools/manifests/latest
expect_error 404 MANIFEST_UNKNOWN "the nested set tools itself"
http GET /v2/fx/collection/nosuch-three/manifests/latest
expect_error 404 MANIFEST_UNKNOWN "a set and a missing package"
expect_contains "$(error_field message)" "collection" "the message names the set"
expect_contains "$(error_field message)" "nosuch-three" "and the missing package"
# Inside the set, a package works.
http GET /v2/fx/collection.first/manifests/latest
expect_status 200 "a package inside the set"

# --- an attribute that throws: 500 with the evaluation error ---------------------
http GET /v2/fx/broken/manifests/latest
expect_error 500 UNKNOWN "an attribute that throws at evaluation"
expect_contains "$(error_field detail)" "STRATA-FIXTURE-EVAL-ERROR" "detail holds Nix's evaluation error"

# --- a failing build: 500 with the build log -----------------------------------
http GET /v2/fx/failing/manifests/latest
expect_error 500 UNKNOWN "a package whose build fails"
expect_contains "$(error_field detail)" "STRATA-FIXTURE-BUILD-FAILURE: this package is meant to fail" \
  "detail holds the builder's line from the Nix log"
expect_contains "$(error_field detail)" "fixture-failing-1.0" "detail names the failed derivation"
# Failures are not cached as images: the same request fails the same way again.
http GET /v2/fx/hello/failing/manifests/latest
expect_error 500 UNKNOWN "a failing package beside a good one"
expect_contains "$(error_field detail)" "STRATA-FIXTURE-BUILD-FAILURE" "detail again holds the build failure"
nix_builds() { curl -s "$BASE/metrics" | sed -n 's/^strata_nix_builds_total //p'; }
before="$(nix_builds)"
http HEAD /v2/fx/failing/manifests/latest
expect_status 500 "HEAD of a failing build"
# A failure answers the same image's pulls for nix.failureCacheSeconds
# instead of a new build each time, and says so.
http GET /v2/fx/failing/manifests/latest
expect_error 500 UNKNOWN "the failed build again"
expect_contains "$(error_field detail)" "STRATA-FIXTURE-BUILD-FAILURE" "with its build log"
expect_contains "$(error_field detail)" "it is tried again 30 s after it failed" "and when it is tried again"
expect_eq "$before" "$(nix_builds)" "without running Nix again"
# A failed build records no tag: the name is not served (tags/list would
# list the folder's tags all the same: what can be pulled).
http GET /v2/_catalog
expect_status 200 "GET /v2/_catalog"
expect_not_contains "$(jq -r '.repositories[]' "$WORK/last.body")" "fx/failing" \
  "no tag was recorded for the failed image"

# --- a build printing one 5 MB line: its log holds the line cut to 16 KiB ------------
http GET /v2/fx/longline/manifests/latest
expect_error 500 UNKNOWN "a build that prints a 5 MB line and fails"
expect_contains "$(error_field detail)" "STRATA-FIXTURE-AFTER-THE-LONG-LINE" "its error ends with the last lines"
expect_match "$(error_field detail | wc -c)" '^[0-9]{1,5}$' "and is at most tens of KiB"
build_id="$(curl -fs "$BASE/api/v1/builds" | jq -r '[.builds[] | select(.image == "fx/longline:latest")][0].id')"
http GET "/api/v1/builds/$build_id"
expect_eq 16384 "$(jq '[.log[] | length] | max' "$WORK/last.body" | awk '{print ($1 > 16384 + 60) ? "more" : 16384}')" \
  "no log line is longer than 16 KiB and its note"
expect_contains "$(jq -r '.log[]' "$WORK/last.body")" "more bytes of this line cut]" "the cut line says how much was cut"
expect_contains "$(jq -r '.log[]' "$WORK/last.body")" "STRATA-FIXTURE-AFTER-THE-LONG-LINE" "and the next line is whole"

# --- arm64: the component selects aarch64-linux, which this machine cannot build ---
# (sleepy of this run: an aarch64 build another test made with extra-platforms
# would be a cache hit.)
http GET /v2/fu/arm64/sleepy/manifests/latest
expect_error 500 UNKNOWN "an arm64 image on a machine without an aarch64 builder"
expect_contains "$(error_field detail)" "aarch64-linux" "Nix was asked for aarch64-linux"

# --- a package whose lib and share are symlinks to the build host's tree ------------
get_manifest fx/hostlinks latest "$OCI_MANIFEST"
http GET "/v2/fx/hostlinks/blobs/$(jq -r '.layers[-1].digest' "$WORK/last.body")"
expect_status 200 "the image of a package linking lib to /usr and share to /"
expect_eq "bin/ bin/host-links" "$(tar -tzf "$WORK/last.body" | tr '\n' ' ' | sed 's/ $//')" \
  "its root symlink layer holds its bin only: nothing of the host's tree"

# --- request framing: one answer, then the connection ends --------------------------
# A GET whose body is itself a request, two lengths, a length and chunks, an
# unknown HTTP version, a 20-digit length, a 9000-byte header, 120 headers: a
# proxy in front could read these differently from Strata, so each gets one
# 400 with a JSON error and a closed connection, never a second answer.
smuggled='GET /v2/_catalog HTTP/1.1\r\nHost: x\r\n\r\n'
for case in \
  "GET /v2/ HTTP/1.1\r\nHost: x\r\nContent-Length: ${#smuggled}\r\n\r\n$smuggled" \
  "GET /v2/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 40\r\n\r\n$smuggled" \
  "POST /api/v1/builds HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n$smuggled" \
  "POST /api/v1/builds HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n$smuggled" \
  "PUT /v2/fx/hello/manifests/latest HTTP/1.1\r\nHost: x\r\nContent-Length: ${#smuggled}\r\n\r\n$smuggled" \
  "GET /v2/ FOO/9\r\nHost: x\r\n\r\n$smuggled" \
  "GET /v2/ HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n$smuggled" \
  "GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Long: $(printf 'a%.0s' $(seq 1 9000))\r\n\r\n$smuggled" \
  "GET /v2/ HTTP/1.1\r\nHost: x\r\n$(for i in $(seq 1 120); do printf 'X-F%d: y\\r\\n' "$i"; done)\r\n$smuggled"; do
  raw_exchange "$case"
  what="${case%%\\r\\n*} with $({ grep -oi 'content-length:\|transfer-encoding:' <<<"$case" || true; } | wc -l) framing headers"
  expect_eq 1 "$(grep -c '^HTTP/1.1 ' "$WORK/raw.response")" "$what: one answer"
  expect_eq yes "$RAW_CLOSED" "$what: the connection is closed"
  expect_match "$(head -n 1 "$WORK/raw.response" | tr -d '\r')" '^HTTP/1.1 (400|405)' "$what: refused"
  expect_contains "$(tail -c 400 "$WORK/raw.response")" '"errors":[{"code":' "$what: a JSON error"
done
expect_contains "$(curl -s "$BASE/v2/_catalog")" repositories "the server still answers"

# --- hostile names: 400 NAME_INVALID ---------------------------------------------
long_component="$(printf 'a%.0s' $(seq 1 300))"
hostile_names=(
  "fx/Hello"                      # uppercase
  "fx/helloWorld"                 # camelCase must be requested in lowercase
  "FX/hello"
  "fx/../hello"                   # dot-dot (sent as is)
  "fx/%2e%2e/hello"               # encoded dot-dot
  "fx/..%2fhello"                 # encoded slash and dot-dot
  "fx/%24%28id%29"                # $(id)
  "fx/hello%3Bid"                 # ;id
  "fx/hello%22"                   # double quote
  "fx/%27hello%27"                # single quotes
  "fx/hello%60id%60"              # backquotes
  "fx/hello%20world"              # space
  "fx/hel%00lo"                   # NUL byte
  "fx/$long_component"            # 300-character component
  "fx/h%C3%A9llo"                 # unicode é
  "fx/%E2%80%AEolleh"             # unicode right-to-left override
  "fx//hello"                     # empty component
  "fx/hello/"                     # trailing slash
  "fx/-hello"                     # leading separator
  "fx/hello--"                    # trailing separator
  "fx/hello...x"                  # bad separator
)
for name in "${hostile_names[@]}"; do
  http GET "/v2/$name/manifests/latest"
  expect_error 400 NAME_INVALID "GET manifest of hostile name '${name:0:40}'"
done
for name in "fx/Hello" "fx/%2e%2e/hello" "fx/%24%28id%29" "fx/$long_component"; do
  http GET "/v2/$name/tags/list"
  expect_error 400 NAME_INVALID "tags/list of hostile name '${name:0:40}'"
  http GET "/v2/$name/blobs/sha256:$(printf '0%.0s' $(seq 1 64))"
  expect_error 400 NAME_INVALID "blob under hostile name '${name:0:40}'"
done
http GET "/v2/fx/hello/manifests/$long_component"
expect_error 400 TAG_INVALID "a 300-character tag"

# The 255-character limit on the whole name.
name_255="fx/$(printf 'a%.0s' $(seq 1 252))"
name_256="fx/$(printf 'a%.0s' $(seq 1 253))"
http GET "/v2/$name_256/manifests/latest"
expect_error 400 NAME_INVALID "a 256-character name"
http GET "/v2/$name_255/manifests/latest"
expect_error 404 MANIFEST_UNKNOWN "a 255-character name is valid (and names an unknown package)"

# --- hostile tags: 400 TAG_INVALID -------------------------------------------------
tag_200="$(printf 'x%.0s' $(seq 1 200))"
tag_128="$(printf 'x%.0s' $(seq 1 128))"
tag_129="$(printf 'x%.0s' $(seq 1 129))"
for tag in -rf .. %2e%2e .hidden "-" "$tag_200" "$tag_129" "a%20b" "a%2Fb" "%24%28id%29" "t%C3%A9" "a%0d%0aX-Injected"; do
  http GET "/v2/fx/hello/manifests/$tag"
  expect_error 400 TAG_INVALID "GET manifest with hostile tag '${tag:0:30}'"
done
# With a colon, the reference is a digest: CR LF in it must not reach the headers either.
http GET "/v2/fx/hello/manifests/a%0d%0aX-Injected:%201"
expect_error 400 DIGEST_INVALID "a reference with a colon and CR LF"
has_header X-Injected && fail "a CR LF in the reference injected a response header"
ok "no header injection through the reference"
http HEAD "/v2/fx/hello/manifests/-rf"
expect_status 400 "HEAD with hostile tag '-rf'"
http GET "/v2/fx/hello/manifests/$tag_128"
# Valid, so not TAG_INVALID: unknown, as a folder's only tags are latest and its revision.
expect_error 404 MANIFEST_UNKNOWN "a 128-character tag is valid"

# --- hostile digests: 400 DIGEST_INVALID -------------------------------------------
hex64="$(printf 'ab%.0s' $(seq 1 32))"
hex128="$hex64$hex64"
hostile_digests=(
  "sha256:..%2F..%2F..%2Fetc%2Fpasswd"    # traversal, url-encoded
  "sha256%3A..%2F..%2Fetc%2Fpasswd"       # colon encoded too
  "sha256:%2e%2e"
  "sha512:$hex128"                        # unsupported algorithm
  "sha256:abc123"                         # short hex
  "sha256:${hex64^^}"                     # uppercase hex
  "sha256:${hex64:0:63}g"                 # not hex
  "sha256:${hex64}00"                     # too long
  "sha256:"
  "md5:d41d8cd98f00b204e9800998ecf8427e"
)
for digest in "${hostile_digests[@]}"; do
  http GET "/v2/fx/hello/manifests/$digest"
  expect_error 400 DIGEST_INVALID "manifest by hostile digest '${digest:0:40}'"
  http GET "/v2/fx/hello/blobs/$digest"
  expect_error 400 DIGEST_INVALID "blob by hostile digest '${digest:0:40}'"
done
http HEAD "/v2/fx/hello/blobs/sha256:abc123"
expect_status 400 "HEAD blob by short digest"
# A blob reference must be a digest: a tag-like name is invalid there.
http GET "/v2/fx/hello/blobs/latest"
expect_error 400 DIGEST_INVALID "blob by a tag instead of a digest"

# --- unknown sources ---------------------------------------------------------------
http GET /v2/nosuch/hello/manifests/latest
expect_error 404 NAME_UNKNOWN "an unknown source prefix (no default source)"
expect_contains "$(error_field message)" "nosuch/hello" "the message names the image"
http GET /v2/hello/manifests/latest
expect_error 404 NAME_UNKNOWN "a bare package name without a default source"
http GET /v2/fx/manifests/latest
expect_error 404 NAME_UNKNOWN "only the prefix, no package"
http GET /v2/fxx/hello/manifests/latest
expect_error 404 NAME_UNKNOWN "a prefix that only starts like a configured one"

# --- bad Range and pagination ---------------------------------------------------------
http GET /v2/fx/collection.first/manifests/latest -H "Accept: $OCI_MANIFEST"
layer="$(jq -r '.layers[0].digest' "$WORK/last.body")"
http GET "/v2/fx/collection.first/blobs/$layer" -H "Range: items=0-10"
expect_error 416 RANGE_INVALID "Range in another unit"
http GET "/v2/fx/collection.first/blobs/$layer" -H "Range: bytes=20-10"
expect_error 416 RANGE_INVALID "Range with last < first"
http GET "/v2/fx/collection.first/blobs/$layer" -H "Range: bytes=abc"
expect_error 416 RANGE_INVALID "malformed Range"
http GET "/v2/_catalog?n=-1"
expect_error 400 PAGINATION_NUMBER_INVALID "_catalog?n=-1"

# --- still alive, nothing left behind ----------------------------------------------
expect_eq "$main_pid" "$SERVER_PID" "still the same server process"
expect_server_alive
leftovers="$(find "$data_dir/blobs/tmp" -name '*.part' | wc -l)"
expect_eq 0 "$leftovers" "no *.part file left in <dataDir>/blobs/tmp after failed builds"
stop_server

# --- timeout: 504 UNAVAILABLE with a small nix.timeoutSeconds -------------------------
# A second server: 4 s for the whole build. fx/slow sleeps 30 s, then fails
# (so Nix never caches it). It is served from a copy of the fixture set with a
# run-id of its own, which makes this run's slow derivation unique: no other
# run shares its lock, and its builder is recognisable by its command line.
# The set is also the default source (prefix ""), to check that an unknown
# first component then names a package.
copy="$(copy_fixture_unique "$WORK/tree")"
write_config "$WORK/timeout.json" \
  ".nix.timeoutSeconds = 4 | .sources[0].prefix = \"\" | .sources[0].path = \"$copy\""
start_server "$WORK/timeout.json"
start="$(now_seconds)"
http GET /v2/slow/manifests/latest
figure timeout_answer_seconds "$(elapsed "$start")"
expect_error 504 UNAVAILABLE "a build longer than nix.timeoutSeconds"
expect_contains "$(error_field message)" "timeoutSeconds" "the message names the setting"
expect_contains "$(error_field detail)" "fixture-slow-1.0" "detail holds the last lines of the Nix log"
expect_server_alive
# The builder must not outlive the timed-out build (Nix ends it on SIGINT; a
# SIGKILL of nix-build alone leaves the sandboxed builder running).
marker="STRATA-FIXTURE-SLOW-$RUN_ID"
for ((i = 0; i < 30; i++)); do
  pgrep -f "$marker" >/dev/null || break
  sleep 0.1
done
if pgrep -f "$marker" >/dev/null; then
  fail "the builder of the timed-out build still runs 3 s after the 504: $(pgrep -af "$marker" | cut -c1-100)"
fi
ok "the builder of the timed-out build is gone"

# kill -9 of the server while it builds: Nix and its builder end with it, so
# that no lock outlives the server.
stop_server
write_config "$WORK/killed.json" ".sources[0].prefix = \"\" | .sources[0].path = \"$copy\""
start_server "$WORK/killed.json"
curl -s -o /dev/null "$BASE/v2/slow/manifests/latest" &
pull=$!
for ((i = 0; i < 100; i++)); do
  pgrep -f "$marker" >/dev/null && break
  sleep 0.1
done
pgrep -f "$marker" >/dev/null || fail "the slow build never started"
kill -KILL "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
_forget_pid "$SERVER_PID"
wait "$pull" 2>/dev/null || true
for ((i = 0; i < 50; i++)); do
  pgrep -f "$marker" >/dev/null || pgrep -f "nix-build.*$copy" >/dev/null || break
  sleep 0.1
done
if pgrep -f "$marker" >/dev/null || pgrep -f "nix-build.*$copy" >/dev/null; then
  fail "Nix outlived the killed server: $(pgrep -af "$marker|nix-build" | cut -c1-120)"
fi
ok "kill -9 of the server ends its Nix build and the builder within 5 s"
start_server "$WORK/killed.json"

# With a default source, an unknown first component is a package, not a source.
http GET /v2/nosuch/hello/manifests/latest
expect_error 404 MANIFEST_UNKNOWN "unknown package with a default source"
expect_contains "$(error_field message)" "nosuch" "the message names the package"
# Prefix "demo" still routes to the demo source.
http GET /v2/demo/nosuch/manifests/latest
expect_error 404 MANIFEST_UNKNOWN "the longest prefix wins: demo/nosuch goes to the demo source"
expect_contains "$(error_field message)" "'demo'" "the message names the demo source"
expect_server_alive
stop_server

# --- a damaged database: no start, one line naming the file ------------------------
write_config "$WORK/damaged.json"
damaged_dir="$(config_data_dir "$WORK/damaged.json")"
mkdir -p "$damaged_dir"
head -c 16384 /dev/urandom >"$damaged_dir/strata.db"
if "$STRATA_BIN" serve --config "$WORK/damaged.json" >"$WORK/damaged.out" 2>&1; then
  fail "the server started on a damaged database"
fi
expect_eq 1 "$(grep -c . "$WORK/damaged.out")" "a damaged database: one line"
expect_contains "$(cat "$WORK/damaged.out")" "the database file $damaged_dir/strata.db is damaged" \
  "naming the file"
expect_contains "$(cat "$WORK/damaged.out")" "restore it from a backup" "and what to do"
