#!/usr/bin/env bash
# Install what the harness needs from Debian 12 (bookworm) itself.
. "$(dirname "$0")/lib.sh"
pkgs=(build-essential flex bison bc libelf-dev libssl-dev ccache git
      qemu-system-x86 busybox-static cpio gzip xz-utils python3 perl
      libnuma-dev gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu
      python3-ply python3-git python3-pytest git-email libmailtools-perl
      clang-19 lld-19 llvm-19)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0
[ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}); run as root or install them"
log "installing: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
