#!/usr/bin/env bash
# Build the kernel in the out-of-tree directory: bzImage by default, or the
# targets given (the gate's builds along the queue build vmlinux only: the
# link proves the patch builds; compressing a boot image proves nothing).
. "$(dirname "$0")/lib.sh"
[ -f "$OUT/.config" ] || "$TOP/scripts/config.sh"
[ $# = 0 ] && set -- bzImage
log "building $* in $OUT ($JOBS jobs)"
make_kernel -s "$@"
log "built: $*"
