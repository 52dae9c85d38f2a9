#!/usr/bin/env bash
# Build the kernel in the out-of-tree directory: bzImage by default, or the
# targets given (the gate's builds along the queue build vmlinux only: the
# link proves the patch builds; compressing a boot image proves nothing).
. "$(dirname "$0")/lib.sh"
[ -f "$OUT/.config" ] || "$TOP/scripts/config.sh"
[ $# = 0 ] && set -- bzImage
log "building $* in $OUT ($JOBS jobs)"
make_kernel -s "$@"
# arch/x86/boot/compressed/piggy.S pulls the compressed kernel in with
# .incbin, which ccache does not hash: the source differs only in the two
# sizes it records, so a nearly identical kernel (a mutant, the same queue
# in another clone) can hit and put that other kernel into bzImage. Seen:
# a mutant boot ran the kernel of a CI clone. Assemble it without ccache.
case " $* " in *" bzImage "*)
	rm -f "$OUT/arch/x86/boot/compressed/piggy.o"
	CCACHE_DISABLE=1 make_kernel -s bzImage ;;
esac
log "built: $*"
