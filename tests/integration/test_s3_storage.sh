#!/usr/bin/env bash
# Blobs in an S3 bucket (s3rver): real clients pull through presigned URLs
# (307), or streamed; multipart uploads of a large layer; the AWS command line
# client reads back what Strata wrote; bad credentials, a missing bucket and a
# store that goes away answer in one line and 503.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo umoci podman chroot aws node

start_s3
write_config "$WORK/s3.json" "$(s3_filter strata reg/) | .storage.s3.partSizeMiB = 5"
start_server "$WORK/s3.json"

# --- a pull through the redirects ----------------------------------------------------------
rootfs="$(pull_rootfs demo/shell/hello:latest)"
ok "skopeo copy of demo/shell/hello with blobs in S3"
expect_eq "Hello from Strata!" "$(run_in_rootfs "$rootfs" /bin/hello)" "the unpacked image runs /bin/hello"

get_manifest demo/shell/hello latest
config="$(jq -r .config.digest "$WORK/last.body")"
layer="$(jq -r '.layers[0].digest' "$WORK/last.body")"
http GET "/v2/demo/shell/hello/blobs/$layer"
expect_status 307 "a blob GET answers with a redirect"
location="$(header Location)"
expect_match "$location" "^$S3_URL/strata/reg/sha256/${layer#sha256:}\\?X-Amz-Algorithm=AWS4-HMAC-SHA256&" \
  "the redirect is a presigned URL of the object"
expect_contains "$location" "X-Amz-Expires=300" "valid presignSeconds"
expect_eq "$layer" "$(header Docker-Content-Digest)" "the redirect names the digest"
curl -fs -o "$WORK/layer.blob" "$location" || fail "GET of the presigned URL"
expect_eq "$layer" "sha256:$(sha256sum <"$WORK/layer.blob" | cut -d' ' -f1)" \
  "the presigned URL gives the blob's bytes"
# s3rver does not check SigV4 query signatures: AWS's own signer (botocore)
# must give the same URL for the same object, time and key.
amz_date="$(sed -n 's/.*X-Amz-Date=\([0-9TZ]*\).*/\1/p' <<<"$location")"
jq -n --arg url "${location%%\?*}" --arg time "$amz_date" '[{method: "GET", url: $url,
  time: $time, region: "us-east-1", accessKeyId: "S3RVER", secretAccessKey: "S3RVER",
  expires: 300}]' | /usr/bin/python3 "$STRATA_SOURCE_DIR/tests/tools/sigv4_reference.py" >"$WORK/aws.json" ||
  fail "botocore's signer"
expect_eq "$(jq -r .url "$WORK/aws.json")" "$location" "botocore presigns the very same URL"
http HEAD "/v2/demo/shell/hello/blobs/$layer"
expect_status 200 "HEAD of a blob is answered by the registry"
expect_eq "$(stat -c %s "$WORK/layer.blob")" "$(header Content-Length)" "HEAD: the blob's size"

podman_ref="$REGISTRY/demo/shell/hello:latest"
add_cleanup "podman rmi -f '$podman_ref'"
podman pull --quiet --tls-verify=false "$podman_ref" >"$WORK/podman.out" 2>"$WORK/podman.err" ||
  { cat "$WORK/podman.err" >&2; fail "podman pull $podman_ref"; }
ok "podman pull through the redirects"

# --- what is in the bucket, read by the AWS client ----------------------------------------
aws_s3 s3 ls s3://strata/reg/sha256/ >"$WORK/ls.txt" || fail "aws s3 ls"
expect_contains "$(cat "$WORK/ls.txt")" "${config#sha256:}" "aws s3 ls lists the image config"
aws_s3 s3 cp "s3://strata/reg/sha256/${config#sha256:}" "$WORK/config.json" >/dev/null ||
  fail "aws s3 cp of the config"
expect_eq "$config" "sha256:$(sha256sum <"$WORK/config.json" | cut -d' ' -f1)" \
  "aws s3 cp: the object's bytes are the blob's"
[[ -z "$(ls "$(config_data_dir "$WORK/s3.json")/spool")" ]] || fail "spool files left behind"
ok "no spool file is left after the uploads"

# --- a large layer: multipart (parts of 5 MiB) --------------------------------------------
get_manifest fx/bigdata latest
big="$(jq -r '[.layers[] | select(.size > 20000000)][0].digest' "$WORK/last.body")"
[[ "$big" == sha256:* ]] || fail "fx/bigdata has no layer over 20 MB"
aws_s3 s3api head-object --bucket strata --key "reg/sha256/${big#sha256:}" >"$WORK/head.json" ||
  fail "head-object of the large layer"
expect_eq "$(jq -r '[.layers[] | select(.size > 20000000)][0].size' "$WORK/last.body")" \
  "$(jq -r .ContentLength "$WORK/head.json")" "the large layer is whole in the bucket"
parts="$(grep -c 'Stored part' "$S3_DIR.log" || true)"
[[ "$parts" -ge 5 ]] || fail "the large layer was not uploaded in parts of 5 MiB ($parts parts)"
ok "the large layer was uploaded in $parts parts"
rootfs="$(pull_rootfs fx/bigdata:latest)"
ok "skopeo copy of fx/bigdata (multipart layer) through the redirect"

