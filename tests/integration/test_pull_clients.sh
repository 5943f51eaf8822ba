#!/usr/bin/env bash
# Real registry clients against a real server: skopeo inspect/copy, umoci
# unpack, chroot into the unpacked image, podman pull. Multi-package images,
# case-insensitive attribute paths, the symlink layer (/bin/<prog>).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo umoci podman chroot

write_config "$WORK/strata.json"
start_server "$WORK/strata.json"

# --- timed pulls: the first one builds the image, the second is served from the cache
start="$(now_seconds)"
oci_pull demo/shell/hello:latest "$WORK/first-pull"
figure first_pull_seconds "$(elapsed "$start")"
ok "skopeo copy docker://$REGISTRY/demo/shell/hello:latest (first pull)"
start="$(now_seconds)"
oci_pull demo/shell/hello:latest "$WORK/cached-pull"
figure cached_pull_seconds "$(elapsed "$start")"
ok "skopeo copy (cached pull)"
diff -r "$WORK/first-pull" "$WORK/cached-pull" >/dev/null || fail "the first and the cached pull differ"
ok "the first and the cached pull are identical OCI layouts"

# --- skopeo inspect -----------------------------------------------------------------
if ! skopeo inspect --tls-verify=false "docker://$REGISTRY/demo/shell/hello:latest" >"$WORK/inspect.json" 2>"$WORK/inspect.err"; then
  cat "$WORK/inspect.err" >&2
  fail "skopeo inspect demo/shell/hello:latest"
fi
ok "skopeo inspect docker://$REGISTRY/demo/shell/hello:latest"
skopeo inspect --tls-verify=false "docker://$REGISTRY/demo/shell/hello:latest" >"$WORK/inspect2.json" ||
  fail "second skopeo inspect"
expect_eq "$(jq -r .Digest "$WORK/inspect.json")" "$(jq -r .Digest "$WORK/inspect2.json")" \
  "two skopeo inspect give the same digest"
expect_eq amd64 "$(jq -r .Architecture "$WORK/inspect.json")" "inspect: architecture"
expect_eq linux "$(jq -r .Os "$WORK/inspect.json")" "inspect: os"
expect_eq demo "$(jq -r '.Labels["dev.strata.source"]' "$WORK/inspect.json")" "inspect: source label"
expect_eq "busybox hello" "$(jq -r '.Labels["dev.strata.packages"]' "$WORK/inspect.json")" \
  "inspect: packages label (meta-package shell expanded to busybox)"
expect_match "$(jq -r '.Labels["org.opencontainers.image.revision"]' "$WORK/inspect.json")" '^[0-9a-f]{64}$' \
  "inspect: revision label is the content hash of the folder"
layers="$(jq '.Layers | length' "$WORK/inspect.json")"
[[ "$layers" -ge 2 ]] || fail "demo/shell/hello has $layers layers, expected at least 2 (store paths + symlinks)"
ok "inspect: $layers layers"

# skopeo asks for OCI first: its digest is the Docker-Content-Digest of the OCI manifest.
http GET /v2/demo/shell/hello/manifests/latest -H "Accept: $OCI_MANIFEST"
expect_status 200 "GET the OCI manifest"
expect_eq "$(jq -r .Digest "$WORK/inspect.json")" "$(header Docker-Content-Digest)" \
  "skopeo's digest is the Docker-Content-Digest of the OCI manifest"

# skopeo inspect --raw gives the exact manifest bytes; they hash to that digest.
skopeo inspect --raw --tls-verify=false "docker://$REGISTRY/demo/shell/hello:latest" >"$WORK/raw.json"
expect_eq "$(header Docker-Content-Digest)" "sha256:$(sha256sum <"$WORK/raw.json" | cut -d' ' -f1)" \
  "skopeo inspect --raw: the bytes hash to the digest"
expect_eq "$OCI_MANIFEST" "$(jq -r .mediaType "$WORK/raw.json")" "skopeo inspect --raw: an OCI manifest"

# --- skopeo copy → umoci unpack → chroot ------------------------------------
oci_unpack "$WORK/first-pull" "$WORK/first-bundle"
rootfs="$WORK/first-bundle/rootfs"
ok "umoci unpack of the first pull of demo/shell/hello"
expect_eq "Hello from Strata!" "$(run_in_rootfs "$rootfs" /bin/hello)" "chroot: /bin/hello prints its greeting"
expect_eq "sh works: 6" "$(run_in_rootfs "$rootfs" /bin/sh -c 'echo "sh works: $((2 * 3))"')" \
  "chroot: /bin/sh runs a command"
