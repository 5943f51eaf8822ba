#!/usr/bin/env bash
# Isolated evaluation: a package set reads only its own folder and its
# source's allowedPaths (Nix restrict-eval). An attacker who can commit to one
# source tries to put the token signing key, another source's file,
# /etc/passwd or the server's environment into an image: every attempt fails
# with a clear build error, and no answer, image or log holds the secret. The
# package set's own files still work, and a configuration that would let a
# source read the data folder or a secret does not start.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

secret="STRATA-SECRET-$RUN_ID"
data="$WORK/data"
mkdir -p "$data" "$WORK/other" "$WORK/evil"
printf '%s\n' "-----BEGIN PRIVATE KEY----- $secret" >"$data/token-signing-key.pem"
printf '%s\n' "STRATA-OTHER-$secret" >"$WORK/other/secret.txt"
cp "$FIXTURE_PKGS/../evil/default.nix" "$WORK/evil/default.nix"
echo "the package set own file" >"$WORK/evil/own.txt"
ln -s "$data/token-signing-key.pem" "$WORK/evil/link-to-key"
mkdir -m 700 "$WORK/rootonly"
printf '%s\n' "STRATA-ROOT-ONLY-$secret" >"$WORK/rootonly/notes.txt"
chmod 600 "$WORK/rootonly/notes.txt" "$data/token-signing-key.pem"
jq -n --arg key "$data/token-signing-key.pem" --arg other "$WORK/other/secret.txt" \
  --arg lib "$DEMO_PKGS/lib.nix" --arg rootOnly "$WORK/rootonly/notes.txt" \
  '{key: $key, other: $other, lib: $lib, rootOnly: $rootOnly}' >"$WORK/evil/targets.json"
printf '{ }\n' >"$WORK/other/default.nix"

