#!/usr/bin/env bash
# Declared images (docs/images.md), end to end with real clients:
#   - demo/greeter (examples/demo-pkgs: Entrypoint, Cmd, Env, WorkingDir,
#     ExposedPorts, Labels, StopSignal and the user app, uid 1000): skopeo
#     inspect shows the config; umoci unpacks it with /etc/passwd, /etc/group
#     and /home/app owned by 1000; chroot --userspec 1000:1000 runs the
#     entrypoint with the config's environment and it reads it; podman pulls it;
#   - a further component adds a package (demo/greeter/cowsay);
#   - the same digest from a second server with an empty data folder, and a
#     plain package image keeps its config (no declared settings);
#   - the fixture's hostile declarations (tests/fixtures/pkgs, images.*): each
#     a clear error naming the image and the key, never a crash; two declared
#     images in one name: 400 NAME_INVALID;
#   - with auth on, a pull needs grants for the declared image's name and for
#     each package of its contents (cached pulls too);
#   - GET /api/v1/sources/<source>/images lists the declarations (the broken
#     ones with their errors), and `strata admin images` prints them.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo umoci podman chroot jq

write_config "$WORK/strata.json"
start_server "$WORK/strata.json"

# --- the config, as skopeo sees it ----------------------------------------------
skopeo inspect --tls-verify=false --config "docker://$REGISTRY/demo/greeter:latest" \
  >"$WORK/config.json" 2>"$WORK/skopeo.err" || { cat "$WORK/skopeo.err" >&2; fail "skopeo inspect demo/greeter"; }
cfg() { jq -c "$1" "$WORK/config.json"; }
expect_eq '["/bin/greeter"]' "$(cfg .config.Entrypoint)" "skopeo inspect: Entrypoint"
expect_eq '["--once"]' "$(cfg .config.Cmd)" "skopeo inspect: Cmd"
expect_eq '["PATH=/bin","GREETING=Hello from a declared image"]' "$(cfg .config.Env)" "skopeo inspect: Env (PATH first)"
expect_eq '"/home/app"' "$(cfg .config.WorkingDir)" "skopeo inspect: WorkingDir"
expect_eq '"1000:1000"' "$(cfg .config.User)" "skopeo inspect: User is the declared user, by number"
expect_eq '{"8080/tcp":{}}' "$(cfg .config.ExposedPorts)" "skopeo inspect: ExposedPorts"
expect_eq '"SIGTERM"' "$(cfg .config.StopSignal)" "skopeo inspect: StopSignal"
expect_eq '"greeter"' "$(cfg '.config.Labels["org.opencontainers.image.title"]')" "skopeo inspect: a declared label"
expect_eq '"greeter"' "$(cfg '.config.Labels["dev.strata.image"]')" "skopeo inspect: Strata's label names the declared image"
expect_eq '"demo"' "$(cfg '.config.Labels["dev.strata.source"]')" "skopeo inspect: Strata's own labels stay"

# --- unpacked and run as uid 1000 ----------------------------------------------------
rootfs="$(pull_rootfs demo/greeter:latest)"
expect_contains "$(cat "$rootfs/etc/passwd")" "app:x:1000:1000:app:/home/app:/bin/sh" "/etc/passwd has the user"
expect_contains "$(cat "$rootfs/etc/passwd")" "root:x:0:0:" "/etc/passwd keeps root"
expect_contains "$(cat "$rootfs/etc/group")" "app:x:1000:" "/etc/group has the user's group"
expect_eq "1000:1000 755" "$(stat -c '%u:%g %a' "$rootfs/home/app")" "/home/app belongs to the user"
expect_eq "0:0 1777" "$(stat -c '%u:%g %a' "$rootfs/tmp")" "/tmp is writable by all, sticky"
# The entrypoint and environment exactly as the config says, as a runtime would.
mapfile -t env_list < <(jq -r '.config.Env[]' "$WORK/config.json")
mapfile -t argv < <(jq -r '(.config.Entrypoint + .config.Cmd)[]' "$WORK/config.json")
workdir="$(jq -r .config.WorkingDir "$WORK/config.json")"
out="$(env -i "${env_list[@]}" "$(command -v chroot)" --userspec=1000:1000 "$rootfs" \
  /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "${argv[@]}")"
expect_eq "Hello from a declared image, I am app (uid 1000) in /home/app
asked: --once" "$out" "chroot --userspec 1000:1000 runs the entrypoint, which reads its environment"

# A further component adds a package to the declared image.
rootfs="$(pull_rootfs demo/greeter/cowsay:latest)"
[[ -x "$rootfs/bin/cowsay" && -x "$rootfs/bin/greeter" ]] || fail "demo/greeter/cowsay lacks cowsay or greeter"
ok "demo/greeter/cowsay holds the declared image and cowsay"
skopeo inspect --tls-verify=false --config "docker://$REGISTRY/demo/greeter/cowsay:latest" >"$WORK/config2.json"
expect_eq '["/bin/greeter"]' "$(jq -c .config.Entrypoint "$WORK/config2.json")" "demo/greeter/cowsay keeps the declared entrypoint"

