#!/usr/bin/env bash
# Boot the built kernel in QEMU (TCG, single-threaded, -cpu max: nested SVM)
# with an initramfs that runs the selftests in LIST.
# Usage: qemu.sh MODE LIST   -> serial log in $ART/serial-MODE.log
. "$(dirname "$0")/lib.sh"
mode=$1 list=$2
mkdir -p "$ART"
img=$ART/initramfs-$mode.cpio.gz
"$TOP/scripts/initramfs.sh" "$list" "$img"
kernel=$OUT/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "no kernel at $kernel"

# Bound the whole run: the sum of the test timeouts plus boot and KUnit.
budget=$(awk '!/^[[:space:]]*(#|$)/ { s += $2 } END { print s + 600 }' "$list")
serial=$ART/serial-$mode.log
log "booting in QEMU (mode $mode, at most ${budget}s), serial log: $serial"
set +e
timeout --foreground -k 10 "$budget" qemu-system-x86_64 \
	-accel tcg,thread=single -cpu max -smp 2 -m 3G \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$kernel" -initrd "$img" \
	-append "console=ttyS0 panic=-1 log_buf_len=32M tdxhp.mode=$mode ${KERNEL_CMDLINE:-}" \
	</dev/null >"$serial" 2>&1
rc=$?
set -e
echo "$rc" >"$ART/qemu-$mode.rc"
[ $rc = 124 ] && log "QEMU timed out after ${budget}s"
exit 0
