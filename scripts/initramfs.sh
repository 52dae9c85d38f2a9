#!/usr/bin/env bash
# Pack busybox, the selftests named in LIST and guest/init into an
# initramfs. Usage: initramfs.sh LIST OUTPUT.cpio.gz
. "$(dirname "$0")/lib.sh"
list=$1 img=$2
kout=$OUT/kselftest/kvm
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,etc,proc,sys,dev,tmp,tests}
cp /bin/busybox "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$TOP/guest/init" "$stage/init"
grep -vE '^\s*(#|$)' "$list" >"$stage/etc/tests.list" || true
while read -r name tmo bin args; do
	[ -x "$kout/$bin" ] || die "selftest binary $bin (for $name) was not built"
	mkdir -p "$stage/tests/$(dirname "$bin")"
	cp "$kout/$bin" "$stage/tests/$bin"
done <"$stage/etc/tests.list"
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$img"
log "initramfs: $img ($(du -h "$img" | cut -f1))"
