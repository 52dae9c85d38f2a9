#!/usr/bin/env bash
# The test gate: apply, checkpatch, bisect build, W=1, kernel-doc, cross
# builds, selftest build, then boot in QEMU and run KUnit and the selftests.
# Every check is a record in $ART/gate.results; the last line printed is
# "N passed, N failed, N skipped". Exit status is non-zero on any failure.
. "$(dirname "$0")/lib.sh"
set +e

mkdir -p "$ART"
RESULTS=$ART/gate.results
: >"$RESULTS"
T0=$(date +%s)
record() {
	local st=$1 id=$2; shift 2
	echo "$st $id${*:+ $*}" >>"$RESULTS"
	printf '[%s] %s%s\n' "$st" "$id" "${*:+  ($*)}"
}
summary() {
	local p f s
	p=$(grep -c '^PASS ' "$RESULTS"); f=$(grep -c '^FAIL ' "$RESULTS"); s=$(grep -c '^SKIP ' "$RESULTS")
	echo
	echo "== gate summary ($(( ($(date +%s) - T0) / 60 )) min; records in $RESULTS)"
	grep '^FAIL ' "$RESULTS" | sed 's/^/  /'
	echo "$p passed, $f failed, $s skipped"
	[ "$f" = 0 ]
	exit $?
}
# Run a step, keep its output in a log, show the tail on failure.
step() {
	local id=$1 logf; shift
	logf=$ART/logs/$(echo "$id" | tr '/' '_').log
	mkdir -p "$ART/logs"
	if "$@" >"$logf" 2>&1; then
		record PASS "$id"
	else
		record FAIL "$id" "log: $logf"
		tail -n 25 "$logf" | sed 's/^/    | /'
		return 1
	fi
}

mapfile -t SERIES < <(grep -vE '^\s*(#|$)' "$PATCHES/series")

# 1. Base and queue.
step base/sha256 "$TOP/scripts/fetch-base.sh" || summary
if ! "$TOP/scripts/tree.sh" >"$ART/logs/tree.log" 2>&1; then
	bad=$(sed -n 's/^error: patch does not apply: //p' "$ART/logs/tree.log")
	for p in "${SERIES[@]}"; do
		if [ "$p" = "$bad" ]; then record FAIL "apply/$p" "git am failed"; break; fi
		record PASS "apply/$p"
	done
	[ -n "$bad" ] || record FAIL tree "$(tail -n 3 "$ART/logs/tree.log" | tr '\n' ' ')"
	summary
fi
for p in "${SERIES[@]}"; do record PASS "apply/$p"; done
mapfile -t COMMITS < <(git -C "$SRC" rev-list --reverse base..series)

# 2. checkpatch --strict on every patch (exceptions, with a reason, in
#    config/checkpatch.exceptions as "<patch> <TYPE> <reason>"). Run from
#    the kernel tree, as checkpatch expects, with Debian's python3 (which
#    has python3-ply for spdxcheck.py) whatever python3 PATH finds first.
checkpatch() ( # patch ignore-types; a subshell, so the cd stays in it
	cd "$SRC" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict \
		--no-summary --quiet --show-types ${2:+--ignore "$2"} "$PATCHES/$1"
)
for p in "${SERIES[@]}"; do
	ign=$(awk -v p="$p" '$1 == p { printf "%s,", $2 }' "$TOP/config/checkpatch.exceptions" 2>/dev/null)
	step "checkpatch/$p" checkpatch "$p" "${ign%,}"
done

# 3. Configuration (every requested symbol verified).
step config "$TOP/scripts/config.sh" || summary

touched() { git -C "$SRC" diff --name-only "$@"; }
objs_for() { # .c files of the kernel proper -> .o targets the config builds
	grep '\.c$' | grep -v '^tools/' | while read -r f; do
		[ -f "$OUT/${f%.c}.o" ] && echo "${f%.c}.o"
	done
}
kd_norm() { sed -E "s#$1:[0-9]+#FILE#g; s#$1#FILE#g" | sort -u; }
warnings() { grep -E 'warning:' | sed -E 's/:[0-9]+:[0-9]+:/:/' | sort -u; }

# 4. W=1 on the objects the series touches: at base first, compared at the end.
W1_FILES=$(touched base series -- '*.c' | grep -v '^tools/')

