#!/usr/bin/env bash
# A current Nix for the test suite: Debian 13's nix-bin (Nix 2.26) in a
# trixie root made with debootstrap (the one tests/tools/oci-conformance
# uses), run on this machine's own store through wrapper commands:
#
#   $STRATA_TOOLS_DIR/nix-2.26/bin/{nix-build,nix-instantiate,nix,nix-store}
#
# Each wrapper enters a mount namespace of its own, binds /nix, /proc, /dev,
# /sys, the working folders (/tmp, /var/tmp and every other top-level folder
# that is not the system's own, wherever the checkout lies) and the host's
# /etc/passwd, /etc/group (the nixbld build users) and /usr/bin/busybox (so
# that package sets importing it get the same store path under either Nix)
# into the root, and runs trixie's command there. Only Debian's mirror is
# contacted. Idempotent. Output: that bin folder, for nix.binDir.
set -euo pipefail
tools="${STRATA_TOOLS_DIR:-/var/cache/strata-test-tools}"
root="$tools/trixie"
out="$tools/nix-2.26"
mkdir -p "$tools"

command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y -q debootstrap; }
[[ -x "$root/usr/bin/apt-get" ]] ||
  debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian >"$tools/debootstrap-nix.log" 2>&1
if [[ ! -x "$root/usr/bin/nix-build" ]]; then
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  unshare -m --propagation private -- /bin/sh -c "
    mount --rbind /proc '$root/proc' && mount --rbind /dev '$root/dev' &&
    chroot '$root' apt-get update -q >/dev/null &&
    chroot '$root' env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends nix-bin >/dev/null"
fi

mkdir -p "$out/bin"
cat >"$out/run" <<WRAPPER
#!/bin/sh
# Runs trixie's \$(basename "\$0") (Nix 2.26) on this machine's store (tests/tools/nix-2.26/build.sh).
root='$root'
WRAPPER
cat >>"$out/run" <<'WRAPPER'
exec unshare -m --propagation private -- /bin/sh -c '
root="$1"; shift
for d in /nix /proc /dev /sys /tmp /var/tmp /*; do
  case "$d" in /bin|/boot|/etc|/lib*|/sbin|/usr|/var|/run|/lost+found) continue ;; esac
  [ -d "$d" ] && [ ! -L "$d" ] || continue
  mountpoint -q "$root$d" 2>/dev/null && continue
  mkdir -p "$root$d" && mount --rbind "$d" "$root$d" || exit 125
done
for f in /etc/passwd /etc/group /usr/bin/busybox; do
  [ -e "$f" ] || continue
  [ -e "$root$f" ] || touch "$root$f"
  mount --bind "$f" "$root$f" || exit 125
done
exec chroot "$root" /bin/sh -c "cd \"\$0\" 2>/dev/null || cd /; exec \"\$@\"" "$PWD" "$@"
' sh "$root" "/usr/bin/$(basename "$0")" "$@"
WRAPPER
chmod 755 "$out/run"
for p in nix-build nix-instantiate nix nix-store; do ln -sf ../run "$out/bin/$p"; done
echo "nix-2.26: $("$out/bin/nix-instantiate" --version) in $out/bin"
