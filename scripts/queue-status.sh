#!/usr/bin/env bash
# Exit non-zero, saying what is missing, when the kernel tree holds commits
# or uncommitted changes that patches/ does not.
. "$(dirname "$0")/lib.sh"

[ -d "$SRC/.git" ] || { echo "no kernel tree yet; nothing unexported"; exit 0; }
rc=0
# --ignored: the base's top-level .gitignore (Debian's) ignores every new
# file, so a file that was never "git add -f"-ed would otherwise go unseen.
# Builds are out of tree; only Python byte code may appear in the source.
dirty=$(git -C "$SRC" status --porcelain --ignored | { grep -vE '(__pycache__/|\.pyc)$' || true; } | head -20)
if [ -n "$dirty" ]; then
	echo "uncommitted changes in $SRC:"
	echo "$dirty" | sed 's/^/  /'
	rc=1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TOP/scripts/export.sh" "$tmp" >/dev/null
if ! diff -q "$tmp/series" "$PATCHES/series" >/dev/null 2>&1; then
	echo "the tree's commits (base..HEAD) differ from patches/series:"
	diff -u "$PATCHES/series" "$tmp/series" | tail -n +3 | sed 's/^/  /'
	rc=1
else
	while read -r p; do
		if ! cmp -s "$tmp/$p" "$PATCHES/$p"; then
			echo "commit differs from patches/$p"
			rc=1
		fi
	done <"$tmp/series"
fi
[ $rc = 0 ] && echo "queue-status: tree and patches/ agree ($(wc -l <"$tmp/series") patches)"
[ $rc = 0 ] || echo "run 'make export' to save the tree's work to patches/"
exit $rc
