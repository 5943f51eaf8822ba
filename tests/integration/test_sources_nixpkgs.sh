#!/usr/bin/env bash
# A `nixpkgs` source: a git source with nixpkgs' defaults. A nixpkgs-shaped
# repository is made at test time (a function of system, config and overlays
# returning bashInteractive, coreutils, moreutils, nano, cacert, iana-etc and
# hello, all tiny busybox-built stand-ins), on a channel-like branch
# nixos-24.05 that is the source's defaultRef. It proves:
#   - GET /api/v1/sources shows the defaults (shell meta-package, alwaysInclude);
#   - <prefix>/shell holds bash, coreutils, moreutils and nano, plus the files of
#     cacert and iana-etc, and its bash runs;
#   - <prefix>/hello holds hello plus cacert and iana-etc (always included);
#   - pulls by latest, by the channel branch name and by commit give one digest;
#     the channel moving gives a new revision; the older commit keeps its digest.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sources_lib.sh"
require_tools skopeo umoci chroot

# --- the nixpkgs-shaped repository --------------------------------------------------------
repo="$WORK/nixpkgs"
git init -q -b master "$repo"
cp "$DEMO_PKGS/lib.nix" "$repo/lib.nix"
echo '"24.05.1"' >"$repo/release.nix"
cat >"$repo/default.nix" <<'EOF'
# nixpkgs in miniature: called like nixpkgs (import ./. { system, config,
# overlays }), returning packages named like nixpkgs' own. Every package is a
# busybox-built stand-in (lib.nix).
{ system ? builtins.currentSystem, config ? { }, overlays ? [ ] }:
let
  lib = import ./lib.nix { inherit system; };
  inherit (lib) busybox mkPackage writeScriptBin;
  release = import ./release.nix;
  pkgs = {
    bashInteractive = writeScriptBin "bash" ''exec sh "$@"'';
    coreutils = mkPackage {
      name = "coreutils-9.4";
      script = ''
        mkdir -p $out/bin
        for p in cat echo ls mkdir rm sort; do ln -s ${busybox}/bin/busybox $out/bin/$p; done
      '';
    };
    moreutils = writeScriptBin "sponge" ''exec cat > "$1"'';
    nano = writeScriptBin "nano" ''echo "GNU nano stand-in (nixpkgs ${release})"'';
    hello = writeScriptBin "hello" ''echo "Hello, world! (nixpkgs ${release})"'';
    cacert = mkPackage {
      name = "nss-cacert-3.98";
      script = ''
        mkdir -p $out/etc/ssl/certs
        printf '%s\n' "-----BEGIN CERTIFICATE-----" "U1RSQVRBIEZJWFRVUkUgQ0E=" "-----END CERTIFICATE-----" \
          > $out/etc/ssl/certs/ca-bundle.crt
      '';
    };
    iana-etc = mkPackage {
      name = "iana-etc-20240318";
      script = ''
        mkdir -p $out/etc
        printf 'http\t\t80/tcp\t\twww\nhttps\t\t443/tcp\n' > $out/etc/services
        printf 'ip\t0\tIP\ntcp\t6\tTCP\nudp\t17\tUDP\n' > $out/etc/protocols
      '';
    };
  };
in
builtins.foldl' (acc: overlay: acc // overlay acc acc) pkgs overlays
EOF
git -C "$repo" add -A
git -C "$repo" commit -q -m "nixpkgs 24.05.1"
git -C "$repo" branch nixos-24.05
echo '"unstable"' >"$repo/release.nix"
git -C "$repo" commit -q -a -m "unstable"
c_unstable="$(git -C "$repo" rev-parse HEAD)"
git -C "$repo" branch nixos-unstable
c_2405="$(git -C "$repo" rev-parse nixos-24.05)"
bare_from "$repo" "$WORK/nixpkgs.git"
ok "nixpkgs-shaped repository: nixos-24.05 at $c_2405, nixos-unstable at $c_unstable"

