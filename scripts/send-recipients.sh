#!/usr/bin/env bash
# Recipients of one mail of a posting, for git send-email's --to-cmd and
# --cc-cmd (scripts/send.sh). Usage: send-recipients.sh to|cc MAILFILE
#
# Runs the kernel tree's scripts/get_maintainer.pl from the tree's top
# directory on the mail, from MAINTAINERS only: no git history (the tree is
# one base commit plus the queue, so git signers would be the queue's own
# identity), no git fallback, no Fixes: lookups.
#   to: the maintainers (M:) of the touched files
#   cc: their reviewers (R:) and mailing lists (L:), minus anyone in To
# The cover letter (*0000-cover-letter.patch) goes to the union of the
# recipients of all the patches in its directory.
. "$(dirname "$0")/lib.sh"

[ $# = 2 ] || die "usage: $0 to|cc MAILFILE"
mode=$1
file=$(realpath "$2")
[ -f "$file" ] || die "no such mail: $2"
[ -f "$SRC/scripts/get_maintainer.pl" ] || die "no scripts/get_maintainer.pl in $SRC"

# SEND_RCPT_CACHE: a directory where the lists of each patch are kept, so
# that each patch is looked up once per selection and the cover letter's
# union costs nothing (send.sh sets it; the lists depend only on the mail).
cache=${SEND_RCPT_CACHE:-}

gm() { # OPTIONS... FILE
	(cd "$SRC" && perl scripts/get_maintainer.pl --no-rolestats --no-substatus \
		--no-git --no-git-fallback --no-fixes "$@")
}
# The maintainers (to) or reviewers and lists (rl) of one patch.
lookup() {
	local sel=$1 f=$2 c opts
	case "$sel" in to) opts=(--m --no-r --no-l) ;; rl) opts=(--no-m --r --l) ;; esac
	if [ -z "$cache" ]; then
		gm "${opts[@]}" "$f"
		return
	fi
	c=$cache/$(basename "$f").$sel
	[ -f "$c" ] || { gm "${opts[@]}" "$f" >"$c.tmp" && mv "$c.tmp" "$c"; }
	cat "$c"
}
addr() { sed -E 's/.*<([^>]*)>.*/\1/' | tr '[:upper:]' '[:lower:]'; }
uniq_addr() { # keep the first line of every address
	local seen="" a k
	while IFS= read -r a; do
		k=$(addr <<<"$a")
		grep -qxF "$k" <<<"$seen" && continue
		seen+=$k$'\n'
		echo "$a"
	done
}

files=("$file")
case "$file" in
*0000-cover-letter.patch)
	files=()
	for f in "$(dirname "$file")"/*.patch; do
		case "$f" in *0000-cover-letter.patch) continue ;; esac
		files+=("$f")
	done
	;;
esac
[ -z "$cache" ] || mkdir -p "$cache"

list() { local f; for f in "${files[@]}"; do lookup "$1" "$f"; done | uniq_addr; }
case "$mode" in
to) list to ;;
cc)
	to=$(list to | addr)
	list rl | while IFS= read -r a; do
		grep -qxF "$(addr <<<"$a")" <<<"$to" || echo "$a"
	done
	;;
*) die "usage: $0 to|cc MAILFILE" ;;
esac
