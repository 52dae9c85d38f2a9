#!/usr/bin/env bash
# The main job: build the patched kernel and the KVM selftests, boot in
# QEMU and show what the series does on this machine.
. "$(dirname "$0")/lib.sh"

# Each stage says when it starts; a table of their times ends the run.
T0=$(date +%s) TIMES_RUN=()
stage() { # n name cmd...
	local n=$1 name=$2 t; shift 2
	echo "== stage $n of 6: $name"
	t=$(date +%s)
	"$@"
	TIMES_RUN+=("$(printf '  %6d  %s' $(($(date +%s) - t)) "$name")")
}
tree_stage() {
	if [ ! -d "$SRC/.git" ] || "$TOP/scripts/queue-status.sh" >/dev/null 2>&1; then
		"$TOP/scripts/tree.sh"
	else
		log "work/linux holds unexported work; building it as it is (make export saves it)"
	fi
}
stage 1 "base (download, sha256)" "$TOP/scripts/fetch-base.sh" >/dev/null
stage 2 "tree (base + git am of patches/)" tree_stage
stage 3 "config" "$TOP/scripts/config.sh"
stage 4 "kernel build" "$TOP/scripts/build.sh"
stage 5 "KVM selftests build" "$TOP/scripts/selftests.sh"
stage 6 "boot in QEMU (KUnit, then $(grep -cvE '^\s*(#|$)' "$TOP/selftests/demo.list") selftests)" \
	"$TOP/scripts/qemu.sh" demo "$TOP/selftests/demo.list"

serial=$ART/serial-demo.log
echo
echo "== what the guest saw (full log: $serial)"
grep -E '^@@(BOOTED|INFO)' "$serial" | sed 's/^@@/  /'
echo
echo "== 2MB guest_memfd folios on a SW-protected VM (x86/private_mem_hugepage_test)"
grep -aE 'HUGE_PAGES (on|off): pre-fault' "$serial" | sed 's/^# /  /' ||
	echo "  (no measurement in the log: did the test run?)"
echo
echo "== TDX through KVM's real code, against the TDX module model (KUnit kvm_tdx_mmu)"
grep -aE '# mmu_[a-z0-9_]+: (map 1 GiB|remove 1 GiB|convert one 4KB|1000 4KB-accept|TDX maps private)' "$serial" |
	sed -E 's/^[[:space:]]*# /  /' | awk '!seen[$0]++' | grep . ||
	echo "  (no figures in the log: did the kvm_tdx_mmu suite run?)"
echo
echo "== Dynamic PAMT: what it costs and saves, against the TDX module model (KUnit tdx_dpamt)"
grep -aE '# dpamt_(figures_pamt_memory|figures_1g_td|concurrent_get_put_demote): [0-9]' "$serial" |
	sed -E 's/^[[:space:]]*# /  /' | awk '!seen[$0]++' | grep . ||
	echo "  (no figures in the log: did the tdx_dpamt suite run?)"
echo
echo "== results"
python3 "$TOP/scripts/results.py" "$serial" "$SRC/tools/testing/kunit/kunit.py" \
	"$TOP/selftests/baseline" "$TOP/selftests/demo.list" \
	--config "$OUT/.config" --suites "$TOP/config/kunit.suites" \
	--uts "$OUT/include/generated/utsversion.h" >"$ART/demo.results" ||
	die "results.py could not read $serial"
grep -v '^PASS kunit/' "$ART/demo.results" | sed 's/^/  /'
k=$(grep -cE '^(PASS|FAIL|SKIP) kunit/[^/ ]+/' "$ART/demo.results" || true)
kf=$(grep -cE '^FAIL kunit/' "$ART/demo.results" || true)
echo "  KUnit: $k cases reported, $kf failing records"
[ "$k" -gt 0 ] || echo "  (no KUnit case reported: see the FAIL kunit/ records above)"
echo
echo "== stages (seconds), $(( ($(date +%s) - T0) / 60 )) min $(( ($(date +%s) - T0) % 60 )) s in all"
printf '%s\n' "${TIMES_RUN[@]}"
echo "  logs: $serial (guest), $ART/demo.results (records)"
! grep -q '^FAIL' "$ART/demo.results"
