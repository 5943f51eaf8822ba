#!/usr/bin/env bash
# A source with "compression": "zstd" serves OCI manifests whose layers are
# application/vnd.oci.image.layer.v1.tar+zstd, to every client (Docker schema 2
# has no zstd layer type), deterministically; the same packages from a gzip
# source have the same uncompressed layers (diff_ids).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo umoci podman chroot

write_config "$WORK/strata.json" '.sources += [{name: "fz", prefix: "fz", type: "path",
  path: .sources[0].path, metaPackages: {shell: ["busybox"]}, compression: "zstd"}]'
start_server "$WORK/strata.json"

# --- the manifest --------------------------------------------------------------------------
get_manifest fz/shell/hello latest "$DOCKER_MANIFEST"
expect_eq "$OCI_MANIFEST" "$(header Content-Type)" "a Docker-only client still gets the OCI manifest"
zdigest="$(header Docker-Content-Digest)"
expect_eq "$zdigest" "sha256:$(body | sha256sum | cut -d' ' -f1)" "the digest is the sha256 of the body"
body >"$WORK/zstd.json"
expect_eq '["application/vnd.oci.image.layer.v1.tar+zstd"]' \
  "$(jq -c '[.layers[].mediaType] | unique' "$WORK/zstd.json")" "every layer is tar+zstd"
get_manifest fz/shell/hello latest "$OCI_MANIFEST"
expect_eq "$zdigest" "$(header Docker-Content-Digest)" "OCI and Docker clients get one manifest"

# --- the blobs -----------------------------------------------------------------------------
layer="$(jq -r '.layers[0].digest' "$WORK/zstd.json")"
http GET "/v2/fz/shell/hello/blobs/$layer"
expect_status 200 "a zstd layer is served"
expect_eq "28b52ffd" "$(head -c 4 "$WORK/last.body" | od -An -tx1 | tr -d ' \n')" "it starts with the zstd magic"
expect_eq "$layer" "sha256:$(body | sha256sum | cut -d' ' -f1)" "its bytes hash to its digest"

# --- same content as gzip ------------------------------------------------------------------
get_manifest fx/shell/hello latest "$OCI_MANIFEST"
body >"$WORK/gzip.json"
expect_ne "$zdigest" "$(header Docker-Content-Digest)" "the gzip image is another manifest"
config_of() {
  http GET "/v2/$1/blobs/$(jq -r .config.digest "$2")"
  jq -c .rootfs.diff_ids "$WORK/last.body"
}
expect_eq "$(config_of fx/shell/hello "$WORK/gzip.json")" "$(config_of fz/shell/hello "$WORK/zstd.json")" \
  "zstd and gzip images have the same uncompressed layers (diff_ids)"

# --- real clients --------------------------------------------------------------------------
# podman reads zstd layers; umoci 0.4 does not, so skopeo converts to gzip first.
if ! podman pull -q --tls-verify=false "$REGISTRY/fz/shell/hello:latest" >"$WORK/podman.out" 2>&1; then
  cat "$WORK/podman.out" >&2
  fail "podman pull of a zstd image"
fi
ok "podman pulls the zstd image"
podman rmi -f "$REGISTRY/fz/shell/hello:latest" >/dev/null 2>&1 || true
if ! skopeo copy -q --src-tls-verify=false --dest-compress --dest-compress-format gzip \
  "docker://$REGISTRY/fz/shell/hello:latest" "oci:$WORK/oci:img" >"$WORK/skopeo.out" 2>&1; then
  cat "$WORK/skopeo.out" >&2
  fail "skopeo copy of a zstd image"
fi
oci_unpack "$WORK/oci" "$WORK/bundle"
expect_eq "Hello from the Strata fixture!" "$(run_in_rootfs "$WORK/bundle/rootfs" /bin/hello)" "the zstd image runs"

# --- reproducible --------------------------------------------------------------------------
stop_server
rm -rf "$(config_data_dir "$WORK/strata.json")"
start_server "$WORK/strata.json"
expect_eq "$zdigest" "$(manifest_digest fz/shell/hello latest)" "the same zstd digest after wiping the data folder"
expect_server_alive
stop_server
