#!/usr/bin/env bash
# Auth end to end: `strata admin` users, teams, grants and API tokens; the
# Docker token flow by hand with curl, scope by scope; forged, expired and
# revoked tokens; real clients (skopeo inspect --creds, podman pull --creds)
# with a password and with an API token, and every way they must fail;
# anonymous pulls through the built-in `anonymous` team; the admin API; the
# audit log; the failed-login slow-down; no clear-text secret in the database.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo podman openssl sqlite3

# --- helpers -----------------------------------------------------------------

# auth_config FILE [JQ_FILTER]: write_config with auth on.
auth_config() {
  write_config "$1" ".auth.enabled = true | .auth.tokenTtlSeconds = 900 | ${2:-.}"
}

# start_auth_server CONFIG: like lib.sh's start_server, but publicUrl must name
# the port (it is the token realm clients follow), so the port is picked first
# and written into the config; and GET /v2/ answers 401 with auth on, so
# readiness is GET /healthz. Retries with another port if it was taken.
start_auth_server() {
  local config="$1" attempt i port
  for attempt in 1 2 3 4 5; do
    port="$(pick_port)"
    jq --arg l "127.0.0.1:$port" --arg u "http://127.0.0.1:$port" '.listen = $l | .publicUrl = $u' \
      "$config" >"$config.tmp" && mv "$config.tmp" "$config"
    SERVER_LOG="$WORK/server-$(next_id).log"
    "$STRATA_BIN" serve --config "$config" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    add_cleanup "kill -TERM $SERVER_PID 2>/dev/null; sleep 1; kill -KILL $SERVER_PID 2>/dev/null"
    SERVER_PORT="$port"
    REGISTRY="127.0.0.1:$SERVER_PORT"
    BASE="http://$REGISTRY"
    for ((i = 0; i < 300; i++)); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/healthz" || true)" == 200 ]]; then
        log "server $SERVER_PID listening on $REGISTRY (log: $SERVER_LOG)"
        return 0
      fi
      sleep 0.1
    done
    kill -0 "$SERVER_PID" 2>/dev/null && fail "GET /healthz did not answer 200 within 30 s"
    grep -qi "in use" "$SERVER_LOG" || fail "the server exited during start-up"
    log "port $port was taken: trying another"
  done
  fail "no free port after 5 attempts"
}

adm() { "$STRATA_BIN" admin --config "$CFG" "$@"; }