# A plain package image has no declared settings.
skopeo inspect --tls-verify=false --config "docker://$REGISTRY/demo/shell/hello:latest" >"$WORK/config3.json"
expect_eq '["Env","Labels"]' "$(jq -c '.config | keys' "$WORK/config3.json")" "a package image's config is Env and Labels only"

# --- podman -----------------------------------------------------------------------------
podman_ref="$REGISTRY/demo/greeter:latest"
add_cleanup "podman rmi -f '$podman_ref' >/dev/null 2>&1"
podman pull --quiet --tls-verify=false "$podman_ref" >"$WORK/podman.out" 2>"$WORK/podman.err" ||
  { cat "$WORK/podman.err" >&2; fail "podman pull $podman_ref"; }
ok "podman pull $podman_ref"
expect_eq "1000:1000" "$(podman image inspect --format '{{.Config.User}}' "$podman_ref")" "podman sees the user"
expect_eq "[/bin/greeter]" "$(podman image inspect --format '{{.Config.Entrypoint}}' "$podman_ref")" "podman sees the entrypoint"
podman rmi "$podman_ref" >/dev/null || fail "podman rmi $podman_ref"

# --- reproducible: another server, nothing cached ------------------------------------------
d1="$(manifest_digest demo/greeter latest "$OCI_MANIFEST")"
stop_server
write_config "$WORK/strata2.json"
start_server "$WORK/strata2.json"
d2="$(manifest_digest demo/greeter latest "$OCI_MANIFEST")"
expect_eq "$d1" "$d2" "demo/greeter: the same digest from an empty data folder"

# --- listing the declarations ----------------------------------------------------------------
http GET /api/v1/sources/demo/images
expect_status 200 "GET /api/v1/sources/demo/images"
expect_eq '["greeter"]' "$(jq -c '[.images[].name]' "$WORK/last.body")" "the demo declares greeter"
expect_eq '"demo/greeter"' "$(jq -c '.images[0].pull' "$WORK/last.body")" "with the name to pull it by"
expect_eq '["/bin/greeter"]' "$(jq -c '.images[0].config.Entrypoint' "$WORK/last.body")" "and its entrypoint"
expect_eq '{"name":"app","uid":1000,"gid":1000}' "$(jq -c '.images[0].user' "$WORK/last.body")" "and its user"
expect_eq '["busybox","greeter"]' "$(jq -c '[.images[0].contents[].name] | sort' "$WORK/last.body")" "and its contents"
http GET /api/v1/sources/fx/images
expect_status 200 "GET /api/v1/sources/fx/images"
expect_contains "$(jq -c '[.images[].name]' "$WORK/last.body")" '"worker"' "fx declares worker"
expect_contains "$(jq -r '.invalid[] | select(.name == "badKey") | .error' "$WORK/last.body")" \
  "fromImage is not a known key" "a broken declaration is listed with its error"
expect_eq 0 "$(jq '[.images[].name | select(. == "badKey" or . == "notASet")] | length' "$WORK/last.body")" \
  "broken declarations are not listed as images"
http GET /api/v1/sources/nope/images
expect_error 404 NAME_UNKNOWN "images of an unknown source"
http GET "/api/v1/sources/demo/images?ref=..%2Fx"
expect_status 404 "images at a ref a path source does not have"
http GET "/api/v1/sources/demo/images?ref=%01"
expect_error 400 TAG_INVALID "images at a ref with a control character"
admin_out="$("$STRATA_BIN" admin --config "$WORK/strata2.json" images fx 2>&1)"
expect_contains "$admin_out" "worker entrypoint=/nix/store/" "strata admin images: one line an image"
expect_contains "$admin_out" "badKey INVALID: declared image 'badKey'" "strata admin images: the broken ones"
if "$STRATA_BIN" admin --config "$WORK/strata2.json" images >/dev/null 2>"$WORK/admin.err"; then
  fail "strata admin images without a source succeeded"
fi
expect_contains "$(cat "$WORK/admin.err")" "usage: strata admin images SOURCE" "strata admin images: usage"

