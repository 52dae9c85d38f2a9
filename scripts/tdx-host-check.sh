#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make tdx-host-check: the whole check of a TDX host, in one report a tester
# can paste into a reply on the list.
#
#  1. prerequisites, in order; the first one missing is named and the
#     script exits 2 without running anything:
#       Intel CPU, /dev/kvm, kvm_intel loaded, kvm_intel.tdx=Y, the TDX
#       module initialised (dmesg), kernel config (KVM_INTEL_TDX,
#       INTEL_TDX_HOST, TRANSPARENT_HUGEPAGE), kvm_intel.tdx_huge_page=Y
#       (the series' parameter; N means the module lacks
#       ENHANCED_DEMOTE_INTERRUPTIBILITY or it was turned off), the TDX
#       selftests built;
#     informational, never fatal: Dynamic PAMT (dmesg), the CPU model and
#     microcode, the kernel command line. 7.3 neither prints the TDX
#     module's version nor exposes it in sysfs: the report says so and
#     the tester adds it from the BIOS/BMC;
#  2. the TDX selftests (x86/tdx_params_test, tdx_boot_test, tdx_vm_test,
#     tdx_hugepage_test), each under a timeout, with their output and the
#     kernel messages they caused;
#  3. the report, REPORT (default work/artifacts/tdx-host-check.txt);
#     exit 0 if every test passed or skipped, 1 if one failed.
#
# Usage: scripts/tdx-host-check.sh [REPORT]
# Environment: KST (built KVM selftests, default $OUT/kselftest/kvm: `make
# selftests`), TDX_CHECK_ROOT (prefix of /proc, /sys, /dev and /boot, for
# the harness's tests; default empty), TDX_CHECK_DMESG (a file to read
# instead of running dmesg).
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${WORK:-$TOP/work}
OUT=${OUT:-$WORK/build}
ART=${ART:-$WORK/artifacts}
KST=${KST:-$OUT/kselftest/kvm}
ROOT=${TDX_CHECK_ROOT:-}
REPORT=${1:-$ART/tdx-host-check.txt}
TESTS=(
	"tdx_params_test 60 x86/tdx_params_test"
	"tdx_boot_test 60 x86/tdx_boot_test"
	"tdx_vm_test 300 x86/tdx_vm_test"
	"tdx_hugepage_test 600 x86/tdx_hugepage_test"
)

mkdir -p "$(dirname "$REPORT")"
: >"$REPORT"
say() { echo "$*" | tee -a "$REPORT"; }

# The first missing prerequisite ends the check: nothing is run.
missing() {
	say "tdx-host-check: missing prerequisite: $1"
	[ $# -gt 1 ] && say "  $2"
	say "tdx-host-check: nothing was run (report: $REPORT)"
	exit 2
}

dmesg_text() {
	if [ -n "${TDX_CHECK_DMESG:-}" ]; then
		cat "$TDX_CHECK_DMESG" 2>/dev/null
	else
		dmesg 2>/dev/null
	fi
}

param() { cat "$ROOT/sys/module/$1/parameters/$2" 2>/dev/null; }

kconfig() {
	local f
	for f in "$ROOT/proc/config.gz" "$ROOT/boot/config-$(uname -r)"; do
		[ -r "$f" ] || continue
		case $f in
		*.gz) zcat "$f" ;;
		*) cat "$f" ;;
		esac
		return 0
	done
	return 1
}

say "== TDX host check ($(date -u '+%Y-%m-%d %H:%M:%S UTC'))"
say "kernel: $(uname -r) $(uname -v)"
say "cmdline: $(cat "$ROOT/proc/cmdline" 2>/dev/null)"

vendor=$(awk -F': ' '/^vendor_id/ { print $2; exit }' "$ROOT/proc/cpuinfo" 2>/dev/null)
model=$(awk -F': ' '/^model name/ { print $2; exit }' "$ROOT/proc/cpuinfo" 2>/dev/null)
ucode=$(awk -F': ' '/^microcode/ { print $2; exit }' "$ROOT/proc/cpuinfo" 2>/dev/null)
say "cpu: ${vendor:-?} ${model:-?}, microcode ${ucode:-?}"
[ "$vendor" = GenuineIntel ] ||
	missing "an Intel CPU with TDX (this CPU is ${vendor:-unknown})"

