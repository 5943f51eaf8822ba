#!/usr/bin/env bash
# The Docker/OCI distribution API (pull side) with curl: /v2/, manifests by tag
# and digest (GET and HEAD, format by Accept), blobs (GET, HEAD, Range),
# tags/list and _catalog with pagination, push endpoints (405), blob visibility
# per name.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

write_config "$WORK/strata.json"
start_server "$WORK/strata.json"

# --- GET /v2/ -----------------------------------------------------------------
http GET /v2/
expect_status 200 "GET /v2/"
expect_eq application/json "$(header Content-Type | cut -d';' -f1)" "GET /v2/: Content-Type"
expect_eq "{}" "$(body)" "GET /v2/ body is an empty JSON object"
http HEAD /v2/
expect_status 200 "HEAD /v2/"
http GET /v2
expect_status 200 "GET /v2 (no slash)"

# check_manifest_answer MEDIA_TYPE DESCRIPTION: the last answer is a manifest
# of that type whose digest and length match the exact body.
check_manifest_answer() {
  expect_eq "$1" "$(header Content-Type)" "$2: Content-Type"
  expect_eq "$1" "$(jq -r .mediaType "$WORK/last.body")" "$2: mediaType inside the body"
  expect_eq "$(body_sha256)" "$(header Docker-Content-Digest)" "$2: Docker-Content-Digest is the sha256 of the body"
  expect_eq "$(body_size)" "$(header Content-Length)" "$2: Content-Length is the body length"
}

# --- manifests by tag, format by Accept --------------------------------------
http GET /v2/fx/shell/hello/manifests/latest -H "Accept: $OCI_MANIFEST"
expect_status 200 "GET manifest by tag, Accept OCI"
check_manifest_answer "$OCI_MANIFEST" "OCI manifest"
oci_digest="$(header Docker-Content-Digest)"
cp "$WORK/last.body" "$WORK/oci.json"
expect_eq 2 "$(jq -r .schemaVersion "$WORK/oci.json")" "OCI manifest: schemaVersion 2"
expect_eq application/vnd.oci.image.config.v1+json "$(jq -r .config.mediaType "$WORK/oci.json")" "OCI manifest: config media type"
expect_eq application/vnd.oci.image.layer.v1.tar+gzip "$(jq -r '[.layers[].mediaType] | unique | join(",")' "$WORK/oci.json")" \
  "OCI manifest: layer media types"

http GET /v2/fx/shell/hello/manifests/latest -H "Accept: $DOCKER_MANIFEST"
expect_status 200 "GET manifest by tag, Accept Docker"
check_manifest_answer "$DOCKER_MANIFEST" "Docker manifest"
docker_digest="$(header Docker-Content-Digest)"
cp "$WORK/last.body" "$WORK/docker.json"
expect_ne "$oci_digest" "$docker_digest" "OCI and Docker manifests have different digests"
expect_eq application/vnd.docker.container.image.v1+json "$(jq -r .config.mediaType "$WORK/docker.json")" "Docker manifest: config media type"
expect_eq "$(jq -c '[.config.digest, .config.size, [.layers[] | .digest, .size]]' "$WORK/oci.json")" \
  "$(jq -c '[.config.digest, .config.size, [.layers[] | .digest, .size]]' "$WORK/docker.json")" \
  "OCI and Docker manifests name the same config and layers"

http GET /v2/fx/shell/hello/manifests/latest
expect_status 200 "GET manifest without Accept"
expect_eq "$DOCKER_MANIFEST" "$(header Content-Type)" "no Accept: Docker schema 2"
expect_eq "$docker_digest" "$(header Docker-Content-Digest)" "no Accept: the Docker digest"

http GET /v2/fx/shell/hello/manifests/latest -H "Accept: $DOCKER_MANIFEST;q=0.5, $OCI_MANIFEST;q=0.9"
expect_status 200 "GET manifest, Accept with q values"
expect_eq "$OCI_MANIFEST" "$(header Content-Type)" "higher q wins: OCI"
http GET /v2/fx/shell/hello/manifests/latest -H "Accept: $OCI_MANIFEST;q=0.2" -H "Accept: $DOCKER_MANIFEST"
expect_status 200 "GET manifest, two Accept headers"
expect_eq "$DOCKER_MANIFEST" "$(header Content-Type)" "two Accept headers: Docker (q=1) beats OCI (q=0.2)"
# One Accept header per type, as several clients send them: an unknown type
# (the OCI index) first must not hide the OCI manifest in the second header.
http GET /v2/fx/shell/hello/manifests/latest -H "Accept: application/vnd.oci.image.index.v1+json" -H "Accept: $OCI_MANIFEST"
expect_status 200 "GET manifest, one Accept header per type"
expect_eq "$OCI_MANIFEST" "$(header Content-Type)" "one Accept header per type: the OCI manifest from the second header"

