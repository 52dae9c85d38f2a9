#!/usr/bin/env bash
# Iterate on a kernel tree other than work/linux (a git worktree): configure,
# build, build the KVM selftests, boot in QEMU, print the records.
#   SRC=/path/to/worktree OUT=/path/to/build ART=/path/to/artifacts scripts/try.sh [build-only]
# LIST=file runs another selftest list (same format as selftests/list).
# FAKEHOST=1 also boots KUnit only on the fake TDX host with Dynamic PAMT
# (the gate's second boot, records kunit-fakehost/... and fakehost/...);
# FAKEHOST=only boots that one alone.
# Kernel builds wait for the build lock (lib.sh), so parallel sessions queue.
. "$(dirname "$0")/lib.sh"
[ "$SRC" != "$TOP/work/linux" ] || die "set SRC (and OUT, ART) to your worktree"
mkdir -p "$OUT" "$ART"
# Options this tree does not define yet are allowed (--bisect).
"$TOP/scripts/config.sh" --bisect
"$TOP/scripts/build.sh"
"$TOP/scripts/selftests.sh"
[ "${1:-}" = build-only ] && exit 0
LIST=${LIST:-$TOP/selftests/list}
FAKEHOST=${FAKEHOST:-}
: >"$ART/try.results"
if [ "$FAKEHOST" != only ]; then
	"$TOP/scripts/qemu.sh" gate "$LIST"
	python3 "$TOP/scripts/results.py" "$ART/serial-gate.log" "$SRC/tools/testing/kunit/kunit.py" \
		"$TOP/selftests/baseline" "$LIST" \
		--config "$OUT/.config" --suites "$TOP/config/kunit.suites" \
		--uts "$OUT/include/generated/utsversion.h" >>"$ART/try.results"
fi
if [ -n "$FAKEHOST" ]; then
	: >"$ART/fakehost.list"
	KERNEL_CMDLINE="tdx_kunit_fake_host=dpamt" "$TOP/scripts/qemu.sh" fakehost "$ART/fakehost.list"
	python3 "$TOP/scripts/results.py" "$ART/serial-fakehost.log" "$SRC/tools/testing/kunit/kunit.py" \
		"$TOP/selftests/baseline" "$ART/fakehost.list" \
		--config "$OUT/.config" --suites "$TOP/config/kunit.suites" \
		--uts "$OUT/include/generated/utsversion.h" --fakehost >>"$ART/try.results"
fi
grep -v '^PASS kunit[^ ]*/[^ ]*/' "$ART/try.results" || true
echo "$(grep -c '^PASS' "$ART/try.results") passed, $(grep -c '^FAIL' "$ART/try.results") failed, $(grep -c '^SKIP' "$ART/try.results") skipped"
! grep -q '^FAIL' "$ART/try.results"
