#!/usr/bin/env bash
# Plugins with the real server: the shipped layering strategies give the
# expected layer counts on the same image (and the images run), the denylist
# and network policies deny with their reason (also for cached images and
# pulls by digest, and with auth on), GET /api/v1/plugins lists what is
# loaded, a strategy returning an invalid plan fails that request with a 500
# naming the plugin while the server keeps serving, and every kind of bad
# plugin stops start-up with one line naming it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo umoci sqlite3

PLUGINS="$STRATA_BUILD_DIR/plugins"
TEST_PLUGINS="$STRATA_BUILD_DIR/tests/plugins"
for f in "$PLUGINS"/{layering-flat,layering-auto,policy-denylist,policy-network}.so \
  "$TEST_PLUGINS"/{bogus,wrong-abi,throws-on-register,bad-plans}.so; do
  [[ -f "$f" ]] || fail "$f is missing: build the plugins first (ninja)"
done

# startup_error CONFIG [ARGS…]: runs `strata serve`, which must exit non-zero
# within 30 s. Sets STARTUP_RC; the output is in $WORK/startup.out and the
# line starting "strata: " in STARTUP_LINE.
startup_error() {
  local config="$1"
  shift
  set +e
  timeout 30 "$STRATA_BIN" serve --config "$config" "$@" >"$WORK/startup.out" 2>&1
  STARTUP_RC=$?
  set -e
  [[ $STARTUP_RC -ne 124 ]] || fail "the server started although it should not have"
  expect_ne 0 "$STARTUP_RC" "start-up fails (exit status $STARTUP_RC)"
  local lines
  lines="$(grep -c '^strata: ' "$WORK/startup.out" || true)"
  expect_eq 1 "$lines" "exactly one error line"
  STARTUP_LINE="$(grep '^strata: ' "$WORK/startup.out")"
}

# --- start-up failures ---------------------------------------------------------
write_config "$WORK/bad.json"
startup_error "$WORK/bad.json" --set 'plugins.load=["no-such-plugin"]'
expect_eq "strata: plugin 'no-such-plugin': no file $PLUGINS/no-such-plugin.so" "$STARTUP_LINE" \
  "a plugin name without a file"
startup_error "$WORK/bad.json" --set "plugins.directory=$TEST_PLUGINS" --set 'plugins.load=["bogus"]'
expect_contains "$STARTUP_LINE" "strata: plugin 'bogus': " "a library that is not a plugin is named"
expect_contains "$STARTUP_LINE" "does not export the entry point strata_plugin_abi" "and the reason"
startup_error "$WORK/bad.json" --set "plugins.directory=$TEST_PLUGINS" --set 'plugins.load=["wrong-abi"]'
expect_contains "$STARTUP_LINE" "strata: plugin 'wrong-abi': it was built against SDK ABI version 999, this strata needs version 2" \
  "an ABI mismatch names both versions"
startup_error "$WORK/bad.json" --set "plugins.directory=$TEST_PLUGINS" --set 'plugins.load=["throws-on-register"]'
expect_eq "strata: plugin 'throws-on-register': registration failed: STRATA-TEST: registration refused on purpose" \
  "$STARTUP_LINE" "an exception during registration is a clean start-up error"
printf 'not a library\n' >"$WORK/text.so"
startup_error "$WORK/bad.json" --set "plugins.directory=$WORK" --set 'plugins.load=["text"]'
expect_contains "$STARTUP_LINE" "strata: plugin 'text': $WORK/text.so is not a shared library" "a text file named .so"
startup_error "$WORK/bad.json" --set 'plugins.load=["policy-denylist"]' \
  --set 'plugins.config.policy-denylist={"rules": [{"source": "fx", "reason": "r"}]}'
expect_contains "$STARTUP_LINE" "strata: plugin 'policy-denylist': registration failed: plugins.config.policy-denylist.rules[0] needs exactly one of packages and closureContains" \
  "a bad plugin configuration names the key"
