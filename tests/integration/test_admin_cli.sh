#!/usr/bin/env bash
# The command line of DESIGN.md: --version, usage errors, `admin migrate`,
# `admin build` (ahead of a pull; one line on stderr when it fails), `admin gc`
# (only unreferenced blobs older than an hour), and pinned names of a path
# source that stop serving once its folder changed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

copy="$(copy_fixture "$WORK/tree")"
write_config "$WORK/strata.json" ".sources[0].path = \"$copy\""
data="$(config_data_dir "$WORK/strata.json")"
adm() { "$STRATA_BIN" admin --config "$WORK/strata.json" "$@"; }

# --- version and usage ---------------------------------------------------------------------
expect_match "$("$STRATA_BIN" --version)" '^strata [0-9]+\.[0-9]+\.[0-9]+$' "--version"
rc=0
"$STRATA_BIN" >"$WORK/out" 2>"$WORK/err" || rc=$?
expect_ne 0 "$rc" "no command: non-zero exit"
expect_eq 1 "$(wc -l <"$WORK/err")" "no command: one line on stderr"
rc=0
"$STRATA_BIN" frobnicate --config x 2>"$WORK/err" || rc=$?
expect_ne 0 "$rc" "an unknown command fails"
expect_contains "$(cat "$WORK/err")" "unknown command 'frobnicate'" "and says which"
rc=0
"$STRATA_BIN" serve 2>"$WORK/err" || rc=$?
expect_ne 0 "$rc" "serve without --config fails"
expect_eq 1 "$(wc -l <"$WORK/err")" "with one line"
rc=0
"$STRATA_BIN" serve --config "$WORK/nope.json" 2>"$WORK/err" || rc=$?
expect_ne 0 "$rc" "a missing configuration file fails"
expect_contains "$(cat "$WORK/err")" "cannot read" "and says so"

# --- migrate and build ---------------------------------------------------------------------
expect_contains "$(adm migrate)" "up to date" "admin migrate"
[[ -f "$data/strata.db" ]] || fail "admin migrate made no database"
newest="$(find "$STRATA_SOURCE_DIR/migrations" -maxdepth 1 -name '0*.sql' | wc -l)"
expect_eq "$newest" "$(sqlite3 "$data/strata.db" 'PRAGMA user_version')" "the schema is at the newest version"

adm build fx/shell/hello:latest >"$WORK/build.out" 2>"$WORK/build.err" || fail "admin build failed: $(cat "$WORK/build.err")"
oci="$(awk '$1 == "oci" {print $2}' "$WORK/build.out")"
expect_match "$oci" '^sha256:[0-9a-f]{64}$' "admin build prints the OCI digest"

rc=0
adm build fx/failing >"$WORK/out" 2>"$WORK/err" || rc=$?
expect_ne 0 "$rc" "a failing admin build exits non-zero"
expect_eq 1 "$(grep -c . "$WORK/err")" "with one line on stderr"
expect_contains "$(cat "$WORK/err")" "STRATA-FIXTURE-BUILD-FAILURE" "naming the last line of Nix's log"
rc=0
adm build 'fx/Bad Name' 2>"$WORK/err" || rc=$?
expect_ne 0 "$rc" "an invalid name fails"
rc=0
adm frobnicate 2>"$WORK/err" || rc=$?
expect_ne 0 "$rc" "an unknown admin verb fails"
expect_eq 1 "$(grep -c . "$WORK/err")" "with one line"

# --- gc ------------------------------------------------------------------------------------
blobs="$data/blobs/sha256"
referenced="$(find "$blobs" -type f | wc -l)"
old="$(printf 'old litter' | sha256sum | cut -d' ' -f1)"
young="$(printf 'young litter' | sha256sum | cut -d' ' -f1)"
mkdir -p "$blobs/${old:0:2}" "$blobs/${young:0:2}"
printf 'old litter' >"$blobs/${old:0:2}/$old"
printf 'young litter' >"$blobs/${young:0:2}/$young"
touch -d '2 hours ago' "$blobs/${old:0:2}/$old"
expect_contains "$(adm gc)" "removed 1 unreferenced blobs" "gc removes the old unreferenced blob only"
[[ ! -e "$blobs/${old:0:2}/$old" ]] || fail "the old unreferenced blob is still there"
[[ -e "$blobs/${young:0:2}/$young" ]] || fail "gc removed a blob younger than an hour"
expect_eq "$((referenced + 1))" "$(find "$blobs" -type f | wc -l)" "every referenced blob is kept"

# What admin build made is what the server serves, after gc, without building.
start_server "$WORK/strata.json"
expect_eq "$oci" "$(manifest_digest fx/shell/hello latest)" "the server serves the image admin build made"
expect_eq "" "$(curl -fs "$BASE/metrics" | awk '$1 == "strata_build_phase_seconds_count{phase=\"nix\"}" {print $2}')" \
  "and runs no Nix for it"
expect_eq "Hello from the Strata fixture!" "$(pull_and_run fx/shell/hello:latest /bin/hello)" "the image runs"

# --- pinned names of a path source ---------------------------------------------------------
http GET "/api/v1/images/fx/shell/hello:latest/pin"
expect_status 200 "pin"
pinned="$(jq -r .pinnedName "$WORK/last.body")"
revision="$(jq -r .revision "$WORK/last.body")"
expect_eq "$oci" "$(manifest_digest fx/shell/hello "$revision")" "the pinned name serves the pinned image"
printf '\n# edited\n' >>"$copy/default.nix"
http GET "/v2/fx/shell/hello/manifests/$revision" -H "Accept: $OCI_MANIFEST"
expect_error 404 MANIFEST_UNKNOWN "once the folder changed, the pinned name ($pinned) is gone"
expect_ne "$oci" "$(manifest_digest fx/shell/hello latest)" "latest moved on"
expect_server_alive
stop_server
