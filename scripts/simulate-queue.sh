#!/usr/bin/env bash
# Grow the queue to N patches with synthetic patches, to measure the gate at
# the size the series will reach (about 60). For a scratch clone only: it
# commits to work/linux and exports to patches/ of the clone it runs in.
#
# Usage (in a scratch clone):  scripts/simulate-queue.sh --scratch N
#
# Each synthetic patch adds one comment line to a real source file, so it
# costs what a real patch to that file costs: a real recompile (the
# content changes, so ccache misses), what includes a touched header is
# rebuilt, virt/kvm changes trigger the arm64/riscv builds, selftest
# changes the selftest build. The mix follows the parts still to come
# (series.md Parts 3-5): mostly KVM x86 and TDX host .c files, some
# headers, some generic KVM, some selftests.
. "$(dirname "$0")/lib.sh"

[ "${1:-}" = --scratch ] || die "usage: $0 --scratch N (run it in a scratch clone only)"
target=${2:?N}
[ -d "$SRC/.git" ] || "$TOP/scripts/tree.sh"
have=$(grep -cvE '^\s*(#|$)' "$PATCHES/series")
[ "$target" -gt "$have" ] || die "the queue already has $have patches"

# One file per synthetic patch, in this order, cycled.
mix=(
	arch/x86/kvm/mmu/tdp_mmu.c
	arch/x86/kvm/vmx/tdx.c
	arch/x86/kvm/mmu/mmu.c
	arch/x86/virt/vmx/tdx/tdx.c
	arch/x86/kvm/vmx/tdx.c
	arch/x86/kvm/mmu/tdp_mmu.c
	tools/testing/selftests/kvm/x86/private_mem_conversions_test.c
	arch/x86/kvm/x86.c
	arch/x86/include/asm/tdx.h
	arch/x86/kvm/vmx/main.c
	virt/kvm/guest_memfd.c
	arch/x86/kvm/mmu/mmu.c
	arch/x86/include/asm/kvm_host.h
	tools/testing/selftests/kvm/lib/x86/processor.c
	arch/x86/virt/vmx/tdx/tdx.c
	arch/x86/kvm/vmx/tdx.c
	virt/kvm/kvm_main.c
	arch/x86/kvm/mmu/tdp_mmu.c
	arch/x86/kvm/vmx/tdx.c
	arch/x86/kvm/mmu/spte.c
	include/linux/kvm_host.h
	tools/testing/selftests/kvm/guest_memfd_test.c
)
git -C "$SRC" checkout -q series
i=0
for n in $(seq $((have + 1)) "$target"); do
	f=${mix[$((i % ${#mix[@]}))]}
	i=$((i + 1))
	[ -f "$SRC/$f" ] || die "$f does not exist in the tree"
	printf '\n/* gate timing simulation: synthetic patch %s */\n' "$n" >>"$SRC/$f"
	case "$f" in
	tools/*) prefix="KVM: selftests:" ;;
	virt/*|include/linux/*) prefix="KVM:" ;;
	arch/x86/virt/*|arch/x86/include/asm/tdx.h) prefix="x86/virt/tdx:" ;;
	*) prefix="KVM: x86:" ;;
	esac
	git -C "$SRC" add -f "$f"
	git -C "$SRC" commit -q -s -m "$prefix Add synthetic patch $n for gate timing" -m \
"Measure the gate at the queue size the series will reach.  This patch
exists only in a scratch clone; it adds one comment line to

  $f

which costs a real rebuild of that file and of what includes it."
done
"$TOP/scripts/export.sh"
log "queue grown to $(wc -l <"$PATCHES/series") patches (synthetic ones on top)"