write_config "$WORK/strata.json" "
  .sources = [
    { name: \"nixpkgs\", prefix: \"nixpkgs\", type: \"nixpkgs\", url: \"file://$WORK/nixpkgs.git\",
      defaultRef: \"nixos-24.05\", refreshSeconds: 0 },
    { name: \"unstable\", prefix: \"unstable\", type: \"nixpkgs\", url: \"file://$WORK/nixpkgs.git\" }
  ]"
start_server "$WORK/strata.json"

# --- the defaults, as the API shows them ------------------------------------------------------
http GET /api/v1/sources
expect_status 200 "GET /api/v1/sources"
src_json="$(jq -c '.sources[] | select(.name == "nixpkgs")' "$WORK/last.body")"
expect_eq "nixpkgs" "$(jq -r .type <<<"$src_json")" "the source has type nixpkgs"
expect_eq '["bashInteractive","coreutils","moreutils","nano"]' "$(jq -c .metaPackages.shell <<<"$src_json")" \
  "nixpkgs default: shell = bashInteractive, coreutils, moreutils, nano"
expect_eq '["cacert","iana-etc"]' "$(jq -c .alwaysInclude <<<"$src_json")" "nixpkgs default: alwaysInclude = cacert, iana-etc"
expect_eq "nixos-24.05" "$(jq -r .defaultRef <<<"$src_json")" "the configured channel branch is the defaultRef"
expect_eq "nixos-unstable" "$(jq -r '.sources[] | select(.name == "unstable") | .defaultRef' "$WORK/last.body")" \
  "nixpkgs default: defaultRef nixos-unstable"

# --- nixpkgs/shell -----------------------------------------------------------------------
rootfs="$(pull_rootfs nixpkgs/shell:latest)"
for f in bin/bash bin/ls bin/cat bin/sponge bin/nano etc/ssl/certs/ca-bundle.crt etc/services etc/protocols; do
  [[ -e "$rootfs/$f" ]] || fail "nixpkgs/shell has no /$f"
done
ok "nixpkgs/shell has bash, coreutils (ls, cat), moreutils (sponge), nano, cacert and iana-etc files"
expect_eq "shell works" "$(run_in_rootfs "$rootfs" /bin/bash -c 'echo shell works')" "bash runs in nixpkgs/shell"
expect_eq "GNU nano stand-in (nixpkgs 24.05.1)" "$(run_in_rootfs "$rootfs" /bin/nano)" "nano of the nixos-24.05 channel"
expect_contains "$(run_in_rootfs "$rootfs" /bin/cat /etc/services)" "https" "cat (coreutils) reads /etc/services (iana-etc)"
expect_contains "$(run_in_rootfs "$rootfs" /bin/cat /etc/ssl/certs/ca-bundle.crt)" "BEGIN CERTIFICATE" \
  "the CA bundle of cacert is at /etc/ssl/certs/ca-bundle.crt"
expect_eq "piped" "$(run_in_rootfs "$rootfs" /bin/bash -c 'echo piped | sponge /sponged && cat /sponged')" \
  "sponge (moreutils) runs"

# --- nixpkgs/hello: cacert and iana-etc always included ------------------------------------
rootfs="$(pull_rootfs nixpkgs/hello:latest)"
expect_eq "Hello, world! (nixpkgs 24.05.1)" "$(run_in_rootfs "$rootfs" /bin/hello)" "nixpkgs/hello runs hello of nixos-24.05"
for f in etc/ssl/certs/ca-bundle.crt etc/services etc/protocols; do
  [[ -e "$rootfs/$f" ]] || fail "nixpkgs/hello has no /$f (alwaysInclude)"
done
ok "nixpkgs/hello also holds the files of cacert and iana-etc (alwaysInclude)"
[[ ! -e "$rootfs/bin/bash" && ! -e "$rootfs/bin/nano" ]] || fail "nixpkgs/hello holds the shell's packages"
ok "nixpkgs/hello holds no package of the shell meta-package"
http GET "/v2/nixpkgs/hello/manifests/latest" -H "Accept: $OCI_MANIFEST"
http GET "/v2/nixpkgs/hello/blobs/$(jq -r .config.digest "$WORK/last.body")"
expect_status 200 "the config of nixpkgs/hello"
expect_eq "$c_2405" "$(jq -r '.config.Labels["org.opencontainers.image.revision"]' "$WORK/last.body")" \
  "nixpkgs/hello is labelled with the commit of nixos-24.05"

# --- pulls by channel and by commit ----------------------------------------------------------
d_latest="$(manifest_digest nixpkgs/hello latest)"
expect_eq "$d_latest" "$(manifest_digest nixpkgs/hello nixos-24.05)" "by the channel branch name: the digest of latest"
expect_eq "$d_latest" "$(manifest_digest nixpkgs/hello "$c_2405")" "by the commit of the channel: the digest of latest"
expect_eq "$c_2405" "$(pin_field nixpkgs/hello latest revision)" "pin of latest: the commit of nixos-24.05"
expect_eq "nixpkgs/hello:$c_2405" "$(pin_field nixpkgs/hello latest pinnedName)" "pin of latest: name:<commit>"
expect_eq "Hello, world! (nixpkgs unstable)" "$(run_image nixpkgs/hello:nixos-unstable /bin/hello)" \
  "another channel by its branch name"
expect_eq "Hello, world! (nixpkgs unstable)" "$(run_image unstable/hello:latest /bin/hello)" \
  "a nixpkgs source without defaultRef follows nixos-unstable"
expect_ne "$d_latest" "$(manifest_digest nixpkgs/hello nixos-unstable)" "the other channel has another digest"

# The channel moves (refreshSeconds 0): latest follows; the old commit keeps its digest.
git -C "$repo" checkout -q nixos-24.05
echo '"24.05.2"' >"$repo/release.nix"
git -C "$repo" commit -q -a -m "nixpkgs 24.05.2"
c_2405b="$(git -C "$repo" rev-parse HEAD)"
git -C "$repo" push -q "$WORK/nixpkgs.git" nixos-24.05
expect_eq "$c_2405b" "$(pin_field nixpkgs/hello latest revision)" "the channel advanced: latest is its new commit"
expect_eq "Hello, world! (nixpkgs 24.05.2)" "$(run_image nixpkgs/hello:latest /bin/hello)" "and runs the new release"
expect_eq "$d_latest" "$(manifest_digest nixpkgs/hello "$c_2405")" "the old commit keeps its digest"

# --- a revision that needs a newer Nix (nixpkgs' lib/minver.nix) -----------------------------
# nixpkgs' own default.nix aborts on a Nix older than lib/minver.nix: the
# error names both versions and the way out (nix.binDir).
git -C "$repo" checkout -q -b nixos-next
mkdir -p "$repo/lib"
echo '"2.18"' >"$repo/lib/minver.nix"
git -C "$repo" mv default.nix pkgs.nix
cat >"$repo/default.nix" <<'NIX'
let requiredVersion = import ./lib/minver.nix; in
if ! builtins ? nixVersion || builtins.compareVersions requiredVersion builtins.nixVersion == 1 then
  abort ''
    This version of Nixpkgs requires Nix >= ${requiredVersion}, please upgrade:

    - If you are running NixOS, `nixos-rebuild' can be used to upgrade your system.
  ''
else
  import ./pkgs.nix
NIX
git -C "$repo" add -A
git -C "$repo" commit -q -m "nixpkgs needing Nix 2.18"
git -C "$repo" push -q "$WORK/nixpkgs.git" nixos-next
# The Nix the server runs (a second run of this suite uses Nix 2.26).
nix_version="$(curl -s "$BASE/metrics" | sed -n 's/^strata_nix_info{version="\([^"]*\)"} 1$/\1/p')"
expect_ne "" "$nix_version" "/metrics shows the Nix version (strata_nix_info)"
expect_eq "$nix_version" "$(${STRATA_TEST_NIX_BIN_DIR:+$STRATA_TEST_NIX_BIN_DIR/}nix-instantiate --version | awk '{print $NF}')" \
  "the version of the Nix the server runs"
if [[ "$(printf '%s\n' 2.18 "$nix_version" | sort -V | head -n 1)" == 2.18 ]]; then
  # A Nix new enough: the same revision builds and runs.
  expect_eq "Hello, world! (nixpkgs 24.05.2)" "$(run_image nixpkgs/hello:nixos-next /bin/hello)" \
    "Nix $nix_version builds the revision that needs 2.18"
else
  http GET "/v2/nixpkgs/hello/manifests/nixos-next" -H "Accept: $OCI_MANIFEST"
  expect_error 500 UNKNOWN "a revision needing Nix 2.18"
  expect_contains "$(error_field message)" "needs Nix 2.18 or newer, and this server runs Nix $nix_version" \
    "the error names both versions"
  expect_contains "$(error_field message)" "point nix.binDir at the bin folder of a newer Nix" "and what to do"
fi

expect_server_alive
stop_server
