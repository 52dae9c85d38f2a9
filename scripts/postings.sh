#!/usr/bin/env bash
# Check patches/postings against patches/series and print, one a line,
# "<posting> <first> <last>" (1-based patch numbers). Fails when the
# postings do not cover the series exactly once, in order, or when a
# posting depends on one that is not declared before it (or on itself).
#
# --deps: print "<posting> <first> <last> <tree> [<prerequisite>...]"
# instead, where the prerequisites are every posting it depends on,
# directly or through another one (the transitive closure), in queue order:
# the postings whose patches lie between the base and this posting when it
# is applied on its own (scripts/send.sh).
. "$(dirname "$0")/lib.sh"
mode=plain
case "${1:-}" in
'') ;;
--deps) mode=deps ;;
*) die "usage: $0 [--deps]" ;;
esac
n=$(grep -cvE '^\s*(#|$)' "$PATCHES/series")
[ -f "$PATCHES/postings" ] || die "no patches/postings"
next=1
names=() # in queue order
declare -A closure=()
while read -r name range tree deps; do
	case "$name" in '' | '#'*) continue ;; esac
	first=${range%-*} last=${range#*-}
	[[ "$first" =~ ^[0-9]+$ && "$last" =~ ^[0-9]+$ ]] || die "postings: bad range '$range' for $name"
	[ "$first" = "$next" ] || die "postings: $name starts at $first, expected $next"
	[ "$last" -ge "$first" ] || die "postings: $name ends before it starts"
	[ -n "$tree" ] || die "postings: $name names no tree"
	[ -z "${closure[$name]+x}" ] || die "postings: $name is declared twice"
	# The closure: each direct dependency and its own closure.
	declare -A want=()
	for d in $deps; do
		[ "$d" != "$name" ] || die "postings: $name depends on itself"
		[ -n "${closure[$d]+x}" ] || die "postings: $name depends on '$d', which is not a posting declared before it"
		want[$d]=1
		for c in ${closure[$d]}; do want[$c]=1; done
	done
	cl=""
	for p in "${names[@]}"; do [ -z "${want[$p]+x}" ] || cl+="${cl:+ }$p"; done
	unset want
	closure[$name]=$cl
	names+=("$name")
	if [ $mode = deps ]; then
		echo "$name $first $last $tree${cl:+ $cl}"
	else
		echo "$name $first $last"
	fi
	next=$((last + 1))
done <"$PATCHES/postings"
[ "$next" = $((n + 1)) ] || die "postings cover patches 1-$((next - 1)), the series has $n"
