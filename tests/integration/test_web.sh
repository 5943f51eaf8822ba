#!/usr/bin/env bash
# The web page (GET /, server/web/), in headless Chromium driven by Selenium
# (tests/integration/web_check.py, Debian's chromium, chromium-driver and
# python3-selenium):
#   - served from the binary with a Content-Security-Policy; its files only;
#   - the test sources listed, declared images, package search by name and by
#     description; hostile package metadata, declarations, queries and log
#     lines shown as text; a phone-sized window; no console errors;
#   - the pull command builder's command, pinned and by-digest forms, each
#     pulled with skopeo, the image unpacked and run;
#   - a build started from the API shows its log lines on its page while it
#     runs, a failed one its error;
#   - with auth on: a user sees only granted sources and packages, an admin
#     the access lists; credentials kept in no web storage.
# Screenshots: $STRATA_BUILD_DIR/test-artifacts/web/ (the README's comes from there).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sources_lib.sh"
require_tools skopeo umoci chroot jq /usr/bin/chromium /usr/bin/chromedriver
/usr/bin/python3 -c 'import selenium' 2>/dev/null || fail "python3-selenium is not installed (scripts/setup.sh --tests)"

SHOTS="${STRATA_BUILD_DIR:-$WORK}/test-artifacts/web"
mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png
# HOME for Chromium: its profile goes to the test's folder.
export HOME="$WORK/home"
mkdir -p "$HOME"

web() {
  local scenario="$1"
  shift
  if ! /usr/bin/python3 "$STRATA_SOURCE_DIR/tests/integration/web_check.py" "$scenario" "$BASE" "$SHOTS" "$@" \
    >"$WORK/web-$scenario.out" 2>&1; then
    cat "$WORK/web-$scenario.out" >&2
    fail "the $scenario scenario in Chromium"
  fi
  cat "$WORK/web-$scenario.out"
  ok "the $scenario scenario in Chromium ($(grep -c '^ok - ' "$WORK/web-$scenario.out") checks)"
}

# A copy of the fixture with derivations of this run alone: its builds run.
fixture="$(copy_fixture_unique "$WORK/fixture")"
# A git source whose branch names are markup (git allows '<', '>', '=').
make_pkg_repo "$WORK/src"
git -C "$WORK/src" branch '<b>bold</b>'
git -C "$WORK/src" branch '<img-src=x-onerror=window.__strataPwned=1>'
bare_from "$WORK/src" "$WORK/acme.git"
write_config "$WORK/strata.json" ".sources[0].path = \"$fixture\" | .sources += [
  { name: \"acme\", prefix: \"acme\", type: \"git\", url: \"file://$WORK/acme.git\" } ]"
start_server "$WORK/strata.json"

# --- the page itself -----------------------------------------------------------
http GET /
expect_status 200 "GET /"
expect_contains "$(header Content-Type)" "text/html" "GET /: HTML"
expect_contains "$(header Content-Security-Policy)" "script-src 'self'" "GET /: no inline or foreign script"
expect_eq nosniff "$(header X-Content-Type-Options)" "GET /: nosniff"
http GET /ui/app.js
expect_status 200 "GET /ui/app.js"
expect_contains "$(header Content-Type)" "text/javascript" "the script's type"
http GET /ui/app.css
expect_status 200 "GET /ui/app.css"
for bad in /ui/index.html /ui/nope.js /ui/..%2Fstrata.json /ui/%2e%2e/app.js /ui/; do
  http GET "$bad"
  expect_status 404 "GET $bad"
done

# --- browsing, searching, the pull command builder -----------------------------------
web browse "$WORK/commands.json"
docker_cmd="$(jq -r .docker "$WORK/commands.json")"
pinned_cmd="$(jq -r .pinned "$WORK/commands.json")"
digest_cmd="$(jq -r .digest "$WORK/commands.json")"
for cmd in "$docker_cmd" "$pinned_cmd" "$digest_cmd"; do
  ref="${cmd#docker pull }"
  [[ "$ref" == "$REGISTRY/"* ]] || fail "the page's command '$cmd' names another registry"
  image="${ref#"$REGISTRY"/}"
  rootfs="$(pull_rootfs "$image")"
  expect_contains "$(run_in_rootfs "$rootfs" /bin/cowsay moo)" "< moo >" "'$cmd' pulls an image that runs"
done
http GET "$(jq -r .sbom "$WORK/commands.json" | sed "s#^http://$REGISTRY##")"
expect_status 200 "the page's SBOM link answers"
expect_eq application/vnd.cyclonedx+json "$(jq -r '.manifests[0].artifactType' "$WORK/last.body")" "the SBOM link lists the SBOM"

# --- a build's log, live ---------------------------------------------------------------
post_build() {
  http POST /api/v1/builds -H 'Content-Type: application/json' --data-binary "{\"image\": \"$1\"}"
  expect_status 202 "POST /api/v1/builds $1" >&2
  jq -r .id "$WORK/last.body"
}
running_id="$(post_build fx/drowsy)"
failing_id="$(post_build fx/markuplog)"
web build "$running_id" "$failing_id"
stop_server

# --- auth on --------------------------------------------------------------------------------
write_config "$WORK/strata-auth.json" ".sources[0].path = \"$fixture\" | .auth.enabled = true"
adm() { "$STRATA_BIN" admin --config "$WORK/strata-auth.json" "$@" >/dev/null; }
printf 'frank-pw\n' | adm user add frank
printf 'grace-pw\n' | adm user add grace
adm team add devs
adm team add-member devs frank
adm grant devs demo hello pull
adm grant devs demo busybox pull
adm team add ops
adm team add-member ops grace
adm grant ops '*' '*' admin
adm grant ops '*' '*' pull
frank_token="$("$STRATA_BIN" admin --config "$WORK/strata-auth.json" token create frank web)"
start_server "$WORK/strata-auth.json"
web auth frank frank-pw grace grace-pw "$frank_token"
http GET /healthz
expect_status 200 "the server is alive after every scenario"
stop_server
log "screenshots in $SHOTS: $(ls "$SHOTS" | tr '\n' ' ')"