startup_error "$WORK/bad.json" --set 'plugins.load=["layering-flat", "layering-auto"]' \
  --set 'sources.0.layering=nosuch'
expect_eq "strata: sources.fx.layering: unknown layering strategy 'nosuch' (known: auto, closure, flat, popularity)" \
  "$STARTUP_LINE" "an unknown strategy lists the known ones, plugins' included"
startup_error "$WORK/bad.json" --set 'layering.strategy=flat'
expect_contains "$STARTUP_LINE" "unknown layering strategy 'flat' (known: closure, popularity)" \
  "a plugin's strategy without the plugin loaded"

# --- the shipped plugins ---------------------------------------------------------
# Three sources on the fixture package set differing only in strategy, with the
# same budget; "walled" is reachable from 192.0.2.0/24 only.
write_config "$WORK/strata.json" "
  .plugins.load = [\"layering-flat\", \"layering-auto\", \"policy-denylist\", \"policy-network\"]
  | .plugins.config = {
      \"policy-denylist\": { rules: [
        { source: \"fx\", closureContains: \"fixture-words\", reason: \"STRATA-TEST: the fixture words are banned\" },
        { source: \"*\", packages: \"tools.*\", reason: \"STRATA-TEST: no tools\" } ] },
      \"policy-network\": { sources: { fx: [\"127.0.0.1/32\", \"::1\"], walled: [\"192.0.2.0/24\"] } } }
  | .sources += [
      { name: \"fxpop\",  prefix: \"fxpop\",  type: \"path\", path: \"$FIXTURE_PKGS\", layering: \"popularity\", maxLayers: 10 },
      { name: \"fxflat\", prefix: \"fxflat\", type: \"path\", path: \"$FIXTURE_PKGS\", layering: \"flat\",       maxLayers: 10 },
      { name: \"fxauto\", prefix: \"fxauto\", type: \"path\", path: \"$FIXTURE_PKGS\", layering: \"auto\",       maxLayers: 10 },
      { name: \"walled\", prefix: \"walled\", type: \"path\", path: \"$FIXTURE_PKGS\" } ]"
start_server "$WORK/strata.json"
data_dir="$(config_data_dir "$WORK/strata.json")"

http GET /api/v1/plugins
expect_status 200 "GET /api/v1/plugins"
expect_eq "built-in:closure layering-flat:flat layering-auto:auto policy-denylist:denylist policy-network:network" \
  "$(jq -r '[.plugins[] | "\(.name):\(.provides[0].name)"] | join(" ")' "$WORK/last.body")" \
  "it lists the built-in strategy and every loaded plugin in load order"
expect_eq "built-in plugin plugin plugin plugin" "$(jq -r '[.plugins[].origin] | join(" ")' "$WORK/last.body")" "origins"
expect_eq "closure popularity" "$(jq -r '[.plugins[0].provides[].name] | join(" ")' "$WORK/last.body")" \
  "the built-in strategies, by name"
expect_eq "layering layering layering policy policy" \
  "$(jq -r '[.plugins[].provides[0].kind] | join(" ")' "$WORK/last.body")" "kinds"
expect_eq "2 2 2 2 2" "$(jq -r '[.plugins[].abiVersion] | join(" ")' "$WORK/last.body")" "ABI versions"
expect_eq "$PLUGINS/policy-network.so" "$(jq -r '.plugins[4].file' "$WORK/last.body")" "the file of a plugin"

# The same image (manyall: 122 store paths: many-all, 120 small programs, busybox)
# with a budget of 10 layers, the symlink layer included:
#   popularity: busybox (used by 121 paths) and the subtree of many-all → 2 + 1
#   flat:       everything in one layer                                   → 1 + 1
#   auto:       busybox, many-all, then one small program per layer       → 9 + 1
layers() {
  get_manifest "$1" latest
  jq '.layers | length' "$WORK/last.body"
}
expect_eq 3 "$(layers fxpop/manyall)" "popularity: layers of fxpop/manyall"
expect_eq 2 "$(layers fxflat/manyall)" "flat: layers of fxflat/manyall"
expect_eq 10 "$(layers fxauto/manyall)" "auto: layers of fxauto/manyall"
http GET /api/v1/sources
expect_eq "popularity flat auto" \
  "$(jq -r '. as $all | ["fxpop", "fxflat", "fxauto"] | map(. as $n | $all.sources[] | select(.name == $n) | .layering) | join(" ")' "$WORK/last.body")" \
  "each source reports its strategy"
# Real clients pull and run the images of the plugin strategies.
expect_eq "120 programs ran" "$(pull_and_run fxauto/manyall /bin/many-all)" "the auto-layered image runs"
expect_eq "120 programs ran" "$(pull_and_run fxflat/manyall /bin/many-all)" "the flat image runs"

# --- policy-denylist -------------------------------------------------------------
http GET /v2/fx/hello/manifests/latest
expect_status 200 "an image without the banned package is allowed"
builds_before="$(curl -s "$BASE/metrics" | sed -n 's/^strata_builds_total{result="ok"} //p')"
http GET /v2/fx/shout/manifests/latest
expect_error 403 DENIED "an image whose closure holds fixture-words-1.0 is denied"
expect_eq "access denied by policy 'denylist' (plugin policy-denylist): STRATA-TEST: the fixture words are banned (the image holds fixture-words-1.0)" \
  "$(error_field message)" "the message names the policy, the plugin, the reason and the path"
http GET /v2/fx/toolbox/manifests/latest
expect_error 403 DENIED "another image depending on fixture-words"
builds_mid="$(curl -s "$BASE/metrics" | sed -n 's/^strata_builds_total{result="ok"} //p')"
expect_eq $((${builds_before:-0} + 2)) "$builds_mid" "the denied images were built (the closure decides)"
http GET /v2/fx/shout/manifests/latest
expect_error 403 DENIED "a second pull, served from the cache, is denied too"
http HEAD /v2/fx/shout/manifests/latest
expect_status 403 "HEAD as well"
expect_eq "$builds_mid" "$(curl -s "$BASE/metrics" | sed -n 's/^strata_builds_total{result="ok"} //p')" \
  "the cached image was not built again"
http GET /v2/fxflat/shout/manifests/latest
expect_status 200 "the closure rule is for source fx only"
builds_mid="$(curl -s "$BASE/metrics" | sed -n 's/^strata_builds_total{result="ok"} //p')"
http GET /v2/fx/tools.jsonpretty/manifests/latest
expect_error 403 DENIED "a package rule denies before the build"
expect_contains "$(error_field message)" "STRATA-TEST: no tools (package tools.jsonpretty)" "with its reason"
expect_eq "$builds_mid" "$(curl -s "$BASE/metrics" | sed -n 's/^strata_builds_total{result="ok"} //p')" \
  "nothing was built for it"
http GET /v2/_catalog
expect_not_contains "$(jq -r '.repositories[]' "$WORK/last.body")" "fx/shout" \
  "a denied image's tag was not recorded (the name is not served)"
http GET /v2/fx/shout/tags/list
expect_status 200 "tags/list of a name denied by its closure: the folder's tags (what the name may ask for)"
# Building ahead (POST /api/v1/builds, open with auth off) must not record
# the denied image under its name either: else its manifest and layers would
# be served as blobs, which the policies judge by name alone.
http POST /api/v1/builds -H 'Content-Type: application/json' --data-binary '{"image": "fx/shout:latest"}'
expect_status 200 "POST /api/v1/builds of the denied (cached) image"
shout_built="$(jq -r .digest "$WORK/last.body")"
expect_match "$shout_built" '^sha256:[0-9a-f]{64}$' "it reports the digest"
http GET /v2/_catalog
expect_not_contains "$(jq -r '.repositories[]' "$WORK/last.body")" "fx/shout" \
  "building ahead records no tag of the denied image"
http GET "/v2/fx/shout/blobs/$shout_built"
expect_error 404 BLOB_UNKNOWN "nor serves its manifest as a blob under its name"
http GET /v2/_catalog
expect_not_contains "$(body)" "fx/shout" "nor lists it in the catalog"
http GET "/api/v1/images/fx/shout:latest/pin"
expect_error 403 DENIED "pinning a denied image is denied"
expect_contains "$(curl -s "$BASE/metrics")" 'strata_policy_denied_total{policy="denylist"}' "denials are counted"

# --- policy-network --------------------------------------------------------------
http GET /v2/walled/hello/manifests/latest
expect_error 403 DENIED "a source whose allowlist excludes 127.0.0.1"
expect_eq "access denied by policy 'network' (plugin policy-network): client address 127.0.0.1 is not in the allowlist of source 'walled'" \
  "$(error_field message)" "the message names the address and the source"
http GET /v2/walled/hello/tags/list
expect_error 403 DENIED "tags/list of that source"
http GET "/v2/walled/hello/blobs/sha256:$(printf '0%.0s' $(seq 1 64))"
expect_error 403 DENIED "a blob under that source"
http GET /v2/fx/hello/tags/list
expect_status 200 "127.0.0.1 is in fx's allowlist"
expect_server_alive
stop_server

# --- cached images and pulls by digest -----------------------------------------------
# Without the denylist the image is served (and its digest learnt); with it
# again, neither the tag nor the digest is.
config_open="$WORK/open.json"
jq '.plugins.load = ["layering-flat", "layering-auto"] | .plugins.config = {}' "$WORK/strata.json" >"$config_open"
start_server "$config_open"
shout_digest="$(manifest_digest fx/shout latest)"
expect_match "$shout_digest" '^sha256:[0-9a-f]{64}$' "without the denylist fx/shout is served"
stop_server
# As if built before closures were recorded (migration 0003): the closure is
# read from Nix again when a policy first needs it, and recorded.
sqlite3 "$data_dir/strata.db" "DELETE FROM image_closures"
start_server "$WORK/strata.json"
http GET "/v2/fx/shout/manifests/$shout_digest"
expect_error 403 DENIED "a pull by digest meets the denylist"
expect_contains "$(error_field message)" "fixture-words-1.0" "judged on a closure read from Nix again"
expect_ne 0 "$(sqlite3 "$data_dir/strata.db" "SELECT COUNT(*) FROM image_closures")" \
  "the closure is recorded again"
http GET /v2/fx/shout/manifests/latest
expect_error 403 DENIED "and so does the tag, from the cache"
http GET /v2/fx/hello/manifests/latest
expect_status 200 "other images are still served"
stop_server

# --- with auth on: policies come after the grants --------------------------------------
echo 'correct horse' | "$STRATA_BIN" admin --config "$WORK/strata.json" user add alice >/dev/null
"$STRATA_BIN" admin --config "$WORK/strata.json" team add devs >/dev/null
"$STRATA_BIN" admin --config "$WORK/strata.json" team add-member devs alice >/dev/null
"$STRATA_BIN" admin --config "$WORK/strata.json" grant devs fx '*' pull >/dev/null
start_server "$WORK/strata.json" --set auth.enabled=true
http GET /v2/fx/hello/manifests/latest -u 'alice:correct horse'
expect_status 200 "granted and allowed by every policy"
http GET /v2/fx/shout/manifests/latest -u 'alice:correct horse'
expect_error 403 DENIED "granted, but denied by the denylist"
expect_contains "$(error_field message)" "policy 'denylist'" "the policy's message"
http GET /v2/fxflat/shout/manifests/latest -u 'alice:correct horse'
expect_error 403 DENIED "no grant: the core grants answer first"
expect_not_contains "$(error_field message)" "policy" "that denial is the grants'"
stop_server
expect_contains "$("$STRATA_BIN" admin --config "$WORK/strata.json" audit 20)" \
  "access denied by policy 'denylist'" "the policy's denial is in the audit log"

# --- a plugin answering nonsense: 500 naming it, the server carries on -------------------
write_config "$WORK/badplans.json" "
  .plugins.directory = \"$TEST_PLUGINS\" | .plugins.load = [\"bad-plans\"]
  | .sources += [
      { name: \"outside\", prefix: \"outside\", type: \"path\", path: \"$FIXTURE_PKGS\", layering: \"outside\" },
      { name: \"throws\",  prefix: \"throws\",  type: \"path\", path: \"$FIXTURE_PKGS\", layering: \"throws\" },
      { name: \"toomany\", prefix: \"toomany\", type: \"path\", path: \"$FIXTURE_PKGS\", layering: \"too-many\", maxLayers: 3 } ]"
start_server "$WORK/badplans.json"
http GET /v2/outside/hello/manifests/latest
expect_error 500 UNKNOWN "a layer naming a path outside the closure"
expect_contains "$(error_field message)" "layering strategy 'outside' (bad-plans) failed: layer names '/nix/store/00000000000000000000000000000000-not-in-closure', which is not in the closure" \
  "the message names the strategy, the plugin and the problem"
http GET /v2/toomany/hello/manifests/latest
expect_error 500 UNKNOWN "more layers than the budget"
expect_contains "$(error_field message)" "layering strategy 'too-many' (bad-plans) failed: it returned 3 layers for a budget of 2" \
  "the message names the budget"
http GET /v2/throws/hello/manifests/latest
expect_error 500 UNKNOWN "a strategy that threw (caught inside the plugin by the SDK's guard)"
expect_contains "$(error_field message)" "layering strategy 'throws' (bad-plans) failed: unknown exception" "its message"
expect_server_alive
http GET /v2/fx/hello/manifests/latest
expect_status 200 "other sources are still served"
http GET /v2/outside/hello/manifests/latest
expect_error 500 UNKNOWN "the failure was not cached"
stop_server

# --- a plugin that does not answer: 500 naming it within plugins.timeoutSeconds ---------
write_config "$WORK/hangs.json" "
  .plugins.directory = \"$TEST_PLUGINS\" | .plugins.load = [\"hangs\"] | .plugins.timeoutSeconds = 1
  | .plugins.config = { hangs: { source: \"slowpolicy\", seconds: 60 } }
  | .sources += [
      { name: \"slowpolicy\", prefix: \"slowpolicy\", type: \"path\", path: \"$FIXTURE_PKGS\" },
      { name: \"slowlayers\", prefix: \"slowlayers\", type: \"path\", path: \"$FIXTURE_PKGS\", layering: \"hangs\" } ]"
start_server "$WORK/hangs.json"
start="$(now_seconds)"
http GET /v2/slowpolicy/hello/manifests/latest
took="$(elapsed "$start")"
expect_error 500 UNKNOWN "a policy that does not answer"
expect_contains "$(error_field message)" "access policy 'hangs' (plugin hangs) did not answer within plugins.timeoutSeconds (1 s)" \
  "the message names the policy and the plugin"
expect_eq 1 "$(awk -v t="$took" 'BEGIN { print (t < 5) ? 1 : 0 }')" "answered after the deadline, not the plugin's 60 s ($took s)"
http GET /v2/slowlayers/hello/manifests/latest
expect_error 500 UNKNOWN "a layering strategy that does not answer"
expect_contains "$(error_field message)" "layering strategy 'hangs' (hangs) failed: it did not answer within plugins.timeoutSeconds (1 s)" \
  "the message names the strategy and the plugin"
http GET /v2/fx/hello/manifests/latest
expect_status 200 "where the plugin answers, pulls are served"
expect_server_alive
stop_server
