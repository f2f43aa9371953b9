#!/bin/sh
# Installs the motia binary for this machine (docs/release.md):
#   curl -fsSL https://raw.githubusercontent.com/MotiaDev/motia/main/install.sh | sh
#   sh install.sh [--version 0.1.0] [--dir ~/.motia/bin] [--target linux-x64-baseline]
# Picks the build for this OS, CPU, libc (glibc or musl) and CPU features (AVX2), downloads it
# from MOTIA_INSTALL_BASE (a release page: <base>/latest/download/<file> and
# <base>/download/v<version>/<file>), checks its SHA-256 against the release's SHA256SUMS and
# refuses it on a mismatch, then puts `motia` in ~/.motia/bin (or --dir). Safe to run again:
# it replaces the binary in one step. POSIX sh: runs under dash, busybox ash, bash and zsh.
set -eu

MOTIA_INSTALL_BASE=${MOTIA_INSTALL_BASE:-https://github.com/MotiaDev/motia/releases}
dir=${MOTIA_INSTALL_DIR:-${HOME:-}/.motia/bin}
version=
target=

say() { printf '%s\n' "$*"; }
fail() {
  printf 'motia install: %s\n' "$*" >&2
  exit 1
}

usage() {
  say 'usage: install.sh [--version X] [--dir DIR] [--target TARGET]'
  say '  --version X     install release X (default: the latest)'
  say '  --dir DIR       install into DIR (default: ~/.motia/bin; env MOTIA_INSTALL_DIR)'
  say '  --target NAME   a build other than the one detected, e.g. linux-x64-baseline'
  say 'env MOTIA_INSTALL_BASE: where releases are (default: https://github.com/MotiaDev/motia/releases)'
}

while [ $# -gt 0 ]; do
  case $1 in
    --version | -v) [ $# -ge 2 ] || fail "$1 needs a version (e.g. $1 0.1.0)"; version=${2#v}; shift 2 ;;
    --version=*) version=${1#--version=}; version=${version#v}; shift ;;
    --dir | -d) [ $# -ge 2 ] || fail "$1 needs a directory"; dir=$2; shift 2 ;;
    --dir=*) dir=${1#--dir=}; shift ;;
    --target) [ $# -ge 2 ] || fail '--target needs a target name'; target=$2; shift 2 ;;
    --target=*) target=${1#--target=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fail "unknown argument: $1" ;;
  esac
done

# --- which build this machine runs -----------------------------------------------------------
detect_target() {
  os=$(uname -s)
  arch=$(uname -m)
  case $os in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
      fail "this is Windows ($os): use install.ps1 instead (irm https://raw.githubusercontent.com/MotiaDev/motia/main/install.ps1 | iex)" ;;
    *) fail "motia has no build for $os ($arch): releases cover Linux (x64, arm64; glibc or musl), macOS (x64, arm64) and Windows (x64)" ;;
  esac
  case $arch in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) fail "motia has no build for $os on $arch: releases cover x64 and arm64" ;;
  esac
  if [ "$os" = darwin ]; then
    # An x64 shell on Apple silicon (Rosetta): the arm64 build runs natively.
    if [ "$arch" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then arch=arm64; fi
    if [ "$arch" = x64 ] && ! sysctl -n machdep.cpu.leaf7_features 2>/dev/null | grep -qw AVX2; then
      fail 'this Mac has an x64 CPU without AVX2: motia has no build for it'
    fi
    target=darwin-$arch
    return
  fi
  libc=glibc
  if ldd --version 2>&1 | grep -qi musl; then
    libc=musl
  elif ! command -v ldd >/dev/null 2>&1 && ls /lib/ld-musl-* >/dev/null 2>&1; then
    libc=musl
  fi
  avx2=yes
  if [ "$arch" = x64 ] && [ -r /proc/cpuinfo ] && ! grep -qw avx2 /proc/cpuinfo; then avx2=no; fi
  if [ "$libc" = musl ]; then
    [ "$avx2" = yes ] || fail 'this is musl Linux on an x64 CPU without AVX2: motia has no build for it (linux-x64-baseline needs glibc)'
    target=linux-$arch-musl
  elif [ "$avx2" = no ]; then
    target=linux-x64-baseline
  else
    target=linux-$arch
  fi
}

[ -n "$target" ] || detect_target

# --- download ----------------------------------------------------------------------------------
if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --retry 2 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  fail 'neither curl nor wget is installed: install one of them and run this again'
fi

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 "$1" | sed 's/.*= *//'
  else
    fail 'no sha256sum, shasum or openssl to verify the download with'
  fi
}

base=${MOTIA_INSTALL_BASE%/}
if [ -n "$version" ]; then from=$base/download/v$version; else from=$base/latest/download; fi
tmp=$(mktemp -d 2>/dev/null || mktemp -d -t motia-install)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

fetch "$from/SHA256SUMS" "$tmp/SHA256SUMS" ||
  fail "no release ${version:-latest} at $from (could not download SHA256SUMS)"
# The archive of this target: motia-<version>-<target>.tar.gz (not -<target>-musl, -baseline).
line=$(grep -E "  motia-[^ ]+-$target\\.tar\\.gz\$" "$tmp/SHA256SUMS" | head -n 1 || true)
[ -n "$line" ] || fail "release ${version:-latest} has no build for $target (see $from/SHA256SUMS)"
expected=${line%% *}
archive=${line##* }
say "downloading $archive"
fetch "$from/$archive" "$tmp/$archive" || fail "could not download $from/$archive"
actual=$(sha256 "$tmp/$archive")
if [ "$actual" != "$expected" ]; then
  fail "checksum mismatch for $archive: expected $expected, got $actual. The download is corrupt or was tampered with; nothing was installed"
fi

# --- install -------------------------------------------------------------------------------------
mkdir -p "$tmp/x"
tar -xzf "$tmp/$archive" -C "$tmp/x" || fail "could not unpack $archive"
[ -f "$tmp/x/motia" ] || fail "$archive holds no motia executable"
mkdir -p "$dir" || fail "cannot create $dir"
# Copied beside, then renamed over the old one: a running motia keeps its file, re-runs are safe.
cp "$tmp/x/motia" "$dir/.motia.new.$$"
chmod 755 "$dir/.motia.new.$$"
mv -f "$dir/.motia.new.$$" "$dir/motia"
installed=$("$dir/motia" --version 2>/dev/null) || fail "$dir/motia was installed but does not run on this machine ($target)"
say "motia $installed ($target) installed in $dir/motia"

case :${PATH:-}: in
  *":$dir:"*) say 'run: motia --help' ;;
  *)
    # The profile is named as the user writes it (~), not expanded.
    # shellcheck disable=SC2088
    case ${SHELL:-} in
      */zsh) profile='~/.zshrc' ;;
      */bash) profile='~/.bashrc' ;;
      */fish) profile='~/.config/fish/config.fish' ;;
      *) profile='~/.profile' ;;
    esac
    say "$dir is not on your PATH. Add this line to $profile, then open a new shell:"
    # shellcheck disable=SC2088
    if [ "$profile" = '~/.config/fish/config.fish' ]; then
      say "  fish_add_path $dir"
    else
      say "  export PATH=\"$dir:\$PATH\""
    fi
    ;;
esac
