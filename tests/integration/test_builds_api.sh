#!/usr/bin/env bash
# The builds API of DESIGN.md: POST /api/v1/builds builds ahead of a pull in
# the background; GET /api/v1/builds/{id} shows the state and the Nix log,
# live while building; GET /api/v1/builds lists recent builds. With auth on,
# it is the admin API's: an admin grant is needed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# sleepy takes 3 s to build; with a run-id of its own it is built afresh.
copy="$(copy_fixture_unique "$WORK/tree")"
write_config "$WORK/strata.json" ".sources[0].path = \"$copy\""
start_server "$WORK/strata.json"

metric() { curl -fs "$BASE/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
post_build() { http POST /api/v1/builds -H 'Content-Type: application/json' --data-binary "$1"; }

# --- build ahead of a pull ---------------------------------------------------------------
post_build '{"image": "fx/sleepy:latest"}'
expect_status 202 "POST /api/v1/builds starts a build"
id="$(jq -r .id "$WORK/last.body")"
expect_match "$id" '^[0-9a-f]{16}$' "the build has an id"
expect_eq "/api/v1/builds/$id" "$(header Location)" "Location names the build"
expect_eq "fx/sleepy:latest" "$(jq -r .image "$WORK/last.body")" "the build names the image"

# While it runs, its log grows: Nix says what it builds.
saw_running=no
for ((i = 0; i < 300; i++)); do
  http GET "/api/v1/builds/$id"
  state="$(jq -r .state "$WORK/last.body")"
  if [[ "$state" == running && "$(jq '.log | length' "$WORK/last.body")" -gt 0 ]]; then
    saw_running=yes
  fi
  [[ "$state" == succeeded || "$state" == failed ]] && break
  sleep 0.1
done
expect_eq yes "$saw_running" "the log was readable while the build ran"
expect_eq succeeded "$state" "the build succeeded"
expect_contains "$(jq -r '.log | join("\n")' "$WORK/last.body")" "sleepy" "the log holds Nix's output"
build_digest="$(jq -r .digest "$WORK/last.body")"

nix_runs="$(metric 'strata_build_phase_seconds_count{phase="nix"}')"
get_manifest fx/sleepy latest "$OCI_MANIFEST"
expect_eq "$build_digest" "$(header Docker-Content-Digest)" "the pull gets what was built ahead"
expect_eq "$nix_runs" "$(metric 'strata_build_phase_seconds_count{phase="nix"}')" "the pull ran no Nix"

post_build '{"image": "fx/sleepy:latest"}'
expect_status 200 "building a cached image again is immediate"
expect_eq cached "$(jq -r .state "$WORK/last.body")" "state cached"
expect_eq "$build_digest" "$(jq -r .digest "$WORK/last.body")" "with the image's digest"

# --- failures ----------------------------------------------------------------------------
post_build '{"image": "fx/failing"}'
expect_status 202 "a failing build starts too"
fid="$(jq -r .id "$WORK/last.body")"
for ((i = 0; i < 300; i++)); do
  http GET "/api/v1/builds/$fid"
  [[ "$(jq -r .state "$WORK/last.body")" == failed ]] && break
  sleep 0.1
done
expect_eq failed "$(jq -r .state "$WORK/last.body")" "the failing build ends failed"
expect_contains "$(jq -r .error "$WORK/last.body")" "STRATA-FIXTURE-BUILD-FAILURE" \
  "its error holds the line of the Nix log"

http GET /api/v1/builds
expect_status 200 "GET /api/v1/builds"
expect_eq "$fid $id" "$(jq -r '[.builds[] | select(.state != "cached") | .id] | join(" ")' "$WORK/last.body")" \
  "recent builds, newest first"
expect_eq null "$(jq -r '.builds[0].log' "$WORK/last.body")" "the list carries no logs"
http GET "/api/v1/builds?n=1"
expect_eq 1 "$(jq '.builds | length' "$WORK/last.body")" "n limits the list"

post_build 'garbage'
expect_status 400 "a body that is not JSON"
post_build '{"image": "fx/Bad..Name"}'
expect_error 400 NAME_INVALID "an invalid image name"
post_build '{"image": "fx/sleepy:-rf"}'
expect_error 400 TAG_INVALID "an invalid tag"
http GET /api/v1/builds/0000000000000000
expect_error 404 MANIFEST_UNKNOWN "an unknown build id"
http DELETE /api/v1/builds
expect_error 405 UNSUPPORTED "DELETE is not supported"
expect_server_alive
stop_server

# --- with auth: the admin API's rule -------------------------------------------------------
write_config "$WORK/auth.json" ".sources[0].path = \"$copy\" | .auth.enabled = true"
adm() { "$STRATA_BIN" admin --config "$WORK/auth.json" "$@" >/dev/null 2>&1; }
printf 'admin-pw\n' | adm user add root
printf 'user-pw\n' | adm user add joe
adm team add ops
adm team add-member ops root
adm grant ops '*' '*' admin
start_server "$WORK/auth.json"
http GET /api/v1/builds
expect_status 401 "anonymous callers may not list builds"
http GET /api/v1/builds -u joe:user-pw
expect_error 403 DENIED "a user without an admin grant may not list builds"
http POST /api/v1/builds -u joe:user-pw --data-binary '{"image": "fx/hello"}'
expect_error 403 DENIED "nor start one"
http GET /api/v1/builds -u root:admin-pw
expect_status 200 "an admin may"
stop_server