# HEAD by tag: same headers, no body.
http HEAD /v2/fx/shell/hello/manifests/latest -H "Accept: $OCI_MANIFEST"
expect_status 200 "HEAD manifest by tag"
expect_eq "$oci_digest" "$(header Docker-Content-Digest)" "HEAD: Docker-Content-Digest"
expect_eq "$OCI_MANIFEST" "$(header Content-Type)" "HEAD: Content-Type"
expect_eq "$(stat -c %s "$WORK/oci.json")" "$(header Content-Length)" "HEAD: Content-Length of the GET body"
expect_eq 0 "$(raw_head /v2/fx/shell/hello/manifests/latest "Accept: $OCI_MANIFEST")" "HEAD manifest: no body on the wire"
expect_eq "HTTP/1.1 200 OK" "$(cat "$WORK/raw.status")" "HEAD manifest over a plain socket: 200"

# --- manifests by digest ------------------------------------------------------
http GET "/v2/fx/shell/hello/manifests/$oci_digest" -H "Accept: $DOCKER_MANIFEST"
expect_status 200 "GET manifest by OCI digest"
check_manifest_answer "$OCI_MANIFEST" "by OCI digest (whatever the Accept)"
expect_eq "$oci_digest" "$(header Docker-Content-Digest)" "by OCI digest: that digest"
cmp -s "$WORK/last.body" "$WORK/oci.json" || fail "by OCI digest: other bytes than by tag"
ok "by OCI digest: the same bytes as by tag"

http GET "/v2/fx/shell/hello/manifests/$docker_digest" -H "Accept: $OCI_MANIFEST"
expect_status 200 "GET manifest by Docker digest"
check_manifest_answer "$DOCKER_MANIFEST" "by Docker digest"
expect_eq "$docker_digest" "$(header Docker-Content-Digest)" "by Docker digest: that digest"

http HEAD "/v2/fx/shell/hello/manifests/$docker_digest"
expect_status 200 "HEAD manifest by digest"
expect_eq "$docker_digest" "$(header Docker-Content-Digest)" "HEAD by digest: Docker-Content-Digest"
expect_eq "$(stat -c %s "$WORK/docker.json")" "$(header Content-Length)" "HEAD by digest: Content-Length"

unknown_digest="sha256:$(printf 'no such manifest' | sha256sum | cut -d' ' -f1)"
http GET "/v2/fx/shell/hello/manifests/$unknown_digest"
expect_error 404 MANIFEST_UNKNOWN "GET an unknown manifest digest"

# --- HEAD on a tag that is not built yet builds it ---------------------------
http HEAD /v2/fx/shout/toolbox/manifests/latest -H "Accept: $OCI_MANIFEST"
expect_status 200 "HEAD on a not-yet-built image"
head_digest="$(header Docker-Content-Digest)"
expect_match "$head_digest" '^sha256:[0-9a-f]{64}$' "HEAD on a not-yet-built image: Docker-Content-Digest"
head_length="$(header Content-Length)"
http GET "/v2/fx/shout/toolbox/manifests/$head_digest"
expect_status 200 "after HEAD, the manifest is there by digest"
expect_eq "$head_digest" "$(body_sha256)" "after HEAD: the body hashes to the digest HEAD gave"
expect_eq "$head_length" "$(body_size)" "after HEAD: the length HEAD gave"
cp "$WORK/last.body" "$WORK/toolbox.json"
# Its blobs were built too.
for d in $(jq -r '.config.digest, .layers[].digest' "$WORK/toolbox.json"); do
  http HEAD "/v2/fx/shout/toolbox/blobs/$d"
  [[ "$HTTP_STATUS" == 200 ]] || fail "blob $d of the image built by HEAD: HTTP $HTTP_STATUS"
done
ok "after HEAD: every blob of the image is served"

# --- blobs --------------------------------------------------------------------
config_digest="$(jq -r .config.digest "$WORK/oci.json")"
config_size="$(jq -r .config.size "$WORK/oci.json")"
http GET "/v2/fx/shell/hello/blobs/$config_digest"
expect_status 200 "GET the config blob"
expect_eq "$config_digest" "$(body_sha256)" "config blob: the body hashes to its digest"
expect_eq "$config_digest" "$(header Docker-Content-Digest)" "config blob: Docker-Content-Digest"
expect_eq "$config_size" "$(header Content-Length)" "config blob: Content-Length is the size in the manifest"
expect_eq "$config_size" "$(body_size)" "config blob: body length"
has_header Content-Type || fail "config blob: no Content-Type"
ok "config blob: has a Content-Type ($(header Content-Type))"
expect_eq "$(jq -c '.rootfs.diff_ids | length' "$WORK/last.body")" "$(jq '.layers | length' "$WORK/oci.json")" \
  "config: one diff_id per layer"
