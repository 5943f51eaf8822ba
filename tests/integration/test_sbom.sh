#!/usr/bin/env bash
# OCI 1.1 referrers and SBOMs: every built image has a CycloneDX 1.5 document
# made from its Nix closure, stored as an artifact manifest whose subject is
# the image manifest (one for the OCI and one for the Docker manifest), listed
# by GET /v2/<name>/referrers/<digest>. The document passes the CycloneDX
# project's strict validator, its components are exactly the closure `nix
# path-info -r` gives (paths, NAR hashes, NAR sizes), it is reproducible, an
# image built before SBOMs gets one on its next pull, and the reference
# registry (distribution) accepts the artifact. Also: a path source has only
# the tags latest and its revision.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo docker-registry node nix sqlite3
VALIDATE_SBOM="$STRATA_SOURCE_DIR/tests/tools/validate-sbom.js"
[[ -d "$STRATA_SOURCE_DIR/tests/tools/node_modules/@cyclonedx/cyclonedx-library" ]] ||
  fail "the CycloneDX validator is not installed: run scripts/setup.sh --tests"
CYCLONEDX=application/vnd.cyclonedx+json
OCI_INDEX=application/vnd.oci.image.index.v1+json
nixc() { nix --extra-experimental-features nix-command "$@"; }

write_config "$WORK/strata.json"
start_server "$WORK/strata.json"
image=fx/shell/shout

# --- the referrers of an image ------------------------------------------------------------
get_manifest "$image" latest "$OCI_MANIFEST"
expect_status 200 "the image builds"
oci_digest="$(header Docker-Content-Digest)"
get_manifest "$image" latest "$DOCKER_MANIFEST"
docker_digest="$(header Docker-Content-Digest)"

http GET "/v2/$image/referrers/$oci_digest"
expect_status 200 "referrers of the OCI manifest"
expect_eq "$OCI_INDEX" "$(header Content-Type)" "they are an OCI image index"
body >"$WORK/referrers.json"
expect_eq "2 $OCI_INDEX 1" "$(jq -r '"\(.schemaVersion) \(.mediaType) \(.manifests | length)"' "$WORK/referrers.json")" \
  "one referrer"
expect_eq "$OCI_MANIFEST $CYCLONEDX" "$(jq -r '.manifests[0] | "\(.mediaType) \(.artifactType)"' "$WORK/referrers.json")" \
  "it is a CycloneDX artifact manifest"
artifact="$(jq -r '.manifests[0].digest' "$WORK/referrers.json")"
expect_eq false "$(has_header OCI-Filters-Applied && echo true || echo false)" "no filter was asked for"

get_manifest "$image" "$artifact" "$OCI_MANIFEST"
expect_status 200 "the artifact manifest is served by digest"
expect_eq "$OCI_MANIFEST" "$(header Content-Type)" "as an OCI manifest"
expect_eq "$artifact" "sha256:$(body | sha256sum | cut -d' ' -f1)" "its bytes hash to its digest"
expect_eq "$(jq -r '.manifests[0].size' "$WORK/referrers.json")" "$(body_size)" "its size is the listed one"
body >"$WORK/artifact.json"
expect_eq "$oci_digest $OCI_MANIFEST" "$(jq -r '.subject | "\(.digest) \(.mediaType)"' "$WORK/artifact.json")" \
  "its subject is the image manifest"
expect_eq "$CYCLONEDX" "$(jq -r .artifactType "$WORK/artifact.json")" "its artifactType"
expect_eq "application/vnd.oci.empty.v1+json 2" "$(jq -r '.config | "\(.mediaType) \(.size)"' "$WORK/artifact.json")" \
  "its config is the empty descriptor"
http GET "/v2/$image/blobs/$(jq -r .config.digest "$WORK/artifact.json")"
expect_eq "{}" "$(body)" "the empty config blob is served"
sbom_digest="$(jq -r '.layers[0].digest' "$WORK/artifact.json")"
expect_eq "$CYCLONEDX" "$(jq -r '.layers[0].mediaType' "$WORK/artifact.json")" "its one layer is the SBOM"

http GET "/v2/$image/referrers/$docker_digest"
expect_status 200 "referrers of the Docker manifest"
body >"$WORK/docker-referrers.json"
docker_artifact="$(jq -r '.manifests[0].digest' "$WORK/docker-referrers.json")"
expect_ne "$artifact" "$docker_artifact" "the Docker manifest has its own artifact"
get_manifest "$image" "$docker_artifact" "$OCI_MANIFEST"
expect_eq "$docker_digest $DOCKER_MANIFEST" "$(jq -r '.subject | "\(.digest) \(.mediaType)"' "$WORK/last.body")" \
  "whose subject is the Docker manifest"
expect_eq "$sbom_digest" "$(jq -r '.layers[0].digest' "$WORK/last.body")" "and the same SBOM"

