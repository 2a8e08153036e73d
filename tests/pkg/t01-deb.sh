#!/usr/bin/env bash
# make deb: the package installs docker dbake where docker finds its
# plugins, with its man page; docker dbake --version then works; it
# removes cleanly. make dist: the tarball builds on its own, without git,
# and says the same version.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dbake-pkg.XXXXXX")
trap 'dpkg -r dbake >/dev/null 2>&1; rm -rf "$tmp"' EXIT
cd "$top"
if dpkg -s dbake >/dev/null 2>&1; then
	nok "make deb: a dbake package is installed already; remove it to test"
	exit 1
fi
deb=$(tools/mkdeb build "$tmp" 2>"$tmp/mkdeb.err")
check "make deb: a package ($(basename "${deb:-none}"))" [ -s "$deb" ]
[ -s "$deb" ] || sed 's/^/# /' "$tmp/mkdeb.err"
check "its dependencies are declared" \
	grep -q 'libjansson4.*\|libfyaml0' <<<"$(dpkg-deb -f "$deb" Depends)"
check "installs" dpkg -i "$deb"
plugin=/usr/libexec/docker/cli-plugins/docker-dbake
check "docker's plugin directory has it" [ -x "$plugin" ]
# docker finds it there (a config dir of its own: no user plugin in the way)
out=$(DOCKER_CONFIG=$tmp/docker docker dbake --version 2>&1 | head -n1)
check "docker dbake --version: $out" [ "$out" = "dbake $(tools/version)" ]
check "its man page" [ -s /usr/share/man/man1/docker-dbake.1.gz ]
# every flag --help lists, in the page (roff writes '-' as '\-')
man_text=$(zcat /usr/share/man/man1/docker-dbake.1.gz | sed 's/\\-/-/g')
missing=
for f in $("$plugin" dbake --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	grep -qF -- "$f" <<<"$man_text" || missing="$missing $f"
done
check "the man page names every flag of --help${missing:+ (missing:$missing)}" [ -z "$missing" ]
check "removes" dpkg -r dbake
check "nothing left behind" [ ! -e "$plugin" -a ! -e /usr/share/man/man1/docker-dbake.1.gz ]

tarball=$(tools/mkdist "$tmp" 2>/dev/null)
check "make dist: a tarball ($(basename "${tarball:-none}"))" [ -s "$tarball" ]
mkdir "$tmp/src" && tar -xzf "$tarball" -C "$tmp/src"
src=$(ls -d "$tmp"/src/dbake-*)
check "the tarball has no git" [ ! -e "$src/.git" ]
(cd "$src" && meson setup b -Dtests=false >"$tmp/dist.log" 2>&1 && ninja -C b >>"$tmp/dist.log" 2>&1)
check "it builds on its own" [ -x "$src/b/docker-dbake" ]
[ -x "$src/b/docker-dbake" ] || tail -n 5 "$tmp/dist.log" | sed 's/^/# /'
check "and says the version it was made at" \
	[ "$("$src/b/docker-dbake" --version 2>/dev/null | head -n1)" = "dbake $(cat "$src/VERSION")" ]