# --- hostile declarations ------------------------------------------------------------------
# expect_declaration_error NAME STATUS CODE TEXT…: the pull fails with that
# status and code, and the message holds every TEXT.
expect_declaration_error() {
  local name="$1" status="$2" code="$3"
  shift 3
  http GET "/v2/fx/$name/manifests/latest" -H "Accept: $OCI_MANIFEST"
  expect_status "$status" "fx/$name"
  expect_eq "$code" "$(error_field code)" "fx/$name: error code"
  local text
  for text in "$@"; do expect_contains "$(error_field message)" "$text" "fx/$name: the message names '$text'"; done
}
expect_declaration_error badkey 500 UNKNOWN "declared image 'badKey'" "fromImage is not a known key"
expect_declaration_error entrypointstring 500 UNKNOWN "'entrypointString'" "config.Entrypoint must be a list of strings"
expect_declaration_error entrypointnumbers 500 UNKNOWN "'entrypointNumbers'" "config.Entrypoint[0] must be a string"
expect_declaration_error cmdfunction 500 UNKNOWN "'cmdFunction'" "config.Cmd" "a function"
expect_declaration_error configthrows 500 UNKNOWN "'configThrows'" "config must be a set" "failing to evaluate"
expect_declaration_error configpackage 500 UNKNOWN "'configPackage'" "config must be a set, not a package"
expect_declaration_error uidzero 500 UNKNOWN "'uidZero'" "user.uid must be between 1 and 65533"
expect_declaration_error uidhuge 500 UNKNOWN "'uidHuge'" "user.uid must be between 1 and 65533"
expect_declaration_error userroot 500 UNKNOWN "'userRoot'" "user.name must not be 'root'"
expect_declaration_error userpath 500 UNKNOWN "'userPath'" "user.name must be"
expect_declaration_error usernogid 500 UNKNOWN "'userNoGid'" "user.gid is missing"
expect_declaration_error contentsstring 500 UNKNOWN "'contentsString'" "contents must be a list of packages"
expect_declaration_error contentsnumber 500 UNKNOWN "'contentsNumber'" "contents[1] must be a package, not a number"
expect_declaration_error notaset 500 UNKNOWN "'notASet'" "must be a set, not a number"
expect_declaration_error outsidepath 500 UNKNOWN "'outsidePath'" "not in the image" "add its package to contents"
expect_declaration_error portbad 500 UNKNOWN "'portBad'" "config.ExposedPorts.99999/tcp"
expect_declaration_error envbad 500 UNKNOWN "'envBad'" "config.Env[0] must be"
expect_declaration_error workdirdots 500 UNKNOWN "'workdirDots'" "config.WorkingDir must be an absolute path"
expect_declaration_error deep 500 UNKNOWN "'deep'" "config.Labels.a must be a string"
expect_declaration_error worker/badkey 400 NAME_INVALID "'badkey' and 'worker' are both declared images"
# Markup in labels is data: served as it is (escaping is the page's job).
skopeo inspect --tls-verify=false --config "docker://$REGISTRY/fx/markup:latest" >"$WORK/config4.json"
expect_eq "\"'<img src=x onerror=alert(1)>" "$(jq -r '.config.Labels["<script>alert(1)</script>"]' "$WORK/config4.json")" "fx/markup: the label is kept as data"
# The well-formed fixture image runs as its user.
rootfs="$(pull_rootfs fx/worker:latest)"
expect_eq "2000:2000" "$(stat -c '%u:%g' "$rootfs/home/worker")" "fx/worker: the home of uid 2000"
expect_eq "HELLO FROM THE FIXTURE" "$(env -i PATH=/bin "$(command -v chroot)" --userspec=2000:2000 "$rootfs" \
  "$(jq -r '.config.Entrypoint[0]' <(skopeo inspect --tls-verify=false --config "docker://$REGISTRY/fx/worker:latest"))")" \
  "fx/worker: its entrypoint (a store path) runs as uid 2000"
expect_server_alive
stop_server

# --- access: grants judge the declared image's contents too --------------------------------
write_config "$WORK/strata3.json" '.auth.enabled = true'
adm() { "$STRATA_BIN" admin --config "$WORK/strata3.json" "$@" >/dev/null; }
printf 'erin-pw\n' | adm user add erin
adm team add greeters
adm team add-member greeters erin
adm grant greeters demo greeter pull
start_server "$WORK/strata3.json"
http GET /v2/demo/greeter/manifests/latest -u erin:erin-pw -H "Accept: $OCI_MANIFEST"
expect_status 403 "demo/greeter granted by name only: its contents (busybox) are not granted"
expect_contains "$(error_field message)" "busybox" "the refusal names the content not granted"
http GET /v2/demo/greeter/manifests/latest -u erin:erin-pw -H "Accept: $OCI_MANIFEST"
expect_status 403 "the same refusal for the cached image"
http GET /api/v1/sources/demo/images -u erin:erin-pw
expect_status 200 "erin lists the demo's images"
expect_eq 0 "$(jq '.images | length' "$WORK/last.body")" "greeter is not listed while its contents are not granted"
adm grant greeters demo busybox pull
http GET /v2/demo/greeter/manifests/latest -u erin:erin-pw -H "Accept: $OCI_MANIFEST"
expect_status 200 "demo/greeter once its name and contents are granted"
http GET /api/v1/sources/demo/images -u erin:erin-pw
expect_eq '["greeter"]' "$(jq -c '[.images[].name]' "$WORK/last.body")" "greeter is listed once it may be pulled"
http GET /api/v1/sources/fx/images -u erin:erin-pw
expect_status 403 "no grant on the fx source: its images are not listed"
http GET /v2/demo/greeter/cowsay/manifests/latest -u erin:erin-pw -H "Accept: $OCI_MANIFEST"
expect_status 403 "a further package needs its own grant"
stop_server