expect_eq linux "$(jq -r .os "$WORK/last.body")" "config: os"

# The largest layer, for the byte checks.
layer_digest="$(jq -r '.layers | max_by(.size) | .digest' "$WORK/oci.json")"
layer_size="$(jq -r '.layers | max_by(.size) | .size' "$WORK/oci.json")"
[[ "$layer_size" -gt 1000 ]] || fail "largest layer has only $layer_size bytes"
http GET "/v2/fx/shell/hello/blobs/$layer_digest"
expect_status 200 "GET a layer blob"
expect_eq "$layer_digest" "$(body_sha256)" "layer blob: the body hashes to its digest"
expect_eq "$layer_size" "$(header Content-Length)" "layer blob: Content-Length"
expect_eq "$layer_digest" "$(header Docker-Content-Digest)" "layer blob: Docker-Content-Digest"
cp "$WORK/last.body" "$WORK/layer.bin"
gzip -t "$WORK/layer.bin" || fail "layer blob is not gzip"
ok "layer blob is valid gzip"
tar -tzf "$WORK/layer.bin" >/dev/null || fail "layer blob is not a tar.gz"
ok "layer blob is a tar.gz"

http HEAD "/v2/fx/shell/hello/blobs/$layer_digest"
expect_status 200 "HEAD a layer blob"
expect_eq "$layer_size" "$(header Content-Length)" "HEAD blob: Content-Length"
expect_eq "$layer_digest" "$(header Docker-Content-Digest)" "HEAD blob: Docker-Content-Digest"
expect_eq 0 "$(raw_head "/v2/fx/shell/hello/blobs/$layer_digest")" "HEAD blob: no body on the wire"

# slice FIRST COUNT: bytes of the layer from FIRST.
slice() { tail -c +"$(($1 + 1))" "$WORK/layer.bin" | head -c "$2"; }
slice_sha() { slice "$1" "$2" | sha256sum | cut -d' ' -f1; }

http GET "/v2/fx/shell/hello/blobs/$layer_digest" -H "Range: bytes=10-99"
expect_status 206 "Range bytes=10-99"
expect_eq "bytes 10-99/$layer_size" "$(header Content-Range)" "Range 10-99: Content-Range"
expect_eq 90 "$(header Content-Length)" "Range 10-99: Content-Length"
expect_eq "$(slice_sha 10 90)" "$(sha256sum <"$WORK/last.body" | cut -d' ' -f1)" "Range 10-99: exactly those bytes"

http GET "/v2/fx/shell/hello/blobs/$layer_digest" -H "Range: bytes=0-0"
expect_status 206 "Range bytes=0-0"
expect_eq "bytes 0-0/$layer_size" "$(header Content-Range)" "Range 0-0: Content-Range"
expect_eq "$(slice_sha 0 1)" "$(sha256sum <"$WORK/last.body" | cut -d' ' -f1)" "Range 0-0: the first byte"

mid=$((layer_size / 2))
http GET "/v2/fx/shell/hello/blobs/$layer_digest" -H "Range: bytes=$mid-"
expect_status 206 "Range bytes=$mid- (open end)"
expect_eq "bytes $mid-$((layer_size - 1))/$layer_size" "$(header Content-Range)" "open-ended Range: Content-Range"
expect_eq "$((layer_size - mid))" "$(body_size)" "open-ended Range: length"
expect_eq "$(slice_sha "$mid" $((layer_size - mid)))" "$(sha256sum <"$WORK/last.body" | cut -d' ' -f1)" "open-ended Range: exactly those bytes"

http GET "/v2/fx/shell/hello/blobs/$layer_digest" -H "Range: bytes=-100"
expect_status 206 "Range bytes=-100 (suffix)"
expect_eq "bytes $((layer_size - 100))-$((layer_size - 1))/$layer_size" "$(header Content-Range)" "suffix Range: Content-Range"
expect_eq "$(slice_sha $((layer_size - 100)) 100)" "$(sha256sum <"$WORK/last.body" | cut -d' ' -f1)" "suffix Range: the last 100 bytes"

