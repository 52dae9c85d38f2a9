#!/usr/bin/env bash
# Regenerate patches/ from the commits base..series of the kernel tree.
# File names are stable (git format-patch names), commit ids are zeroed and
# the git version signature dropped, so an unchanged queue exports to
# byte-identical files. The cover letter (0000-cover-letter.patch) is kept.
# With an argument DIR, write to DIR instead (used by queue-status).
. "$(dirname "$0")/lib.sh"

dest=${1:-$PATCHES}
mkdir -p "$dest"
[ -d "$SRC/.git" ] || die "no kernel tree at $SRC (run 'make tree')"

fp_opts=(--zero-commit --no-signature --no-numbered -N --subject-prefix=PATCH
	 --no-cover-letter --no-renames --full-index --no-base)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$SRC" format-patch -q "${fp_opts[@]}" -o "$tmp" base..HEAD >/dev/null

find "$dest" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
	! -name '0000-cover-letter.patch' -delete
: >"$tmp/series.new"
for f in "$tmp"/*.patch; do
	[ -e "$f" ] || continue
	b=$(basename "$f")
	cp "$f" "$dest/$b"
	echo "$b" >>"$tmp/series.new"
done
mv "$tmp/series.new" "$dest/series"

# The cover letter's text is written by hand; its subject count, shortlog and
# diffstat (from the "<name> (N):" line on) are regenerated from the tree.
cover=$PATCHES/0000-cover-letter.patch
if [ -f "$cover" ]; then
	n=$(wc -l <"$dest/series")
	{
		sed -E "/^$PROJECT_NAME \([0-9]+\):\$/,\$d" "$cover" |
			sed -E "s#^Subject: \[PATCH [0-9]+/[0-9]+\]#Subject: [PATCH 00/$(printf %02d "$n")]#"
		git -C "$SRC" shortlog base..HEAD
		git -C "$SRC" diff --stat=72 base..HEAD
	} >"$tmp/cover"
	[ "$dest" = "$PATCHES" ] || cover=$dest/0000-cover-letter.patch
	cp "$tmp/cover" "$cover"
fi
[ "$dest" = "$PATCHES" ] && log "exported $(wc -l <"$dest/series") patches to patches/"
exit 0
