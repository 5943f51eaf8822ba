#!/usr/bin/env bash
# A source with two platforms: a tag is an OCI image index (a Docker manifest
# list for Docker clients) of one image per platform, built in parallel, each
# with its own SBOM; the arm64 component still selects one image; clients
# pick their platform (podman --arch, skopeo --all); digests are reproducible
# and distribution accepts the index. The aarch64-linux derivations are built
# here by Nix with extra-platforms (their builder is the x86 busybox).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo podman umoci chroot docker-registry
OCI_INDEX=application/vnd.oci.image.index.v1+json
DOCKER_LIST=application/vnd.docker.distribution.manifest.list.v2+json
copy="$(copy_fixture_unique "$WORK/tree")"

write_config "$WORK/strata.json" '.nix.options["extra-platforms"] = "aarch64-linux"
  | .sources += [{name: "fm", prefix: "fm", type: "path", path: "'"$copy"'",
    metaPackages: {shell: ["busybox"]}, platforms: ["x86_64-linux", "aarch64-linux"]}]'
start_server "$WORK/strata.json"
image=fm/shell/hello

# --- the index and the manifest list ----------------------------------------------------------
http GET "/v2/$image/manifests/latest" -H "Accept: $OCI_INDEX" -H "Accept: $OCI_MANIFEST"
expect_status 200 "a tag of a two-platform source"
expect_eq "$OCI_INDEX" "$(header Content-Type)" "is an OCI image index"
index_digest="$(header Docker-Content-Digest)"
expect_eq "$index_digest" "sha256:$(body | sha256sum | cut -d' ' -f1)" "whose digest is its bytes' sha256"
body >"$WORK/index.json"
expect_eq "amd64/linux arm64/linux" "$(jq -r '[.manifests[] | "\(.platform.architecture)/\(.platform.os)"] | join(" ")' "$WORK/index.json")" \
  "one manifest per platform, in the configured order"
expect_eq "$OCI_MANIFEST" "$(jq -r '[.manifests[].mediaType] | unique | join(",")' "$WORK/index.json")" \
  "of OCI manifests"
amd64="$(jq -r '.manifests[0].digest' "$WORK/index.json")"
arm64="$(jq -r '.manifests[1].digest' "$WORK/index.json")"

http GET "/v2/$image/manifests/latest" -H "Accept: $DOCKER_LIST" -H "Accept: $DOCKER_MANIFEST"
expect_eq "$DOCKER_LIST" "$(header Content-Type)" "a Docker client gets a manifest list"
list_digest="$(header Docker-Content-Digest)"
expect_eq "$DOCKER_MANIFEST" "$(jq -r '[.manifests[].mediaType] | unique | join(",")' "$WORK/last.body")" \
  "of Docker manifests"
docker_amd64="$(jq -r '.manifests[0].digest' "$WORK/last.body")"
docker_members="$(jq -r '.manifests[].digest' "$WORK/last.body")"
http GET "/v2/$image/manifests/latest"
expect_eq "$DOCKER_MANIFEST $docker_amd64" "$(header Content-Type) $(header Docker-Content-Digest)" \
  "a client that takes no index gets the first platform's manifest"

for digest in "$index_digest" "$list_digest"; do
  http HEAD "/v2/$image/manifests/$digest"
  expect_status 200 "the index $digest by digest"
done
http GET "/v2/$image/manifests/$list_digest"
expect_eq "$DOCKER_LIST" "$(header Content-Type)" "the list by digest is a list"

# --- each platform's image ----------------------------------------------------------------
for pair in "amd64 $amd64" "arm64 $arm64"; do
  read -r arch digest <<<"$pair"
  get_manifest "$image" "$digest" "$OCI_MANIFEST"
  http GET "/v2/$image/blobs/$(jq -r .config.digest "$WORK/last.body")"
  expect_eq "$arch" "$(jq -r .architecture "$WORK/last.body")" "the $arch manifest's config says $arch"
  http GET "/v2/$image/referrers/$digest"
  expect_eq 1 "$(jq '.manifests | length' "$WORK/last.body")" "the $arch image has its own SBOM"
  get_manifest "$image" "$(jq -r '.manifests[0].digest' "$WORK/last.body")" "$OCI_MANIFEST"
  http GET "/v2/$image/blobs/$(jq -r '.layers[0].digest' "$WORK/last.body")"
  expect_eq "$arch" "$(jq -r '.metadata.component.properties[] | select(.name == "strata:arch") | .value' "$WORK/last.body")" \
    "whose SBOM is of $arch"
done
http GET "/v2/$image/referrers/$index_digest"
expect_eq "200 0" "$HTTP_STATUS $(jq '.manifests | length' "$WORK/last.body")" \
  "the index itself has no referrers (its images have)"
expect_ne "$(jq -r '.manifests[0].digest' < <(curl -fs "$BASE/v2/$image/referrers/$amd64"))" \
  "$(jq -r '.manifests[0].digest' < <(curl -fs "$BASE/v2/$image/referrers/$arm64"))" \
  "the two SBOMs are different artifacts"

