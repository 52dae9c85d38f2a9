# Builds along the queue: every patch is shown to compile on its own.
# Sourced by gate.sh and mutants.sh, after lib.sh; the caller defines
# step (id cmd...) and record (status id message...), and sets COMMITS[]
# and SERIES[] (the queue's commits and patch names, in order).
#
# Per patch, kbuild's own dependency records (.*.cmd, written by the
# previous build of the same directory) say which objects depend on the
# files the patch changes (scripts/affected.py), and only those are
# compiled, with the patch's tree. vmlinux is linked once at the first
# patch (a full build), at the end of every posting (patches/postings) and
# at the end of the range, so an error only the linker sees (a symbol used
# before the patch that defines it) is reported at the end of its posting,
# not at its own patch. Whenever a patch changes Kconfig or a Makefile, or
# its files feed anything but plain objects, the build is the full one.
# Each record says what was built.

touched() { git -C "$SRC" diff --name-only "$@"; }

# The full build of the checked-out commit, and the objects it linked.
full_build() { # reconfigure?
	if [ "$1" = 1 ]; then "$TOP/scripts/config.sh" --bisect || return 1; fi
	"$TOP/scripts/build.sh" vmlinux || return 1
	# ar lists the members by path (absolute in O= builds): keep them
	# relative to OUT, normalized like affected.py's targets.
	ar t "$OUT/vmlinux.a" | python3 -c '
import os, sys
out = os.path.abspath(sys.argv[1])
for l in sys.stdin:
    p = os.path.normpath(os.path.join(out, l.strip()))
    print(os.path.relpath(p, out))' "$OUT" >"$OUT/.gate-linked"
}
objs_build() { # objects...
	log "compiling $*"
	make_kernel -s "$@"
}
# A patch that changes nothing this build compiles has nothing to show.
nothing_build() { echo "$1"; }

cross_prepare() { # arch cross-prefix
	local o=$WORK/build-$1
	[ -f "$o/.config" ] && return 0
	make -s -C "$SRC" O="$o" ARCH="$1" CROSS_COMPILE="$2" defconfig || return 1
	"$SRC/scripts/config" --file "$o/.config" -e VIRTUALIZATION -e KVM
	make -s -C "$SRC" O="$o" ARCH="$1" CROSS_COMPILE="$2" olddefconfig
}
cross_build() { # arch cross-prefix commit targets...
	local arch=$1 cross=$2 c=$3 o=$WORK/build-$1
	shift 3
	cross_prepare "$arch" "$cross" || return 1
	if [ $# -gt 0 ]; then
		OUT=$o CROSS_COMPILE=$cross make_kernel ARCH="$arch" CROSS_COMPILE="$cross" -s "$@" || return 1
	fi
	echo "$c" >"$o/.gate-commit"
}
# The arch's KVM directory in full the first time; then the objects that
# depend on what changed since the last cross build of that arch.
cross_step() { # arch cross-prefix commit patch
	local o=$WORK/build-$1 v="" targets=()
	if [ -f "$o/.gate-commit" ] && git -C "$SRC" cat-file -e "$(cat "$o/.gate-commit")" 2>/dev/null; then
		v=$(touched "$(cat "$o/.gate-commit")" "$3" | python3 "$TOP/scripts/affected.py" "$o" "$SRC")
	fi
	case "$v" in
	objs*) read -ra targets <<<"${v#objs }"; STEP_NOTE="compiled ${#targets[@]} objects: $(echo "${v#objs }" | cut -c1-120)" ;;
	none*) STEP_NOTE="nothing to compile: ${v#none }" ;;
	*) targets=("arch/$1/kvm/"); STEP_NOTE="built arch/$1/kvm/ in full${v:+: ${v#full }}" ;;
	esac
	step "cross-$1/$4" cross_build "$1" "$2" "$3" "${targets[@]}"
	STEP_NOTE=""
}

# Posting ends, as 0-based indices into COMMITS.
posting_ends() {
	"$TOP/scripts/postings.sh" | awk '{ print $3 - 1 }'
}

bisect_range() { # first last (0-based, inclusive)
	local from=$1 to=$2 i c p files reconf v ends linkpend=0 objs
	ends=" $(posting_ends | tr '\n' ' ') "
	for ((i = from; i <= to; i++)); do
		c=${COMMITS[$i]} p=${SERIES[$i]}
		echo "== patch $((i + 1)) of ${#COMMITS[@]}: $p"
		git -C "$SRC" checkout -q --detach "$c"
		files=$(touched "$c~1" "$c")
		reconf=0
		{ [ "$i" = "$from" ] || echo "$files" | grep -qE '(^|/)Kconfig|^kernel/configs/|^arch/x86/configs/'; } && reconf=1
		if [ $reconf = 1 ] || [ ! -f "$OUT/.gate-linked" ]; then
			v="full first build of the range"
			[ "$i" = "$from" ] || v="full Kconfig changed"
		else
			v=$(echo "$files" | python3 "$TOP/scripts/affected.py" "$OUT" "$SRC" --linked "$OUT/.gate-linked") || v="full affected.py failed"
		fi
		case "$v" in
		full*)
			STEP_NOTE="full build and link: ${v#full }"
			step "build/$p" full_build $reconf
			linkpend=0 ;;
		objs*)
			read -ra objs <<<"${v#objs }"
			STEP_NOTE="compiled ${#objs[@]} objects: $(echo "${v#objs }" | cut -c1-120)"
			step "build/$p" objs_build "${objs[@]}"
			linkpend=1 ;;
		*)
			STEP_NOTE="nothing to compile: ${v#none }"
			step "build/$p" nothing_build "$STEP_NOTE" ;;
		esac
		STEP_NOTE=""
		# Link at the end of a posting and of the range.
		if [ $linkpend = 1 ] && { [[ "$ends" == *" $i "* ]] || [ "$i" = "$to" ]; }; then
			STEP_NOTE="vmlinux linked: end of a posting or of the range"
			step "link/$p" full_build 0 && linkpend=0
			STEP_NOTE=""
		fi
		if echo "$files" | grep -qE '^(virt/kvm/|include/linux/kvm)'; then
			cross_step arm64 aarch64-linux-gnu- "$c" "$p"
			cross_step riscv riscv64-linux-gnu- "$c" "$p"
		fi
		if echo "$files" | grep -q '^tools/testing/selftests/kvm/'; then
			step "selftests-build/$p" "$TOP/scripts/selftests.sh"
		fi
	done
	git -C "$SRC" checkout -q series 2>/dev/null || true
}
