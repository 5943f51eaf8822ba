#!/usr/bin/env bash
# Reproducible images: the same request gives the same digests after a second
# pull, after a restart, and after the whole data folder is wiped; pulls by
# digest survive a restart; an edited package set gives a new revision and new
# digests, and a comment-only edit changes no store-path layer.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo umoci chroot

# A third source, "copy", serves an editable copy of the fixture set.
copy="$(copy_fixture "$WORK/tree")"
write_config "$WORK/strata.json" \
  ".sources += [{name: \"copy\", prefix: \"copy\", type: \"path\", path: \"$copy\", metaPackages: {shell: [\"busybox\"]}}]"
data_dir="$(config_data_dir "$WORK/strata.json")"
start_server "$WORK/strata.json"

IMAGE=fx/shell/hello/shout/toolbox

# snapshot NAME REF FILE: writes "<oci digest> <docker digest> <config digest> <layer digests…>".
snapshot() {
  local oci docker
  get_manifest "$1" "$2" "$OCI_MANIFEST"
  oci="$(header Docker-Content-Digest)"
  jq -r '[.config.digest] + [.layers[].digest] | join(" ")' "$WORK/last.body" >"$WORK/layers.tmp"
  get_manifest "$1" "$2" "$DOCKER_MANIFEST"
  docker="$(header Docker-Content-Digest)"
  echo "$oci $docker $(cat "$WORK/layers.tmp")" >"$3"
}

# revision NAME: the revision label of the image's config.
revision() {
  get_manifest "$1" latest "$OCI_MANIFEST"
  http GET "/v2/$1/blobs/$(jq -r .config.digest "$WORK/last.body")"
  [[ "$HTTP_STATUS" == 200 ]] || fail "config blob of $1: HTTP $HTTP_STATUS"
  jq -r '.config.Labels["org.opencontainers.image.revision"]' "$WORK/last.body"
}

# --- the same image twice ----------------------------------------------------------
snapshot "$IMAGE" latest "$WORK/first"
snapshot "$IMAGE" latest "$WORK/second"
expect_eq "$(cat "$WORK/first")" "$(cat "$WORK/second")" "the same image twice: same manifests, config and layers"
skopeo inspect --tls-verify=false "docker://$REGISTRY/$IMAGE:latest" >"$WORK/i1.json"
# A folder's other tag is its revision.
folder_rev="$(curl -fs "$BASE/api/v1/images/$IMAGE:latest/pin" | jq -r .revision)"
skopeo inspect --tls-verify=false "docker://$REGISTRY/$IMAGE:$folder_rev" >"$WORK/i2.json"
expect_eq "$(jq -r .Digest "$WORK/i1.json")" "$(jq -r .Digest "$WORK/i2.json")" \
  "skopeo inspect by latest and by the folder's revision: same digest"
expect_eq "$(cut -d' ' -f1 "$WORK/first")" "$(jq -r .Digest "$WORK/i1.json")" "skopeo sees the OCI digest"
oci_digest="$(cut -d' ' -f1 "$WORK/first")"
docker_digest="$(cut -d' ' -f2 "$WORK/first")"
rev_fx="$(revision fx/hello)"
expect_match "$rev_fx" '^[0-9a-f]{64}$' "the revision label is a sha256 hex"

# Two separate pulls into OCI layouts give byte-identical layer blobs.
oci_pull "$IMAGE:latest" "$WORK/layout-a"
oci_pull "$IMAGE:latest" "$WORK/layout-b"
diff -r "$WORK/layout-a/blobs" "$WORK/layout-b/blobs" >/dev/null || fail "two skopeo copies differ"
ok "two skopeo copies hold identical blobs"

# --- plain restart: data kept, pull by digest first --------------------------------
stop_server
start_server "$WORK/strata.json"
http GET "/v2/$IMAGE/manifests/$oci_digest"
expect_status 200 "after a restart: GET by OCI digest before any tag request"
expect_eq "$oci_digest" "$(body_sha256)" "after a restart: the body hashes to the digest"
http GET "/v2/$IMAGE/manifests/$docker_digest"
expect_status 200 "after a restart: GET by Docker digest"
expect_eq "$DOCKER_MANIFEST" "$(header Content-Type)" "after a restart: by Docker digest, a Docker manifest"
if ! skopeo inspect --tls-verify=false "docker://$REGISTRY/$IMAGE@$oci_digest" >"$WORK/i3.json" 2>"$WORK/i3.err"; then
  cat "$WORK/i3.err" >&2
  fail "skopeo inspect by digest after a restart"
fi
ok "skopeo inspect $IMAGE@$oci_digest after a restart"
rootfs="$(pull_rootfs "$IMAGE@$oci_digest")"
expect_eq "words=4 loud=HELLO FROM THE FIXTURE" "$(run_in_rootfs "$rootfs" /bin/tb-report)" \
  "after a restart: pulled by digest, the image runs"
http GET "/v2/$IMAGE/tags/list"
expect_status 200 "after a restart: tags/list"
expect_eq '["'"$folder_rev"'","latest"]' "$(jq -c .tags "$WORK/last.body")" \
  "after a restart: the folder's tags, its revision unchanged"
snapshot "$IMAGE" latest "$WORK/restarted"
expect_eq "$(cat "$WORK/first")" "$(cat "$WORK/restarted")" "after a restart: same digests by tag"