# The arm64 component still selects one platform: the index's arm64 image.
get_manifest fm/arm64/shell/hello latest "$OCI_MANIFEST"
expect_eq "$OCI_MANIFEST $arm64" "$(header Content-Type) $(header Docker-Content-Digest)" \
  "fm/arm64/… is the index's arm64 image"

# --- clients pick their platform -------------------------------------------------------------
skopeo copy -q --all --src-tls-verify=false "docker://$REGISTRY/$image:latest" "oci:$WORK/all:latest" \
  >"$WORK/copy.out" 2>&1 || { cat "$WORK/copy.out" >&2; fail "skopeo copy --all"; }
for digest in "$amd64" "$arm64"; do
  [[ -f "$WORK/all/blobs/sha256/${digest#sha256:}" ]] || fail "skopeo copy --all missed $digest"
done
ok "skopeo copy --all copies the index and both images"
for arch in arm64 amd64; do
  podman pull -q --tls-verify=false --arch "$arch" "$REGISTRY/$image:latest" >"$WORK/podman.out" 2>&1 ||
    { cat "$WORK/podman.out" >&2; fail "podman pull --arch $arch"; }
  expect_eq "$arch" "$(podman image inspect "$REGISTRY/$image:latest" --format '{{.Architecture}}')" \
    "podman pull --arch $arch picks the $arch image"
  podman rmi -f "$REGISTRY/$image:latest" >/dev/null 2>&1 || true
done
podman pull -q --tls-verify=false "$REGISTRY/$image:latest" >"$WORK/podman.out" 2>&1 ||
  { cat "$WORK/podman.out" >&2; fail "podman pull"; }
expect_eq amd64 "$(podman image inspect "$REGISTRY/$image:latest" --format '{{.Architecture}}')" \
  "podman pull on this machine picks amd64"
podman rmi -f "$REGISTRY/$image:latest" >/dev/null 2>&1 || true
skopeo copy -q --src-tls-verify=false "docker://$REGISTRY/$image:latest" "oci:$WORK/one:img" >/dev/null ||
  fail "skopeo copy of this machine's platform"
oci_unpack "$WORK/one" "$WORK/bundle"
expect_eq "Hello from the Strata fixture!" "$(run_in_rootfs "$WORK/bundle/rootfs" /bin/hello)" \
  "the amd64 image runs"

# --- the platforms build in parallel ---------------------------------------------------------
# drowsy takes 12 s to build, new in this run: both platforms' builds are
# running at the same time while the pull waits.
curl -fs -o /dev/null -H "Accept: $OCI_INDEX" "$BASE/v2/fm/drowsy/manifests/latest" &
pull=$!
both=false
for _ in $(seq 100); do
  running="$(curl -fs "$BASE/api/v1/builds" | jq '[.builds[] | select((.image | startswith("fm/drowsy")) and .state == "running")] | length')"
  if [[ "$running" == 2 ]]; then both=true; break; fi
  sleep 0.1
done
expect_eq true "$both" "both platforms' builds run at once"
wait "$pull" || fail "the pull of fm/drowsy"
ok "and the index is served once both are built"

# --- pins, reproducibility, distribution -------------------------------------------------------
pin="$(curl -fs "$BASE/api/v1/images/$image:latest/pin")"
expect_eq "$index_digest" "$(jq -r .digest <<<"$pin")" "the pin names the index"
revision="$(jq -r .revision <<<"$pin")"
stop_server
rm -rf "$(config_data_dir "$WORK/strata.json")"
start_server "$WORK/strata.json"
http GET "/v2/$image/manifests/$revision" -H "Accept: $OCI_INDEX"
expect_eq "$index_digest" "$(header Docker-Content-Digest)" "after wiping the data folder: the same index digest"

start_distribution reference
skopeo copy -q --all --preserve-digests --src-tls-verify=false --dest-tls-verify=false \
  "docker://$REGISTRY/$image:latest" "docker://127.0.0.1:$dport/$image:latest" >"$WORK/copy.out" 2>&1 ||
  { cat "$WORK/copy.out" >&2; fail "skopeo copy --all into distribution"; }
# skopeo copies the form it prefers (the Docker list): distribution serves it
# with the digest Strata gave it.
copied="$(curl -fsI -H "Accept: $OCI_INDEX" -H "Accept: $DOCKER_LIST" \
  "http://127.0.0.1:$dport/v2/$image/manifests/latest" | tr -d '\r' |
  awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}')"
expect_match "$copied" "^($index_digest|$list_digest)\$" "distribution accepts the index with its digest"
members="$amd64 $arm64"
[[ "$copied" == "$list_digest" ]] && members="$docker_members"
for digest in $members; do
  curl -fs -o /dev/null -H "Accept: $OCI_MANIFEST" -H "Accept: $DOCKER_MANIFEST" \
    "http://127.0.0.1:$dport/v2/$image/manifests/$digest" || fail "distribution lacks $digest"
done
ok "distribution holds every platform's manifest"

expect_server_alive
stop_server
