#!/usr/bin/env bash
# Strata's images do not depend on the Nix version: the same revision and
# packages give the same manifest and SBOM digests under Debian 12's Nix 2.8
# and Debian 13's Nix 2.26 (tests/tools/nix-2.26, as nix.binDir), whichever
# of them builds the packages. The start-up log and /metrics say which Nix runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NIX_226="${STRATA_TOOLS_DIR:-/var/cache/strata-test-tools}/nix-2.26/bin"
[[ -x "$NIX_226/nix-build" ]] ||
  fail "no Nix 2.26 in $NIX_226: run tests/tools/nix-2.26/build.sh (scripts/setup.sh --tests does)"
unset STRATA_TEST_NIX_BIN_DIR STRATA_TEST_NIX_DAEMON

# Fresh derivations (sleepy, drowsy) of this run: Nix 2.26 builds them first.
copy="$(copy_fixture_unique "$WORK/tree")"
write_config "$WORK/new.json" ".sources[0].path = \"$copy\" | .nix.binDir = \"$NIX_226\""
write_config "$WORK/old.json" ".sources[0].path = \"$copy\""

images=(fx/sleepy fx/shell/hello fx/manyall demo/shell/hello)
declare -A digests sboms
for nix in new old; do
  start_server "$WORK/$nix.json"
  version="$(curl -s "$BASE/metrics" | sed -n 's/^strata_nix_info{version="\([^"]*\)"} 1$/\1/p')"
  log "$nix: Nix $version"
  expect_eq "$version" "$(curl -s "$BASE/api/v1/sources" | jq -r .nix.version)" \
    "GET /api/v1/sources says which Nix runs"
  if [[ "$nix" == new ]]; then
    expect_match "$version" '^2\.26\.' "the server runs Nix 2.26 from nix.binDir"
  else
    expect_match "$version" '^2\.8\.' "the server runs Debian 12's Nix 2.8"
  fi
  for image in "${images[@]}"; do
    digests[$nix:$image]="$(manifest_digest "$image" latest)"
    http GET "/v2/$image/referrers/${digests[$nix:$image]}"
    sboms[$nix:$image]="$(jq -r '.manifests[0].digest // ""' "$WORK/last.body")"
  done
  [[ "$nix" == new ]] && expect_eq "sleepy $RUN_ID" "$(pull_and_run fx/sleepy sleepy)" \
    "an image Nix 2.26 built runs"
  stop_server
done
for image in "${images[@]}"; do
  expect_eq "${digests[old:$image]}" "${digests[new:$image]}" "$image: one manifest digest under Nix 2.8 and 2.26"
  expect_ne "" "${sboms[new:$image]}" "$image has an SBOM"
  expect_eq "${sboms[old:$image]}" "${sboms[new:$image]}" "$image: one SBOM digest under Nix 2.8 and 2.26"
done
