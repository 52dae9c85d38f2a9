#!/usr/bin/env bash
# The test gate: apply, the harness's own tests, checkpatch, bisect builds,
# W=1 with gcc and clang, kernel-doc, cross builds, selftest build, the
# send dry run, then boot in QEMU and run KUnit and the selftests, and
# KUnit once more on a fake TDX host with Dynamic PAMT.
# Every check is a record in $ART/gate.results; the last line printed is
# "N passed, N failed, N skipped". Exit status is non-zero on any failure.
. "$(dirname "$0")/lib.sh"
set +e

mkdir -p "$ART/logs"
RESULTS=$ART/gate.results
TIMES=$ART/gate.times # "<seconds> step|stage <id>"
: >"$RESULTS"
: >"$TIMES"
T0=$(date +%s)
STAGE="" STAGE_T0=$T0

record() {
	local st=$1 id=$2; shift 2
	echo "$st $id${*:+ $*}" >>"$RESULTS"
	printf '[%s] %s%s\n' "$st" "$id" "${*:+  ($*)}"
}
stage() { # close the running stage, open the next one
	local now; now=$(date +%s)
	[ -n "$STAGE" ] && echo "$((now - STAGE_T0)) stage $STAGE" >>"$TIMES"
	STAGE=$1 STAGE_T0=$now
	[ -n "$STAGE" ] && echo "== stage: $STAGE"
}
# The stages a complete run passes through; a run that gets to the end
# without one of them has skipped it silently, which fails (scripts/stages.py).
STAGES="apply harness checkpatch bisect final-build w1 send prod-build boot"
GATE_END=0
summary() {
	local p f s
	stage ""
	if [ "$GATE_END" = 1 ]; then
		if out=$(python3 "$TOP/scripts/stages.py" "$TIMES" "$RESULTS" $STAGES); then
			record PASS gate/stages "$out"
		else
			record FAIL gate/stages "$out"
		fi
	fi
	p=$(grep -c '^PASS ' "$RESULTS"); f=$(grep -c '^FAIL ' "$RESULTS"); s=$(grep -c '^SKIP ' "$RESULTS")
	echo
	echo "== gate summary ($(( ($(date +%s) - T0) / 60 )) min $(( ($(date +%s) - T0) % 60 )) s; records in $RESULTS)"
	echo "stages (seconds):"
	awk '$2 == "stage" { printf "  %6d  %s\n", $1, $3 }' "$TIMES"
	echo "five slowest steps (seconds):"
	awk '$2 == "step"' "$TIMES" | sort -rn | head -5 | awk '{ printf "  %6d  %s\n", $1, $3 }'
	n=$(awk '$2 == "step" && $3 ~ /^build\/[0-9]/' "$TIMES" | wc -l)
	if [ "$n" -gt 0 ]; then
		echo "builds along the queue: $n, median $(awk '$2 == "step" && $3 ~ /^build\/[0-9]/ { print $1 }' "$TIMES" | sort -n |
			awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }') s"
	fi
	grep '^FAIL ' "$RESULTS" | sed 's/^/  /'
	echo "$p passed, $f failed, $s skipped"
	[ "$f" = 0 ]
	exit $?
}
# Run a step, keep its output in a log, show the tail on failure.
step() {
	local id=$1 logf t rc; shift
	logf=$ART/logs/$(echo "$id" | tr '/' '_').log
	t=$(date +%s)
	"$@" >"$logf" 2>&1
	rc=$?
	echo "$(($(date +%s) - t)) step $id" >>"$TIMES"
	if [ $rc = 0 ]; then
		record PASS "$id" ${STEP_NOTE:+"$STEP_NOTE"}
	else
		record FAIL "$id" "log: $logf"
		tail -n 25 "$logf" | sed 's/^/    | /'
		return 1
	fi
}

mapfile -t SERIES < <(grep -vE '^\s*(#|$)' "$PATCHES/series")
# Leave the tree on its branch whatever happens (the builds along the queue
# and the base W=1 check out other commits; an interrupted gate must not
# leave a detached HEAD that looks like unexported work).
restore_tree() {
	[ -d "$SRC/.git" ] && git -C "$SRC" rev-parse -q --verify series >/dev/null &&
		git -C "$SRC" checkout -q series 2>/dev/null
	return 0
}
trap restore_tree EXIT
trap 'restore_tree; exit 130' INT TERM