# expect_cli_error DESCRIPTION NEEDLE ARGS…: `strata admin ARGS…` fails with
# one line on stderr holding NEEDLE (stdin empty).
expect_cli_error() {
  local desc="$1" needle="$2" rc=0
  shift 2
  adm "$@" </dev/null >"$WORK/cli.out" 2>"$WORK/cli.err" || rc=$?
  [[ $rc -ne 0 ]] || fail "$desc: exit status 0"
  [[ "$(wc -l <"$WORK/cli.err")" == 1 ]] || fail "$desc: stderr is not one line: $(cat "$WORK/cli.err")"
  [[ ! -s "$WORK/cli.out" ]] || fail "$desc: wrote to stdout: $(cat "$WORK/cli.out")"
  expect_contains "$(cat "$WORK/cli.err")" "$needle" "$desc (exit $rc, one line on stderr)"
}

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# jwt_part JWT N: part N (1 header, 2 claims) decoded.
jwt_part() {
  local p
  p="$(cut -d. -f"$2" <<<"$1" | tr '_-' '/+')"
  while ((${#p} % 4)); do p+="="; done
  base64 -d <<<"$p"
}
jwt_payload() { jwt_part "$1" 2; }

# sign_jwt KEY_PEM CLAIMS_JSON [ALG]: a JWT signed RS256 with KEY_PEM.
sign_jwt() {
  local h p
  h="$(printf '{"alg":"%s","typ":"JWT"}' "${3:-RS256}" | b64url)"
  p="$(printf '%s' "$2" | b64url)"
  printf '%s.%s.%s' "$h" "$p" "$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -sign "$1" | b64url)"
}

# get_token USER:SECRET SCOPE…: GET /token; the JSON answer in $WORK/last.body.
get_token() {
  local creds="$1" query="service=strata" s
  shift
  for s in "$@"; do query+="&scope=$s"; done
  if [[ -n "$creds" ]]; then
    http GET "/token?$query" -u "$creds"
  else
    http GET "/token?$query"
  fi
}

# client_ok/client_fails DESCRIPTION COMMAND…: a registry client succeeds / fails.
client_ok() {
  local desc="$1"
  shift
  if ! "$@" >"$WORK/client.out" 2>"$WORK/client.err"; then
    cat "$WORK/client.err" >&2
    fail "$desc"
  fi
  ok "$desc"
}
client_fails() {
  local desc="$1" needle="$2"
  shift 2
  if "$@" >"$WORK/client.out" 2>"$WORK/client.err"; then fail "$desc: succeeded"; fi
  expect_contains "$(tr '[:upper:]' '[:lower:]' <"$WORK/client.err")" "$needle" "$desc"
}

skopeo_inspect() { skopeo inspect --tls-verify=false "$@"; }
podman_pull() {
  local image="${*: -1}"
  add_cleanup "podman rmi -f '$image'"
  podman pull --quiet --tls-verify=false "$@"
}

# --- set-up: users, teams, grants through the CLI ------------------------------

CFG="$WORK/strata.json"
auth_config "$CFG"
DATA="$(config_data_dir "$CFG")"
DB="$DATA/strata.db"
ALICE_PW='alice pass "with" quotes; and $dollars'
BOB_PW='bob-secret-1'
DAVE_PW='dave-admin-pw'

expect_eq "user alice added" "$(printf '%s\n' "$ALICE_PW" | adm user add alice)" "user add reads the password from stdin"
printf '%s\n' "$BOB_PW" | adm user add bob >/dev/null
printf '%s\n' "$DAVE_PW" | adm user add dave >/dev/null
adm team add devs >/dev/null
adm team add ops >/dev/null
adm team add-member devs alice >/dev/null
adm team add-member ops dave >/dev/null
adm grant devs demo hello pull >/dev/null
adm grant devs demo busybox pull >/dev/null
adm grant devs demo 'tools.*' pull >/dev/null
adm grant ops '*' '*' admin >/dev/null
expect_eq $'devs demo busybox pull\ndevs demo hello pull\ndevs demo tools.* pull\nops * * admin' \
  "$(adm grant list)" "grant list"
ALICE_TOKEN="$(adm token create alice laptop)"
expect_match "$ALICE_TOKEN" '^strata_[A-Za-z0-9_-]{43}$' "token create prints only the secret"
OLD_TOKEN="$(adm token create alice old --expires-days 30)"

# --- the CLI refuses hostile or wrong input, in one line ------------------------

expect_cli_error "user add without a password" "no password" user add carol
expect_cli_error "user add, SQL in the name" "invalid user name" user add "x'; DROP TABLE users;--"
expect_cli_error "team add, very long name" "longer than 64" team add "$(head -c 5000 /dev/zero | tr '\0' a)"
expect_cli_error "team add, unicode name" "invalid team name" team add "équipe"
expect_cli_error "team add, name with a line break" "invalid team name" team add "$(printf 'a\nb')"
expect_cli_error "user add, an existing user" "exists already" user add alice
expect_cli_error "grant to an unknown source" "no source 'nope'" grant devs nope '*' pull
expect_cli_error "grant an unknown action" "pull or admin" grant devs demo '*' push
expect_cli_error "grant a glob with quotes" "invalid package glob" grant devs demo "a'b" pull
expect_cli_error "source-scoped admin grant" "whole registry" grant devs demo '*' admin
expect_cli_error "add-member, unknown user" "no user 'zed'" team add-member devs zed
expect_cli_error "token for an unknown user" "no user" token create zed t
expect_cli_error "duplicate token name" "already" token create alice laptop
expect_cli_error "unknown verb" "unknown admin verb" frobnicate
expect_cli_error "revoke a grant that does not exist" "has no grant" revoke devs demo nothing pull
# SQL in a glob is a legal glob character sequence: stored literally, never run.
adm grant devs demo 'x);DELETE_FROM_users;--' pull >/dev/null
expect_eq 'x);DELETE_FROM_users;--' \
  "$(sqlite3 "$DB" "SELECT package_glob FROM grants WHERE package_glob LIKE 'x)%'")" \
  "a glob holding SQL is stored literally"
adm revoke devs demo 'x);DELETE_FROM_users;--' pull >/dev/null
expect_eq 3 "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM users')" "the users table holds alice, bob, dave only"

start_auth_server "$CFG"
REALM="http://$REGISTRY/token"

# --- the token flow by hand, scope by scope -----------------------------------

http GET /v2/
expect_error 401 UNAUTHORIZED "GET /v2/ without credentials"
expect_eq "Bearer realm=\"$REALM\",service=\"strata\"" "$(header WWW-Authenticate)" "GET /v2/ challenge (no scope)"

http GET /v2/demo/shell/hello/manifests/latest
expect_error 401 UNAUTHORIZED "anonymous manifest request"
expect_eq "Bearer realm=\"$REALM\",service=\"strata\",scope=\"repository:demo/shell/hello:pull\"" \
  "$(header WWW-Authenticate)" "manifest challenge names the scope"

http GET /v2/_catalog
expect_error 401 UNAUTHORIZED "anonymous catalog"
expect_contains "$(header WWW-Authenticate)" 'scope="registry:catalog:*"' "catalog challenge scope"

get_token "" repository:demo/shell/hello:pull
expect_error 401 UNAUTHORIZED "GET /token without credentials (anonymousPull off)"
expect_eq 'Basic realm="strata"' "$(header WWW-Authenticate)" "GET /token asks for basic credentials"

get_token "alice:wrong" repository:demo/shell/hello:pull
expect_error 401 UNAUTHORIZED "GET /token with a wrong password"

get_token "alice:$ALICE_PW" repository:demo/shell/hello:pull
expect_status 200 "GET /token with alice's password"
TOKEN="$(jq -r .token "$WORK/last.body")"
expect_eq "$TOKEN" "$(jq -r .access_token "$WORK/last.body")" "token and access_token are the same JWT"
expect_eq 900 "$(jq -r .expires_in "$WORK/last.body")" "expires_in is auth.tokenTtlSeconds"
expect_match "$(jq -r .issued_at "$WORK/last.body")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "issued_at is RFC 3339"
expect_eq no-store "$(header Cache-Control)" "token answers are not cached"
CLAIMS="$(jwt_payload "$TOKEN")"
expect_eq '{"alg":"RS256","typ":"JWT"}' "$(jwt_part "$TOKEN" 1 | jq -c -S .)" "JWT header: RS256"
expect_eq '[{"actions":["pull"],"name":"demo/shell/hello","type":"repository"}]' \
  "$(jq -c -S .access <<<"$CLAIMS")" "access: pull on demo/shell/hello"
expect_eq "alice strata strata 900" "$(jq -r '"\(.sub) \(.iss) \(.aud) \(.exp - .iat)"' <<<"$CLAIMS")" "sub, iss, aud, lifetime"

# The intersection: one scope granted, one not, one unknown name, the catalog.
get_token "alice:$ALICE_PW" repository:demo/shell/hello:pull,push repository:demo/cowsay:pull \
  "repository:nosuchsource/x:pull" "registry:catalog:*"
expect_status 200 "GET /token with several scopes"
expect_eq '[{"actions":["pull"],"name":"demo/shell/hello","type":"repository"},{"actions":[],"name":"demo/cowsay","type":"repository"},{"actions":[],"name":"nosuchsource/x","type":"repository"},{"actions":["*"],"name":"catalog","type":"registry"}]' \
  "$(jwt_payload "$(jq -r .token "$WORK/last.body")" | jq -c '.access | map(to_entries | sort_by(.key) | from_entries)')" \
  "access is the requested scope intersected with alice's grants (push never granted)"

get_token "alice:$ALICE_PW" "repository:demo/shell/hello"
expect_error 400 UNSUPPORTED "a malformed scope"

get_token "bob:$BOB_PW" repository:demo/shell/hello:pull
expect_status 200 "bob gets a token"
BOB_TOKEN="$(jq -r .token "$WORK/last.body")"
expect_eq '[]' "$(jwt_payload "$BOB_TOKEN" | jq -c '.access[0].actions')" "bob's token grants nothing"

# Using the tokens.
http GET /v2/ -H "Authorization: Bearer $TOKEN"
expect_status 200 "GET /v2/ with a bearer token"
# Only the exact token: anything after its signature makes another string.
for suffix in .x = == .; do
  http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $TOKEN$suffix"
  expect_status 401 "the token with '$suffix' after its signature"
done
http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $TOKEN" -H "Accept: $OCI_MANIFEST"
expect_status 200 "manifest with alice's bearer token"
MANIFEST_DIGEST="$(header Docker-Content-Digest)"
LAYER="$(jq -r '.layers[0].digest' "$WORK/last.body")"
http GET "/v2/demo/shell/hello/blobs/$LAYER" -H "Authorization: Bearer $TOKEN"
expect_status 200 "blob with the bearer token"
http GET /v2/demo/shell/hello/tags/list -H "Authorization: Bearer $TOKEN"
expect_status 200 "tags/list with the bearer token"
http GET "/v2/demo/shell/hello/manifests/$MANIFEST_DIGEST" -H "Authorization: Bearer $TOKEN" -H "Accept: $OCI_MANIFEST"
expect_status 200 "manifest by digest with the bearer token"

http GET /v2/demo/hello/manifests/latest -H "Authorization: Bearer $TOKEN"
expect_error 401 UNAUTHORIZED "a granted image outside the token's scope"
expect_contains "$(header WWW-Authenticate)" 'scope="repository:demo/hello:pull",error="insufficient_scope"' \
  "the challenge asks for a token for that scope"

http GET /v2/demo/shell/cowsay/manifests/latest -H "Authorization: Bearer $TOKEN"
expect_error 403 DENIED "alice, a package outside her grants"
expect_contains "$(error_field message)" "package cowsay of source 'demo'" "the denial names the package not granted"
expect_not_contains "$(error_field message)" "busybox" "the denial names only what is missing"

http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $BOB_TOKEN"
expect_error 403 DENIED "bob (no grants) with his token"
expect_contains "$(error_field message)" "packages busybox, hello" "bob's denial names both packages"

# Basic credentials straight at the registry.
http GET /v2/demo/shell/hello/manifests/latest -u "alice:$ALICE_PW" -H "Accept: $OCI_MANIFEST"
expect_status 200 "manifest with basic credentials (password)"
http GET /v2/demo/shell/hello/manifests/latest -u "alice:$ALICE_TOKEN" -H "Accept: $OCI_MANIFEST"
expect_status 200 "manifest with basic credentials (API token)"
http GET /v2/demo/shell/hello/manifests/latest -u "bob:$ALICE_TOKEN"
expect_error 401 UNAUTHORIZED "alice's API token under bob's name"
http GET /v2/demo/shell/hello/manifests/latest -u "alice:nope"
expect_error 401 UNAUTHORIZED "basic credentials with a wrong password"
http GET /v2/demo/tools.jsonpretty/manifests/latest -u "alice:$ALICE_PW"
expect_status 200 "a glob grant (tools.*) covers tools.jsonpretty"

# The catalog lists only what the caller may pull.
http GET /v2/_catalog -u "alice:$ALICE_PW"
expect_status 200 "catalog for alice"
expect_eq '["demo/shell/hello","demo/tools.jsonpretty"]' "$(jq -c .repositories "$WORK/last.body")" "alice's catalog"
http GET /v2/_catalog -u "bob:$BOB_PW"
expect_eq '[]' "$(jq -c .repositories "$WORK/last.body")" "bob's catalog is empty"

# --- forged, expired, wrongly signed tokens -----------------------------------

NOW="$(date +%s)"
GOOD_CLAIMS="{\"iss\":\"strata\",\"aud\":\"strata\",\"sub\":\"alice\",\"iat\":$NOW,\"nbf\":$NOW,\"exp\":$((NOW + 600)),\"access\":[{\"type\":\"repository\",\"name\":\"demo/shell/hello\",\"actions\":[\"pull\"]}]}"
KEY="$DATA/token-signing-key.pem"
expect_eq 600 "$(stat -c %a "$KEY")" "the generated signing key is mode 0600"
http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $(sign_jwt "$KEY" "$GOOD_CLAIMS")"
expect_status 200 "a token signed with the server key (control)"

EXPIRED="$(sign_jwt "$KEY" "$(jq -c ".iat = $((NOW - 1000)) | .nbf = $((NOW - 1000)) | .exp = $((NOW - 10))" <<<"$GOOD_CLAIMS")")"
http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $EXPIRED"
expect_error 401 UNAUTHORIZED "an expired token"
expect_contains "$(error_field message)" "expired" "the error says expired"

openssl genrsa -out "$WORK/other.pem" 2048 2>/dev/null
http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $(sign_jwt "$WORK/other.pem" "$GOOD_CLAIMS")"
expect_error 401 UNAUTHORIZED "a token signed with another key"

NONE="$(printf '{"alg":"none","typ":"JWT"}' | b64url).$(printf '%s' "$GOOD_CLAIMS" | b64url)."
http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $NONE"
expect_error 401 UNAUTHORIZED "an alg:none token"

PUB="$(openssl rsa -in "$KEY" -pubout 2>/dev/null)"
H="$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)"
P="$(printf '%s' "$GOOD_CLAIMS" | b64url)"
HS="$H.$P.$(printf '%s.%s' "$H" "$P" | openssl dgst -sha256 -hmac "$PUB" -binary | b64url)"
http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $HS"
expect_error 401 UNAUTHORIZED "an HS256 token keyed with the public key"

TAMPERED="$(cut -d. -f1 <<<"$BOB_TOKEN").$(jwt_payload "$BOB_TOKEN" | jq -c '.access[0].actions = ["pull"]' | b64url).$(cut -d. -f3 <<<"$BOB_TOKEN")"
http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $TAMPERED"
expect_error 401 UNAUTHORIZED "bob's token with its access rewritten"
http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer not.a.jwt"
expect_error 401 UNAUTHORIZED "garbage bearer token"

# --- real clients --------------------------------------------------------------

IMG="$REGISTRY/demo/shell/hello:latest"
client_ok "skopeo inspect --creds alice:<password>" skopeo_inspect --creds "alice:$ALICE_PW" "docker://$IMG"
expect_eq "busybox hello" "$(jq -r '.Labels["dev.strata.packages"]' "$WORK/client.out")" "skopeo sees the image"
client_ok "skopeo inspect --creds alice:<API token>" skopeo_inspect --creds "alice:$ALICE_TOKEN" "docker://$IMG"
client_ok "podman pull --creds alice:<password>" podman_pull --creds "alice:$ALICE_PW" "$IMG"
podman rmi -f "$IMG" >/dev/null 2>&1 || true
client_ok "podman pull --creds alice:<API token>" podman_pull --creds "alice:$ALICE_TOKEN" "$IMG"
podman rmi -f "$IMG" >/dev/null 2>&1 || true

client_fails "skopeo inspect, wrong password" "unauthorized" skopeo_inspect --creds "alice:wrong" "docker://$IMG"
client_fails "podman pull, wrong password" "unauthorized" podman_pull --creds "alice:wrong" "$IMG"
client_fails "skopeo inspect, user without grants" "denied" skopeo_inspect --creds "bob:$BOB_PW" "docker://$IMG"
client_fails "podman pull, user without grants" "denied" podman_pull --creds "bob:$BOB_PW" "$IMG"
client_fails "skopeo inspect, package outside the grant" "cowsay" \
  skopeo_inspect --creds "alice:$ALICE_PW" "docker://$REGISTRY/demo/shell/cowsay:latest"
client_fails "podman pull, package outside the grant" "denied" \
  podman_pull --creds "alice:$ALICE_PW" "$REGISTRY/demo/shell/cowsay:latest"
client_fails "skopeo inspect without credentials" "unauthorized" skopeo_inspect --no-creds "docker://$IMG"

# Revoking an API token ends it, and every JWT made with it, at once.
client_ok "skopeo inspect with the second token" skopeo_inspect --creds "alice:$OLD_TOKEN" "docker://$IMG"
get_token "alice:$OLD_TOKEN" repository:demo/shell/hello:pull
FROM_OLD="$(jq -r .token "$WORK/last.body")"
expect_match "$(jwt_payload "$FROM_OLD" | jq -r .strata_tid)" '^[0-9]+$' "a JWT made with an API token names it"
expect_eq "token old of user alice revoked" "$(adm token revoke alice old)" "token revoke"
client_fails "skopeo inspect, revoked token" "unauthorized" skopeo_inspect --creds "alice:$OLD_TOKEN" "docker://$IMG"
client_fails "podman pull, revoked token" "unauthorized" podman_pull --creds "alice:$OLD_TOKEN" "$IMG"
http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $FROM_OLD"
expect_error 401 UNAUTHORIZED "a JWT issued for the revoked token, before its expiry"
http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $TOKEN"
expect_status 200 "a JWT from alice's password still works"

# A revoked grant takes effect before the JWT expires.
adm revoke devs demo hello pull >/dev/null
http GET /v2/demo/shell/hello/manifests/latest -H "Authorization: Bearer $TOKEN"
expect_error 403 DENIED "the same JWT after the grant was revoked"
expect_contains "$(error_field message)" "package hello" "names the package no longer granted"
adm grant devs demo hello pull >/dev/null

# --- the admin API -----------------------------------------------------------

http GET /api/v1/users
expect_error 401 UNAUTHORIZED "admin API without credentials"
expect_eq 'Basic realm="strata"' "$(header WWW-Authenticate)" "admin API asks for basic credentials"
http GET /api/v1/users -u "alice:$ALICE_PW"
expect_error 403 DENIED "admin API for a user without an admin grant"
http GET /api/v1/users -u "dave:$DAVE_PW"
expect_status 200 "GET /api/v1/users as dave (admin grant)"
expect_eq '["alice","bob","dave"]' "$(jq -c '[.users[].name]' "$WORK/last.body")" "user list"
http POST /api/v1/users -u "dave:$DAVE_PW" -d '{"name":"erin","password":"erin-pw"}'
expect_status 201 "POST /api/v1/users"
http POST /api/v1/users -u "dave:$DAVE_PW" -d '{"name":"x\"; DROP TABLE users;--","password":"p"}'
expect_error 400 UNSUPPORTED "POST /api/v1/users with a hostile name"
http POST /api/v1/teams -u "dave:$DAVE_PW" -d '{"name":"qa"}'
expect_status 201 "POST /api/v1/teams"
http POST /api/v1/teams/qa/members -u "dave:$DAVE_PW" -d '{"user":"erin"}'
expect_status 201 "POST /api/v1/teams/qa/members"
http POST /api/v1/grants -u "dave:$DAVE_PW" -d '{"team":"qa","source":"demo","packageGlob":"cow*","action":"pull"}'
expect_status 201 "POST /api/v1/grants"
http GET /api/v1/grants -u "dave:$DAVE_PW"
expect_contains "$(jq -c '.grants' "$WORK/last.body")" '"team":"qa","source":"demo","packageGlob":"cow*","action":"pull"' "GET /api/v1/grants"
http POST /api/v1/users/erin/tokens -u "dave:$DAVE_PW" -d '{"name":"ci","expiresDays":1}'
expect_status 201 "POST /api/v1/users/erin/tokens"
ERIN_TOKEN="$(jq -r .secret "$WORK/last.body")"
client_ok "skopeo inspect with a token made through the API" \
  skopeo_inspect --creds "erin:$ERIN_TOKEN" "docker://$REGISTRY/demo/cowsay:latest"
http DELETE /api/v1/users/erin/tokens/ci -u "dave:$DAVE_PW"
expect_status 200 "DELETE /api/v1/users/erin/tokens/ci"
http GET /v2/demo/cowsay/manifests/latest -u "erin:$ERIN_TOKEN"
expect_error 401 UNAUTHORIZED "the token revoked through the API"
http DELETE "/api/v1/grants?team=qa&source=demo&packageGlob=cow*&action=pull" -u "dave:$DAVE_PW"
expect_status 200 "DELETE /api/v1/grants"
http GET /v2/demo/cowsay/manifests/latest -u "erin:erin-pw"
expect_error 403 DENIED "erin after her team's grant was deleted"
http GET /api/v1/sources
expect_status 200 "GET /api/v1/sources stays open"
http GET /metrics
expect_status 200 "GET /metrics stays open"

# --- the audit log -------------------------------------------------------------

audit_count() { sqlite3 "$DB" "SELECT COUNT(*) FROM audit_log WHERE $1"; }
[[ "$(audit_count "kind = 'pull' AND actor = 'alice' AND target = 'demo/shell/hello:latest' AND detail GLOB 'revision [0-9a-z]* digest sha256:[0-9a-f]*'")" -ge 1 ]] ||
  fail "no pull row for alice"
ok "audit: alice's pulls, with revision and digest"
[[ "$(audit_count "kind = 'denied' AND actor = 'bob' AND target = 'demo/shell/hello' AND detail LIKE '%busybox, hello%'")" -ge 1 ]] ||
  fail "no denied row for bob"
ok "audit: bob's denial, naming the packages"
[[ "$(audit_count "kind = 'login_failed' AND actor = 'alice' AND client_address = '127.0.0.1'")" -ge 1 ]] ||
  fail "no failed login row"
ok "audit: failed logins with the client address"
[[ "$(audit_count "kind = 'admin' AND actor = 'dave' AND detail = 'user add' AND target = 'erin'")" == 1 ]] ||
  fail "no admin row for dave's change"
[[ "$(audit_count "kind = 'admin' AND actor LIKE 'cli:%' AND detail = 'token revoke old'")" == 1 ]] ||
  fail "no admin row for the CLI's token revoke"
ok "audit: admin changes through the API and the CLI, with who made them"

# --- failed logins are slowed down -----------------------------------------------

time_token() { # CREDS: prints the seconds GET /token took
  local t
  t="$(curl -s -o /dev/null -w '%{time_total}' -u "$1" "$BASE/token?service=strata")"
  echo "$t"
}
t1="$(time_token "mallory:x1")"
t2="$(time_token "mallory:x2")"
t3="$(time_token "mallory:x3")"
t4="$(time_token "mallory:x4")"
t5="$(time_token "alice:$ALICE_PW")" # also waits: the failures came from this address
figure failed_login_seconds "$t1,$t2,$t3,$t4 then success $t5"
awk -v a="$t4" 'BEGIN { exit !(a >= 0.7) }' || fail "the 4th failed login took only $t4 s"
awk -v a="$t5" 'BEGIN { exit !(a >= 1.4) }' || fail "a login after 4 failures took only $t5 s"
ok "failed logins are slowed down (4th failure ${t4}s, next login ${t5}s)"
t6="$(time_token "alice:$ALICE_PW")"
awk -v a="$t6" 'BEGIN { exit !(a < 1.0) }' || fail "a success did not reset the slow-down ($t6 s)"
ok "a successful login resets the slow-down (${t6}s)"

# --- no clear-text secret in the database ----------------------------------------

sqlite3 "$DB" 'PRAGMA wal_checkpoint(FULL)' >/dev/null
for secret in "$ALICE_PW" "$BOB_PW" "$DAVE_PW" "erin-pw" "$ALICE_TOKEN" "$OLD_TOKEN" "$ERIN_TOKEN" "${ALICE_TOKEN#strata_}"; do
  for f in "$DB" "$DB-wal"; do
    [[ -f "$f" ]] || continue
    if grep -aqF -- "$secret" "$f"; then fail "a secret is in clear in $f"; fi
  done
  if sqlite3 "$DB" .dump | grep -qF -- "$secret"; then fail "a secret is in clear in the SQL dump"; fi
done
ok "the SQLite file holds no password or API token in clear"
expect_eq 4 "$(sqlite3 "$DB" "SELECT COUNT(*) FROM users WHERE password_hash LIKE 'scrypt\$32768\$8\$1\$%'")" \
  "every password is an scrypt hash"

stop_server

# --- anonymous pulls through the `anonymous` team ----------------------------------

auth_config "$CFG" '.auth.anonymousPull = true'
DATA="$(config_data_dir "$CFG")"
adm grant anonymous demo hello pull >/dev/null
start_auth_server "$CFG"

http GET /v2/
expect_error 401 UNAUTHORIZED "GET /v2/ still challenges anonymous clients"
http GET /v2/demo/hello/manifests/latest -H "Accept: $OCI_MANIFEST"
expect_status 200 "anonymous manifest allowed by the anonymous team's grant"
http GET /v2/demo/cowsay/manifests/latest
expect_error 401 UNAUTHORIZED "anonymous pull outside the anonymous grants asks to log in"
expect_contains "$(error_field message)" "package cowsay" "and says what is not granted"
get_token "" repository:demo/hello:pull repository:demo/cowsay:pull
expect_status 200 "GET /token without credentials gives an anonymous token"
ANON="$(jq -r .token "$WORK/last.body")"
expect_eq '"" ["pull"] []' "$(jwt_payload "$ANON" | jq -c -j '(.sub | tojson), " ", .access[0].actions, " ", .access[1].actions')" \
  "the anonymous token grants what the anonymous team may pull"
http GET /v2/demo/hello/manifests/latest -H "Authorization: Bearer $ANON"
expect_status 200 "manifest with the anonymous token"
client_ok "skopeo inspect without credentials (anonymous pull)" \
  skopeo_inspect --no-creds "docker://$REGISTRY/demo/hello:latest"
client_fails "skopeo inspect without credentials, not granted to anonymous" "unauthorized" \
  skopeo_inspect --no-creds "docker://$REGISTRY/demo/cowsay:latest"
stop_server
