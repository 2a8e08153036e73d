#!/usr/bin/env bash
# docker dbake --version: dbake's version, buildx's, and the BuildKit of
# each node of the builder.
. "$(dirname "$0")/lib.sh"
world "node0 linux/amd64" "node1 linux/arm64"
out=$("$DBAKE" dbake --version 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check "--version: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "--version: dbake's first" grep -qx 'dbake [0-9][0-9A-Za-z.+~-]*' <<<"$(head -n1 <<<"$out")"
check "--version: buildx's" grep -qx 'buildx: github.com/docker/buildx v0.35.0-fake' <<<"$out"
check "--version: each node's BuildKit" \
	[ "$(grep -c '^BuildKit: v0.31.2-fake (builder fake, node node[01])$' <<<"$out")" -eq 2 ]
out=$("$DBAKE" dbake --builder nosuch --version 2>&1)
check "--version, an unknown builder: BuildKit unknown, said why" \
	grep -q '^BuildKit: unknown (.*no builder' <<<"$out"