# 1. Base and queue.
stage apply
step base/sha256 "$TOP/scripts/fetch-base.sh" || summary
if ! "$TOP/scripts/tree.sh" >"$ART/logs/tree.log" 2>&1; then
	bad=$(sed -n 's/^error: patch does not apply: //p' "$ART/logs/tree.log")
	if [ -n "$bad" ]; then
		for p in "${SERIES[@]}"; do
			if [ "$p" = "$bad" ]; then record FAIL "apply/$p" "git am failed"; break; fi
			record PASS "apply/$p"
		done
	else
		record FAIL tree "$(tail -n 3 "$ART/logs/tree.log" | tr '\n' ' ')"
	fi
	summary
fi
for p in "${SERIES[@]}"; do record PASS "apply/$p"; done
mapfile -t COMMITS < <(git -C "$SRC" rev-list --reverse base..series)
SERIES_HEAD=$(git -C "$SRC" rev-parse series)

# 2. The harness's own tests (tests/, pytest): the verdicts below are only
#    as good as the parser that draws them. They need the tree's kunit.py,
#    so they run as soon as the tree exists. Debian's python3 has pytest.
stage harness
HPY=/usr/bin/python3
if "$HPY" -m pytest -q -p no:cacheprovider --junitxml="$ART/harness.xml" "$TOP/tests" \
	>"$ART/logs/harness.log" 2>&1 || [ -s "$ART/harness.xml" ]; then
	"$HPY" - "$ART/harness.xml" <<'PY' | while read -r st id rest; do record "$st" "$id" $rest; done
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
n = 0
for tc in root.iter("testcase"):
    n += 1
    name = f"harness/{tc.get('classname', '').split('.')[-1]}.{tc.get('name')}"
    name = "".join(c if c.isalnum() or c in "/._-[]" else "_" for c in name)[:120]
    bad = tc.find("failure")
    if bad is None:
        bad = tc.find("error")
    if bad is not None:
        msg = (bad.get("message") or "").splitlines()
        print("FAIL", name, msg[0][:150] if msg else "")
    elif tc.find("skipped") is not None:
        print("SKIP", name, (tc.find("skipped").get("message") or "")[:150])
    else:
        print("PASS", name)
if n == 0:
    print("FAIL harness no test ran")
PY
else
	record FAIL harness "pytest did not run: $(tail -n 2 "$ART/logs/harness.log" | tr '\n' ' ')"
fi

# Every mutant of mutants/ still matches the code it targets (a mutant
# whose text moved away would be reported "stale" by make mutants, and
# guard nothing until then); an "at: N" mutant is checked against patch N.
for mf in "$TOP"/mutants/*.mutant; do
	[ -e "$mf" ] || continue
	name=$(basename "$mf" .mutant) at=$(sed -n 's/^at:[[:space:]]*//p' "$mf")
	rev=${SERIES_HEAD}
	if [ -n "$at" ]; then
		rev=${COMMITS[$((at - 1))]:-none}
	fi
	if out=$(python3 "$TOP/scripts/mutant.py" --check --rev "$rev" "$SRC" "$mf" 2>&1); then
		record PASS "mutant-live/$name" "${at:+patch $at: }$(echo "$out" | tr '\n' ' ')"
	else
		record FAIL "mutant-live/$name" "$(echo "$out" | tail -n 1)"
	fi
done