# 5. Every patch builds on its own (incremental builds along the queue).
cross_build() { # arch cross-prefix
	local arch=$1 cross=$2 o=$WORK/build-$1
	if [ ! -f "$o/.config" ]; then
		make -s -C "$SRC" O="$o" ARCH="$arch" CROSS_COMPILE="$cross" defconfig || return 1
		"$SRC/scripts/config" --file "$o/.config" -e VIRTUALIZATION -e KVM
		make -s -C "$SRC" O="$o" ARCH="$arch" CROSS_COMPILE="$cross" olddefconfig || return 1
	fi
	OUT=$o CROSS_COMPILE=$cross make_kernel ARCH="$arch" CROSS_COMPILE="$cross" -s "arch/$arch/kvm/"
}
KERNEL_OK=0
if [ ${#COMMITS[@]} = 0 ]; then
	step build/base "$TOP/scripts/build.sh" && KERNEL_OK=1
fi
for i in "${!COMMITS[@]}"; do
	c=${COMMITS[$i]} p=${SERIES[$i]}
	git -C "$SRC" checkout -q --detach "$c"
	KERNEL_OK=0
	step "build/$p" "$TOP/scripts/build.sh" && KERNEL_OK=1
	files=$(touched "$c~1" "$c")
	if echo "$files" | grep -qE '^(virt/kvm/|include/linux/kvm)'; then
		step "cross-arm64/$p" cross_build arm64 aarch64-linux-gnu-
		step "cross-riscv/$p" cross_build riscv riscv64-linux-gnu-
	fi
	if echo "$files" | grep -q '^tools/testing/selftests/kvm/'; then
		step "selftests-build/$p" "$TOP/scripts/selftests.sh"
	fi
done
git -C "$SRC" checkout -q series

# 6. W=1 and kernel-doc: no new warnings in what the series touches.
if [ -n "$W1_FILES" ]; then
	objs=$(echo "$W1_FILES" | objs_for | tr '\n' ' ')
	git -C "$SRC" checkout -q base
	base_objs=""
	for o in $objs; do [ -f "$SRC/${o%.o}.c" ] && base_objs+="$o "; done
	[ -n "$base_objs" ] && make_kernel -s W=1 $base_objs 2>&1 | warnings >"$ART/w1-base.txt"
	git -C "$SRC" checkout -q series
	make_kernel -s W=1 $objs >"$ART/logs/w1.log" 2>&1
	w1rc=$?
	warnings <"$ART/logs/w1.log" >"$ART/w1-series.txt"
	new=$(comm -13 "$ART/w1-base.txt" "$ART/w1-series.txt" 2>/dev/null)
	if [ $w1rc != 0 ]; then record FAIL w1 "W=1 build failed, log: $ART/logs/w1.log"
	elif [ -n "$new" ]; then record FAIL w1 "new warnings: $(echo "$new" | head -3 | tr '\n' ' ')"
	else record PASS w1 "$(echo $objs | wc -w) objects"; fi
	# kernel-doc on every touched C file and header
	kd_new=""
	for f in $(touched base series -- '*.c' '*.h' | grep -v '^tools/'); do
		[ -f "$SRC/$f" ] || continue
		a=$(git -C "$SRC" show "base:$f" 2>/dev/null >"$ART/kd.tmp" &&
		    (cd "$SRC" && scripts/kernel-doc -none -Wall "$ART/kd.tmp" 2>&1) | kd_norm "$ART/kd.tmp")
		b=$( (cd "$SRC" && scripts/kernel-doc -none -Wall "$f" 2>&1) | kd_norm "$f")
		d=$(comm -13 <(echo "$a") <(echo "$b") | grep -v '^$')
		[ -n "$d" ] && kd_new+="$f: $(echo "$d" | head -2 | tr '\n' ' ') "
	done
	rm -f "$ART/kd.tmp"
	if [ -n "$kd_new" ]; then record FAIL kernel-doc "$kd_new"; else record PASS kernel-doc; fi
fi

# The builds along the queue ran syncconfig at commits that lack options the
# series adds (which drops them): regenerate and verify the config of the
# full series, then build the kernel that boots.
step config/final "$TOP/scripts/config.sh" || summary
KERNEL_OK=0
step build/final "$TOP/scripts/build.sh" && KERNEL_OK=1

# 7. Selftests (static, against the patched headers), then QEMU. Never boot
#    a stale kernel: the last build of the series must have succeeded.
if [ $KERNEL_OK != 1 ]; then
	record FAIL boot "not booted: the kernel of the full series did not build"
	summary
fi
step selftests-build "$TOP/scripts/selftests.sh" || summary
"$TOP/scripts/qemu.sh" gate "$TOP/selftests/list" >"$ART/logs/qemu.log" 2>&1
python3 "$TOP/scripts/results.py" "$ART/serial-gate.log" \
	"$SRC/tools/testing/kunit/kunit.py" "$TOP/selftests/baseline" \
	"$TOP/selftests/list" | while read -r st id rest; do record "$st" "$id" $rest; done
summary
