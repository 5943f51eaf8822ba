#!/usr/bin/env bash
# Builds the OCI distribution spec's own conformance runner (Go, in
# opencontainers/distribution-spec, conformance/) without the Go module proxy:
# Debian 12's Go is too old (the runner needs 1.24), so the build runs in a
# Debian 13 (trixie) root made with debootstrap, with trixie's Go 1.24 and its
# packaged Go libraries in a vendor/ folder. Only Debian's mirror is contacted.
#
#   tests/tools/oci-conformance/build.sh [GIT_DIR]
#
# GIT_DIR: a clone of opencontainers/distribution-spec holding COMMIT (default
# $OCI_CONFORMANCE_GIT, else the workplace's mirror). Without it, says so and
# exits 0: the integration test then runs its spec-derived checks only.
# Output: $STRATA_TOOLS_DIR/oci-conformance/conformance (default
# /var/cache/strata-test-tools). Idempotent; a built runner is kept.
set -euo pipefail
COMMIT=967efdc079b91785ad18c77cc4f8991a47feefbf
here="$(cd "$(dirname "$0")" && pwd)"
git_dir="${1:-${OCI_CONFORMANCE_GIT:-/work/.mirror/opencontainers+distribution-spec/repo}}"
tools="${STRATA_TOOLS_DIR:-/var/cache/strata-test-tools}"
out="$tools/oci-conformance"
root="$tools/trixie"
runner="$out/conformance"

if [[ -x "$runner" && "$(cat "$out/commit" 2>/dev/null)" == "$COMMIT" ]]; then
  echo "oci-conformance: $runner is built ($COMMIT)"
  exit 0
fi
if ! git --git-dir="$git_dir" cat-file -e "$COMMIT^{commit}" 2>/dev/null; then
  echo "oci-conformance: no clone of opencontainers/distribution-spec holding $COMMIT at '$git_dir'; not built"
  exit 0
fi
mkdir -p "$out"

# 1. A trixie root with Go 1.24 and the runner's libraries as Debian packages.
command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y -q debootstrap; }
[[ -x "$root/usr/bin/apt-get" ]] ||
  debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian >"$out/debootstrap.log" 2>&1
unmount() { for m in "$root/dev" "$root/proc"; do mountpoint -q "$m" && umount "$m"; done; true; }
trap unmount EXIT
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
mountpoint -q "$root/dev" || mount --bind /dev "$root/dev"
chroot "$root" apt-get update -q >/dev/null
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  golang-1.24-go golang-github-goccy-go-yaml-dev golang-github-opencontainers-go-digest-dev \
  golang-github-opencontainers-image-spec-dev >/dev/null

# 2. The source at COMMIT, its go.mod pointed at the Debian sources. trixie's
# go-yaml (1.9.5) is older than go.mod's 1.18.0 but has every call the runner
# makes; its own go.mod names test-only modules Debian lacks, so the build
# reads a vendor/ folder and never loads the module graph.
src="$root/build"
rm -rf "$src" && mkdir -p "$src"
git --git-dir="$git_dir" archive "$COMMIT" conformance specs-go | tar -x -C "$src"
git -C "$src" apply "$here/ro-results-yaml-panic.patch" 2>/dev/null ||
  (cd "$src" && patch -p1 <"$here/ro-results-yaml-panic.patch")
gocode=/usr/share/gocode/src
mod="$src/conformance"
cat >>"$mod/go.mod" <<MOD

require (
	github.com/fatih/color v1.17.0 // indirect
	github.com/mattn/go-colorable v0.1.13 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	golang.org/x/sys v0.22.0 // indirect
	golang.org/x/xerrors v0.0.0-20231012003039-104605ab7028 // indirect
)

replace (
	github.com/goccy/go-yaml => $gocode/github.com/goccy/go-yaml
	github.com/opencontainers/distribution-spec/specs-go => ../specs-go
	github.com/opencontainers/go-digest => $gocode/github.com/opencontainers/go-digest
	github.com/opencontainers/image-spec => $gocode/github.com/opencontainers/image-spec
)
MOD
vendor="$mod/vendor"
mkdir -p "$vendor"
: >"$vendor/modules.txt"
# vendor MODULE VERSION GO REPLACEMENT PACKAGE…: copies a module's source and
# lists it in vendor/modules.txt as `go mod vendor` would.
vendor() {
  local module=$1 version=$2 go=$3 replacement=$4
  shift 4
  local from="$root$gocode/$module"
  [[ "$module" == */specs-go ]] && from="$src/specs-go"
  mkdir -p "$vendor/$(dirname "$module")"
  cp -r "$from" "$vendor/$module"
  rm -rf "$vendor/$module/debian"
  if [[ -n "$replacement" ]]; then
    echo "# $module $version => $replacement"
  else
    echo "# $module $version"
  fi >>"$vendor/modules.txt"
  echo "## explicit; go $go" >>"$vendor/modules.txt"
  printf '%s\n' "$@" >>"$vendor/modules.txt"
}
yaml=github.com/goccy/go-yaml
spec=github.com/opencontainers/distribution-spec/specs-go
vendor github.com/fatih/color v1.17.0 1.17 "" github.com/fatih/color
vendor $yaml v1.18.0 1.12 $gocode/$yaml $yaml $yaml/ast $yaml/internal/errors $yaml/lexer \
  $yaml/parser $yaml/printer $yaml/scanner $yaml/token
vendor github.com/mattn/go-colorable v0.1.13 1.15 "" github.com/mattn/go-colorable
vendor github.com/mattn/go-isatty v0.0.20 1.15 "" github.com/mattn/go-isatty
vendor $spec v0.0.0-20240926185104-8376368dd8aa 1.18 ../specs-go $spec $spec/v1
vendor github.com/opencontainers/go-digest v1.0.0 1.13 $gocode/github.com/opencontainers/go-digest \
  github.com/opencontainers/go-digest
vendor github.com/opencontainers/image-spec v1.1.1 1.18 $gocode/github.com/opencontainers/image-spec \
  github.com/opencontainers/image-spec/specs-go github.com/opencontainers/image-spec/specs-go/v1
vendor golang.org/x/sys v0.22.0 1.18 "" golang.org/x/sys/unix
vendor golang.org/x/xerrors v0.0.0-20231012003039-104605ab7028 1.18 "" golang.org/x/xerrors \
  golang.org/x/xerrors/internal
cat >>"$vendor/modules.txt" <<MODS
# $yaml => $gocode/$yaml
# $spec => ../specs-go
# github.com/opencontainers/go-digest => $gocode/github.com/opencontainers/go-digest
# github.com/opencontainers/image-spec => $gocode/github.com/opencontainers/image-spec
MODS

# 3. Build, offline.
chroot "$root" env -i PATH=/usr/lib/go-1.24/bin:/usr/bin:/bin HOME=/root \
  GOCACHE=/root/.cache/go-build GOPROXY=off GOFLAGS=-mod=vendor GOTOOLCHAIN=local \
  GOTELEMETRY=off CGO_ENABLED=0 \
  sh -c "cd /build/conformance && go build -trimpath -ldflags '-X main.Version=$COMMIT' -o conformance ."
install -m 0755 "$mod/conformance" "$runner"
echo "$COMMIT" >"$out/commit"
echo "oci-conformance: built $runner ($COMMIT)"