# --- filters and unknown subjects ---------------------------------------------------------
http GET "/v2/$image/referrers/$oci_digest?artifactType=$CYCLONEDX"
expect_eq "artifactType 1" "$(header OCI-Filters-Applied) $(jq '.manifests | length' "$WORK/last.body")" \
  "the artifactType filter keeps the SBOM and says it was applied"
http GET "/v2/$image/referrers/$oci_digest?artifactType=application/spdx%2Bjson"
expect_eq "artifactType 0" "$(header OCI-Filters-Applied) $(jq '.manifests | length' "$WORK/last.body")" \
  "another artifactType leaves none"
unknown="sha256:$(printf 'nothing' | sha256sum | cut -d' ' -f1)"
http GET "/v2/$image/referrers/$unknown"
expect_status 200 "referrers of an unknown digest"
expect_eq '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}' \
  "$(body | jq -c .)" "are an empty index"
http GET "/v2/fx/other/referrers/$oci_digest"
expect_eq 0 "$(jq '.manifests | length' "$WORK/last.body")" "a name that never served the image has none"
http GET "/v2/$image/referrers/$artifact"
expect_eq 0 "$(jq '.manifests | length' "$WORK/last.body")" "nothing refers to the artifact itself"
http GET "/v2/$image/referrers/sha256:xyz"
expect_error 400 DIGEST_INVALID "an invalid digest"
http GET "/v2/$image/referrers/md5:d41d8cd98f00b204e9800998ecf8427e"
expect_error 400 DIGEST_INVALID "an unsupported algorithm"

# --- the document -------------------------------------------------------------------------
http GET "/v2/$image/blobs/$sbom_digest"
expect_status 200 "the SBOM blob is served"
body >"$WORK/sbom.json"
expect_eq "$sbom_digest" "sha256:$(sha256sum <"$WORK/sbom.json" | cut -d' ' -f1)" "its bytes hash to its digest"
expect_eq valid "$(node "$VALIDATE_SBOM" "$WORK/sbom.json")" "CycloneDX's strict validator accepts it"
# The validator can say no: a component with a key CycloneDX does not know.
jq '.components[0].nixPath = "x"' "$WORK/sbom.json" >"$WORK/tampered.json"
expect_contains "$(node "$VALIDATE_SBOM" "$WORK/tampered.json" || true)" additionalProperties \
  "and refuses a document with an unknown key"
expect_eq "CycloneDX 1.5" "$(jq -r '"\(.bomFormat) \(.specVersion)"' "$WORK/sbom.json")" "CycloneDX 1.5"

# The closure, asked of Nix itself.
out_of() { nix-instantiate --eval --json -E "(import $FIXTURE_PKGS {}).$1.outPath" | jq -r .; }
roots=("$(out_of busybox)" "$(out_of shout)")
nixc path-info --json -r "${roots[@]}" >"$WORK/path-info.json"
jq -r '.[] | .narHash' "$WORK/path-info.json" | while read -r h; do
  printf '%s %s\n' "$h" "$(nixc hash to-base16 "$h")"
done >"$WORK/hashes.txt"
expected="$(jq -r '.[] | "\(.path) \(.narSize) \(.narHash)"' "$WORK/path-info.json" |
  while read -r p size h; do
    printf '%s %s %s\n' "$p" "$size" "$(awk -v h="$h" '$1 == h {print $2}' "$WORK/hashes.txt")"
  done | sort)"
actual="$(jq -r '.components[] | "\(.properties[] | select(.name == "nix:store_path") | .value) \(.properties[] | select(.name == "nix:nar_size") | .value) \(.hashes[0].content)"' "$WORK/sbom.json" | sort)"
expect_eq "$expected" "$actual" "its components are exactly the closure: paths, NAR sizes and NAR hashes"
expect_eq "$(jq '. | length' "$WORK/path-info.json")" "$(jq '.components | length' "$WORK/sbom.json")" \
  "one component per store path"
expect_eq "$(printf '%s\n' "${roots[@]}" | sort | tr '\n' ' ')" \
  "$(jq -r '.dependencies[] | select(.ref == "image") | .dependsOn[]' "$WORK/sbom.json" | sort | tr '\n' ' ')" \
  "the image depends on the requested packages"
expected_refs="$(jq -r '.[] | .path as $p | "\($p) \([.references[] | select(. != $p)] | sort | join(","))"' \
  "$WORK/path-info.json" | sort)"
actual_refs="$(jq -r '.dependencies[] | select(.ref != "image") | "\(.ref) \(.dependsOn | sort | join(","))"' \
  "$WORK/sbom.json" | sort)"
expect_eq "$expected_refs" "$actual_refs" "its dependencies are the store references"
shout="$(out_of shout)"
expect_eq "shout application MIT https://example.org/shout Shouts the fixture's phrase shout" \
  "$(jq -r --arg p "$shout" '.components[] | select(."bom-ref" == $p) | "\(.name) \(.type) \(.licenses[0].license.name) \(.externalReferences[0].url) \(.description) \(.properties[] | select(.name == "nix:attribute") | .value)"' "$WORK/sbom.json")" \
  "a requested package carries its meta: licence, homepage, description, attribute"