[ -e "$ROOT/dev/kvm" ] || missing "/dev/kvm" "load kvm_intel (modprobe kvm_intel tdx=1)"
[ -d "$ROOT/sys/module/kvm_intel" ] ||
	missing "the kvm_intel module" "modprobe kvm_intel tdx=1 (or kvm_intel.tdx=1 on the command line)"

tdx=$(param kvm_intel tdx)
say "kvm_intel.tdx: ${tdx:-absent}"
[ "$tdx" = Y ] ||
	missing "kvm_intel.tdx=Y (it is ${tdx:-absent})" \
		"load kvm_intel with tdx=1; if it stays N, dmesg says why (BIOS, TDX module, KeyIDs)"

dm=$(dmesg_text)
tdxlines=$(grep -E 'virt/tdx|kvm_intel.*[Tt][Dd][Xx]|tdx_huge_page' <<<"$dm" || true)
say "dmesg (TDX):"
say "${tdxlines:-  (no TDX lines; run as root so dmesg is readable)}"
grep -q 'TDX-Module initialized' <<<"$dm" ||
	missing "an initialised TDX module (no 'virt/tdx: TDX-Module initialized' in dmesg)" \
		"check the BIOS (TME, MKTME, TDX, SEAM loader) and the module on the EFI partition"
say "TDX module version: not visible from Linux 7.3 (no dmesg line, no sysfs); add it from the BIOS/BMC"

if grep -q 'Dynamic PAMT enabled' <<<"$dm"; then
	say "Dynamic PAMT: enabled"
elif grep -q 'Dynamic PAMT not used' <<<"$dm"; then
	say "Dynamic PAMT: $(grep -o 'Dynamic PAMT not used.*' <<<"$dm" | head -n 1)"
else
	say "Dynamic PAMT: not reported (module without the feature, or a kernel without the series' Part 3)"
fi

config=$(kconfig) ||
	missing "the kernel config (/proc/config.gz or /boot/config-$(uname -r))" \
		"build with CONFIG_IKCONFIG_PROC=y or install the config next to the kernel"
for sym in CONFIG_KVM_INTEL_TDX CONFIG_INTEL_TDX_HOST CONFIG_TRANSPARENT_HUGEPAGE; do
	v=$(grep -E "^$sym=" <<<"$config" | cut -d= -f2)
	say "$sym=${v:-n}"
	[ "$v" = y ] || missing "$sym=y (it is ${v:-not set})"
done

hp=$(param kvm_intel tdx_huge_page)
say "kvm_intel.tdx_huge_page: ${hp:-absent}"
[ -n "$hp" ] || missing "kvm_intel.tdx_huge_page (a kernel with the series applied)"
if [ "$hp" != Y ]; then
	if grep -q 'lacks ENHANCED_DEMOTE_INTERRUPTIBILITY' <<<"$dm"; then
		missing "ENHANCED_DEMOTE_INTERRUPTIBILITY in the TDX module (KVM turned tdx_huge_page off)" \
			"update the TDX module (1.5.28 or later)"
	fi
	missing "kvm_intel.tdx_huge_page=Y (it is $hp)" "load kvm_intel with tdx=1 tdx_huge_page=Y"
fi
say "ENHANCED_DEMOTE_INTERRUPTIBILITY: present (tdx_huge_page stayed Y)"

for t in "${TESTS[@]}"; do
	read -r _ _ bin <<<"$t"
	[ -x "$KST/$bin" ] || missing "the TDX selftests ($KST/$bin)" "run \`make selftests\` or set KST"
done

# Every prerequisite is there: run the tests.
failed=0
for t in "${TESTS[@]}"; do
	read -r name secs bin <<<"$t"
	before=$(dmesg_text | wc -l)
	say ""
	say "== $name ($bin, timeout ${secs}s)"
	(cd "$KST" && timeout -k 10 "$secs" "./$bin") >>"$REPORT" 2>&1
	rc=$?
	case $rc in
	0) verdict=pass ;;
	4) verdict=skip ;;
	124|137) verdict="FAIL (timeout)"; failed=1 ;;
	*) verdict="FAIL (exit $rc)"; failed=1 ;;
	esac
	new=$(dmesg_text | tail -n +"$((before + 1))")
	[ -n "$new" ] && { say "-- kernel messages during $name:"; say "$new"; }
	say "== $name: $verdict"
done

say ""
say "== summary: $(grep -c '^== .*: pass$' "$REPORT") passed, $(grep -c '^== .*: skip$' "$REPORT") skipped, $(grep -c '^== .*: FAIL' "$REPORT") failed (report: $REPORT)"
exit $failed
