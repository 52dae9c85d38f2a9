#!/usr/bin/env bash
# Prepare a posting of the queue the way the kernel community does, and with
# SEND=1 send it. Never touches the work tree or HEAD of the kernel tree: the
# posting is built with git plumbing only.
#
#   make send [V=N] [PREV=<rev of this repository>] [SEND=1]
#   scripts/send.sh --check      (or SEND_CHECK=1): the gate's check
#
# 1. The sender is git's user.name/user.email of this repository (or
#    GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL), never the project identity of
#    base.conf. Every commit of base..series is rebuilt with git commit-tree
#    on top of base (same trees): the project identity as author and its
#    Signed-off-by become the sender's; all other trailers are kept. The
#    result is refs/send/vN of the kernel tree.
# 2. git format-patch [-vN] --cover-letter --thread=shallow --base=base into
#    work/send/vN/. The cover letter's subject and text come from
#    patches/0000-cover-letter.patch (up to its shortlog), followed by the
#    base's provenance and, for N >= 2, "Changes in vN:" from
#    patches/changes-vN.txt.
# 3. With PREV (or for N >= 2 by default: the newest commit of this repository
#    whose patches/ holds a different queue), that revision's patches/ are
#    applied onto base without a work tree into refs/send/prev, re-signed the
#    same way, and the range-diff against them goes into the cover letter.
# 4. Recipients per mail from the tree's scripts/get_maintainer.pl
#    (scripts/send-recipients.sh): maintainers in To, reviewers and lists in
#    Cc, the cover letter to all of them.
# 5. git send-email --dry-run (no SMTP needed), checked: the sender's
#    Signed-off-by on every patch and no trace of the project identity, the
#    cover letter's count and diffstat against the queue. Only SEND=1 then
#    sends the same files for real.
#
# Needs the kernel tree from 'make tree' (series = patches/), git-email and
# Perl's Mail::Address (Debian libmailtools-perl, a Recommends of git-email).
#
# --check uses the throwaway identity "Gate Test <gate-test@example.invalid>"
# (environment only, no git config is written), works in work/send/check/
# and refs/send/check, removes that ref, and prints one line per result.
. "$(dirname "$0")/lib.sh"

usage() {
	sed -n '2,/^\. /{/^\. /d;s/^# \{0,1\}//;p}' "$0"
	exit "${1:-0}"
}

