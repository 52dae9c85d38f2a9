#!/usr/bin/env bash
# make mutants: apply each known-bad change in mutants/*.mutant to a scratch
# worktree of the series, build, boot with KUnit and the mutant's selftests,
# and report whether the gate's verdicts caught it. Every mutant must be
# caught; the exit status says whether all were. Not part of make check
# (one build and boot per mutant).
# Usage: mutants.sh [NAME...]   (default: every mutants/*.mutant)
. "$(dirname "$0")/lib.sh"

# `make mutants M="a b"` passes M= down to every sub-make through MAKEFLAGS,
# and the kernel's make reads M= as an external module directory: the
# kernel build then fails for every mutant, which must not count as a
# catch. The names are our arguments already.
unset M MAKEFLAGS MAKEOVERRIDES MFLAGS

[ -d "$SRC/.git" ] || "$TOP/scripts/tree.sh"
SERIES_HEAD=$(git -C "$SRC" rev-parse series)
MW=$WORK/mutant # same layout as $WORK (linux/, build/): ccache hits
MSRC=$MW/linux
REPORT=$ART/mutants.txt
mkdir -p "$ART" "$MW"

if [ ! -e "$MSRC/.git" ]; then
	log "creating the scratch worktree $MSRC"
	git -C "$SRC" worktree prune
	git -C "$SRC" worktree add -q -f --detach "$MSRC" "$SERIES_HEAD" >&2
fi

# Apply one mutant file to the tree in $1; exit 3 when its text is stale.
apply_mutant() {
	python3 - "$1" "$2" <<'PY'
import sys
tree, path = sys.argv[1], sys.argv[2]
groups, cur = [], None
for line in open(path):
    line = line.rstrip("\n")
    if line.startswith("#") or not line.strip():
        continue
    key, _, val = line.partition(": ")
    if key == "tests" or line == "tests:":
        continue
    if key == "file":
        cur = {"file": val}
        groups.append(cur)
    elif cur is not None and key in ("anchor", "find", "replace"):
        cur[key] = val
for g in groups:
    p = f"{tree}/{g['file']}"
    text = open(p).read()
    start = text.find(g["anchor"]) if g.get("anchor") else 0
    at = text.find(g["find"], start) if start >= 0 else -1
    if at < 0:
        print(f"stale: '{g['find']}' not found after '{g.get('anchor')}' in {g['file']}")
        sys.exit(3)
    text = text[:at] + g["replace"] + text[at + len(g["find"]):]
    open(p, "w").write(text)
    print(f"mutated {g['file']}")
PY
}

names=("$@")
if [ ${#names[@]} = 0 ]; then
	for f in "$TOP"/mutants/*.mutant; do names+=("$(basename "$f" .mutant)"); done
fi

: >"$REPORT"
caught=0 total=0
for name in "${names[@]}"; do
	mf=$TOP/mutants/$name.mutant
	[ -f "$mf" ] || die "no mutant $mf"
	total=$((total + 1))
	mlog=$ART/logs/mutant-$name.log
	mkdir -p "$ART/logs"
	t=$(date +%s)
	git -C "$MSRC" checkout -q -f --detach "$SERIES_HEAD"
	git -C "$MSRC" clean -q -fdx
	tests=$(sed -n 's/^tests:[[:space:]]*//p' "$mf")
	list=$MW/list-$name
	: >"$list"
	for tname in $tests; do
		awk -v n="$tname" '$1 == n' "$TOP/selftests/list" >>"$list"
		grep -q . "$list" || die "$name: selftest $tname is not in selftests/list"
	done
	verdict=""
	if ! apply_mutant "$MSRC" "$mf" >"$mlog" 2>&1; then
		verdict="STALE (the mutant no longer matches the tree: $(tail -n 1 "$mlog"))"
	else
		export WORK=$MW SRC=$MSRC OUT=$MW/build ART=$MW/artifacts
		if ! { "$TOP/scripts/config.sh" && "$TOP/scripts/build.sh"; } >>"$mlog" 2>&1; then
			# Only a compiler error is the mutant's doing; any other
			# build failure (the environment, the harness) tested nothing.
			if grep -q 'error:' "$mlog"; then
				verdict="caught by the build: $(grep -m1 'error:' "$mlog" | cut -c1-100)"
			else
				verdict="NOT TESTED: the build failed without a compiler error (see $mlog)"
			fi
		else
			if [ -n "$tests" ]; then "$TOP/scripts/selftests.sh" >>"$mlog" 2>&1 || verdict="selftests did not build"; fi
			if [ -z "$verdict" ]; then
				"$TOP/scripts/qemu.sh" "mutant-$name" "$list" >>"$mlog" 2>&1
				python3 "$TOP/scripts/results.py" "$ART/serial-mutant-$name.log" \
					"$MSRC/tools/testing/kunit/kunit.py" "$TOP/selftests/baseline" "$list" \
					--config "$OUT/.config" --suites "$TOP/config/kunit.suites" \
					--uts "$OUT/include/generated/utsversion.h" \
					>"$ART/mutant-$name.results" 2>>"$mlog"
				fails=$(grep '^FAIL ' "$ART/mutant-$name.results" || true)
				if grep -q '^FAIL kernel' "$ART/mutant-$name.results"; then
					# Another kernel booted: nothing was tested.
					verdict="NOT TESTED: $(grep '^FAIL kernel' "$ART/mutant-$name.results")"
				elif [ -n "$fails" ]; then
					verdict="caught: $(echo "$fails" | head -3 | cut -d' ' -f2 | tr '\n' ' ')"
					[ "$(echo "$fails" | wc -l)" -gt 3 ] && verdict+="(+$(($(echo "$fails" | wc -l) - 3)) more)"
				else
					verdict="NOT CAUGHT ($(grep -c '^PASS ' "$ART/mutant-$name.results") records passed)"
				fi
			fi
		fi
		WORK=$TOP/work SRC=$TOP/work/linux OUT=$TOP/work/build ART=$TOP/work/artifacts
		export WORK SRC OUT ART
	fi
	case "$verdict" in caught*) caught=$((caught + 1)) ;; esac
	line="$(printf '%-24s %4ss  %s' "$name" "$(($(date +%s) - t))" "$verdict")"
	echo "$line" | tee -a "$REPORT"
done
git -C "$MSRC" checkout -q -f --detach "$SERIES_HEAD"
echo "mutants: $caught of $total caught (report: $REPORT)" | tee -a "$REPORT"
[ "$caught" = "$total" ]
