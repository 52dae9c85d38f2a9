#!/usr/bin/env bash
# Build the kernel tree: the pinned base as one commit (tag "base"), then the
# queue in patches/ applied with git am, one commit per patch, on branch
# "series". Refuses to throw away work that patches/ does not have.
. "$(dirname "$0")/lib.sh"

git_id() {
	git -C "$SRC" config user.name "$PROJECT_NAME"
	git -C "$SRC" config user.email "$PROJECT_EMAIL"
	git -C "$SRC" config core.abbrev 12
	git -C "$SRC" config gc.auto 0
}

if [ ! -d "$SRC/.git" ] || ! git -C "$SRC" rev-parse -q --verify base >/dev/null; then
	tarball=$("$TOP/scripts/fetch-base.sh")
	log "unpacking $(basename "$tarball")"
	rm -rf "$SRC" "$SRC.tmp"
	mkdir -p "$SRC.tmp"
	tar -xJf "$tarball" -C "$SRC.tmp" --strip-components=1
	git -C "$SRC.tmp" init -q -b series
	SRC=$SRC.tmp git_id
	git -C "$SRC.tmp" add -A -f . >/dev/null
	GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
		git -C "$SRC.tmp" commit -q -m "base: Debian $BASE_PKG $BASE_VERSION" \
		-m "sha256 of $(basename "$BASE_TARBALL"): $BASE_SHA256"
	git -C "$SRC.tmp" tag base
	mv "$SRC.tmp" "$SRC"
else
	if [ "${FORCE:-0}" != 1 ] && ! "$TOP/scripts/queue-status.sh" >&2; then
		die "the tree holds work that patches/ does not have: run 'make export' first, or FORCE=1 to discard it"
	fi
	git_id
	git -C "$SRC" am --abort >/dev/null 2>&1 || true
	git -C "$SRC" checkout -q -f -B series base
	git -C "$SRC" clean -q -fdx
fi

n=0
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	[ -f "$PATCHES/$p" ] || die "patches/series names $p, which does not exist"
	if ! git -C "$SRC" am -q --keep-cr "$PATCHES/$p" >&2; then
		git -C "$SRC" am --abort >/dev/null 2>&1 || true
		die "patch does not apply: $p"
	fi
	n=$((n + 1))
done < "$PATCHES/series"
log "tree ready: base + $n patches at $SRC"