expect_eq "Hello from Strata!" "$(run_in_rootfs "$rootfs" sh -c 'hello')" \
  "chroot: PATH=/bin finds hello"
# The symlink layer: /bin/hello is a link into the store.
[[ -L "$rootfs/bin/hello" ]] || fail "/bin/hello is not a symlink"
expect_match "$(readlink "$rootfs/bin/hello")" '^/nix/store/[0-9a-z]{32}-hello/bin/hello$' \
  "symlink layer: /bin/hello -> /nix/store/…-hello/bin/hello"
expect_match "$(readlink "$rootfs/bin/sh")" '^/nix/store/[0-9a-z]{32}-busybox-1\.35\.0/bin/sh$' \
  "symlink layer: /bin/sh -> the busybox package"

# An image without the shell: only hello's closure (its script still runs
# under busybox's sh from the store, but busybox is not linked into /bin).
rootfs_plain="$(pull_rootfs fx/hello:latest)"
expect_eq "Hello from the Strata fixture!" "$(run_in_rootfs "$rootfs_plain" /bin/hello)" \
  "fx/hello runs without the shell meta-package"
[[ ! -e "$rootfs_plain/bin/ls" && ! -e "$rootfs_plain/bin/sh" ]] ||
  fail "fx/hello has /bin/ls or /bin/sh although busybox was not requested"
