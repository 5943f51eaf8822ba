#!/usr/bin/env bash
# Metadata in PostgreSQL 15 (and blobs in S3): the repositories' unit tests
# on the real server, a real pull with both shared engines, users and grants
# through the admin CLI, and a database that is down at start or during a
# pull: one line, 503, and back to normal once it returns.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo umoci chroot psql node

start_postgres
start_s3

# --- the repositories and the migrations on PostgreSQL ------------------------------------
unit="$STRATA_BUILD_DIR/bin/strata_unit_tests"
STRATA_TEST_POSTGRESQL="host=$PG_DIR port=$PG_PORT user=postgres dbname=postgres" \
  "$unit" --gtest_filter='*postgresql*' --gtest_brief=1 >"$WORK/unit.out" 2>&1 ||
  { cat "$WORK/unit.out" >&2; fail "the unit tests of meta/ on PostgreSQL"; }
passed="$(sed -n 's/.*PASSED.* \([0-9][0-9]*\) tests\?\..*/\1/p' "$WORK/unit.out")"
[[ "${passed:-0}" -ge 20 ]] || { cat "$WORK/unit.out" >&2; fail "only ${passed:-0} PostgreSQL unit tests ran"; }
ok "$passed unit tests of the repositories and migrations pass on PostgreSQL 15"

# --- a pull with both shared engines -----------------------------------------------------
write_config "$WORK/shared.json" "$(pg_filter) | $(s3_filter strata)"
start_server "$WORK/shared.json"
expect_contains "$(cat "$SERVER_LOG")" "metadata in postgresql host=127.0.0.1 port=$PG_PORT dbname=strata" \
  "the log names the database"
expect_not_contains "$(cat "$SERVER_LOG")" "pg-secret" "and never its password"
rootfs="$(pull_rootfs demo/shell/hello:latest)"
expect_eq "Hello from Strata!" "$(run_in_rootfs "$rootfs" /bin/hello)" \
  "skopeo copy + umoci + chroot with metadata in PostgreSQL and blobs in S3"
expect_eq "latest" "$(psql -tA "$PG_ADMIN dbname=strata" -c "SELECT tag FROM resolutions WHERE name = 'demo/shell/hello'")" \
  "the tag is recorded in PostgreSQL"
expect_eq "$(find "$STRATA_SOURCE_DIR/migrations/postgresql" -name '0*.sql' | wc -l)" \
  "$(psql -tA "$PG_ADMIN dbname=strata" -c "SELECT COUNT(*) FROM schema_migrations")" \
  "the PostgreSQL migrations are recorded"

# --- users and grants on PostgreSQL, through the CLI and the registry --------------------
adm() { "$STRATA_BIN" admin --config "$WORK/auth.json" "$@"; }
auth_port="$(pick_port)"
jq --arg l "127.0.0.1:$auth_port" --arg u "http://127.0.0.1:$auth_port" \
  '.auth.enabled = true | .listen = $l | .publicUrl = $u' "$WORK/shared.json" >"$WORK/auth.json"
stop_server
printf 'alice-pw\n' | adm user add alice >/dev/null || fail "admin user add on PostgreSQL"
adm team add devs >/dev/null && adm team add-member devs alice >/dev/null &&
  adm grant devs demo '*' pull >/dev/null || fail "admin team, member and grant on PostgreSQL"
ok "users, teams and grants in PostgreSQL through strata admin"
start_server "$WORK/auth.json"
skopeo inspect --tls-verify=false --creds alice:alice-pw "docker://$REGISTRY/demo/shell/hello:latest" \
  >/dev/null 2>"$WORK/inspect.err" || { cat "$WORK/inspect.err" >&2; fail "skopeo inspect as alice"; }
ok "alice pulls with her password and her grant (both in PostgreSQL)"
expect_match "$(psql -tA "$PG_ADMIN dbname=strata" -c "SELECT COUNT(*) FROM audit_log WHERE kind = 'pull' AND actor = 'alice'")" \
  '^[1-9][0-9]*$' "her pulls are in the audit log"
stop_server

# --- PostgreSQL down during a pull: 503, then back to normal -----------------------------
start_server "$WORK/shared.json"
pg_stop
http GET /readyz
expect_status 503 "not ready while the database is down"
expect_eq "database" "$(jq -r .failing "$WORK/last.body")" "readyz names the database"
http GET /v2/fx/hello/manifests/latest
expect_error 503 UNAVAILABLE "a pull that needs the database while it is down"
expect_server_alive
pg_start
http GET /readyz
expect_status 200 "ready again once the database is back"
http GET /v2/fx/hello/manifests/latest
expect_status 200 "once the database is back, the same pull answers"
http GET /v2/_catalog
expect_status 200 "the catalog answers"
expect_contains "$(jq -r '.repositories[]' "$WORK/last.body")" "fx/hello" "and its tag is recorded"
stop_server

# --- PostgreSQL down at start, or a wrong password: one line ------------------------------
pg_stop
if "$STRATA_BIN" serve --config "$WORK/shared.json" >"$WORK/down.out" 2>&1; then
  fail "the server started without its database"
fi
expect_eq 1 "$(grep -c . "$WORK/down.out")" "the database down at start: one line on stderr"
expect_contains "$(cat "$WORK/down.out")" "database.postgresql: cannot use 'host=127.0.0.1 port=$PG_PORT" \
  "the line names the configuration key and the database"
pg_start
printf 'wrong\n' >"$WORK/wrong-password"
jq --arg f "$WORK/wrong-password" '.database.postgresql.passwordFile = $f' "$WORK/shared.json" >"$WORK/wrong.json"
if "$STRATA_BIN" serve --config "$WORK/wrong.json" >"$WORK/wrong.out" 2>&1; then
  fail "the server started with a wrong password"
fi
expect_contains "$(cat "$WORK/wrong.out")" "password authentication failed" "a wrong password: PostgreSQL's reason"
expect_not_contains "$(cat "$WORK/wrong.out")" "wrong" "the password is never printed"
