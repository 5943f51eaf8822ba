#!/usr/bin/env bash
# A full disk under the data folder: a pull that needs more room answers 507
# with a message about storage space, leaves no temporary file and stores
# nothing partial; images already stored are still served, small new ones
# still built; once there is room again the same pull succeeds by itself.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[[ "$(id -u)" == 0 ]] || fail "this test mounts a tmpfs: run it as root"

small="$WORK/small"
mkdir -p "$small"
mount -t tmpfs -o size=24m strata-test-full "$small"
add_cleanup "umount -l '$small'"

copy="$(copy_fixture "$WORK/tree")"
write_config "$WORK/strata.json" ".sources[0].path = \"$copy\" | .dataDir = \"$small/data\""
start_server "$WORK/strata.json"

# --- before: a small image fits --------------------------------------------------------
pull_and_run fx/hello hello >"$WORK/hello.out"
expect_contains "$(cat "$WORK/hello.out")" "Hello" "fx/hello pulled and run from a 24 MiB data folder"

# --- bigdata (50 MiB that gzip cannot shrink) does not fit -----------------------------
http GET "/v2/fx/bigdata/manifests/latest" -H "Accept: $OCI_MANIFEST"
expect_error 507 UNAVAILABLE "a pull that needs more room than there is"
expect_contains "$(error_field message)" "storage is full" "the message names storage space"
expect_not_contains "$(error_field message)$(error_field detail)" "$small" \
  "and no path of the server"
expect_contains "$(cat "$SERVER_LOG")" "No space left on device" "the server log names the cause"
expect_eq "" "$(find "$small" -name '*.part')" "no temporary blob file is left"
expect_eq failed "$(curl -s "$BASE/api/v1/builds" | jq -r '[.builds[] | select(.image | test("bigdata"))][0].state')" \
  "the build of bigdata is recorded as failed"

# --- meanwhile: stored images are served, small new ones built ----------------------------
pull_and_run fx/hello hello >"$WORK/hello-again.out"
expect_contains "$(cat "$WORK/hello-again.out")" "Hello" "fx/hello is still served"
http GET "/v2/fx/shout/manifests/latest" -H "Accept: $OCI_MANIFEST"
expect_status 200 "a small new image is still built and stored"
expect_server_alive

# --- room again: the same pull succeeds, with no restart -----------------------------------
mount -o remount,size=256m "$small"
http GET "/v2/fx/bigdata/manifests/latest" -H "Accept: $OCI_MANIFEST"
expect_status 200 "with room again, the same pull succeeds (the failure was not remembered)"
oci_pull fx/bigdata "$WORK/bigdata-oci"
expect_eq "" "$(find "$small" -name '*.part')" "no temporary blob file is left"
