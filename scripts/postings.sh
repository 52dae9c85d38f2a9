#!/usr/bin/env bash
# Check patches/postings against patches/series and print, one a line,
# "<posting> <first> <last>" (1-based patch numbers). Fails when the
# postings do not cover the series exactly once, in order.
. "$(dirname "$0")/lib.sh"
n=$(grep -cvE '^\s*(#|$)' "$PATCHES/series")
[ -f "$PATCHES/postings" ] || die "no patches/postings"
next=1
while read -r name range tree deps; do
	case "$name" in ''|'#'*) continue ;; esac
	first=${range%-*} last=${range#*-}
	[[ "$first" =~ ^[0-9]+$ && "$last" =~ ^[0-9]+$ ]] || die "postings: bad range '$range' for $name"
	[ "$first" = "$next" ] || die "postings: $name starts at $first, expected $next"
	[ "$last" -ge "$first" ] || die "postings: $name ends before it starts"
	[ -n "$tree" ] || die "postings: $name names no tree"
	echo "$name $first $last"
	next=$((last + 1))
done <"$PATCHES/postings"
[ "$next" = $((n + 1)) ] || die "postings cover patches 1-$((next - 1)), the series has $n"
