#!/usr/bin/env bash
# Bounded load: identical requests share one build (single flight, HEAD
# included); different images beyond nix.maxConcurrentBuilds wait, and beyond
# nix.maxQueuedBuilds waiting builds get 429 TOOMANYREQUESTS with Retry-After.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# sleepy and sleepyToo take 3 s to build; with a run-id of their own they are
# built afresh in this run.
copy="$(copy_fixture_unique "$WORK/tree")"
write_config "$WORK/strata.json" ".sources[0].path = \"$copy\" |
  .nix.maxConcurrentBuilds = 1 | .nix.maxQueuedBuilds = 1"
start_server "$WORK/strata.json"

metric() {
  curl -fs "$BASE/metrics" | awk -v k="$1" '$1 == k {print $2}'
}

# --- single flight: four GETs and a HEAD for one new image, one Nix run -----------------
nix_before="$(metric 'strata_build_phase_seconds_count{phase="nix"}')"
pids=()
for i in 1 2 3 4; do
  curl -s -o /dev/null -D "$WORK/sf-$i.headers" -w '%{http_code}' -H "Accept: $OCI_MANIFEST" \
    "$BASE/v2/fx/sleepy/manifests/latest" >"$WORK/sf-$i.status" &
  pids+=($!)
done
curl -s -I -o /dev/null -D "$WORK/sf-head.headers" -w '%{http_code}' -H "Accept: $OCI_MANIFEST" \
  "$BASE/v2/fx/sleepy/manifests/latest" >"$WORK/sf-head.status" &
pids+=($!)
wait "${pids[@]}"
digests="$(cat "$WORK"/sf-*.headers | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p' | sort -u)"
for f in "$WORK"/sf-*.status; do expect_eq 200 "$(cat "$f")" "$(basename "$f" .status) answered 200"; done
expect_eq 1 "$(echo "$digests" | grep -c .)" "all five requests (HEAD included) got one digest"
nix_after="$(metric 'strata_build_phase_seconds_count{phase="nix"}')"
expect_eq 1 "$(( ${nix_after:-0} - ${nix_before:-0} ))" "one Nix run for five concurrent requests"
expect_eq 4 "$(metric 'strata_image_cache_total{result="shared"}')" "four requests waited on the shared build"

# --- queue: one build runs, one waits, the third is refused -----------------------------
# Three different new images at once (each needs a 3 s Nix build of its own).
images=(fx/sleepytoo fx/sleepytoo/hello fx/sleepytoo/words)
pids=()
for i in 0 1 2; do
  curl -s -o "$WORK/q-$i.body" -D "$WORK/q-$i.headers" -w '%{http_code}' \
    "$BASE/v2/${images[$i]}/manifests/latest" >"$WORK/q-$i.status" &
  pids+=($!)
  sleep 0.2  # spread out: the first takes the slot, the second queues
done
wait "${pids[@]}"
statuses="$(for f in "$WORK"/q-*.status; do cat "$f"; echo; done | sort | tr '\n' ' ')"
expect_eq "200 200 429 " "$statuses" "two builds served (one ran, one waited), one refused"
for i in 0 1 2; do
  if [[ "$(cat "$WORK/q-$i.status")" == 429 ]]; then
    expect_eq TOOMANYREQUESTS "$(jq -r '.errors[0].code' "$WORK/q-$i.body")" "429 carries TOOMANYREQUESTS"
    retry="$(tr -d '\r' <"$WORK/q-$i.headers" | sed -n 's/^[Rr]etry-[Aa]fter: //p')"
    expect_match "$retry" '^[0-9]+$' "429 carries Retry-After in seconds"
  fi
done
expect_eq 1 "$(metric 'strata_builds_total{result="rejected"}')" "the refusal is counted"
expect_eq 0 "$(metric strata_build_queue_length)" "nothing is left waiting"
expect_eq 0 "$(metric strata_builds_running)" "nothing is left running"

# The refused image builds once there is room.
http GET "/v2/${images[2]}/manifests/latest"
expect_status 200 "the refused image builds on a later request"
expect_server_alive
stop_server
