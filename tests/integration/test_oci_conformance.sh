#!/usr/bin/env bash
# The OCI distribution spec's conformance tests for pull, content discovery
# (tags) and referrers against real images: first the spec's own runner
# (opencontainers/distribution-spec conformance/, built by
# tests/tools/oci-conformance/build.sh) in its read-only mode
# (OCI_API_PUSH=false with OCI_RO_DATA_TAGS, _MANIFESTS, _BLOBS and
# _REFERRERS), then the same checks written out with curl, plus the older
# suite's pull-only checks (01_pull_test.go, 03_discovery_test.go) that still
# apply to a registry that takes no pushes. Each check names the conformance
# test it comes from.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

write_config "$WORK/strata.json"
start_server "$WORK/strata.json"
repo=fx/shell/shout
OCI_INDEX=application/vnd.oci.image.index.v1+json
# The suite sends both types in two Accept headers.
accept=(-H "Accept: $OCI_INDEX" -H "Accept: $OCI_MANIFEST")

# The read-only data: both tags of a folder, the manifests (OCI, Docker, the
# SBOM artifacts), every blob they name, and the image manifests as referrer subjects.
get_manifest "$repo" latest "$OCI_MANIFEST"
oci="$(header Docker-Content-Digest)"
body >"$WORK/oci.json"
docker="$(manifest_digest "$repo" latest "$DOCKER_MANIFEST")"
revision="$(curl -fs "$BASE/api/v1/images/$repo:latest/pin" | jq -r .revision)"
tags=(latest "$revision")
manifests=("$oci" "$docker")
blobs=($(jq -r '.config.digest, .layers[].digest' "$WORK/oci.json"))
for subject in "$oci" "$docker"; do
  http GET "/v2/$repo/referrers/$subject"
  artifact="$(jq -r '.manifests[0].digest' "$WORK/last.body")"
  manifests+=("$artifact")
  get_manifest "$repo" "$artifact"
  blobs+=($(jq -r '.config.digest, .layers[].digest' "$WORK/last.body"))
done
blobs=($(printf '%s\n' "${blobs[@]}" | sort -u))
# A tag is in the registry once pulled.
for tag in "${tags[@]}"; do http GET "/v2/$repo/manifests/$tag" -H "Accept: $OCI_MANIFEST"; done
log "read-only data: ${#tags[@]} tags, ${#manifests[@]} manifests, ${#blobs[@]} blobs"

# --- the spec's own runner ------------------------------------------------------------------
RUNNER="${OCI_CONFORMANCE_BIN:-${STRATA_TOOLS_DIR:-/var/cache/strata-test-tools}/oci-conformance/conformance}"
if [[ -x "$RUNNER" ]]; then
  mkdir -p "$WORK/conformance"
  status=0
  (cd "$WORK/conformance" && env OCI_REGISTRY="${BASE#http://}" OCI_TLS=disabled OCI_REPO1="$repo" \
    OCI_API_PUSH=false OCI_API_BLOBS_DELETE=false OCI_API_MANIFESTS_DELETE=false \
    OCI_API_TAGS_DELETE=false OCI_RO_DATA_TAGS="${tags[*]}" OCI_RO_DATA_MANIFESTS="${manifests[*]}" \
    OCI_RO_DATA_BLOBS="${blobs[*]}" OCI_RO_DATA_REFERRERS="$oci $docker" \
    OCI_RESULTS_DIR="$WORK/conformance/results" "$RUNNER") >"$WORK/conformance/out.txt" 2>&1 || status=$?
  grep -E '^OCI Conformance Result|^  (Pass|FAIL|Error|Skip|Disabled)\.' "$WORK/conformance/out.txt" >&2 || true
  [[ "$status" == 0 ]] || grep -E 'FAIL|Error|failed test' "$WORK/conformance/out.txt" >&2 || true
  expect_eq 0 "$status" "the spec's conformance runner exits 0"
  expect_contains "$(cat "$WORK/conformance/out.txt")" "OCI Conformance Result: Pass" "and says Pass"
  expect_match "$(grep -c ': Pass$' "$WORK/conformance/out.txt")" '^[1-9][0-9]+$' "with its tests passing"
  for t in "read-only/pull" "read-only/head" "read-only/referrers" "read-only/tag-list" \
    "empty/referrers" "missing-manifest" "invalid-digest-format"; do
    expect_contains "$(grep "OCI Conformance Test/$t: " "$WORK/conformance/out.txt")" "Pass" "runner: $t"
  done
