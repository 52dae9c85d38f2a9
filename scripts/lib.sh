# Common settings for the harness scripts. Sourced, not run.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../base.conf
. "$TOP/base.conf"
WORK=${WORK:-$TOP/work}
CACHE=${CACHE:-$WORK/cache}
SRC=${SRC:-$WORK/linux}
OUT=${OUT:-$WORK/build}
ART=${ART:-$WORK/artifacts}
PATCHES=$TOP/patches
JOBS=${JOBS:-$(nproc)}

die() { echo "error: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

# ccache, when installed. Direct mode with depend mode keeps cold builds as
# cheap as plain ones; BASEDIR makes the absolute paths of O= builds hit.
# Sets CCACHE_CC to the CC= argument for compiler $1 (empty without ccache);
# not a $(...) subshell, so that the exports reach make.
ccache_cc() {
	CCACHE_CC=()
	command -v ccache >/dev/null 2>&1 || return 0
	export CCACHE_DEPEND=1 CCACHE_BASEDIR=$WORK
	export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
	CCACHE_CC=(CC="ccache $1")
}
# Kernel builds take both cores: each one waits for /tmp/kbuild.lock, so
# parallel sessions (worktrees, scripts/try.sh) queue instead of thrashing.
KBUILD_LOCK=${KBUILD_LOCK:-/tmp/kbuild.lock}
make_kernel() {
	ccache_cc "${CROSS_COMPILE:-}gcc"
	flock "$KBUILD_LOCK" make -C "$SRC" O="$OUT" -j"$JOBS" "${CCACHE_CC[@]}" "$@"
}

# The same with Debian's clang-19 and the LLVM tools (LLVM=-19).
CLANG_VER=${CLANG_VER:-19}
make_clang() {
	ccache_cc "clang-$CLANG_VER"
	flock "$KBUILD_LOCK" make -C "$SRC" O="$OUT" -j"$JOBS" LLVM=-"$CLANG_VER" "${CCACHE_CC[@]}" "$@"
}