ls "$rootfs_plain"/nix/store/*-busybox-1.35.0/bin/sh >/dev/null 2>&1 || fail "busybox is missing from the closure of fx/hello"
ok "fx/hello: busybox in /nix/store (closure) but not linked into /bin"

# --- multi-package image from the fixture set -------------------------------
rootfs="$(pull_rootfs fx/shell/hello/shout/toolbox:latest)"
expect_eq "Hello from the Strata fixture!" "$(run_in_rootfs "$rootfs" /bin/hello)" "multi-package: /bin/hello"
expect_eq "HELLO FROM THE FIXTURE" "$(run_in_rootfs "$rootfs" /bin/shout)" "multi-package: /bin/shout (uses toupper and words)"
expect_eq "words=4 loud=HELLO FROM THE FIXTURE" "$(run_in_rootfs "$rootfs" /bin/tb-report)" \
  "multi-package: /bin/tb-report calls tb-count and shout"
expect_eq "4" "$(run_in_rootfs "$rootfs" /bin/tb-count)" "multi-package: /bin/tb-count"
# toupper is only a dependency: in the store, not linked into /bin.
[[ ! -e "$rootfs/bin/toupper" ]] || fail "/bin/toupper exists although toupper was not requested"
ls "$rootfs"/nix/store/*-toupper/bin/toupper >/dev/null 2>&1 || fail "toupper is missing from the store of the image"
ok "dependency toupper is in /nix/store but not in /bin"
expect_eq "3" "$(run_in_rootfs "$rootfs" /bin/sh -c 'echo a b c | wc -w | tr -d " "')" \
  "multi-package: busybox applets from the shell meta-package"

# Order and duplicates of components do not matter: same digest.
d1="$(manifest_digest fx/shell/hello/shout/toolbox latest)"
d2="$(manifest_digest fx/toolbox/shout/hello/shell/hello latest)"
expect_eq "$d1" "$d2" "component order and duplicates do not change the digest"

# --- case-insensitive attribute paths ---------------------------------------
rootfs="$(pull_rootfs fx/helloworld:latest)"
expect_eq "camelCase attribute helloWorld" "$(run_in_rootfs "$rootfs" /bin/hello-world)" \
  "fx/helloworld builds the camelCase attribute helloWorld"
rootfs="$(pull_rootfs fx/tools.jsonpretty:latest)"
expect_eq "nested attribute tools.jsonPretty" "$(run_in_rootfs "$rootfs" /bin/json-pretty)" \
  "fx/tools.jsonpretty builds the nested attribute tools.jsonPretty"
skopeo inspect --tls-verify=false "docker://$REGISTRY/fx/tools.jsonpretty:latest" >"$WORK/inspect-nested.json"
expect_eq "tools.jsonpretty" "$(jq -r '.Labels["dev.strata.packages"]' "$WORK/inspect-nested.json")" \
  "packages label keeps the requested (lowercase) path"

# --- more packages than layers ----------------------------------------------------
twelve="$(printf 'many.p%03d/' 100 101 102 103 104 105 106 107 108 109 110 111)"
twelve="${twelve%/}"
# Twelve independent packages under the default budget (94). The default
# strategy (closure) puts small paths that cost little to download again
# together, so fewer layers than paths, but busybox (what they all use) apart
# from them, and the symlink layer: 3 at least.
get_manifest "fx/$twelve" latest
default_layers="$(jq '.layers | length' "$WORK/last.body")"
[[ "$default_layers" -ge 3 && "$default_layers" -le 94 ]] ||
  fail "12 independent packages with maxLayers 94 gave $default_layers layers, expected 3..94"
ok "12 independent packages with maxLayers 94: $default_layers layers"
# manyAll: 122 store paths against the default budget of 94 layers.
get_manifest fx/manyall latest
many_layers="$(jq '.layers | length' "$WORK/last.body")"
[[ "$many_layers" -le 94 ]] || fail "fx/manyall has $many_layers layers, more than maxLayers 94"
ok "fx/manyall (122 store paths): $many_layers layers, within maxLayers 94"
rootfs="$(pull_rootfs fx/manyall:latest)"
expect_eq "120 programs ran" "$(run_in_rootfs "$rootfs" /bin/many-all)" "fx/manyall: all 120 programs run"
expect_eq "p119 runs" "$(run_in_rootfs "$rootfs" /bin/p119)" "fx/manyall: /bin/p119 through the symlink layer"
stop_server

# A second server with a budget of 5 layers, and a source "fx3" (the same
# package set) with a budget of its own: 3 layers.
write_config "$WORK/small.json" \
  ".layering.maxLayers = 5 | .sources += [.sources[0] | .name = \"fx3\" | .prefix = \"fx3\" | .maxLayers = 3]"
start_server "$WORK/small.json"
get_manifest "fx/$twelve" latest
expect_eq 5 "$(jq '.layers | length' "$WORK/last.body")" "12 packages with maxLayers 5: exactly 5 layers"
rootfs="$(pull_rootfs "fx/$twelve:latest")"
for i in 100 101 102 103 104 105 106 107 108 109 110 111; do
  [[ "$(run_in_rootfs "$rootfs" "/bin/p$i")" == "p$i runs" ]] || fail "/bin/p$i in the 5-layer image"
done
ok "12 packages with maxLayers 5: the image unpacks and all 12 programs run"
get_manifest "fx3/$twelve" latest
expect_eq 3 "$(jq '.layers | length' "$WORK/last.body")" "a source's own maxLayers (3) wins over the registry's (5)"
rootfs="$(pull_rootfs "fx3/$twelve:latest")"
expect_eq "p105 runs" "$(run_in_rootfs "$rootfs" /bin/p105)" "the 3-layer image runs"
get_manifest "fx/manyall/$twelve" latest
expect_eq 5 "$(jq '.layers | length' "$WORK/last.body")" "fx/manyall and 12 more packages with maxLayers 5: exactly 5 layers"
rootfs="$(pull_rootfs "fx/manyall/$twelve:latest")"
expect_eq "120 programs ran" "$(run_in_rootfs "$rootfs" /bin/many-all)" "fx/manyall in 5 layers: all 120 programs run"
stop_server
start_server "$WORK/strata.json"

# --- podman pull ------------------------------------------------------------
podman_ref="$REGISTRY/demo/shell/hello:latest"
add_cleanup "podman rmi -f '$podman_ref'"
if ! podman pull --quiet --tls-verify=false "$podman_ref" >"$WORK/podman.out" 2>"$WORK/podman.err"; then
  cat "$WORK/podman.err" >&2
  fail "podman pull $podman_ref"
fi
ok "podman pull $podman_ref"
podman_id="$(tail -n 1 "$WORK/podman.out")"
expect_match "$podman_id" '^[0-9a-f]{64}$' "podman pull prints the image id"
podman_digest="$(podman image inspect --format '{{.Digest}}' "$podman_ref")"
http GET /v2/demo/shell/hello/manifests/latest -H "Accept: $OCI_MANIFEST, $DOCKER_MANIFEST"
expect_match "$podman_digest" '^sha256:[0-9a-f]{64}$' "podman records a manifest digest"
# podman may negotiate either format; its digest must be one of the two.
oci_d="$(manifest_digest demo/shell/hello latest "$OCI_MANIFEST")"
docker_d="$(manifest_digest demo/shell/hello latest "$DOCKER_MANIFEST")"
[[ "$podman_digest" == "$oci_d" || "$podman_digest" == "$docker_d" ]] ||
  fail "podman's digest $podman_digest is neither the OCI ($oci_d) nor the Docker ($docker_d) digest"
ok "podman's digest is one the registry served"
podman rmi "$podman_ref" >/dev/null || fail "podman rmi $podman_ref"
ok "podman rmi"

expect_server_alive
stop_server