# --- wipe the whole data folder ----------------------------------------------------
stop_server
rm -rf "$data_dir"
[[ ! -e "$data_dir" ]] || fail "could not remove $data_dir"
ok "data folder removed"
start_server "$WORK/strata.json"
http GET "/v2/$IMAGE/manifests/$oci_digest"
expect_error 404 MANIFEST_UNKNOWN "after the wipe: the digest is unknown until the image is requested again"
snapshot "$IMAGE" latest "$WORK/rebuilt"
expect_eq "$(cat "$WORK/first")" "$(cat "$WORK/rebuilt")" \
  "after the wipe: rebuilt with the same OCI and Docker manifest digests, config and layer digests"
expect_eq "$rev_fx" "$(revision fx/hello)" "after the wipe: the same revision label"
# The rebuilt layer blobs are the same bytes as before the wipe.
for d in $(cut -d' ' -f3- "$WORK/first"); do
  http GET "/v2/$IMAGE/blobs/$d"
  [[ "$HTTP_STATUS" == 200 && "$(body_sha256)" == "$d" ]] || fail "rebuilt blob $d: HTTP $HTTP_STATUS, $(body_sha256)"
  cmp -s "$WORK/last.body" "$WORK/layout-a/blobs/sha256/${d#sha256:}" || fail "rebuilt blob $d differs from the first pull"
done
ok "after the wipe: every blob is byte-identical to the first pull"
http GET "/v2/$IMAGE/manifests/$oci_digest"
expect_status 200 "after the wipe and a new request: GET by the old digest works again"

# --- an edited copy of the package set ---------------------------------------------
rev_copy="$(revision copy/hello)"
expect_eq "$rev_fx" "$rev_copy" "an unedited copy has the revision of the original (content hash, not location)"
snapshot copy/hello latest "$WORK/copy-1"
snapshot fx/hello latest "$WORK/fx-hello"
expect_ne "$(cut -d' ' -f1 "$WORK/fx-hello")" "$(cut -d' ' -f1 "$WORK/copy-1")" \
  "same packages, other source: other digest (the source is a label)"
expect_eq "$(cut -d' ' -f4- "$WORK/fx-hello")" "$(cut -d' ' -f4- "$WORK/copy-1")" \
  "same packages, other source: the same store-path and symlink layers"

# 1. A comment-only edit: a new revision; the packages, hence the layers, stay.
echo "# edited by $TEST_NAME" >>"$copy/default.nix"
rev_comment="$(revision copy/hello)"
expect_match "$rev_comment" '^[0-9a-f]{64}$' "after a comment edit: a revision label"
expect_ne "$rev_copy" "$rev_comment" "after a comment edit: a new revision label"
snapshot copy/hello latest "$WORK/copy-2"
expect_ne "$(cut -d' ' -f1 "$WORK/copy-1")" "$(cut -d' ' -f1 "$WORK/copy-2")" "after a comment edit: a new manifest digest"
expect_ne "$(cut -d' ' -f3 "$WORK/copy-1")" "$(cut -d' ' -f3 "$WORK/copy-2")" "after a comment edit: a new config digest"
expect_eq "$(cut -d' ' -f4- "$WORK/copy-1")" "$(cut -d' ' -f4- "$WORK/copy-2")" \
  "after a comment edit: the same layers (store paths unchanged)"

# 2. A real edit: hello prints something else.
sed -i 's/echo "Hello from the Strata fixture!"/echo "Hello from the edited copy!"/' "$copy/default.nix"
grep -q 'Hello from the edited copy!' "$copy/default.nix" || fail "the edit did not apply"
rev_edit="$(revision copy/hello)"
expect_ne "$rev_comment" "$rev_edit" "after editing hello: a new revision label"
snapshot copy/hello latest "$WORK/copy-3"
expect_ne "$(cut -d' ' -f1 "$WORK/copy-2")" "$(cut -d' ' -f1 "$WORK/copy-3")" "after editing hello: a new manifest digest"
expect_ne "$(cut -d' ' -f4- "$WORK/copy-2")" "$(cut -d' ' -f4- "$WORK/copy-3")" "after editing hello: other layers"
rootfs="$(pull_rootfs copy/hello:latest)"
expect_eq "Hello from the edited copy!" "$(run_in_rootfs "$rootfs" /bin/hello)" "the edited image runs the edited program"
# 3. An edit in place that keeps the size and the inode (only the content and
# the modification time change): still a new revision.
before="$(stat -c '%s %i' "$copy/default.nix")"
content="$(cat "$copy/default.nix")"
printf '%s\n' "${content/Hello from the edited copy!/Hello from the edited copY!}" >"$copy/default.nix"
expect_eq "$before" "$(stat -c '%s %i' "$copy/default.nix")" "the in-place edit keeps size and inode"
rev_inplace="$(revision copy/hello)"
expect_ne "$rev_edit" "$rev_inplace" "after an in-place edit of the same size: a new revision label"
rootfs="$(pull_rootfs copy/hello:latest)"
expect_eq "Hello from the edited copY!" "$(run_in_rootfs "$rootfs" /bin/hello)" "the in-place edit is in the image"

# The original source is untouched.
expect_eq "$rev_fx" "$(revision fx/hello)" "the original source keeps its revision"
# The image of the earlier revision is still served by digest (its blobs are kept).
http GET "/v2/copy/hello/manifests/$(cut -d' ' -f1 "$WORK/copy-1")"
expect_status 200 "the image of the unedited copy is still served by digest"

expect_server_alive
stop_server
