#!/usr/bin/env bash
# containerd's ctr pulls Strata's images: a normal image (unpacked and run),
# and an image of a source with "imageFormat": "nix-snapshotter", whose one
# layer carries the store paths of the closure as the annotations
# containerd's nix-snapshotter reads and holds only mount points and the
# symlinks of the image root. With the host's store bind-mounted, as the
# snapshotter would mount each path, its program runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools containerd ctr runc nix tar
nixc() { nix --extra-experimental-features nix-command "$@"; }

write_config "$WORK/strata.json" '.sources += [{name: "ns", prefix: "ns", type: "path",
  path: .sources[0].path, metaPackages: {shell: ["busybox"]}, imageFormat: "nix-snapshotter"}]'
start_server "$WORK/strata.json"
start_containerd

# --- a normal image ---------------------------------------------------------------------------
"${CTR[@]}" images pull --plain-http "$REGISTRY/fx/shell/hello:latest" >"$WORK/pull.out" 2>&1 ||
  { cat "$WORK/pull.out" >&2; fail "ctr pull of fx/shell/hello"; }
ok "ctr pulls and unpacks a normal image"
expect_eq "Hello from the Strata fixture!" \
  "$("${CTR[@]}" run --rm "$REGISTRY/fx/shell/hello:latest" hello-$RUN_ID /bin/hello 2>&1)" \
  "ctr runs it"

# --- a nix-snapshotter image ------------------------------------------------------------------
image=ns/shell/hello
"${CTR[@]}" images pull --plain-http "$REGISTRY/$image:latest" >"$WORK/pull-ns.out" 2>&1 ||
  { cat "$WORK/pull-ns.out" >&2; fail "ctr pull of $image"; }
ok "ctr pulls the nix-snapshotter image"
digest="$("${CTR[@]}" images ls | awk -v r="$REGISTRY/$image:latest" '$1 == r {print $3}')"
get_manifest "$image" latest "$OCI_MANIFEST"
expect_eq "$(header Docker-Content-Digest)" "$digest" "containerd holds the manifest Strata serves"
"${CTR[@]}" content get "$digest" >"$WORK/manifest.json"
expect_eq 1 "$(jq '.layers | length' "$WORK/manifest.json")" "the image has one layer"
expect_eq true "$(jq -r '.layers[0].annotations["containerd.io/snapshot/nix-layer"]' "$WORK/manifest.json")" \
  "containerd shows the nix-layer annotation"

out_of() { nix-instantiate --eval --json -E "(import $FIXTURE_PKGS {}).$1.outPath" | jq -r .; }
closure="$(nixc path-info -r "$(out_of busybox)" "$(out_of hello)" | sort)"
annotated="$(jq -r '.layers[0].annotations | to_entries[] | select(.key | startswith("containerd.io/snapshot/nix-store-path.")) | "\(.key | ltrimstr("containerd.io/snapshot/nix-store-path.")) \(.value)"' \
  "$WORK/manifest.json" | sort -n | cut -d' ' -f2)"
expect_eq "$closure" "$annotated" "nix-store-path.0… are the closure, numbered from 0 in store-path order"

layer="$(jq -r '.layers[0].digest' "$WORK/manifest.json")"
"${CTR[@]}" content get "$layer" | tar -tvzf - >"$WORK/layer.txt"
expect_eq 0 "$(grep -c '^-' "$WORK/layer.txt" || true)" "the layer holds no regular file"
mountpoints="$(awk '$1 ~ /^d/ && $6 ~ /^nix\/store\/./ {print "/" $6}' "$WORK/layer.txt" | sed 's|/$||' | sort)"
expect_eq "$closure" "$mountpoints" "one empty directory per store path: the mount points"
expect_contains "$(grep '^l' "$WORK/layer.txt")" "bin/hello -> $(out_of hello)/bin/hello" \
  "and the symlinks of the image root"

# The snapshotter bind-mounts each store path on its mount point; the host's
# store, bind-mounted whole, stands in for it.
"${CTR[@]}" images unpack "$REGISTRY/$image:latest" >/dev/null 2>&1 || true
expect_eq "Hello from the Strata fixture!" \
  "$("${CTR[@]}" run --rm --mount type=bind,src=/nix/store,dst=/nix/store,options=rbind:ro \
    "$REGISTRY/$image:latest" ns-hello-$RUN_ID /bin/hello 2>&1)" \
  "with the store paths mounted, the image runs"

# Its SBOM is there too, and the Docker digest names the same OCI manifest.
http GET "/v2/$image/referrers/$digest"
expect_eq 1 "$(jq '.manifests | length' "$WORK/last.body")" "the nix-snapshotter image has its SBOM"
get_manifest "$image" latest "$DOCKER_MANIFEST"
expect_eq "$digest" "$(header Docker-Content-Digest)" "a Docker client gets the OCI manifest (annotations are OCI)"

expect_server_alive
stop_server
