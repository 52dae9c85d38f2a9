#!/usr/bin/env bash
# Generate $OUT/.config: tinyconfig + kvm_guest.config + config/*.config,
# then check that every requested =y/=n really holds (Kconfig dependencies
# drop symbols silently).
#
# With --bisect (the gate's builds along the queue) a requested symbol that
# the checked-out commit's Kconfig does not define yet is allowed: it is
# the option of a later patch. Any other missing symbol still fails, so an
# option a patch introduces is on from that very patch.
. "$(dirname "$0")/lib.sh"

bisect=0
[ "${1:-}" = --bisect ] && bisect=1

mkdir -p "$OUT"
frags=("$SRC/kernel/configs/kvm_guest.config" "$TOP"/config/*.config)
make_kernel -s tinyconfig >/dev/null
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "${frags[@]}" >/dev/null
make_kernel -s olddefconfig >/dev/null

# Is SYM (without CONFIG_) defined by any Kconfig file of the tree?
defined() {
	git -C "$SRC" grep -qE "^[[:space:]]*(menu)?config[[:space:]]+$1[[:space:]]*$" \
		-- 'Kconfig*' '*/Kconfig*' 2>/dev/null
}

bad=0 later=()
for f in "$TOP"/config/*.config; do
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=y)
			sym=${line%%=*}
			grep -qx "$sym=y" "$OUT/.config" && continue
			if [ $bisect = 1 ] && ! defined "${sym#CONFIG_}"; then
				later+=("$sym")
				continue
			fi
			echo "config: $sym=y requested by $(basename "$f") but not set" >&2
			bad=1 ;;
		CONFIG_*=n)
			sym=${line%%=*}
			grep -q "^$sym=[ym]" "$OUT/.config" && { echo "config: $sym requested off by $(basename "$f") but set" >&2; bad=1; } ;;
		esac
	done <"$f"
done
[ $bad = 0 ] || die "kernel config is missing requested symbols"
[ ${#later[@]} = 0 ] || log "not defined at this commit (added later in the queue): ${later[*]}"
log "config ok: $OUT/.config"