# 3. checkpatch --strict on every patch (exceptions, with a reason, in
#    config/checkpatch.exceptions as "<patch> <TYPE> <reason>"). Run from
#    the kernel tree, as checkpatch expects, with Debian's python3 (which
#    has python3-ply for spdxcheck.py) whatever python3 PATH finds first.
stage checkpatch
checkpatch() ( # patch ignore-types; a subshell, so the cd stays in it
	cd "$SRC" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict \
		--no-summary --quiet --show-types ${2:+--ignore "$2"} "$PATCHES/$1"
)
# git am's whitespace rules (blank-at-eol, blank-at-eof, space-before-tab),
# which checkpatch does not apply to a blank line at the end of a file:
# the queue must apply with git am --whitespace=error.
whitespace() { # commit
	local out
	out=$(git -C "$SRC" diff --check "$1~1" "$1") && return 0
	echo "whitespace errors (git am --whitespace=error refuses them):"
	echo "$out"
	return 1
}
# checkpatch is single-threaded Perl: run one per core, in the background,
# each into its own log and status file; the records follow in queue order.
CPDIR=$ART/checkpatch
rm -rf "$CPDIR" && mkdir -p "$CPDIR"
checkpatch_bg() { # patch -> $CPDIR/<patch>.log and .rc
	local p=$1 ign t
	t=$(date +%s)
	# Matched without the number, which changes whenever the queue does.
	ign=$(awk -v p="$p" 'function k(s) { sub(/^[0-9]+-/, "", s); return s }
		!/^[[:space:]]*(#|$)/ && k($1) == k(p) { printf "%s,", $2 }' \
		"$TOP/config/checkpatch.exceptions" 2>/dev/null)
	checkpatch "$p" "${ign%,}" >"$CPDIR/$p.log" 2>&1
	echo $? >"$CPDIR/$p.rc"
	echo $(($(date +%s) - t)) >"$CPDIR/$p.time"
}
export -f checkpatch checkpatch_bg
export SRC PATCHES TOP CPDIR
printf '%s\n' "${SERIES[@]}" | xargs -P "$JOBS" -I{} bash -c 'checkpatch_bg "$1"' _ {}
cp_result() { # patch: replay the background run as a step
	cat "$CPDIR/$1.log"
	return "$(cat "$CPDIR/$1.rc" 2>/dev/null || echo 1)"
}
for i in "${!SERIES[@]}"; do
	p=${SERIES[$i]}
	step "checkpatch/$p" cp_result "$p"
	step "whitespace/$p" whitespace "${COMMITS[$i]}"
done

# 4. Every patch builds on its own (scripts/bisect.sh): what each patch
#    changes is compiled at that patch, vmlinux is linked at the first
#    patch, at the end of every posting and at the last patch; a patch
#    that changes Kconfig gets the config fragments applied to its Kconfig
#    (config.sh --bisect) and a full build. Each record says what it built.
stage bisect
# shellcheck source=bisect.sh
. "$TOP/scripts/bisect.sh"
STEP_NOTE=""
if "$TOP/scripts/postings.sh" >"$ART/logs/postings.log" 2>&1; then
	record PASS postings "$(wc -l <"$ART/logs/postings.log") postings cover the ${#SERIES[@]} patches"
else
	record FAIL postings "$(tail -n 1 "$ART/logs/postings.log")"
	summary
fi
bisect_range 0 $((${#COMMITS[@]} - 1))
git -C "$SRC" checkout -q series

# 5. The kernel that boots: the full series' config, verified strictly,
#    and the boot image. Never boot a stale kernel.
stage final-build
KERNEL_OK=0
step config "$TOP/scripts/config.sh" || summary
# The code under review is compiled, not fetched: the objects of the .c
# files the series touches (and of files that #include them) are rebuilt
# with CCACHE_RECACHE, so a wrong cache entry (one was seen: a KUnit test
# object from an earlier, deliberately broken run) cannot reach the
# booted kernel. Objects that only include a touched header still come
# from the cache, keyed on that header's content.
# The .c files in the same directory that #include the .c file $1.
includers() { (cd "$SRC" && grep -lE "^#include \"$(basename "$1")\"" "$(dirname "$1")"/*.c 2>/dev/null) || true; }
fresh_build() {
	local f inc n=0
	for f in $(touched base series -- '*.c' | grep -v '^tools/'); do
		[ -f "$SRC/$f" ] || continue
		rm -f "$OUT/${f%.c}.o" && n=$((n + 1))
		for inc in $(includers "$f"); do rm -f "$OUT/${inc%.c}.o"; done
	done
	log "recompiling the objects of $n touched .c files without the cache"
	CCACHE_RECACHE=1 "$TOP/scripts/build.sh"
}
step build/final fresh_build && KERNEL_OK=1
# The booted kernel's config, kept: later steps build in other directories
# and results.py derives the expected KUnit suites from it.
FINAL_CONFIG=$ART/final.config
cp "$OUT/.config" "$FINAL_CONFIG"
if [ $KERNEL_OK = 1 ]; then
	# Every KUnit option the config builds has its suites in
	# config/kunit.suites, or a missing suite could not be noticed; and
	# every option listed there is built, or its suites would silently
	# not be expected (a config that lost the option is a failure).
	unlisted="" off=""
	for o in $(grep -oE '^CONFIG_[A-Z0-9_]*KUNIT_TEST=y' "$OUT/.config" | cut -d= -f1); do
		awk -v o="$o" '$2 == o { f = 1 } END { exit !f }' "$TOP/config/kunit.suites" || unlisted+="$o "
	done
	for o in $(awk '!/^[[:space:]]*(#|$)/ { print $2 }' "$TOP/config/kunit.suites" | sort -u); do
		grep -qx "$o=y" "$OUT/.config" || off+="$o "
	done
	if [ -n "$unlisted" ]; then record FAIL kunit/expected "no suites listed in config/kunit.suites for: $unlisted"
	elif [ -n "$off" ]; then record FAIL kunit/expected "not set in the booted config, so its suites cannot run: $off"
	else record PASS kunit/expected "$(grep -cvE '^\s*(#|$)' "$TOP/config/kunit.suites") suites listed, their options set"; fi
fi

# The boot needs one core (QEMU TCG is single-threaded): it starts here and
# runs beside the W=1, kernel-doc and send stages, which build with one job.
# So does a second, KUnit-only boot of the same kernel on a fake TDX host
# with Dynamic PAMT (tdx_kunit_fake_host=dpamt): the same KUnit set must
# pass there and leave the host's TDX state as it was (rule 13).
BOOT_PID="" FAKE_PID=""
if [ $KERNEL_OK = 1 ]; then
	[ "$(git -C "$SRC" rev-parse HEAD)" = "$SERIES_HEAD" ] || { record FAIL tree "work/linux is not at the series"; summary; }
	echo "== boot: the fake-host KUnit boot runs beside the next stages (log: $ART/logs/qemu-fakehost.log)"
	rm -f "$ART/serial-fakehost.log"
	: >"$ART/fakehost.list" # no selftests
	(
		t=$(date +%s)
		KERNEL_CMDLINE="tdx_kunit_fake_host=dpamt" \
			"$TOP/scripts/qemu.sh" fakehost "$ART/fakehost.list" >"$ART/logs/qemu-fakehost.log" 2>&1
		echo "$(($(date +%s) - t)) step qemu-fakehost" >>"$TIMES"
	) &
	FAKE_PID=$!
	if step selftests-build "$TOP/scripts/selftests.sh"; then
		echo "== boot: QEMU runs beside the next stages (log: $ART/logs/qemu.log)"
		rm -f "$ART/serial-gate.log"
		(
			t=$(date +%s)
			"$TOP/scripts/qemu.sh" gate "$TOP/selftests/list" >"$ART/logs/qemu.log" 2>&1
			echo "$(($(date +%s) - t)) step qemu" >>"$TIMES"
		) &
		BOOT_PID=$!
	fi
fi
JOBS_ALL=$JOBS
[ -n "$BOOT_PID$FAKE_PID" ] && JOBS=1

# 6. W=1 (gcc, then clang) and kernel-doc on everything the series touches,
#    against the final config: no new warnings compared with the base.
stage w1
W1_FILES=$(touched base series -- '*.c' | grep -v '^tools/')
# Objects to compile: the .o of each touched .c that the config builds, or
# of the file that #includes it. A touched x86 or generic file that the
# gate config does not compile at all is a coverage hole and fails.
# What the final kernel links, from its thin archive: an object file left
# in the build directory by an earlier config does not count.
W1_OBJS="" W1_HOLES="" W1_OTHER=""
LINKED=$ART/linked-objects.txt
ar t "$OUT/vmlinux.a" 2>/dev/null | sed "s#^$OUT/##" | sort -u >"$LINKED"
linked() { grep -qxF "$1" "$LINKED"; }
for f in $W1_FILES; do
	[ -f "$SRC/$f" ] || continue
	case "$f" in arch/x86/*|arch/*/include/*) ;; arch/*) W1_OTHER+="$f "; continue ;; esac
	if linked "${f%.c}.o"; then W1_OBJS+="${f%.c}.o "; continue; fi
	inc=$(includers "$f" | head -1)
	if [ -n "$inc" ] && linked "${inc%.c}.o"; then
		W1_OBJS+="${inc%.c}.o "
	else
		W1_HOLES+="$f "
	fi
done
W1_OBJS=$(echo "$W1_OBJS" | tr ' ' '\n' | sort -u | tr '\n' ' ')
# gcc/clang "file:L:C: warning: ..." and W=1's kernel-doc "Warning: file:L ...",
# without line numbers (they move between the base and the series).
# The base is built from its own worktree ($WORK/base-src): paths are made
# relative to their tree (absolute, or relative to the build directory as
# gcc prints them), so that the same warning in the same file compares equal.
warnings() {
	grep -iE 'warning:' |
		sed -E "s#($WORK/|\.\./)(linux|base-src)/##g" |
		sed -E 's/:[0-9]+:[0-9]+:/:/; s/^(Warning: [^ ]+):[0-9]+ /\1 /' | sort -u
}

# Warnings of the base: the base never changes, so they are computed once
# per compiler and object list (in separate output directories, so the
# series' build and config are left alone) and kept in $CACHE.
base_warnings() { # compiler(gcc|clang) objs... -> stdout
	local cc=$1; shift
	local key objs="" o
	for o in "$@"; do
		git -C "$SRC" cat-file -e "base:${o%.o}.c" 2>/dev/null && objs+="$o "
	done
	key=$(echo "paths-relative $cc $(cc_version_"$cc") $objs" | sha1sum | cut -c1-16)
	local cached=$CACHE/w1-base/$cc-$key.txt bo=$WORK/build-w1base-$cc missing=""
	if [ ! -f "$cached" ]; then
		mkdir -p "$CACHE/w1-base"
		# The base in a worktree of its own: the series' tree stays
		# checked out while the boot runs beside this stage.
		if ! git -C "$WORK/base-src" rev-parse -q --verify HEAD >/dev/null 2>&1; then
			rm -rf "$WORK/base-src"
			git -C "$SRC" worktree prune
			git -C "$SRC" worktree add -q -f --detach "$WORK/base-src" base || return 1
		fi
		for o in $objs; do rm -f "$bo/$o"; done
		(
			export OUT=$bo SRC=$WORK/base-src # config.sh is a child: it must see these
			"$TOP/scripts/config.sh" --bisect || exit 1
			if [ "$cc" = clang ]; then make_clang -s olddefconfig && make_clang -s -k W=1 $objs
			else make_kernel -s -k W=1 $objs; fi
		) >"$ART/logs/w1-base-$cc.log" 2>&1
		# A base that did not build would give "no warnings": never cache that.
		for o in $objs; do [ -f "$bo/$o" ] || missing+="$o "; done
		if [ -n "$missing" ]; then
			echo "base W=1 ($cc) did not build: $missing (log: $ART/logs/w1-base-$cc.log)" >&2
			return 1
		fi
		warnings <"$ART/logs/w1-base-$cc.log" >"$cached"
	fi
	warnings <"$cached"
}
cc_version_gcc() { gcc --version | head -1; }
cc_version_clang() { "clang-$CLANG_VER" --version | head -1; }

w1_check() { # id compiler make-fn
	local id=$1 cc=$2 t new rc
	t=$(date +%s)
	if [ -z "$W1_OBJS" ]; then record FAIL "$id" "no object of the series is built by the gate config"; return; fi
	local lost=""
	if [ "$cc" = clang ]; then
		# The final config, with clang: every requested symbol must hold
		# here too, or W=1 would compile the objects with options off.
		mkdir -p "$WORK/build-clang"
		cp "$FINAL_CONFIG" "$WORK/build-clang/.config"
		(OUT=$WORK/build-clang; make_clang -s olddefconfig && make_clang -s W=1 $W1_OBJS) >"$ART/logs/$id.log" 2>&1
		rc=$?
		for sym in $(grep -hoE '^CONFIG_[A-Z0-9_]+=y' "$TOP"/config/*.config | cut -d= -f1); do
			grep -qx "$sym=y" "$WORK/build-clang/.config" || lost+="$sym "
		done
	else
		make_kernel -s W=1 $W1_OBJS >"$ART/logs/$id.log" 2>&1
		rc=$?
	fi
	warnings <"$ART/logs/$id.log" >"$ART/$id-series.txt"
	base_warnings "$cc" $W1_OBJS >"$ART/$id-base.txt" 2>>"$ART/logs/$id.log" || rc=base
	new=$(comm -13 "$ART/$id-base.txt" "$ART/$id-series.txt")
	echo "$(($(date +%s) - t)) step $id" >>"$TIMES"
	if [ -n "$lost" ]; then record FAIL "$id" "the $cc config drops requested symbols: $lost"
	elif [ $rc = base ]; then record FAIL "$id" "the base objects did not build: $(tail -n 1 "$ART/logs/$id.log")"
	elif [ $rc != 0 ]; then record FAIL "$id" "W=1 build failed, log: $ART/logs/$id.log"
	elif [ -n "$new" ]; then record FAIL "$id" "new warnings: $(echo "$new" | head -3 | tr '\n' ' ')"
	else record PASS "$id" "$(echo $W1_OBJS | wc -w) objects, no new warning"; fi
}
if [ $KERNEL_OK = 1 ] && [ -n "$W1_FILES" ]; then
	if [ -n "$W1_HOLES" ]; then
		record FAIL w1/coverage "touched but not compiled by the gate config: $W1_HOLES"
	else
		record PASS w1/coverage "$(echo $W1_FILES | wc -w) touched .c files compiled${W1_OTHER:+; other arches (cross builds): $W1_OTHER}"
	fi
	w1_check w1 gcc
	if command -v "clang-$CLANG_VER" >/dev/null; then
		w1_check clang-w1 clang
	else
		record FAIL clang-w1 "clang-$CLANG_VER is not installed (scripts/deps.sh installs it)"
	fi
	git -C "$SRC" checkout -q series
fi
kd_norm() { sed -E "s#$1:[0-9]+#FILE#g; s#$1#FILE#g" | sort -u; }
kernel_doc() {
	local kd_new="" f a b d
	for f in $(touched base series -- '*.c' '*.h' | grep -v '^tools/'); do
		[ -f "$SRC/$f" ] || continue
		a=$(git -C "$SRC" show "base:$f" 2>/dev/null >"$ART/kd.tmp" &&
		    (cd "$SRC" && scripts/kernel-doc -none -Wall "$ART/kd.tmp" 2>&1) | kd_norm "$ART/kd.tmp")
		b=$( (cd "$SRC" && scripts/kernel-doc -none -Wall "$f" 2>&1) | kd_norm "$f")
		d=$(comm -13 <(echo "$a") <(echo "$b") | grep -v '^$')
		[ -n "$d" ] && kd_new+="$f: $(echo "$d" | head -2 | tr '\n' ' ') "
	done
	rm -f "$ART/kd.tmp"
	[ -z "$kd_new" ] || { echo "$kd_new"; return 1; }
}
step kernel-doc kernel_doc

# 7. The postings: make send's dry run with a throwaway identity, one
#    posting per line of patches/postings. send.sh --check prints a record
#    per posting (send/<posting>: applies on its base and prerequisites,
#    send-email --dry-run, cover letter count, diffstat, base-commit and
#    prerequisite-patch-ids) and per posting's build (send/<posting>/build:
#    its tree against the queue's, which the bisect stage built).
stage send
if [ -x "$TOP/scripts/send.sh" ]; then
	SEND_LOG=$ART/logs/send.log
	t=$(date +%s)
	SEND_BUILD=1 "$TOP/scripts/send.sh" --check >"$SEND_LOG" 2>&1
	rc=$?
	echo "$(($(date +%s) - t)) step send" >>"$TIMES"
	nrec=0
	while read -r st id rest; do
		record "$st" "$id" "$rest"
		nrec=$((nrec + 1))
	done < <(grep -E '^(PASS|FAIL|SKIP) send/' "$SEND_LOG")
	if [ $rc != 0 ] && ! grep -qE '^FAIL send/' "$SEND_LOG"; then
		record FAIL send/check "send.sh --check exited $rc (log: $SEND_LOG): $(tail -n 2 "$SEND_LOG" | tr '\n' ' ')"
	elif [ $nrec = 0 ]; then
		record FAIL send/check "send.sh --check wrote no record (log: $SEND_LOG)"
	fi
	[ $rc = 0 ] || tail -n 25 "$SEND_LOG" | sed 's/^/    | /'
fi

# 7b. The series as a TDX host runs it: the gate config with every KUnit
#     option of config/kunit.suites off, in work/build-prod. The test
#     options change what the TDX code declares and compiles (static
#     functions become visible to the tests), so a build with them on says
#     nothing about a kernel without them. ccache cannot serve another
#     output directory (its generated headers are in the compiler's
#     arguments) and a full vmlinux costs ~9 minutes here, so only the
#     directories the series changes are compiled, not linked.
stage prod-build
prod_build() {
	local o opts=() left=""
	local test_opts
	test_opts=$(awk '!/^[[:space:]]*(#|$)/ { print $2 }' "$TOP/config/kunit.suites" | sort -u)
	for o in $test_opts; do opts+=(-d "${o#CONFIG_}"); done
	OUT=$WORK/build-prod "$TOP/scripts/config.sh" || return 1
	"$SRC/scripts/config" --file "$WORK/build-prod/.config" "${opts[@]}" || return 1
	OUT=$WORK/build-prod make_kernel olddefconfig || return 1
	for o in $test_opts; do
		grep -q "^$o=y" "$WORK/build-prod/.config" && left+="$o "
	done
	[ -z "$left" ] || { echo "still set after olddefconfig: $left"; return 1; }
	grep -q '^CONFIG_KVM_INTEL_TDX=y' "$WORK/build-prod/.config" ||
		{ echo "CONFIG_KVM_INTEL_TDX is not set: nothing of the series would be built"; return 1; }
	OUT=$WORK/build-prod make_kernel arch/x86/virt/ arch/x86/kvm/ mm/huge_memory.o
}
if [ $KERNEL_OK = 1 ]; then
	STEP_NOTE="arch/x86/virt arch/x86/kvm (with virt/kvm) mm/huge_memory.o compiled with $(awk '!/^[[:space:]]*(#|$)/ { print $2 }' "$TOP/config/kunit.suites" | sort -u | tr '\n' ' ')off" \
		step build/no-kunit prod_build
else
	record FAIL build/no-kunit "not built: the kernel of the full series did not build"
fi

# 8. The boot's verdicts: KUnit, the selftests, dmesg.
stage boot
JOBS=$JOBS_ALL
if [ $KERNEL_OK != 1 ]; then
	record FAIL boot "not booted: the kernel of the full series did not build"
	summary
fi
# Progress: which selftest of how many the guest is in (KUnit runs at boot,
# before the first one).
if [ -n "$BOOT_PID" ]; then
	ntests=$(grep -cvE '^\s*(#|$)' "$TOP/selftests/list")
	seen=-1
	while kill -0 "$BOOT_PID" 2>/dev/null; do
		cur=$(grep -ac '^@@START' "$ART/serial-gate.log" 2>/dev/null)
		if [ "${cur:-0}" != "$seen" ]; then
			seen=${cur:-0}
			if [ "$seen" = 0 ]; then echo "== boot: kernel booting, KUnit running"
			else echo "== boot: selftest $seen of $ntests: $(grep -a '^@@START' "$ART/serial-gate.log" | tail -n 1 | cut -d' ' -f2)"; fi
		fi
		sleep 5
	done
	wait "$BOOT_PID"
	python3 "$TOP/scripts/results.py" "$ART/serial-gate.log" \
		"$SRC/tools/testing/kunit/kunit.py" "$TOP/selftests/baseline" \
		"$TOP/selftests/list" --config "$FINAL_CONFIG" --suites "$TOP/config/kunit.suites" \
		--uts "$OUT/include/generated/utsversion.h" \
		>"$ART/boot.results" 2>"$ART/logs/results.log" || record FAIL results "results.py failed: $(tail -n 1 "$ART/logs/results.log")"
	while read -r st id rest; do record "$st" "$id" $rest; done <"$ART/boot.results"
else
	record FAIL boot "not booted: the selftests did not build"
fi
# The fake-host boot (started with the first one, KUnit only, shorter):
# its records are kunit-fakehost/... and fakehost/..., with every expected
# suite required again and fakehost/state-unchanged.
echo "== boot: waiting for the fake-host KUnit boot"
wait "$FAKE_PID"
python3 "$TOP/scripts/results.py" "$ART/serial-fakehost.log" \
	"$SRC/tools/testing/kunit/kunit.py" "$TOP/selftests/baseline" \
	"$ART/fakehost.list" --config "$FINAL_CONFIG" --suites "$TOP/config/kunit.suites" \
	--uts "$OUT/include/generated/utsversion.h" --fakehost \
	>"$ART/fakehost.results" 2>"$ART/logs/results-fakehost.log" || record FAIL fakehost/results "results.py failed: $(tail -n 1 "$ART/logs/results-fakehost.log")"
while read -r st id rest; do record "$st" "$id" $rest; done <"$ART/fakehost.results"
GATE_END=1
summary