CHECK=${SEND_CHECK:-0}
case "${1:-}" in
'') ;;
--check) CHECK=1 ;;
-h | --help) usage 0 ;;
*) echo "unknown argument: $1" >&2; usage 2 >&2 ;;
esac
[ $# -le 1 ] || usage 2 >&2
[ "$CHECK" = 0 ] || CHECK=1
V=${V:-1}
PREV=${PREV:-}
SEND=${SEND:-0}
[[ $V =~ ^[1-9][0-9]*$ ]] || die "V must be a version number (1, 2, ...), not '$V'"
[ "$SEND" = 0 ] || [ "$SEND" = 1 ] || die "SEND must be 0 or 1, not '$SEND'"
if [ "$CHECK" = 1 ]; then
	[ "$SEND" = 0 ] || die "--check never sends; drop SEND=1"
	export GIT_AUTHOR_NAME="Gate Test" GIT_AUTHOR_EMAIL="gate-test@example.invalid"
	# Nobody's git settings (format.*, diff.*, sendemail.*) enter the check.
	export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
fi

# --- the sender --------------------------------------------------------------
name=${GIT_AUTHOR_NAME:-$(git -C "$TOP" config user.name || true)}
email=${GIT_AUTHOR_EMAIL:-$(git -C "$TOP" config user.email || true)}
if [ -z "$name" ] || [ -z "$email" ]; then
	die "no sender identity: set 'git config user.name' and 'git config user.email' (or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL)"
fi
lc() { tr '[:upper:]' '[:lower:]' <<<"$1"; }
if [ "$name" = "$PROJECT_NAME" ] || [ "$(lc "$email")" = "$(lc "$PROJECT_EMAIL")" ]; then
	die "the sender '$name <$email>' is the project identity '$PROJECT_NAME <$PROJECT_EMAIL>' of base.conf: set your own 'git config user.name' and 'git config user.email' (or GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL)"
fi
[[ $email =~ ^[^@[:space:]\<\>]+@[^@[:space:]\<\>]+$ ]] || die "the sender's email '$email' is not an address"
[[ $name != *[\<\>]* ]] || die "the sender's name '$name' contains < or >"
ident="$name <$email>"
project_ident="$PROJECT_NAME <$PROJECT_EMAIL>"
# Committer of the rebuilt commits and the Message-IDs of format-patch: the
# sender, whatever the kernel tree's own config says.
export GIT_AUTHOR_NAME="$name" GIT_AUTHOR_EMAIL="$email"
export GIT_COMMITTER_NAME="$name" GIT_COMMITTER_EMAIL="$email"

# Refuse early what would be refused later.
if [ -n "$PREV" ]; then
	git -C "$TOP" rev-parse -q --verify "$PREV^{commit}" >/dev/null || die "PREV=$PREV is not a commit of $TOP"
fi
if [ "$SEND" = 1 ] && [ "$V" -ge 2 ] && [ ! -s "$PATCHES/changes-v$V.txt" ]; then
	die "SEND=1 V=$V: write the changes since v$((V - 1)) to patches/changes-v$V.txt first"
fi

# --- the tree and the queue --------------------------------------------------
[ -d "$SRC/.git" ] || die "no kernel tree at $SRC (run 'make tree')"
g() { git -C "$SRC" "$@"; }
base=$(g rev-parse -q --verify 'base^{commit}') || die "no tag 'base' in $SRC (run 'make tree')"
series=$(g rev-parse -q --verify 'refs/heads/series^{commit}') || die "no branch 'series' in $SRC (run 'make tree')"
# The patches a series file names (patch names have no blanks).
series_patches() { grep -vE '^[[:space:]]*(#|$)' | grep -vx '0000-cover-letter.patch' || true; }
mapfile -t queue < <(series_patches <"$PATCHES/series")
n=${#queue[@]}
[ "$n" -gt 0 ] || die "patches/series is empty: nothing to send"
mapfile -t commits < <(g rev-list --reverse "$base..$series")
[ "${#commits[@]}" = "$n" ] ||
	die "the tree's series has ${#commits[@]} commits, patches/series $n patches: run 'make tree' (or 'make export')"

tmp=$(mktemp -d)
cleanup_refs=(refs/send/prev)
[ "$CHECK" = 1 ] && cleanup_refs+=(refs/send/check)
cleanup() {
	local r
	rm -rf "$tmp"
	for r in "${cleanup_refs[@]}"; do
		g update-ref -d "$r" 2>/dev/null || true
	done
}
trap cleanup EXIT

# The tree's commits must be the queue in patches/ (as export.sh writes it).
g format-patch -q --zero-commit --no-signature --no-numbered -N --subject-prefix=PATCH \
	--no-cover-letter --no-renames --full-index --no-base -o "$tmp/export" \
	"$base..$series" >/dev/null
i=0
for p in "${queue[@]}"; do
	i=$((i + 1))
	e=$(printf '%s/%04d-*.patch' "$tmp/export" "$i")
	# shellcheck disable=SC2086 # the glob is meant
	cmp -s $e "$PATCHES/$p" ||
		die "commit $i of the tree's series differs from patches/$p: run 'make tree' (or 'make export')"
done

# --- rebuilding commits with the sender's identity ---------------------------
# Message on stdin; the project's Signed-off-by becomes the sender's, and the
# sender's Signed-off-by is added at the end of the trailers if it is missing.
resign_msg() {
	OLD="Signed-off-by: $project_ident" NEW="Signed-off-by: $ident" \
		awk '$0 == ENVIRON["OLD"] { $0 = ENVIRON["NEW"] } { print }' |
		git -c trailer.ifexists=addIfDifferent -c trailer.where=end \
			interpret-trailers --trailer "Signed-off-by: $ident"
}
# commit TREE PARENT AUTHOR_NAME AUTHOR_EMAIL AUTHOR_DATE COMMITTER_DATE < message
commit() {
	local an=$3 ae=$4
	if [ "$an" = "$PROJECT_NAME" ] || [ "$(lc "$ae")" = "$(lc "$PROJECT_EMAIL")" ]; then
		an=$name ae=$email
	fi
	resign_msg | GIT_AUTHOR_NAME=$an GIT_AUTHOR_EMAIL=$ae GIT_AUTHOR_DATE=$5 \
		GIT_COMMITTER_DATE=$6 g commit-tree "$1" -p "$2"
}

# Deterministic: same queue and sender, same commit ids (dates are kept).
ref=refs/send/v$V
[ "$CHECK" = 1 ] && ref=refs/send/check
tip=$base
for c in "${commits[@]}"; do
	IFS=$'\t' read -r an ae ad cd < <(g log -1 --format=$'%an\t%ae\t%ad\t%cd' --date=raw "$c")
	tip=$(g cat-file commit "$c" | sed '1,/^$/d' | commit "$c^{tree}" "$tip" "$an" "$ae" "$ad" "$cd")
done
g update-ref "$ref" "$tip"
[ "$(g rev-parse "$tip^{tree}")" = "$(g rev-parse "$series^{tree}")" ] || die "internal: $ref has another tree than series"
log "re-signed $n commits as $ident: $ref = $(g rev-parse --short "$tip")"

# --- the previous version ----------------------------------------------------
# A key of a queue: patches/series and every patch it names (not the cover
# letter, not changes-v*.txt). "cat FILE" reads the current one, "git show
# REV:patches/FILE" an old one.
queue_key() { # REV or "" for the working tree
	local rev=$1 s p
	if [ -z "$rev" ]; then
		s=$(cat "$PATCHES/series")
	else
		s=$(git -C "$TOP" show "$rev:patches/series" 2>/dev/null) || return 1
	fi
	{
		echo "$s"
		for p in $(series_patches <<<"$s"); do
			if [ -z "$rev" ]; then cat "$PATCHES/$p"; else git -C "$TOP" show "$rev:patches/$p"; fi
		done
	} | git hash-object --stdin
}
default_prev() {
	local cur c k
	cur=$(queue_key "")
	for c in $(git -C "$TOP" rev-list HEAD -- patches/); do
		k=$(queue_key "$c") || continue
		[ "$k" = "$cur" ] || { echo "$c"; return 0; }
	done
	return 1
}
if [ -z "$PREV" ] && [ "$V" -ge 2 ]; then
	PREV=$(default_prev) ||
		die "V=$V needs the previous version to range-diff against, and no commit of $TOP holds a queue in patches/ other than the current one: give PREV=<revision>"
	log "PREV not given: using $(git -C "$TOP" log -1 --format='%h (%s)' "$PREV"), the newest commit of $TOP whose patches/ differs from the current queue"
fi

rangediff=()
if [ -n "$PREV" ]; then
	prev=$(git -C "$TOP" rev-parse -q --verify "$PREV^{commit}") || die "PREV=$PREV is not a commit of $TOP"
	pser=$(git -C "$TOP" show "$prev:patches/series" 2>/dev/null) || die "PREV=$PREV has no patches/series"
	if [ "$(git -C "$TOP" show "$prev:base.conf" 2>/dev/null | grep '^BASE_SHA256=')" != "BASE_SHA256=$BASE_SHA256" ]; then
		log "warning: PREV=$PREV was based on another base (BASE_SHA256 in its base.conf); applying its patches to this one"
	fi
	gi() { GIT_INDEX_FILE=$tmp/index g "$@"; }
	field() { sed -n "s/^$1: //p" "$tmp/info" | head -1; }
	gi read-tree "$base"
	ptip=$base pn=0
	for p in $(series_patches <<<"$pser"); do
		git -C "$TOP" show "$prev:patches/$p" >"$tmp/prev.patch" 2>/dev/null ||
			die "PREV=$PREV: patches/series names $p, which is not in that revision"
		git mailinfo "$tmp/msg" "$tmp/diff" <"$tmp/prev.patch" >"$tmp/info" ||
			die "PREV=$PREV: cannot parse patches/$p"
		gi apply --cached "$tmp/diff" 2>"$tmp/apply.err" ||
			die "PREV=$PREV: patches/$p does not apply to base on top of the ones before it: $(head -3 "$tmp/apply.err" | tr '\n' ' ')"
		pdate=$(field Date)
		{ field Subject; echo; cat "$tmp/msg"; } >"$tmp/pmsg"
		ptip=$(commit "$(gi write-tree)" "$ptip" "$(field Author)" "$(field Email)" "$pdate" "$pdate" <"$tmp/pmsg")
		pn=$((pn + 1))
	done
	[ "$pn" -gt 0 ] || die "PREV=$PREV: its patches/series is empty"
	g update-ref refs/send/prev "$ptip"
	rangediff=(--range-diff="$base..refs/send/prev")
	log "previous version: $pn patch(es) of $(git -C "$TOP" log -1 --format='%h (%s)' "$prev") in refs/send/prev"
	[ "$(queue_key "$prev")" != "$(queue_key "")" ] || log "warning: PREV=$PREV holds the same queue as patches/"
fi

# --- format-patch --------------------------------------------------------------
out=$WORK/send/v$V
[ "$CHECK" = 1 ] && out=$WORK/send/check
rm -rf "$out"
mkdir -p "$out"
vopt=()
[ "$V" -ge 2 ] && vopt=(-v"$V")
g -c format.signOff=false format-patch -q "${vopt[@]}" --subject-prefix=PATCH --cover-letter \
	--thread=shallow --base="$base" --from="$ident" --no-to --no-cc "${rangediff[@]}" \
	-o "$out" "$base..$ref" >/dev/null
g update-ref -d refs/send/prev 2>/dev/null || true
mapfile -t mails < <(find "$out" -maxdepth 1 -name '*.patch' | sort)
cover=${mails[0]}
[[ $cover == *0000-cover-letter.patch ]] || die "internal: no cover letter in $out"

# The cover text: subject and body of patches/0000-cover-letter.patch up to
# its shortlog ("$PROJECT_NAME (N):").
problems=()
src_cover=$PATCHES/0000-cover-letter.patch
if [ -f "$src_cover" ]; then
	subject=$(awk '/^$/ { exit } /^Subject: / { s = substr($0, 10); on = 1; next }
		on && /^[ \t]/ { sub(/^[ \t]+/, " "); s = s $0; next } { on = 0 } END { print s }' "$src_cover" |
		sed -E 's/^\[[^]]*\] *//')
	awk -v stop="$PROJECT_NAME (" 'body && index($0, stop) == 1 && $0 ~ /\([0-9]+\):$/ { exit }
		body { print } !body && /^$/ { body = 1 }' "$src_cover" |
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$tmp/blurb"
	[ -n "$subject" ] || problems+=("patches/0000-cover-letter.patch has no subject")
	[ -s "$tmp/blurb" ] || problems+=("patches/0000-cover-letter.patch has no text")
else
	subject="*** SUBJECT HERE ***"
	echo "*** BLURB HERE ***" >"$tmp/blurb"
	problems+=("no patches/0000-cover-letter.patch: the cover letter has no subject and no text")
fi
{
	echo
	echo "Base: v${BASE_VERSION%%-*} plus Debian's patches (Debian $BASE_PKG $BASE_VERSION),"
	echo "tarball sha256 $BASE_SHA256"
	if [ "$V" -ge 2 ]; then
		echo
		changes=$PATCHES/changes-v$V.txt
		if [ -s "$changes" ]; then
			grep -qx "Changes in v$V:" "$changes" || echo "Changes in v$V:"
			sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$changes"
		else
			echo "Changes in v$V:"
			echo "*** CHANGES IN v$V HERE: write patches/changes-v$V.txt ***"
			problems+=("no patches/changes-v$V.txt: the cover letter's \"Changes in v$V:\" is a placeholder")
		fi
	fi
} >>"$tmp/blurb"
SUBJ=$subject awk -v blurb="$tmp/blurb" '
	!done_s && /^Subject: / && sub(/\*\*\* SUBJECT HERE \*\*\*/, ENVIRON["SUBJ"]) { done_s = 1 }
	!done_b && $0 == "*** BLURB HERE ***" { while ((getline l < blurb) > 0) print l; done_b = 1; next }
	{ print }' "$cover" >"$tmp/cover" && cp "$tmp/cover" "$cover"
grep -qF '*** BLURB HERE ***' "$cover" && problems+=("the cover letter still has *** BLURB HERE ***")
grep -q '^Subject: .*\*\*\* SUBJECT HERE \*\*\*' "$cover" && problems+=("the cover letter still has *** SUBJECT HERE ***")
for pr in "${problems[@]}"; do
	[ "$SEND" = 1 ] && die "$pr: not sending"
	log "warning: $pr"
done

command -v git-send-email >/dev/null 2>&1 || [ -x "$(git --exec-path)/git-send-email" ] ||
	die "git send-email is missing: apt-get install git-email libmailtools-perl"
perl -MMail::Address -e 1 2>/dev/null ||
	die "git send-email needs Perl's Mail::Address (Debian: apt-get install libmailtools-perl)"

# --- git send-email --dry-run --------------------------------------------------
se_opts=(--from="$ident" --no-thread --8bit-encoding=UTF-8
	--no-chain-reply-to
	--to-cmd="$(printf '%q' "$TOP/scripts/send-recipients.sh") to"
	--cc-cmd="$(printf '%q' "$TOP/scripts/send-recipients.sh") cc")
export SEND_RCPT_CACHE=$tmp/recipients
dry_log=$out/send-email-dry-run.log
log "git send-email --dry-run of ${#mails[@]} mails (recipients from get_maintainer.pl)"
set +e
(cd "$TOP" && git send-email --dry-run --confirm=never "${se_opts[@]}" "${mails[@]}") \
	</dev/null >"$dry_log" 2>&1
dry_rc=$?
set -e
[ "$CHECK" = 1 ] || cat "$dry_log"

# --- checks ------------------------------------------------------------------
fail=()
ok() { [ "$CHECK" = 0 ] || echo "ok: $*"; }
bad() { fail+=("$*"); }
if [ $dry_rc = 0 ]; then ok "git send-email --dry-run exited 0 (log: $dry_log)"
else bad "git send-email --dry-run exited $dry_rc (log: $dry_log): $(tail -n 3 "$dry_log" | tr '\n' ' ')"; fi

nres=$(grep -c '^Result: OK' "$dry_log" || true)
if [ "$nres" = "${#mails[@]}" ]; then ok "the dry run would send ${#mails[@]} mails"
else bad "the dry run would send $nres mails, not ${#mails[@]}"; fi
noto=$(awk '/^From: / && !hdr { hdr = 1; to = 0 } hdr && /^To: ./ { to = 1 }
	/^Subject: / && hdr { s = $0 } /^Result: / { if (!to) print s; hdr = 0 }' "$dry_log")
if [ -z "$noto" ]; then ok "every mail has a To: recipient from get_maintainer.pl"
else noto=${noto//Subject: /}; bad "mails without a To: recipient: ${noto//$'\n'/; }"; fi

# Patch mails: body up to the "---" before the diff.
sob_missing=() proj=()
for m in "${mails[@]:1}"; do
	awk '/^$/ { b = 1 } b && /^---$/ { exit } b' "$m" | grep -qxF "Signed-off-by: $ident" ||
		sob_missing+=("$(basename "$m")")
done
for m in "${mails[@]}"; do
	grep -qiF "$PROJECT_EMAIL" "$m" && proj+=("$(basename "$m")")
	grep -qF "$PROJECT_NAME <" "$m" && proj+=("$(basename "$m")")
	grep -qxE "$PROJECT_NAME \([0-9]+\):" "$m" && proj+=("$(basename "$m")")
done
if [ ${#sob_missing[@]} = 0 ]; then ok "all $((${#mails[@]} - 1)) patches carry Signed-off-by: $ident"
else bad "no 'Signed-off-by: $ident' in: ${sob_missing[*]}"; fi
if [ ${#proj[@]} = 0 ]; then ok "no mail names the project identity $project_ident"
else bad "the project identity $project_ident is still in: $(printf '%s\n' "${proj[@]}" | sort -u | tr '\n' ' ')"; fi

count=$(sed -nE 's/^Subject: \[PATCH( v[0-9]+)? 0+\/([0-9]+)\].*/\2/p' "$cover" | head -1)
if [ -n "$count" ] && [ "$((10#$count))" = "$n" ] && [ $((${#mails[@]} - 1)) = "$n" ]; then
	ok "cover letter [PATCH $(sed -nE 's/^Subject: \[PATCH (v[0-9]+ )?(0+\/[0-9]+)\].*/\1\2/p' "$cover")]: $n patches, as patches/series"
else
	bad "cover letter counts '${count:-?}' patches, patches/series has $n, mails: $((${#mails[@]} - 1))"
fi

# The cover letter's diffstat: from the shortlog's end to base-commit or the
# range-diff, against git diff --stat of the queue (format-patch uses 72).
awk '/^ .* \| +[0-9]+ ?[-+]*$/ || /^ .* \| +Bin / || /^ [0-9]+ files? changed/ { print }
	/^base-commit: / || /^Range-diff/ { exit }' "$cover" >"$tmp/stat.cover"
g diff --stat=72 "$base..$series" >"$tmp/stat.tree"
if [ -s "$tmp/stat.tree" ] && diff -u "$tmp/stat.tree" "$tmp/stat.cover" >"$tmp/stat.diff"; then
	ok "cover letter diffstat = git diff --stat base..series ($(tail -n 1 "$tmp/stat.tree" | sed 's/^ //'))"
else
	bad "cover letter diffstat differs from git diff --stat base..series: $(grep '^[-+][^-+]' "$tmp/stat.diff" | head -4 | tr '\n' ' ')"
fi
if [ "$V" -ge 2 ] || [ -n "$PREV" ]; then
	if grep -q '^Range-diff against' "$cover"; then ok "cover letter has the range-diff against the previous version"
	else bad "no range-diff in the cover letter"; fi
fi

if [ ${#fail[@]} -gt 0 ]; then
	printf 'FAIL: %s\n' "${fail[@]}" >&2
	[ "$CHECK" = 1 ] && echo "send-check: FAILED (${#fail[@]} problem(s); mails in $out)" >&2
	exit 1
fi
if [ "$CHECK" = 1 ]; then
	echo "send-check: OK: ${#mails[@]} mails (cover + $n patches) in $out, signed off by $ident"
	exit 0
fi

echo
echo "== posting v$V: ${#mails[@]} mails in $out (dry-run log: $dry_log)"
echo "== recipients of the whole posting (the cover letter's; each patch goes to its own subset):"
# The first mail of the log is the cover letter; its To: and Cc: are folded.
awk '/^Result: / { exit } /^(To|Cc): / { h = $1; sub(/^(To|Cc): /, ""); print h, $0; next }
	h && /^\t/ { sub(/^\t/, ""); print h, $0; next } { h = "" }' "$dry_log" | sed -E 's/,$//; s/^/   /'

if [ "$SEND" = 1 ]; then
	log "SEND=1: sending for real"
	(cd "$TOP" && git send-email "${se_opts[@]}" "${mails[@]}")
	log "sent; the posted commits stay in $SRC as $ref"
else
	echo "dry run only: nothing was sent. Check the mails, then send them with: make send V=$V${PREV:+ PREV=$PREV} SEND=1"
fi