http GET "/v2/fx/shell/hello/blobs/$layer_digest" -H "Range: bytes=100-$((layer_size + 5000))"
expect_status 206 "Range past the end"
expect_eq "bytes 100-$((layer_size - 1))/$layer_size" "$(header Content-Range)" "Range past the end is clipped"

# A resumed download: curl -C continues from what it has.
head -c 5000 "$WORK/layer.bin" >"$WORK/resumed.bin"
curl -s --max-time 60 -C - -o "$WORK/resumed.bin" "$BASE/v2/fx/shell/hello/blobs/$layer_digest" ||
  fail "curl -C - (resume) failed"
expect_eq "$layer_digest" "sha256:$(sha256sum <"$WORK/resumed.bin" | cut -d' ' -f1)" "curl resume (-C -) gives the whole blob"

http GET "/v2/fx/shell/hello/blobs/$layer_digest" -H "Range: bytes=$layer_size-"
expect_error 416 RANGE_INVALID "Range starting at the size: not satisfiable"
http GET "/v2/fx/shell/hello/blobs/$layer_digest" -H "Range: bytes=$((layer_size + 10))-$((layer_size + 20))"
expect_error 416 RANGE_INVALID "Range past the end: not satisfiable"

# --- blob visibility per name --------------------------------------------------
# fx/shout/toolbox was built above; the config blob of fx/shell/hello is not part of it.
http GET "/v2/fx/shout/toolbox/blobs/$config_digest"
expect_error 404 BLOB_UNKNOWN "a blob of another image under this name"
http HEAD "/v2/fx/shout/toolbox/blobs/$config_digest"
expect_status 404 "HEAD a blob of another image under this name"
http GET "/v2/fx/never/pulled/blobs/$layer_digest"
expect_error 404 BLOB_UNKNOWN "a blob under a name never pulled"
http GET "/v2/fx/shell/hello/blobs/$unknown_digest"
expect_error 404 BLOB_UNKNOWN "a digest that no blob has"
http GET "/v2/fx/shout/toolbox/manifests/$oci_digest"
expect_error 404 MANIFEST_UNKNOWN "a manifest digest of another name"
# A blob shared by both images (busybox's layer) is visible under both.
shared="$(jq -r --slurpfile t "$WORK/toolbox.json" '[.layers[].digest] - ([.layers[].digest] - [$t[0].layers[].digest]) | .[0] // ""' "$WORK/oci.json")"
if [[ -n "$shared" ]]; then
  http HEAD "/v2/fx/shout/toolbox/blobs/$shared"
  expect_status 200 "a layer shared by two images is visible under both names"
fi

# --- tags/list and _catalog -------------------------------------------------------
# tags/list lists what can be pulled: a folder has two tags, latest and its
# revision (which sorts first: hex < "l"), pulled or not.
rev="$(curl -fs "$BASE/api/v1/images/fx/hello:latest/pin" | jq -r .revision)"
for tag in latest "$rev"; do
  http HEAD "/v2/fx/hello/manifests/$tag"
  [[ "$HTTP_STATUS" == 200 ]] || fail "HEAD fx/hello:$tag: HTTP $HTTP_STATUS"
done
ok "resolved fx/hello with both tags of its folder"
http GET /v2/fx/hello/tags/list
expect_status 200 "GET tags/list"
expect_eq '{"name":"fx/hello","tags":["'"$rev"'","latest"]}' "$(jq -c . "$WORK/last.body")" \
  "tags/list: the folder's tags, sorted"
expect_eq application/json "$(header Content-Type | cut -d';' -f1)" "tags/list: Content-Type"
has_header Link && fail "tags/list without n has a Link header"
ok "tags/list without n: no Link header"

http GET "/v2/fx/hello/tags/list?n=1"
expect_status 200 "GET tags/list?n=1"
expect_eq '["'"$rev"'"]' "$(jq -c .tags "$WORK/last.body")" "tags/list?n=1: the first"
expect_eq '</v2/fx/hello/tags/list?n=1&last='"$rev"'>; rel="next"' "$(header Link)" "tags/list?n=1: Link to the next page"

http GET "/v2/fx/hello/tags/list?n=1&last=$rev"
expect_status 200 "GET tags/list?n=1&last=REVISION"
expect_eq '["latest"]' "$(jq -c .tags "$WORK/last.body")" "tags/list second page"
has_header Link && fail "the last page has a Link header: $(header Link)"
ok "tags/list: no Link on the last page"

http GET "/v2/fx/hello/tags/list?last=$rev"
expect_status 200 "GET tags/list?last=REVISION"
expect_eq '["latest"]' "$(jq -c .tags "$WORK/last.body")" "tags/list?last=REVISION: the tags after it"

