#!/usr/bin/env bash
# Build the kernel (bzImage) in the out-of-tree directory.
. "$(dirname "$0")/lib.sh"
[ -f "$OUT/.config" ] || "$TOP/scripts/config.sh"
log "building the kernel in $OUT ($JOBS jobs)"
make_kernel -s bzImage "$@"
log "kernel: $OUT/arch/x86/boot/bzImage"