expect_eq "busybox 1.35.0 application" \
  "$(jq -r --arg p "$(out_of busybox)" '.components[] | select(."bom-ref" == $p) | "\(.name) \(.version) \(.type)"' "$WORK/sbom.json")" \
  "name and version come from the store path's name"
expect_eq "fixture-words 1.0 library" \
  "$(jq -r --arg p "$(out_of words)" '.components[] | select(."bom-ref" == $p) | "\(.name) \(.version) \(.type)"' "$WORK/sbom.json")" \
  "a dependency that was not asked for is a library"

# A meta written by an attacker: control characters dropped, a javascript: homepage left out.
get_manifest fx/oddmeta latest "$OCI_MANIFEST"
http GET "/v2/fx/oddmeta/referrers/$(header Docker-Content-Digest)"
get_manifest fx/oddmeta "$(jq -r '.manifests[0].digest' "$WORK/last.body")" "$OCI_MANIFEST"
http GET "/v2/fx/oddmeta/blobs/$(jq -r '.layers[0].digest' "$WORK/last.body")"
body >"$WORK/odd.json"
expect_eq valid "$(node "$VALIDATE_SBOM" "$WORK/odd.json")" "the SBOM of a hostile meta is valid"
odd="$(jq -c '.components[] | select(.properties[].value == "oddMeta")' "$WORK/odd.json")"
expect_eq "<script>alert('desc')</script>u0007 \"quoted\" second line [31m" "$(jq -r .description <<<"$odd")" \
  "its description keeps the text (escaped as JSON) without control characters"
expect_eq "null" "$(jq -c .externalReferences <<<"$odd")" "a javascript: homepage is left out"
expect_eq '["<b>Bold</b>","Fine License"]' "$(jq -c '[.licenses[].license.name]' <<<"$odd")" \
  "licences that are not strings are left out"

# --- reproducible ---------------------------------------------------------------------------
stop_server
rm -rf "$(config_data_dir "$WORK/strata.json")"
start_server "$WORK/strata.json"
get_manifest "$image" latest "$OCI_MANIFEST"
expect_eq "$oci_digest" "$(header Docker-Content-Digest)" "the same image after wiping the data folder"
http GET "/v2/$image/referrers/$oci_digest"
expect_eq "$artifact" "$(jq -r '.manifests[0].digest' "$WORK/last.body")" "and the same SBOM artifact"

# --- an image built before SBOMs gets one on its next pull -----------------------------------
stop_server
db="$(config_data_dir "$WORK/strata.json")/strata.db"
sqlite3 "$db" "UPDATE images SET sbom_digest = ''; DELETE FROM image_referrers;"
start_server "$WORK/strata.json"
http GET "/v2/$image/referrers/$oci_digest"
expect_eq "$artifact" "$(jq -r '.manifests[0].digest' "$WORK/last.body")" \
  "an image recorded without an SBOM gets the same one when asked"
expect_eq "$sbom_digest" "$(sqlite3 "$db" "SELECT sbom_digest FROM images WHERE oci_digest = '$oci_digest'")" \
  "and it is recorded"

# --- tags of a path source ------------------------------------------------------------------
revision="$(jq -r .revision < <(curl -fs "$BASE/api/v1/images/$image:latest/pin"))"
get_manifest "$image" "$revision" "$OCI_MANIFEST"
expect_eq "$oci_digest" "$(header Docker-Content-Digest)" "the folder's revision is a tag of the image"
http GET "/v2/$image/manifests/v1"
expect_error 404 MANIFEST_UNKNOWN "any other tag of a path source is unknown"
expect_contains "$(error_field message)" "'latest' and its revision $revision" "and the message names the tags there are"

# --- the reference registry accepts it all -----------------------------------------------------
start_distribution reference
for ref in "$oci_digest" "$artifact"; do
  skopeo copy -q --all --preserve-digests --src-tls-verify=false --dest-tls-verify=false \
    "docker://$REGISTRY/$image@$ref" "docker://127.0.0.1:$dport/$image@$ref" >"$WORK/copy.out" 2>&1 ||
    { cat "$WORK/copy.out" >&2; fail "skopeo copy --all of $ref into distribution"; }
done
ok "skopeo copies the image and its SBOM artifact into distribution"
curl -fs -H "Accept: $OCI_MANIFEST" "http://127.0.0.1:$dport/v2/$image/manifests/$artifact" >"$WORK/copied.json" ||
  fail "distribution serves the artifact"
expect_eq "$artifact" "sha256:$(sha256sum <"$WORK/copied.json" | cut -d' ' -f1)" \
  "distribution serves the artifact with the same digest"
curl -fs "http://127.0.0.1:$dport/v2/$image/blobs/$sbom_digest" >"$WORK/copied-sbom.json" ||
  fail "distribution serves the SBOM blob"
cmp -s "$WORK/copied-sbom.json" "$WORK/sbom.json" && ok "and the same SBOM" || fail "the copied SBOM differs"

expect_server_alive
stop_server