http GET "/v2/fx/hello/tags/list?n=0"
expect_status 200 "GET tags/list?n=0"
expect_eq '[]' "$(jq -c .tags "$WORK/last.body")" "tags/list?n=0: empty list"
expect_server_alive

http GET "/v2/fx/hello/tags/list?n=abc"
expect_error 400 PAGINATION_NUMBER_INVALID "tags/list?n=abc"

http GET /v2/fx/never/pulled/tags/list
expect_status 200 "tags/list of a name never pulled"
expect_eq '["'"$rev"'","latest"]' "$(jq -c .tags "$WORK/last.body")" \
  "tags/list of a name never pulled: its source's tags all the same"
http GET /v2/nosource/x/tags/list
expect_error 404 NAME_UNKNOWN "tags/list of a name no source serves"

# fx/shell/hello and fx/shout/toolbox were pulled by "latest" only (HEAD
# counts: the catalog below holds the name); they list the folder's tags.
http GET /v2/fx/shout/toolbox/tags/list
expect_status 200 "tags/list of the image built by HEAD"
expect_eq '["'"$rev"'","latest"]' "$(jq -c .tags "$WORK/last.body")" "what can be pulled under it"

http GET /v2/_catalog
expect_status 200 "GET _catalog"
expect_eq '["fx/hello","fx/shell/hello","fx/shout/toolbox"]' "$(jq -c .repositories "$WORK/last.body")" \
  "_catalog: every name pulled, sorted"
http GET "/v2/_catalog?n=0"
expect_status 200 "GET _catalog?n=0"
expect_eq '[]' "$(jq -c .repositories "$WORK/last.body")" "_catalog?n=0: empty list"
http GET "/v2/_catalog?n=1"
expect_status 200 "GET _catalog?n=1"
expect_eq '["fx/hello"]' "$(jq -c .repositories "$WORK/last.body")" "_catalog?n=1: first name"
expect_eq '</v2/_catalog?n=1&last=fx%2Fhello>; rel="next"' "$(header Link)" "_catalog?n=1: Link to the next page"
http GET "/v2/_catalog?n=5&last=fx%2Fhello"
expect_status 200 "GET _catalog?n=5&last=fx/hello"
expect_eq '["fx/shell/hello","fx/shout/toolbox"]' "$(jq -c .repositories "$WORK/last.body")" "_catalog after fx/hello"
has_header Link && fail "_catalog last page has a Link header"
ok "_catalog: no Link on the last page"

# --- push endpoints: 405 UNSUPPORTED --------------------------------------------
http POST /v2/fx/hello/blobs/uploads/
expect_error 405 UNSUPPORTED "POST blobs/uploads/ (start an upload)"
http POST "/v2/fx/hello/blobs/uploads/?mount=$layer_digest&from=fx/shell/hello"
expect_error 405 UNSUPPORTED "POST blobs/uploads/?mount= (cross-mount)"
http PATCH /v2/fx/hello/blobs/uploads/0b5ea2c6-upload -H 'Content-Type: application/octet-stream' --data-binary 'xyz'
expect_error 405 UNSUPPORTED "PATCH an upload"
http PUT "/v2/fx/hello/blobs/uploads/0b5ea2c6-upload?digest=$unknown_digest" --data-binary 'xyz'
expect_error 405 UNSUPPORTED "PUT (finish) an upload"
http GET /v2/fx/hello/blobs/uploads/0b5ea2c6-upload
expect_error 405 UNSUPPORTED "GET an upload's status"
http PUT /v2/fx/hello/manifests/latest -H "Content-Type: $OCI_MANIFEST" --data-binary @"$WORK/oci.json"
expect_error 405 UNSUPPORTED "PUT a manifest"
http DELETE "/v2/fx/shell/hello/manifests/$oci_digest"
expect_error 405 UNSUPPORTED "DELETE a manifest"
http DELETE "/v2/fx/shell/hello/blobs/$layer_digest"
expect_error 405 UNSUPPORTED "DELETE a blob"
# Nothing was deleted or replaced.
http GET "/v2/fx/shell/hello/manifests/$oci_digest"
expect_status 200 "the manifest is still there after DELETE"
http HEAD "/v2/fx/shell/hello/blobs/$layer_digest"
expect_status 200 "the blob is still there after DELETE"

# --- unknown endpoints under /v2 ------------------------------------------------
http GET /v2/fx/hello/nonsense
expect_error 404 NAME_UNKNOWN "GET an unknown /v2 endpoint"

expect_server_alive
stop_server
