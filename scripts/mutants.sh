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
apply_mutant() { python3 "$TOP/scripts/mutant.py" "$1" "$2"; }

# A mutant with "at: N" breaks patch N of the queue only: the mutation is
# applied to that patch's tree and the next patch keeps its own tree, so the
# queue's end is unchanged and only the builds along the queue
# (scripts/bisect.sh, as the gate runs them) can see it. Builds patches
# N-1, N and N+1 in the scratch worktree.
mapfile -t SERIES < <(grep -vE '^\s*(#|$)' "$PATCHES/series")
bisect_mutant() { # name mutant-file at
	local name=$1 mf=$2 at=$3 m next
	( [ "$at" -ge 2 ] && [ "$at" -lt ${#SERIES[@]} ] ) || { echo "at: $at is not inside the queue"; return 2; }
	mapfile -t COMMITS < <(git -C "$SRC" rev-list --reverse base..series)
	git -C "$MSRC" checkout -q -f --detach "${COMMITS[$((at - 1))]}"
	apply_mutant "$MSRC" "$mf" || return 3
	git -C "$MSRC" -c user.name=mutant -c user.email=mutant@invalid commit -q -a -m "mutant $name" || return 2
	m=$(git -C "$MSRC" rev-parse HEAD)
	next=$(git -C "$MSRC" commit-tree "${COMMITS[$at]}^{tree}" -p "$m" -m "patch $((at + 1)), unchanged")
	COMMITS[$((at - 1))]=$m COMMITS[$at]=$next
	(
		set +e
		export WORK=$MW SRC=$MSRC OUT=$MW/build ART=$MW/artifacts
		RESULTS=$ART/mutant-$name.results TIMES=$ART/mutant-$name.times
		mkdir -p "$ART/logs"
		: >"$RESULTS"
		record() { echo "$1 $2${3:+ ${*:3}}" >>"$RESULTS"; echo "[$1] $2 ${*:3}"; }
		step() { local id=$1 lf; shift; lf=$ART/logs/$(echo "$id" | tr / _).log
			if "$@" >"$lf" 2>&1; then record PASS "$id" ${STEP_NOTE:+"$STEP_NOTE"}; else record FAIL "$id" "log: $lf"; tail -n 5 "$lf"; fi; }
		. "$TOP/scripts/bisect.sh"
		bisect_range $((at - 2)) "$at"
		git -C "$SRC" checkout -q -f --detach "$SERIES_HEAD"
		! grep -q '^FAIL ' "$RESULTS"
	)
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
	at=$(sed -n 's/^at:[[:space:]]*//p' "$mf")
	if [ -n "$at" ]; then
		rc=0
		bisect_mutant "$name" "$mf" "$at" >"$mlog" 2>&1 || rc=$?
		case $rc in
		0) verdict="NOT CAUGHT by the builds along the queue (patches $((at - 1))-$((at + 1)))" ;;
		1) verdict="caught: $(grep '^FAIL ' "$MW/artifacts/mutant-$name.results" | head -2 | cut -d' ' -f2 | tr '\n' ' ')" ;;
		3) verdict="STALE (the mutant no longer matches patch $at: $(grep stale "$mlog" | tail -n 1))" ;;
		*) verdict="NOT TESTED: $(tail -n 1 "$mlog")" ;;
		esac
	elif ! apply_mutant "$MSRC" "$mf" >"$mlog" 2>&1; then
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
				# "fakehost: yes": also the gate's KUnit-only boot on
				# the fake TDX host with Dynamic PAMT.
				if [ -n "$(sed -n 's/^fakehost:[[:space:]]*//p' "$mf")" ]; then
					: >"$MW/list-none"
					KERNEL_CMDLINE="tdx_kunit_fake_host=dpamt" \
						"$TOP/scripts/qemu.sh" "mutant-$name-fakehost" "$MW/list-none" >>"$mlog" 2>&1
					python3 "$TOP/scripts/results.py" "$ART/serial-mutant-$name-fakehost.log" \
						"$MSRC/tools/testing/kunit/kunit.py" "$TOP/selftests/baseline" "$MW/list-none" \
						--config "$OUT/.config" --suites "$TOP/config/kunit.suites" \
						--uts "$OUT/include/generated/utsversion.h" --fakehost \
						>>"$ART/mutant-$name.results" 2>>"$mlog"
				fi
				fails=$(grep '^FAIL ' "$ART/mutant-$name.results" || true)
				if grep -qE '^FAIL (fakehost/)?kernel' "$ART/mutant-$name.results"; then
					# Another kernel booted: nothing was tested.
					verdict="NOT TESTED: $(grep -E '^FAIL (fakehost/)?kernel' "$ART/mutant-$name.results")"
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
