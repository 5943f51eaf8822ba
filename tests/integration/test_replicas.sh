#!/usr/bin/env bash
# Two replicas on shared engines (PostgreSQL 15 + s3rver), as behind a load
# balancer: real clients through each, one Nix build for concurrent first pulls
# split across both, a replica killed while building, a replica with its data
# folder wiped, tokens of one replica used on the other, build logs read from
# the other replica, and the online garbage collector on both.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_tools skopeo umoci podman chroot psql node openssl aws

start_postgres
start_s3

# sleepy (3 s) and drowsy (12 s) are new derivations in this run.
copy="$(copy_fixture_unique "$WORK/tree")"
openssl genrsa -out "$WORK/signing-key.pem" 2048 2>/dev/null
SHARED=".sources[0].path = \"$copy\" | $(pg_filter) | $(s3_filter strata) |
  .nix.buildLeaseSeconds = 4 | .auth.signingKeyFile = \"$WORK/signing-key.pem\" |
  .gc.intervalSeconds = 2"
write_config "$WORK/a.json" "$SHARED"
write_config "$WORK/b.json" "$SHARED"

# start_replica NAME CONFIG: start_server, remembered as NAME_PID, NAME_REG, NAME_BASE, NAME_LOG.
start_replica() {
  start_server "$2"
  printf -v "${1}_PID" '%s' "$SERVER_PID"
  printf -v "${1}_REG" '%s' "$REGISTRY"
  printf -v "${1}_BASE" '%s' "$BASE"
  printf -v "${1}_LOG" '%s' "$SERVER_LOG"
}
# on_replica NAME: the lib's helpers (http, oci_pull, stop_server…) act on it.
on_replica() {
  local pid="${1}_PID" reg="${1}_REG" base="${1}_BASE" lg="${1}_LOG"
  SERVER_PID="${!pid}" REGISTRY="${!reg}" BASE="${!base}" SERVER_LOG="${!lg}"
}
# metric BASE NAME: a value of /metrics (0 when absent).
metric() {
  local v
  v="$(curl -fs "$1/metrics" | awk -v k="$2" '$1 == k {print $2}')"
  echo "${v:-0}"
}
nix_builds() { echo $(($(metric "$A_BASE" strata_nix_builds_total) + $(metric "$B_BASE" strata_nix_builds_total))); }
digest_on() { curl -fsI -H "Accept: $OCI_MANIFEST" "$1/v2/$2/manifests/${3:-latest}" |
  tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'; }

start_replica A "$WORK/a.json"
start_replica B "$WORK/b.json"
expect_ne "$(sed -n 's/.*replica \([^ ]*\)$/\1/p' "$A_LOG")" "$(sed -n 's/.*replica \([^ ]*\)$/\1/p' "$B_LOG")" \
  "each replica has a name of its own"

# --- real clients through each replica, blobs from presigned S3 URLs ------------------------
on_replica A
expect_eq "Hello from Strata!" "$(pull_and_run demo/shell/hello:latest /bin/hello)" \
  "skopeo copy + umoci + chroot through replica A"
on_replica B
expect_eq "Hello from Strata!" "$(pull_and_run demo/shell/hello:latest /bin/hello)" \
  "skopeo copy + umoci + chroot through replica B"
expect_eq 1 "$(nix_builds)" "the second replica served the first one's build (one Nix build)"
config_digest="$(curl -fs -H "Accept: $OCI_MANIFEST" "$B_BASE/v2/demo/shell/hello/manifests/latest" | jq -r .config.digest)"
for r in A B; do
  on_replica "$r"
  http GET "/v2/demo/shell/hello/blobs/$config_digest"
  expect_status 307 "replica $r redirects a blob GET"
  expect_contains "$(header Location)" "$S3_URL/strata/" "to the bucket"
  expect_contains "$(header Location)" "X-Amz-Signature=" "with a presigned URL"
  podman_ref="$REGISTRY/demo/shell/hello:latest"
  add_cleanup "podman rmi -f '$podman_ref'"
  podman pull --quiet --tls-verify=false "$podman_ref" >"$WORK/podman.out" 2>"$WORK/podman.err" ||
    { cat "$WORK/podman.err" >&2; fail "podman pull through replica $r"; }
  ok "podman pull through replica $r"
done

# --- eight concurrent first pulls, four on each replica: one Nix build ---------------------
before="$(nix_builds)"
pids=()
for i in 1 2 3 4 5 6 7 8; do
  if ((i % 2)); then base="$A_BASE"; else base="$B_BASE"; fi
  curl -s -o /dev/null -D "$WORK/c-$i.headers" -w '%{http_code}' -H "Accept: $OCI_MANIFEST" \
    "$base/v2/fx/sleepy/manifests/latest" >"$WORK/c-$i.status" &
  pids+=($!)
done
wait "${pids[@]}"
for i in 1 2 3 4 5 6 7 8; do expect_eq 200 "$(cat "$WORK/c-$i.status")" "concurrent pull $i answered 200"; done
digests="$(cat "$WORK"/c-*.headers | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p' | sort -u)"
expect_eq 1 "$(echo "$digests" | grep -c .)" "eight pulls on two replicas got one digest"
expect_eq 1 "$(($(nix_builds) - before))" "one Nix build in total (strata_nix_builds_total of both)"
waits="$(($(metric "$A_BASE" strata_build_waits_total) + $(metric "$B_BASE" strata_build_waits_total)))"
expect_ne 0 "$waits" "a replica waited for the other's build"
on_replica B
expect_eq "sleepy $RUN_ID" "$(pull_and_run fx/sleepy:latest /bin/sleepy)" "the image runs"

# --- the log of a build running on A, read on B; then A is killed -------------------------
curl -s -o /dev/null "$A_BASE/v2/fx/drowsy/manifests/latest" &
first_pull=$!
id=""
for ((i = 0; i < 100; i++)); do
  id="$(curl -fs "$B_BASE/api/v1/builds" | jq -r '[.builds[] | select(.image == "fx/drowsy:latest" and .state == "running")][0].id // ""')"
  [[ -n "$id" ]] && break
  sleep 0.1
done
[[ -n "$id" ]] || fail "replica B never listed A's build of fx/drowsy as running"
ok "replica B lists the build running on A"
lines=0
for ((i = 0; i < 50; i++)); do
  lines="$(curl -fs "$B_BASE/api/v1/builds/$id" | jq '.log | length')"
  [[ "$lines" -gt 0 ]] && break
  sleep 0.1
done
expect_ne 0 "$lines" "and reads its Nix log while it runs"
expect_contains "$(curl -fs "$B_BASE/api/v1/builds/$id" | jq -r '.log | join("\n")')" "drowsy" \
  "the log names what Nix builds"
kill -KILL "$A_PID"
wait "$A_PID" 2>/dev/null || true
_forget_pid "$A_PID"
wait "$first_pull" 2>/dev/null || true
ok "replica A killed (SIGKILL) while building fx/drowsy"
b_nix="$(metric "$B_BASE" strata_nix_builds_total)"
start="$(now_seconds)"
code="$(curl -s -o "$WORK/retry.body" -D "$WORK/retry.headers" -w '%{http_code}' -H "Accept: $OCI_MANIFEST" \
  "$B_BASE/v2/fx/drowsy/manifests/latest")"
expect_eq 200 "$code" "the pull retried on replica B succeeds"
figure replica_takeover_seconds "$(elapsed "$start")"
expect_eq 1 "$(($(metric "$B_BASE" strata_nix_builds_total) - b_nix))" "B built it once A's lease ran out"
retried="$(tr -d '\r' <"$WORK/retry.headers" | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')"
# A clean build: a server of its own, nothing shared.
write_config "$WORK/clean.json" ".sources[0].path = \"$copy\""
start_server "$WORK/clean.json"
expect_eq "$(digest_on "$BASE" fx/drowsy)" "$retried" "with the digest a clean build gives"
stop_server
on_replica B
expect_eq "drowsy $RUN_ID" "$(pull_and_run fx/drowsy:latest /bin/drowsy)" "the image runs"

# --- a replica with an empty data folder serves every built image, without Nix -------------
declare -A was
for image in demo/shell/hello fx/sleepy fx/drowsy; do was[$image]="$(digest_on "$B_BASE" "$image")"; done
stop_server
rm -rf "$(config_data_dir "$WORK/b.json")"
start_replica B "$WORK/b.json"
start_replica A "$WORK/a.json"
for image in demo/shell/hello fx/sleepy fx/drowsy; do
  expect_eq "${was[$image]}" "$(digest_on "$B_BASE" "$image")" "wiped replica B serves $image with its digest"
  expect_eq "${was[$image]}" "$(digest_on "$A_BASE" "$image")" "restarted replica A serves $image with its digest"
done
expect_eq 0 "$(nix_builds)" "neither replica ran Nix"
on_replica B
expect_eq "sleepy $RUN_ID" "$(pull_and_run fx/sleepy:latest /bin/sleepy)" "the wiped replica's image runs"

# --- the online garbage collector on both: orphans go, nothing referenced does -------------
printf 'an orphan blob' >"$WORK/orphan"
orphan="$(sha256sum <"$WORK/orphan" | cut -d' ' -f1)"
aws_s3 s3 cp "$WORK/orphan" "s3://strata/sha256/$orphan" >/dev/null || fail "aws s3 cp of an orphan"
touch -d '2 hours ago' "$S3_DIR/strata/sha256/$orphan._S3rver_object"
gone=""
for ((i = 0; i < 100; i++)); do
  if ! aws_s3 s3api head-object --bucket strata --key "sha256/$orphan" >/dev/null 2>&1; then gone=1; break; fi
  sleep 0.2
done
expect_eq 1 "$gone" "the online collector removed the old orphan from the bucket"
removals="$(cat "$A_LOG" "$B_LOG" | grep -c "removed 1 unreferenced blobs" || true)"
expect_eq 1 "$removals" "one replica removed it, once"
for r in A B; do
  on_replica "$r"
  expect_eq "drowsy $RUN_ID" "$(pull_and_run fx/drowsy:latest /bin/drowsy)" "replica $r still serves every blob after gc"
done
expect_contains "$("$STRATA_BIN" admin --config "$WORK/a.json" gc)" "removed 0 unreferenced blobs" \
  "strata admin gc beside the online collectors removes nothing referenced"

# --- tokens of one replica work on the other ------------------------------------------------
for r in A B; do on_replica "$r"; stop_server; done
# Clients follow the token realm of publicUrl: each replica is its own here.
for r in a b; do
  port="$(pick_port)"
  jq --arg l "127.0.0.1:$port" --arg u "http://127.0.0.1:$port" \
    '.auth.enabled = true | .auth.tokenTtlSeconds = 900 | .listen = $l | .publicUrl = $u' \
    "$WORK/$r.json" >"$WORK/$r-auth.json"
done
printf 'alice-pw\n' | "$STRATA_BIN" admin --config "$WORK/a-auth.json" user add alice >/dev/null
"$STRATA_BIN" admin --config "$WORK/a-auth.json" team add devs >/dev/null
"$STRATA_BIN" admin --config "$WORK/a-auth.json" team add-member devs alice >/dev/null
"$STRATA_BIN" admin --config "$WORK/a-auth.json" grant devs fx '*' pull >/dev/null
start_replica A "$WORK/a-auth.json"
start_replica B "$WORK/b-auth.json"
token="$(curl -fs -u alice:alice-pw "$A_BASE/token?service=strata&scope=repository:fx/sleepy:pull" | jq -r .token)"
expect_match "$token" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "replica A issues a token"
expect_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
  -H "Accept: $OCI_MANIFEST" "$B_BASE/v2/fx/sleepy/manifests/latest")" "replica B accepts it"
expect_eq 401 "$(curl -s -o /dev/null -w '%{http_code}' -H "Accept: $OCI_MANIFEST" \
  "$B_BASE/v2/fx/sleepy/manifests/latest")" "and still wants one"
on_replica B
skopeo inspect --tls-verify=false --creds alice:alice-pw "docker://$B_REG/fx/sleepy:latest" >/dev/null \
  2>"$WORK/inspect.err" || { cat "$WORK/inspect.err" >&2; fail "skopeo inspect as alice on B"; }
ok "skopeo with alice's password on replica B"
for r in A B; do on_replica "$r"; stop_server; done
