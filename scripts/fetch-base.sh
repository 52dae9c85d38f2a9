#!/usr/bin/env bash
# Fetch the pinned Debian linux-source package and check its tarball.
# Prints the path of the verified tarball.
. "$(dirname "$0")/lib.sh"

mkdir -p "$CACHE"
deb="$CACHE/${BASE_PKG}_${BASE_VERSION}_all.deb"
tarball="$CACHE/$(basename "$BASE_TARBALL")"

if [ -f "$tarball" ] && echo "$BASE_SHA256  $tarball" | sha256sum -c --status; then
	echo "$tarball"
	exit 0
fi

if [ ! -f "$deb" ]; then
	src=/etc/apt/sources.list.d/$BASE_SUITE.sources
	if ! apt-cache policy "$BASE_PKG" 2>/dev/null | grep -qF "$BASE_VERSION"; then
		if ! grep -rqs "$BASE_SUITE" /etc/apt/sources.list /etc/apt/sources.list.d/; then
			log "adding $BASE_SUITE as an apt source (default priority; only $BASE_PKG is fetched from it)"
			cat >"$src" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $BASE_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
		fi
		apt-get update -qq >&2
	fi
	log "downloading $BASE_PKG=$BASE_VERSION"
	# Download only: nothing from the backports suite is installed.
	(cd "$CACHE" && apt-get download -q "$BASE_PKG=$BASE_VERSION" >&2 2>&1) ||
		die "cannot download $BASE_PKG=$BASE_VERSION from $BASE_SUITE"
	# apt names the file <pkg>_<version>_all.deb (an epoch would be %3a)
	[ -f "$deb" ] || die "apt-get download left no $(basename "$deb") in $CACHE"
fi

tmp=$(mktemp -d "$CACHE/x.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./$BASE_TARBALL" ||
	die "$deb does not contain $BASE_TARBALL"
got=$(sha256sum "$tmp/$BASE_TARBALL" | cut -d' ' -f1)
if [ "$got" != "$BASE_SHA256" ]; then
	die "sha256 mismatch for $BASE_TARBALL in $deb:
  expected $BASE_SHA256 (base.conf)
  got      $got
Refusing to build on an unpinned base. Delete $deb to fetch again."
fi
mv "$tmp/$BASE_TARBALL" "$tarball"
echo "$tarball"
