#!/usr/bin/env bash
# Build the x86 KVM selftests statically against the patched tree's headers.
. "$(dirname "$0")/lib.sh"
log "installing uapi headers into $OUT/usr"
make_kernel -s headers
kout=$OUT/kselftest/kvm
mkdir -p "$kout"
log "building KVM selftests (static) into $kout"
make -s -C "$SRC/tools/testing/selftests/kvm" -j"$JOBS" \
	OUTPUT="$kout" KHDR_INCLUDES="-isystem $OUT/usr/include" \
	EXTRA_CFLAGS="-static" "$@" >&2
log "selftests built"
