#!/usr/bin/env bash
# Prepare the postings of the queue the way the kernel community does, one
# patch series per part that a maintainer tree takes on its own, and with
# SEND=1 send them. Never touches the work tree or HEAD of the kernel tree:
# the postings are built with git plumbing only.
#
#   make send [V=N] [V_<posting>=N] [PREV=<rev of this repository>] [SEND=1]
#   scripts/send.sh --check      (or SEND_CHECK=1): the gate's check
#
# The split is patches/postings (one line a posting: name, patch range,
# tree, the postings it depends on; scripts/postings.sh checks it and
# computes each posting's prerequisites, its dependencies and theirs).
# For each posting, in queue order:
# 1. The sender is git's user.name/user.email of this repository (or
#    GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL), never the project identity of
#    base.conf. The posting's prerequisites and then its own patches are
#    rebuilt with git commit-tree on top of base: the project identity as
#    author and its Signed-off-by become the sender's; all other trailers
#    are kept. While that stack is a prefix of the queue the trees are the
#    queue's own; after the first gap (a posting between them that is not a
#    prerequisite, e.g. the selftests under dpamt) each patch is applied
#    with git apply --cached in a temporary index, and a patch that does not
#    apply fails the posting, naming the patch. The posting's tip is
#    refs/send/<posting>/vN of the kernel tree.
# 2. git format-patch [-vN] --cover-letter --thread=shallow --base=base of
#    <prerequisites' tip>..<posting's tip> into work/send/vN/<posting>/:
#    mails numbered within the posting, a base-commit line and one
#    prerequisite-patch-id line per patch of its prerequisites. The cover
#    letter's subject and text come from patches/covers/<posting>.txt (first
#    line: the subject; then a blank line and the text), followed by the
#    base's provenance. N is V (default 1), or V_<posting> for that posting
#    (dashes as underscores: V_tdx_host=2); for N >= 2 the text must have a
#    "Changes in vN:" section (SEND=1 refuses without one).
# 3. With PREV (or for N >= 2 by default: the newest commit of this repository
#    whose patches/ holds a different queue), that revision's patches/ are
#    applied onto base without a work tree into refs/send/prev, re-signed the
#    same way, and each posting's cover letter gets the range-diff against
#    the same posting there: its range in PREV's patches/postings, or, when
#    PREV has no postings file or not that posting, PREV's patches from the
#    first to the last whose subject is one of the posting's (logged); with
#    none, no range-diff (logged).
# 4. Recipients per mail from the tree's scripts/get_maintainer.pl
#    (scripts/send-recipients.sh): maintainers in To, reviewers and lists in
#    Cc, each cover letter to the union of its own posting's.
# 5. git send-email --dry-run of each posting (no SMTP needed), checked: the
#    sender's Signed-off-by on every patch and no trace of the project
#    identity, the cover letter's count and diffstat against the posting, its
#    base-commit and prerequisite-patch-id lines against the mails of the
#    prerequisite postings. One line per posting, "PASS|FAIL send/<posting>
#    ...", and one on its build, "PASS|SKIP send/<posting>/build ...": its
#    tree against the queue's at its last patch, which the gate builds
#    (scripts/bisect.sh); a tree that differs outside tools/ has had no
#    kernel build and says so. Only SEND=1 then sends the same files for
#    real, every posting, each in its own thread.
#
# Needs the kernel tree from 'make tree' (series = patches/), git-email and
# Perl's Mail::Address (Debian libmailtools-perl, a Recommends of git-email).
#
# --check uses the throwaway identity "Gate Test <gate-test@example.invalid>"
# (environment only, no git config is written), works in work/send/check/
# and refs/send/<posting>/check, removes those refs, and prints one line per
# result.
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