# --- streamed rather than redirected ---------------------------------------------------------
stop_server
jq '.storage.s3.redirect = false' "$WORK/s3.json" >"$WORK/stream.json"
start_server "$WORK/stream.json"
http GET "/v2/demo/shell/hello/blobs/$layer"
expect_status 200 "with redirect false, the registry streams the blob"
expect_eq "$layer" "$(body_sha256)" "streamed bytes are the blob's"
http GET "/v2/demo/shell/hello/blobs/$layer" -H "Range: bytes=10-99"
expect_status 206 "a range of a blob in S3"
expect_eq 90 "$(body_size)" "the range's size"
expect_eq "$(tail -c +11 "$WORK/layer.blob" | head -c 90 | sha256sum)" "$(sha256sum <"$WORK/last.body")" \
  "the range's bytes"
oci_pull fx/bigdata:latest "$WORK/big-streamed"
ok "skopeo copy of fx/bigdata streamed from S3"
expect_server_alive
stop_server

# --- gc on the bucket ------------------------------------------------------------------------
printf 'an orphan blob' >"$WORK/orphan"
orphan="$(sha256sum <"$WORK/orphan" | cut -d' ' -f1)"
aws_s3 s3 cp "$WORK/orphan" "s3://strata/reg/sha256/$orphan" >/dev/null || fail "aws s3 cp of an orphan"
touch -d '2 hours ago' "$S3_DIR/strata/reg/sha256/$orphan._S3rver_object"
before="$(aws_s3 s3 ls s3://strata/reg/sha256/ | grep -c .)"
expect_contains "$("$STRATA_BIN" admin --config "$WORK/s3.json" gc)" "removed 1 unreferenced blobs (14 bytes)" \
  "strata admin gc removes the old orphan from the bucket"
expect_eq "$((before - 1))" "$(aws_s3 s3 ls s3://strata/reg/sha256/ | grep -c .)" \
  "every other object is kept"
aws_s3 s3api head-object --bucket strata --key "reg/sha256/$orphan" >/dev/null 2>&1 &&
  fail "the orphan is still in the bucket"
ok "the orphan is gone"

# --- bad credentials, a missing bucket: start-up stops with one line ----------------------
write_config "$WORK/bad-key.json" "$(s3_filter) | .storage.s3.accessKeyId = \"NOBODY\""
if "$STRATA_BIN" serve --config "$WORK/bad-key.json" >"$WORK/bad-key.out" 2>&1; then
  fail "the server started with an unknown access key"
fi
expect_eq 1 "$(grep -c . "$WORK/bad-key.out")" "a wrong access key: one line on stderr"
expect_contains "$(cat "$WORK/bad-key.out")" "strata: storage.s3" "the line names the configuration key"
expect_contains "$(cat "$WORK/bad-key.out")" "InvalidAccessKeyId" "the line names S3's reason"
expect_contains "$(cat "$WORK/bad-key.out")" "storage.s3.accessKeyId" "the line says what to check"
expect_not_contains "$(cat "$WORK/bad-key.out")" "S3RVER" "the secret is never printed"
write_config "$WORK/no-bucket.json" "$(s3_filter nosuchbucket)"
if "$STRATA_BIN" serve --config "$WORK/no-bucket.json" >"$WORK/no-bucket.out" 2>&1; then
  fail "the server started with a missing bucket"
fi
expect_contains "$(cat "$WORK/no-bucket.out")" "bucket 'nosuchbucket'" "a missing bucket is named"
expect_contains "$(cat "$WORK/no-bucket.out")" "does not exist" "and said to be missing"

# --- the store goes away during a build: 503, and nothing that hinders the next try ------
write_config "$WORK/gone.json" "$(s3_filter strata gone/)"
start_server "$WORK/gone.json"
http GET /readyz
expect_status 200 "ready while the store answers"
stop_s3
http GET /readyz
expect_status 503 "not ready while the store is down"
expect_eq "blob store" "$(jq -r .failing "$WORK/last.body")" "readyz names the blob store"
http GET /healthz
expect_status 200 "alive all the same"
http GET /v2/fx/shout/manifests/latest
expect_error 503 UNAVAILABLE "a build while the store is down"
expect_contains "$(error_field detail)" "cannot reach" "the detail says the store cannot be reached"
http GET /v2/_catalog
expect_not_contains "$(jq -r '.repositories[]' "$WORK/last.body")" "fx/shout" \
  "the failed build recorded no tag (the name is not served)"
expect_server_alive
start_s3 strata "$S3_DIR" "$S3_PORT"
http GET /readyz
expect_status 200 "ready again once the store is back"
http GET /v2/fx/shout/manifests/latest
expect_status 200 "once the store is back, the same pull builds and answers"
rootfs="$(pull_rootfs fx/shout:latest)"
expect_eq "HELLO FROM THE FIXTURE" "$(run_in_rootfs "$rootfs" /bin/shout)" "and the image runs"
stop_server