write_config "$WORK/strata.json" ".dataDir = \"$data\" | .sources += [
  { name: \"evil\", prefix: \"evil\", type: \"path\", path: \"$WORK/evil\",
    allowedPaths: [\"/usr/bin\", \"$DEMO_PKGS/lib.nix\", \"$WORK/rootonly\"] },
  { name: \"other\", prefix: \"other\", type: \"path\", path: \"$WORK/other\" } ]"
STRATA_TEST_SECRET="$secret" start_server "$WORK/strata.json"

# --- every attempt: a build error naming restricted mode, never the secret -----------
for pkg in readkey readother readpasswd vialink copydata listdata fetchkey; do
  http GET "/v2/evil/$pkg/manifests/latest" -H "Accept: $OCI_MANIFEST"
  expect_error 500 UNKNOWN "evil/$pkg is refused"
  expect_contains "$(error_field detail)" "restricted mode" "evil/$pkg: Nix says it is forbidden in restricted mode"
  expect_not_contains "$(body)" "$secret" "evil/$pkg: the answer does not hold the secret"
  expect_not_contains "$(body)" "root:x:0:0" "evil/$pkg: nor /etc/passwd"
done

# The description, which the SBOM would show: refused or empty, never the key.
http GET "/v2/evil/inmeta/manifests/latest" -H "Accept: $OCI_MANIFEST"
expect_not_contains "$(body)" "$secret" "a description reading the key: not in the answer"
if [[ "$HTTP_STATUS" == 200 ]]; then
  sbom="$(jq -r '.annotations["org.opencontainers.image.description"] // ""' "$WORK/last.body")"
  expect_not_contains "$sbom" "$secret" "nor in the image"
fi

# The server's environment is not the package set's.
rootfs="$(pull_rootfs evil/environment)"
expect_not_contains "$(cat "$rootfs"/nix/store/*-evil-env/share/leak)" "$secret" \
  "builtins.getEnv sees nothing of the server's environment"

# --- the package set's own files still work ------------------------------------------

expect_eq "the package set own file" "$(pull_and_run evil/own own)" \
  "a package reading its own folder builds and runs"
expect_not_contains "$(cat "$SERVER_LOG")" "$secret" "the server log never holds the secret"
stop_server

# --- configurations that would draw the boundary around a secret do not start ---------
for allowed in "$data" "$WORK" "/" "$data/blobs" "$WORK/other"; do
  write_config "$WORK/bad.json" ".dataDir = \"$data\" | .sources += [
    { name: \"other\", prefix: \"other\", type: \"path\", path: \"$WORK/other\" } ]
    | .sources[0].allowedPaths = [\"$allowed\"]"
  out="$("$STRATA_BIN" serve --config "$WORK/bad.json" 2>&1 >/dev/null)" && rc=0 || rc=$?
  expect_ne 0 "$rc" "allowedPaths ['$allowed'] stops start-up"
  expect_contains "$out" "sources.0.allowedPaths" "naming the key ('$allowed')"
done
write_config "$WORK/bad.json" ".dataDir = \"$data\" | .sources[0].path = \"$WORK\""
out="$("$STRATA_BIN" serve --config "$WORK/bad.json" 2>&1 >/dev/null)" && rc=0 || rc=$?
expect_ne 0 "$rc" "a path source holding the data folder stops start-up"
expect_contains "$out" "sources.0.path" "naming the key"

# --- through the nix-daemon, Nix runs as an unprivileged user ---------------------------
# The operating system, not only restrict-eval, then keeps root's files from
# the package set: a root-only file the source lists in allowedPaths is
# readable to Nix running as root, and not to Nix running as nobody.
write_config "$WORK/strata.json" ".dataDir = \"$data\" | .sources += [
  { name: \"evil\", prefix: \"evil\", type: \"path\", path: \"$WORK/evil\",
    allowedPaths: [\"/usr/bin\", \"$DEMO_PKGS/lib.nix\", \"$WORK/rootonly\"] } ]"
start_server "$WORK/strata.json"
http GET "/v2/evil/readrootonly/manifests/latest" -H "Accept: $OCI_MANIFEST"
expect_status 200 "without a daemon, Nix runs as root and reads a root-only allowed path"
stop_server

chmod 755 "$WORK"  # mktemp made it 0700: nobody could not reach the package set
start_nix_daemon
write_config "$WORK/daemon.json" ".dataDir = \"$WORK/data-daemon\" | .nix.daemon = true | .sources += [
  { name: \"evil\", prefix: \"evil\", type: \"path\", path: \"$WORK/evil\",
    allowedPaths: [\"/usr/bin\", \"$DEMO_PKGS/lib.nix\", \"$WORK/rootonly\"] } ]"
start_server "$WORK/daemon.json"
expect_contains "$(cat "$SERVER_LOG")" "runs through the nix-daemon as nobody" "the log says how Nix runs"
http GET "/v2/evil/readrootonly/manifests/latest" -H "Accept: $OCI_MANIFEST"
expect_error 500 UNKNOWN "through the daemon, a root-only file is out of reach"
expect_contains "$(error_field detail)" "Permission denied" "Nix says permission denied"
expect_not_contains "$(body)" "$secret" "and the answer does not hold it"
http GET "/v2/evil/readkey/manifests/latest" -H "Accept: $OCI_MANIFEST"
expect_error 500 UNKNOWN "the signing key stays refused"

expect_eq "the package set own file" "$(pull_and_run evil/own own)" \
  "an image built through the daemon by an unprivileged Nix runs"
expect_not_contains "$(cat "$SERVER_LOG")" "$secret" "the server log never holds the secret"
stop_server

# --- Strata itself as an unprivileged user, through the daemon --------------------------
# With a nix-daemon, the server needs no privileges at all: it runs as nobody
# (its data folder nobody's), builds a new image, and the build's log still
# streams from Nix through it.
mkdir -m 755 "$WORK/unpriv"
chown nobody:nogroup "$WORK/unpriv"
printf '#!/bin/sh\nexec setpriv --reuid nobody --regid nogroup --clear-groups env HOME=/nonexistent %q "$@"\n' \
  "$STRATA_BIN" >"$WORK/strata-as-nobody"
chmod 755 "$WORK/strata-as-nobody"
copy="$(copy_fixture_unique "$WORK/tree")"
write_config "$WORK/unpriv.json" ".dataDir = \"$WORK/unpriv/data\" | .nix.daemon = true |
  .sources[0].path = \"$copy\""
chmod 644 "$WORK/unpriv.json"
real_bin="$STRATA_BIN"
STRATA_BIN="$WORK/strata-as-nobody"
start_server "$WORK/unpriv.json"
STRATA_BIN="$real_bin"
expect_eq nobody "$(ps -o user= -p "$SERVER_PID" | tr -d ' ')" "the server runs as nobody"
expect_match "$(grep -o 'Nix .* runs .*' "$SERVER_LOG")" 'runs through the nix-daemon$' \
  "and runs Nix through the daemon, as itself"
expect_eq "sleepy $RUN_ID" "$(pull_and_run fx/sleepy sleepy)" "it builds a new image, which runs"
build_id="$(curl -s "$BASE/api/v1/builds" | jq -r '[.builds[] | select(.image | test("sleepy"))][0].id')"
expect_contains "$(curl -s "$BASE/api/v1/builds/$build_id" | jq -r '.log[]')" "building '/nix/store/" \
  "the build's log holds Nix's lines, through the daemon"
expect_eq nobody "$(stat -c %U "$WORK/unpriv/data/strata.db")" "its data is nobody's"
stop_server