# --- the postings ------------------------------------------------------------
# "<posting> <first> <last> <tree> [<prerequisite>...]", checked.
mapfile -t plines < <("$TOP/scripts/postings.sh" --deps) || true
"$TOP/scripts/postings.sh" >/dev/null || die "patches/postings does not describe the queue (scripts/postings.sh)"
names=()
declare -A pfirst=() plast=() ptree=() pdeps=() pver=()
for l in "${plines[@]}"; do
	read -r p f la tr dl <<<"$l"
	names+=("$p")
	pfirst[$p]=$f plast[$p]=$la ptree[$p]=$tr pdeps[$p]=$dl
	vv=V_${p//[^A-Za-z0-9_]/_}
	pver[$p]=${!vv:-$V}
	[[ ${pver[$p]} =~ ^[1-9][0-9]*$ ]] || die "$vv must be a version number (1, 2, ...), not '${pver[$p]}'"
	[ -s "$PATCHES/covers/$p.txt" ] || [ "$SEND" = 0 ] || die "SEND=1: no cover text patches/covers/$p.txt for posting $p"
	if [ "$SEND" = 1 ] && [ "${pver[$p]}" -ge 2 ] && ! grep -qx "Changes in v${pver[$p]}:" "$PATCHES/covers/$p.txt"; then
		die "SEND=1: posting $p is v${pver[$p]}: write its \"Changes in v${pver[$p]}:\" in patches/covers/$p.txt first"
	fi
done
[ ${#names[@]} -gt 0 ] || die "patches/postings declares no posting"

tmp=$(mktemp -d)
cleanup_refs=(refs/send/prev)
if [ "$CHECK" = 1 ]; then
	for p in "${names[@]}"; do cleanup_refs+=("refs/send/$p/check"); done
fi
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


# The stack of one posting: its prerequisites' patches and then its own, in
# queue order, re-signed on top of base. Sets STACK_PRE (the tip of the
# prerequisites, base without any), STACK_TIP and STACK_HOW; on a patch that
# does not apply, returns 1 with STACK_ERR.
gi() { GIT_INDEX_FILE=$tmp/index g "$@"; }
posting_of() { # patch number
	local q
	for q in "${names[@]}"; do
		[ "$1" -lt "${pfirst[$q]}" ] || [ "$1" -gt "${plast[$q]}" ] || { echo "$q"; return; }
	done
}
build_stack() { # posting
	local p=$1 d i k=0 npre c t=$base tree linear=1 idx=()
	for d in ${pdeps[$p]}; do
		for ((i = pfirst[$d]; i <= plast[$d]; i++)); do idx+=("$i"); done
	done
	npre=${#idx[@]}
	for ((i = pfirst[$p]; i <= plast[$p]; i++)); do idx+=("$i"); done
	STACK_PRE=$base STACK_ERR=""
	for i in "${idx[@]}"; do
		c=${commits[$((i - 1))]}
		k=$((k + 1))
		if [ $linear = 1 ] && [ "$i" = "$k" ]; then
			tree=$(g rev-parse "$c^{tree}")
		else
			if [ $linear = 1 ]; then
				linear=0
				gi read-tree "$t"
			fi
			if ! g diff-tree -p --binary --full-index --no-renames "$c~1" "$c" |
				gi apply --cached 2>"$tmp/apply.err"; then
				STACK_ERR="patch $i (${queue[$((i - 1))]}, of $(posting_of "$i")) does not apply on base${pdeps[$p]:+ + ${pdeps[$p]}} and the patches before it: $(head -3 "$tmp/apply.err" | tr '\n' ' ')"
				return 1
			fi
			tree=$(gi write-tree)
		fi
		IFS=$'\t' read -r an ae ad cd < <(g log -1 --format=$'%an\t%ae\t%ad\t%cd' --date=raw "$c")
		t=$(g cat-file commit "$c" | sed '1,/^$/d' | commit "$tree" "$t" "$an" "$ae" "$ad" "$cd")
		[ "$k" != "$npre" ] || STACK_PRE=$t
	done
	STACK_TIP=$t
	if [ $linear = 1 ]; then
		STACK_HOW="the queue's own trees up to patch ${plast[$p]}"
	else
		STACK_HOW="applied with git apply --cached where the stack leaves the queue's order"
	fi
}

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
maxv=$V
for p in "${names[@]}"; do [ "${pver[$p]}" -le "$maxv" ] || maxv=${pver[$p]}; done
if [ -z "$PREV" ] && [ "$maxv" -ge 2 ]; then
	PREV=$(default_prev) ||
		die "v$maxv needs the previous version to range-diff against, and no commit of $TOP holds a queue in patches/ other than the current one: give PREV=<revision>"
	log "PREV not given: using $(git -C "$TOP" log -1 --format='%h (%s)' "$PREV"), the newest commit of $TOP whose patches/ differs from the current queue"
fi

# PREV's queue re-signed on base, linearly: prev_tips[i] is the tip after its
# patch i (prev_tips[0] = base); prev_range[<posting>] its "first last".
prev_tips=() prev_subj=()
declare -A prev_range=()
if [ -n "$PREV" ]; then
	prev=$(git -C "$TOP" rev-parse -q --verify "$PREV^{commit}") || die "PREV=$PREV is not a commit of $TOP"
	pser=$(git -C "$TOP" show "$prev:patches/series" 2>/dev/null) || die "PREV=$PREV has no patches/series"
	if [ "$(git -C "$TOP" show "$prev:base.conf" 2>/dev/null | grep '^BASE_SHA256=')" != "BASE_SHA256=$BASE_SHA256" ]; then
		log "warning: PREV=$PREV was based on another base (BASE_SHA256 in its base.conf); applying its patches to this one"
	fi
	field() { sed -n "s/^$1: //p" "$tmp/info" | head -1; }
	gi read-tree "$base"
	ptip=$base pn=0
	prev_tips=("$base")
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
		prev_tips+=("$ptip")
		prev_subj+=("$(field Subject)")
		pn=$((pn + 1))
	done
	[ "$pn" -gt 0 ] || die "PREV=$PREV: its patches/series is empty"
	g update-ref refs/send/prev "$ptip"
	log "previous version: $pn patch(es) of $(git -C "$TOP" log -1 --format='%h (%s)' "$prev") in refs/send/prev"
	[ "$(queue_key "$prev")" != "$(queue_key "")" ] || log "warning: PREV=$PREV holds the same queue as patches/"
	if ppost=$(git -C "$TOP" show "$prev:patches/postings" 2>/dev/null); then
		while read -r p r _; do
			case "$p" in '' | '#'*) continue ;; esac
			[[ $r =~ ^([0-9]+)-([0-9]+)$ ]] && prev_range[$p]="${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
		done <<<"$ppost"
	fi
	# Without that posting in PREV's patches/postings: PREV's patches from
	# the first to the last whose subject is one of the posting's.
	where="PREV=$PREV has no patches/postings"
	[ -z "$ppost" ] || where="PREV=$PREV's patches/postings does not name it"
	for p in "${names[@]}"; do
		if [ -n "${prev_range[$p]:-}" ]; then
			read -r f la <<<"${prev_range[$p]}"
			if [ "$la" -gt "$pn" ] || [ "$f" -lt 1 ] || [ "$f" -gt "$la" ]; then
				log "PREV=$PREV: posting $p is patches $f-$la in its patches/postings, and it has $pn patches: no range-diff for $p"
				prev_range[$p]=""
			fi
			continue
		fi
		mine=$(for ((i = pfirst[$p]; i <= plast[$p]; i++)); do g log -1 --format=%s "${commits[$((i - 1))]}"; done)
		f=0 la=0
		for ((i = 1; i <= pn; i++)); do
			grep -qxF -- "${prev_subj[$((i - 1))]}" <<<"$mine" || continue
			[ "$f" != 0 ] || f=$i
			la=$i
		done
		if [ "$f" = 0 ]; then
			log "posting $p: $where, nor has PREV any of its patches' subjects: no range-diff"
		else
			log "posting $p: $where; its range-diff is against PREV's patches $f-$la, the first to the last with one of its subjects"
			prev_range[$p]="$f $la"
		fi
	done
fi

command -v git-send-email >/dev/null 2>&1 || [ -x "$(git --exec-path)/git-send-email" ] ||
	die "git send-email is missing: apt-get install git-email libmailtools-perl"
perl -MMail::Address -e 1 2>/dev/null ||
	die "git send-email needs Perl's Mail::Address (Debian: apt-get install libmailtools-perl)"

# --- each posting --------------------------------------------------------------
outroot=$WORK/send/v$V
[ "$CHECK" = 1 ] && outroot=$WORK/send/check
rm -rf "$outroot"
mkdir -p "$outroot"
se_opts=(--from="$ident" --no-thread --8bit-encoding=UTF-8
	--no-chain-reply-to
	--to-cmd="$(printf '%q' "$TOP/scripts/send-recipients.sh") to"
	--cc-cmd="$(printf '%q' "$TOP/scripts/send-recipients.sh") cc")
# A posting whose tree is no tree of the queue (tdx-host on base alone):
# compile, with the gate's config for that tree, the objects of the .c
# files the posting itself changes that the queue's build compiles, in a
# worktree of its tip and an output directory of its own. Not linked: the
# build of a whole kernel in a new output directory gets nothing from
# ccache (its generated headers are in the compiler's arguments).
posting_compile() { # posting pre tip others -> one record line
	local p=$1 pre=$2 tip=$3 others=$4 wt=$WORK/posting-src/$p
	local bout=$WORK/build-posting-$p plog=$ART/logs/send-build-$p.log
	local objs=() f o
	mkdir -p "$ART/logs"
	while read -r f; do
		o=${f%.c}.o
		[ -f "$OUT/$o" ] && objs+=("$o")
	done < <(g diff --name-only "$pre" "$tip" -- '*.c' | grep -v '^tools/')
	if [ ${#objs[@]} = 0 ]; then
		echo "PASS send/$p/build nothing of it is compiled by the gate config outside tools/"
		return
	fi
	g worktree remove -f "$wt" 2>/dev/null || rm -rf "$wt"
	g worktree prune
	mkdir -p "$WORK/posting-src"
	if ! g worktree add -q -f --detach "$wt" "$tip" >"$plog" 2>&1; then
		echo "FAIL send/$p/build no worktree of its tip (log: $plog)"
		return
	fi
	if (export SRC=$wt OUT=$bout; "$TOP/scripts/config.sh" --bisect && make_kernel "${objs[@]}") >>"$plog" 2>&1; then
		echo "PASS send/$p/build compiled on base${pdeps[$p]:+ + ${pdeps[$p]}} alone (without ${others}): ${objs[*]} (not linked; log: $plog)"
	else
		echo "FAIL send/$p/build does not compile on base${pdeps[$p]:+ + ${pdeps[$p]}} alone (without ${others}; log: $plog): $(grep -m1 'error' "$plog" | cut -c1-200)"
	fi
	g worktree remove -f "$wt" 2>/dev/null || true
}

records=() # "PASS|FAIL|SKIP send/<posting>[/build] text"
nfail=0
declare -A pout=() pmails=()

# The cover text of a posting: subject (first line) and body (after the
# blank second line) of patches/covers/<posting>.txt, then the base.
cover_text() { # posting version
	local p=$1 pv=$2 src=$PATCHES/covers/$1.txt
	subject="" problems=()
	if [ -s "$src" ]; then
		subject=$(head -n 1 "$src")
		[ -z "$(sed -n 2p "$src")" ] || problems+=("patches/covers/$p.txt: the second line must be blank (first line: subject)")
		sed '1,2d' "$src" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$tmp/blurb"
		[ -n "$subject" ] || problems+=("patches/covers/$p.txt has no subject")
		[ -s "$tmp/blurb" ] || problems+=("patches/covers/$p.txt has no text")
		if [ "$pv" -ge 2 ] && ! grep -qx "Changes in v$pv:" "$src"; then
			problems+=("patches/covers/$p.txt has no \"Changes in v$pv:\"")
		fi
	else
		subject="*** SUBJECT HERE ***"
		echo "*** BLURB HERE ***" >"$tmp/blurb"
		problems+=("no patches/covers/$p.txt: the cover letter of $p has no subject and no text")
	fi
	{
		echo
		echo "Base: v${BASE_VERSION%%-*} plus Debian's patches (Debian $BASE_PKG $BASE_VERSION),"
		echo "tarball sha256 $BASE_SHA256"
	} >>"$tmp/blurb"
}

for p in "${names[@]}"; do
	pv=${pver[$p]}
	out=$outroot/$p
	pout[$p]=$out
	mkdir -p "$out"
	size=$((plast[$p] - pfirst[$p] + 1))
	fail=() oks=()
	ok() { oks+=("$*"); [ "$CHECK" = 0 ] || echo "ok: $p: $*"; }
	bad() { fail+=("$*"); echo "FAIL: $p: $*" >&2; }
	log "posting $p (patches ${pfirst[$p]}-${plast[$p]}, for ${ptree[$p]}, v$pv) on base${pdeps[$p]:+ + ${pdeps[$p]}}"

	# 1. The stack.
	if ! build_stack "$p"; then
		bad "$STACK_ERR"
		records+=("FAIL send/$p $STACK_ERR")
		records+=("SKIP send/$p/build not built: the posting does not apply on its base and prerequisites")
		nfail=$((nfail + 1))
		continue
	fi
	pre=$STACK_PRE tip=$STACK_TIP
	ok "applies on base${pdeps[$p]:+ + ${pdeps[$p]}} ($STACK_HOW)"
	ref=refs/send/$p/v$pv
	[ "$CHECK" = 1 ] && ref=refs/send/$p/check
	g update-ref "$ref" "$tip"

	# 2. format-patch, with the range-diff against PREV's same posting.
	vopt=() rd=()
	[ "$pv" -ge 2 ] && vopt=(-v"$pv")
	if [ -n "${prev_range[$p]:-}" ]; then
		read -r f la <<<"${prev_range[$p]}"
		rd=(--range-diff="${prev_tips[$((f - 1))]}..${prev_tips[$la]}")
	fi
	g -c format.signOff=false format-patch -q "${vopt[@]}" --subject-prefix=PATCH --cover-letter \
		--thread=shallow --base="$base" --from="$ident" --no-to --no-cc "${rd[@]}" \
		-o "$out" "$pre..$tip" >/dev/null
	mapfile -t mails < <(find "$out" -maxdepth 1 -name '*.patch' | sort)
	pmails[$p]="${mails[*]:1}"
	cover=${mails[0]}
	[[ $cover == *0000-cover-letter.patch ]] || die "internal: no cover letter in $out"

	cover_text "$p" "$pv"
	SUBJ=$subject awk -v blurb="$tmp/blurb" '
		!done_s && /^Subject: / && sub(/\*\*\* SUBJECT HERE \*\*\*/, ENVIRON["SUBJ"]) { done_s = 1 }
		!done_b && $0 == "*** BLURB HERE ***" { while ((getline l < blurb) > 0) print l; done_b = 1; next }
		{ print }' "$cover" >"$tmp/cover" && cp "$tmp/cover" "$cover"
	# format-patch --base computes the prerequisite-patch-ids in process,
	# and git 2.39's differ from git patch-id --stable (what a maintainer or
	# b4 computes from the posted mails) for some patches (patch 1 of this
	# queue): the lines are rewritten with git patch-id --stable of the
	# same commits, and the checks below compare them with the mails.
	for c in $(g rev-list --reverse "$base..$pre"); do
		g diff-tree -p --no-renames "$c" | git patch-id --stable | cut -d' ' -f1
	done >"$tmp/pre.ids"
	nfix=$(sed -n 's/^prerequisite-patch-id: //p' "$cover" | diff - "$tmp/pre.ids" | grep -c '^>' || true)
	[ "$nfix" = 0 ] || log "$p: $nfix prerequisite-patch-id line(s) of git format-patch differ from git patch-id --stable: rewritten"
	awk -v ids="$tmp/pre.ids" -v bc="base-commit: $base" '/^prerequisite-patch-id: [0-9a-f]+$/ { next }
		{ print }
		$0 == bc { while ((getline l < ids) > 0) print "prerequisite-patch-id: " l }' "$cover" >"$tmp/cover" &&
		cp "$tmp/cover" "$cover"
	grep -qF '*** BLURB HERE ***' "$cover" && problems+=("the cover letter of $p still has *** BLURB HERE ***")
	grep -q '^Subject: .*\*\*\* SUBJECT HERE \*\*\*' "$cover" && problems+=("the cover letter of $p still has *** SUBJECT HERE ***")
	for pr in "${problems[@]}"; do
		[ "$SEND" = 1 ] && die "$pr: not sending"
		log "warning: $pr"
	done

	# 3. git send-email --dry-run; the cover letter's recipients are the
	# union of this posting's patches' (one cache per posting: the mails of
	# different postings share file names).
	export SEND_RCPT_CACHE=$tmp/recipients-$p
	dry_log=$out/send-email-dry-run.log
	log "git send-email --dry-run of the ${#mails[@]} mails of $p (recipients from get_maintainer.pl)"
	set +e
	(cd "$TOP" && git send-email --dry-run --confirm=never "${se_opts[@]}" "${mails[@]}") \
		</dev/null >"$dry_log" 2>&1
	dry_rc=$?
	set -e

	# 4. The checks.
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
	if [ -n "$count" ] && [ "$((10#$count))" = "$size" ] && [ $((${#mails[@]} - 1)) = "$size" ]; then
		ok "cover letter [PATCH $(sed -nE 's/^Subject: \[PATCH (v[0-9]+ )?(0+\/[0-9]+)\].*/\1\2/p' "$cover")]: $size patches, as patches/postings"
	else
		bad "cover letter counts '${count:-?}' patches, patches/postings has $size, mails: $((${#mails[@]} - 1))"
	fi

	# The cover letter's diffstat: from the shortlog's end to base-commit or
	# the range-diff, against git diff --stat of the posting (format-patch
	# uses 72).
	awk '/^ .* \| +[0-9]+ ?[-+]*$/ || /^ .* \| +Bin / || /^ [0-9]+ files? changed/ { print }
		/^base-commit: / || /^Range-diff/ { exit }' "$cover" >"$tmp/stat.cover"
	g diff --stat=72 "$pre..$tip" >"$tmp/stat.tree"
	if [ -s "$tmp/stat.tree" ] && diff -u "$tmp/stat.tree" "$tmp/stat.cover" >"$tmp/stat.diff"; then
		ok "cover letter diffstat = the posting's ($(tail -n 1 "$tmp/stat.tree" | sed 's/^ //'))"
	else
		bad "cover letter diffstat differs from git diff --stat of the posting: $(grep '^[-+][^-+]' "$tmp/stat.diff" | head -4 | tr '\n' ' ')"
	fi

	# base-commit, and one prerequisite-patch-id per patch of the
	# prerequisite postings: the patch-ids of the commits the posting was
	# applied on, which must be those of the prerequisite postings' mails.
	if grep -qx "base-commit: $base" "$cover"; then ok "base-commit: $(g rev-parse --short "$base") (base)"
	else bad "no 'base-commit: $base' in the cover letter"; fi
	sed -n 's/^prerequisite-patch-id: //p' "$cover" >"$tmp/pre.cover"
	for c in $(g rev-list --reverse "$base..$pre"); do
		g diff-tree -p --no-renames "$c" | git patch-id --stable | cut -d' ' -f1
	done >"$tmp/pre.stack"
	npre=$(wc -l <"$tmp/pre.stack")
	if [ "$npre" = 0 ]; then
		if [ -s "$tmp/pre.cover" ]; then bad "prerequisite-patch-id lines in the cover letter of a posting without prerequisites"
		else ok "no prerequisite-patch-id: no prerequisite posting"; fi
	elif cmp -s "$tmp/pre.stack" "$tmp/pre.cover"; then
		ok "$npre prerequisite-patch-id lines = git patch-id --stable of the $npre commits under the posting (${pdeps[$p]}), in order"
	else
		bad "prerequisite-patch-id lines ($(wc -l <"$tmp/pre.cover")) are not git patch-id --stable of the $npre commits under the posting ($(diff "$tmp/pre.stack" "$tmp/pre.cover" | grep -c '^[<>]') lines differ)"
	fi
	: >"$tmp/pre.mails"
	missing=""
	for d in ${pdeps[$p]}; do
		if [ -z "${pmails[$d]:-}" ]; then missing+=" $d"; continue; fi
		for m in ${pmails[$d]}; do git patch-id --stable <"$m" | cut -d' ' -f1; done >>"$tmp/pre.mails"
	done
	if [ "$npre" = 0 ]; then :
	elif [ -n "$missing" ]; then bad "prerequisite postings without mails to compare with:$missing"
	elif cmp -s "$tmp/pre.mails" "$tmp/pre.cover"; then ok "the prerequisite-patch-ids are those of the mails of ${pdeps[$p]}"
	else bad "the prerequisite-patch-ids are not those of the mails of ${pdeps[$p]}"; fi
	if [ "$pv" -ge 2 ] || [ -n "$PREV" ]; then
		if [ -z "${prev_range[$p]:-}" ]; then ok "no previous version of $p in PREV: no range-diff"
		elif grep -q '^Range-diff against' "$cover"; then ok "cover letter has the range-diff against PREV's patches ${prev_range[$p]/ /-}"
		else bad "no range-diff in the cover letter"; fi
	fi

	# 5. The build: the gate builds the queue in its order (scripts/bisect.sh)
	# and links vmlinux at the end of each posting. The posting's tree
	# against the queue's at its last patch.
	lin=${commits[$((plast[$p] - 1))]}
	lp=${queue[$((plast[$p] - 1))]}
	others=""
	for d in "${names[@]}"; do
		[ "$d" != "$p" ] || break
		[[ " ${pdeps[$p]} " == *" $d "* ]] || others+="${others:+ }$d"
	done
	diffs=$(g diff --name-only "$lin" "$tip")
	if [ -z "$diffs" ]; then
		buildrec=("PASS send/$p/build its tree is the queue's at patch ${plast[$p]} ($lp), which the gate's builds along the queue compile and link (scripts/bisect.sh)")
	elif ! grep -qv '^tools/' <<<"$diffs"; then
		buildrec=("PASS send/$p/build its tree differs from the queue's at patch ${plast[$p]} ($lp) only under tools/ ($(wc -l <<<"$diffs") files of ${others:-no posting}, not among its prerequisites): its kernel is the one the gate's builds along the queue compile and link there (scripts/bisect.sh)")
	else
		dirs=$(grep -v '^tools/' <<<"$diffs" | cut -d/ -f1-2 | sort -u | tr '\n' ' ')
		if [ "$CHECK" = 1 ] && [ "${SEND_BUILD:-0}" = 1 ]; then
			buildrec=("$(posting_compile "$p" "$pre" "$tip" "${others:-?}")")
		else
			buildrec=("SKIP send/$p/build not built: its tree differs from the queue's at patch ${plast[$p]} outside tools/ (${dirs% }: the patches of ${others:-?}, not among its prerequisites), and the gate builds the queue's order only (SEND_BUILD=1 compiles it)")
		fi
	fi

	if [ ${#fail[@]} = 0 ]; then
		records+=("PASS send/$p ${#mails[@]} mails $(sed -nE 's/^Subject: (\[PATCH [^]]*\]).*/\1/p' "$cover" | head -1) for ${ptree[$p]}, on base${pdeps[$p]:+ + ${pdeps[$p]}}: applies, send-email --dry-run OK, To: on every mail, sign-offs, count, diffstat, base-commit, $npre prerequisite-patch-ids${rd[*]:+, range-diff}")
	else
		records+=("FAIL send/$p ${#fail[@]} problem(s): $(printf '%s; ' "${fail[@]}" | cut -c1-400)")
		nfail=$((nfail + 1))
	fi
	records+=("${buildrec[@]}")
	if [ "$CHECK" = 0 ]; then
		cat "$dry_log"
		echo
		echo "== posting $p v$pv: ${#mails[@]} mails in $out (dry-run log: $dry_log)"
		echo "== recipients of the whole posting (the cover letter's; each patch goes to its own subset):"
		# The first mail of the log is the cover letter; its To: and Cc: are folded.
		awk '/^Result: / { exit } /^(To|Cc): / { h = $1; sub(/^(To|Cc): /, ""); print h, $0; next }
			h && /^\t/ { sub(/^\t/, ""); print h, $0; next } { h = "" }' "$dry_log" | sed -E 's/,$//; s/^/   /'
	fi
done
g update-ref -d refs/send/prev 2>/dev/null || true

echo
printf '%s\n' "${records[@]}"
if [ "$nfail" -gt 0 ]; then
	[ "$CHECK" = 1 ] && echo "send-check: FAILED ($nfail of ${#names[@]} postings; mails in $outroot)" >&2
	exit 1
fi
if [ "$CHECK" = 1 ]; then
	echo "send-check: OK: ${#names[@]} postings in $outroot, signed off by $ident"
	exit 0
fi

if [ "$SEND" = 1 ]; then
	for p in "${names[@]}"; do
		log "SEND=1: sending posting $p for real"
		export SEND_RCPT_CACHE=$tmp/recipients-$p
		mapfile -t mails < <(find "${pout[$p]}" -maxdepth 1 -name '*.patch' | sort)
		(cd "$TOP" && git send-email "${se_opts[@]}" "${mails[@]}")
	done
	log "sent; the posted commits stay in $SRC as refs/send/<posting>/v<N>"
else
	echo "dry run only: nothing was sent. Check the mails in $outroot/<posting>/, then send them with: make send V=$V${PREV:+ PREV=$PREV} SEND=1"
fi
