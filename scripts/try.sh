#!/usr/bin/env bash
# Iterate on a kernel tree other than work/linux (a git worktree): configure,
# build, build the KVM selftests, boot in QEMU, print the records.
#   SRC=/path/to/worktree OUT=/path/to/build ART=/path/to/artifacts scripts/try.sh [build-only]
# LIST=file runs another selftest list (same format as selftests/list).
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
"$TOP/scripts/qemu.sh" gate "$LIST"
python3 "$TOP/scripts/results.py" "$ART/serial-gate.log" "$SRC/tools/testing/kunit/kunit.py" \
	"$TOP/selftests/baseline" "$LIST" \
	--config "$OUT/.config" --suites "$TOP/config/kunit.suites" \
	--uts "$OUT/include/generated/utsversion.h" | tee "$ART/try.results" |
	grep -v '^PASS kunit/[^ ]*/'
echo "$(grep -c '^PASS' "$ART/try.results") passed, $(grep -c '^FAIL' "$ART/try.results") failed, $(grep -c '^SKIP' "$ART/try.results") skipped"
! grep -q '^FAIL' "$ART/try.results"