else
  log "the spec's conformance runner is not built ($RUNNER; tests/tools/oci-conformance/build.sh needs a clone of its source): the checks below only"
fi

# --- api.go: "Empty referrers" ------------------------------------------------------------
random="sha256:$(head -c 32 /dev/urandom | sha256sum | cut -d' ' -f1)"
http GET "/v2/$repo/referrers/$random"
expect_status 200 "empty referrers: 200"
expect_eq "$OCI_INDEX" "$(header Content-Type)" "empty referrers: Content-Type"
expect_eq "$OCI_INDEX 2 0" "$(jq -r '"\(.mediaType) \(.schemaVersion) \(.manifests | length)"' "$WORK/last.body")" \
  "empty referrers: an index with no manifests"

# --- api.go: "Empty tag list" (a repository with no tags yet) -------------------------------
http GET "/v2/fx/hello/tags/list"
expect_match "$HTTP_STATUS" '^(200|404)$' "empty tag list: 200 or 404"

# --- api.go: tag list, read-only -------------------------------------------------------------
for tag in "${tags[@]}"; do
  http GET "/v2/$repo/manifests/$tag" "${accept[@]}" -o /dev/null
done
http GET "/v2/$repo/tags/list"
expect_status 200 "tag list: 200"
listed="$(jq -r '.tags[]' "$WORK/last.body")"
for tag in "${tags[@]}"; do expect_contains "$listed" "$tag" "tag list: holds $tag"; done
sorted=($(printf '%s\n' "${tags[@]}" | LC_ALL=C sort))
end=$((${#sorted[@]} / 2))
http GET "/v2/$repo/tags/list?last=${sorted[end - 1]}"
after="$(jq -r '.tags[]' "$WORK/last.body")"
for tag in "${sorted[@]:0:end}"; do expect_not_contains "$after" "$tag" "tag list with last: excludes $tag"; done
for tag in "${sorted[@]:end}"; do expect_contains "$after" "$tag" "tag list with last: includes $tag"; done

# --- 03_discovery_test.go: paging with n --------------------------------------------------------
http GET "/v2/$repo/tags/list?n=1"
expect_eq 1 "$(jq '.tags | length' "$WORK/last.body")" "tags with n=1: exactly one"
first="$(jq -r '.tags[0]' "$WORK/last.body")"
http GET "/v2/$repo/tags/list?n=1&last=$first"
expect_eq 1 "$(jq '.tags | length' "$WORK/last.body")" "tags with n and last: at most n"
expect_not_contains "$(jq -r '.tags[]' "$WORK/last.body")" "$first" "tags with n and last: not last itself"
http GET "/v2/$repo/tags/list?n=0"
expect_eq "0 " "$(jq '.tags | length' "$WORK/last.body") $(header Link)" "tags with n=0: empty and no Link"

# --- api.go: manifests by tag and by digest: HEAD (no body) and GET ----------------------------
for ref in "${tags[@]}" "${manifests[@]}"; do
  http HEAD "/v2/$repo/manifests/$ref" "${accept[@]}"
  expect_eq "200 0" "$HTTP_STATUS $(body_size)" "HEAD manifest $ref: 200, no body"
  http GET "/v2/$repo/manifests/$ref" "${accept[@]}"
  expect_status 200 "GET manifest $ref"
done
# 01_pull_test.go: by digest and by tag, Docker-Content-Digest (if sent) is the digest.
for ref in "${manifests[@]}"; do
  http HEAD "/v2/$repo/manifests/$ref" "${accept[@]}"
  expect_eq "$ref" "$(header Docker-Content-Digest)" "HEAD manifest $ref: its digest"
done
http HEAD "/v2/$repo/manifests/latest" -H "Accept: $OCI_MANIFEST"
expect_eq "$oci" "$(header Docker-Content-Digest)" "HEAD manifest by tag: the tagged digest"

# --- api.go: blobs: HEAD (no body) and GET, Docker-Content-Digest -------------------------------
for blob in "${blobs[@]}"; do
  http HEAD "/v2/$repo/blobs/$blob"
  expect_eq "200 0 $blob" "$HTTP_STATUS $(body_size) $(header Docker-Content-Digest)" "HEAD blob $blob"
  http GET "/v2/$repo/blobs/$blob"
  expect_eq "200 $blob" "$HTTP_STATUS $(header Docker-Content-Digest)" "GET blob $blob"
done
# 01_pull_test.go: a blob that does not exist.
missing="sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
http HEAD "/v2/$repo/blobs/$missing"
expect_status 404 "HEAD of a missing blob"
http GET "/v2/$repo/blobs/$missing"
expect_status 404 "GET of a missing blob"

# --- api.go: referrers of each subject ---------------------------------------------------------
for subject in "$oci" "$docker"; do
  http GET "/v2/$repo/referrers/$subject"
  expect_eq "200 $OCI_INDEX" "$HTTP_STATUS $(header Content-Type)" "referrers of $subject"
  expect_eq "$OCI_INDEX 2" "$(jq -r '"\(.mediaType) \(.schemaVersion)"' "$WORK/last.body")" \
    "referrers of $subject: a valid index"
  # spec.md: every descriptor names a manifest of this repository whose subject is the digest.
  for d in $(jq -r '.manifests[].digest' "$WORK/last.body"); do
    curl -fs -H "Accept: $OCI_MANIFEST" "$BASE/v2/$repo/manifests/$d" >"$WORK/referrer.json"
    expect_eq "$subject" "$(jq -r .subject.digest "$WORK/referrer.json")" "referrer $d has that subject"
  done
  # Filtering: with OCI-Filters-Applied, every entry has the type asked for.
  http GET "/v2/$repo/referrers/$subject?artifactType=application/vnd.cyclonedx%2Bjson"
  expect_contains "$(header OCI-Filters-Applied)" artifactType "referrers filtered by artifactType"
  expect_eq "application/vnd.cyclonedx+json" "$(jq -r '[.manifests[].artifactType] | unique | join(",")' "$WORK/last.body")" \
    "every filtered entry has the type asked for"
done

# --- api.go: manifest errors -----------------------------------------------------------------
http GET "/v2/$repo/manifests/$random" "${accept[@]}"
expect_status 404 "GET manifest of a random digest"
http GET "/v2/$repo/manifests/missing-$(head -c 64 /dev/urandom | tr -dc 'a-z' | head -c 20)" "${accept[@]}"
expect_status 404 "GET manifest of a missing tag"
http GET "/v2/$repo/manifests/sha256:baddigeststring" "${accept[@]}"
expect_match "$HTTP_STATUS" '^(400|404)$' "GET manifest of a bad digest: 400 or 404"
# 01_pull_test.go "Error codes": 400 or 404, and a 400 carries one of the
# spec's error codes. (This GET carries a body: Strata refuses it as such.)
http GET "/v2/$repo/manifests/sha256:totallywrong" -H "Content-Type: $OCI_MANIFEST" --data-binary blablabla -X GET
expect_match "$HTTP_STATUS" '^(400|404)$' "GET manifest sha256:totallywrong with a body: 400 or 404"
expect_match "$(error_field code)" \
  '^(BLOB_UNKNOWN|BLOB_UPLOAD_INVALID|BLOB_UPLOAD_UNKNOWN|DIGEST_INVALID|MANIFEST_BLOB_UNKNOWN|MANIFEST_INVALID|MANIFEST_UNKNOWN|MANIFEST_UNVERIFIED|NAME_INVALID|NAME_UNKNOWN|SIZE_INVALID|TAG_INVALID|UNAUTHORIZED|DENIED|UNSUPPORTED)$' \
  "with one of the spec's error codes"
http GET "/v2/$repo/manifests/sha256:totallywrong"
expect_error 400 DIGEST_INVALID "GET manifest sha256:totallywrong without a body"

# --- api.go: deletes of read-only data are unsupported (405 is a skip) ---------------------------
for path in "manifests/$oci" "blobs/${blobs[0]}" "manifests/latest"; do
  http DELETE "/v2/$repo/$path"
  expect_status 405 "DELETE $path"
done
http HEAD "/v2/$repo/manifests/$oci" "${accept[@]}"
expect_status 200 "and the manifest is still there"

expect_server_alive
stop_server
