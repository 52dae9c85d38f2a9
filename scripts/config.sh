#!/usr/bin/env bash
# Generate $OUT/.config: tinyconfig + kvm_guest.config + config/*.config,
# then check that every requested =y/=n really holds (Kconfig dependencies
# drop symbols silently).
. "$(dirname "$0")/lib.sh"

mkdir -p "$OUT"
frags=("$SRC/kernel/configs/kvm_guest.config" "$TOP"/config/*.config)
make_kernel -s tinyconfig >/dev/null
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "${frags[@]}" >/dev/null
make_kernel -s olddefconfig >/dev/null

bad=0
for f in "$TOP"/config/*.config; do
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=y)
			sym=${line%%=*}
			grep -qx "$sym=y" "$OUT/.config" || { echo "config: $sym=y requested by $(basename "$f") but not set" >&2; bad=1; } ;;
		CONFIG_*=n)
			sym=${line%%=*}
			grep -q "^$sym=[ym]" "$OUT/.config" && { echo "config: $sym requested off by $(basename "$f") but set" >&2; bad=1; } ;;
		esac
	done <"$f"
done
[ $bad = 0 ] || die "kernel config is missing requested symbols"
log "config ok: $OUT/.config"
