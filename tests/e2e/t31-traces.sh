#!/usr/bin/env bash
# A bake traces all its builds as one trace, and BuildKit writes the
# whole of it into each build's history record (a bake of n targets: n
# copies of n builds' spans). dbake's child bakes sample no trace, so
# their records carry none; a sampler the user chose stands, and then
# BuildKit records the trace as for any bake.
. "$(dirname "$0")/lib.sh"
project
state=${DBAKE_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/dbake}
write_bake() {
	{
		echo 'group "default" { targets = ["tr1", "tr2"] }'
		hcl_target tr1 0
		hcl_target tr2 0
	} >docker-bake.hcl
}
# trace_layers TARGET: how many trace layers the history record of the
# latest build on TARGET's shard holds, once BuildKit had time to write
# one (it does a few seconds after the build)
trace_layers() {
	local shard ref dir m
	shard=$(sed -n '1s/.* shard \([^ ]*\)$/\1/p' "$(run_dir)/$1.log")
	ref=$(BUILDX_CONFIG=$state/buildx docker buildx history ls --builder "$shard" \
		--format json 2>/dev/null | head -n1 | jq -r .ref)
	dir=$(mktemp -d "$PROJ/rec.XXXXXX")
	sleep 4
	BUILDX_CONFIG=$state/buildx docker buildx history export --builder "$shard" \
		--finalize "${ref##*/}" -o "$dir/rec.dockerbuild" >/dev/null 2>&1 || return 1
	tar -xf "$dir/rec.dockerbuild" -C "$dir" || return 1
	m=$(jq -r '.manifests[0].digest | sub(":"; "/")' "$dir/index.json")
	jq '[.layers[]? | select(.mediaType == "application/vnd.buildkit.otlp.json.v0")] | length' \
		"$dir/blobs/$m"
}

unset OTEL_TRACES_SAMPLER OTEL_TRACES_EXPORTER OTEL_EXPORTER_OTLP_ENDPOINT \
	OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
write_bake
run_dbake
check "default: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "default: both built" all_built tr1 tr2
n=$(trace_layers tr1)
check "default: the build's record holds no trace (${n:-no record})" [ "${n:-x}" = 0 ]
[ "$RC" -eq 0 ] || show

NONCE=$NONCE-own
write_bake
OTEL_TRACES_SAMPLER=parentbased_always_on run_dbake
check "the user's sampler: exit 0 (got $RC)" [ "$RC" -eq 0 ]
n=$(trace_layers tr1)
check "the user's sampler: the record holds the trace (${n:-no record})" \
	[ "${n:-0}" -ge 1 ]
[ "$RC" -eq 0 ] || show
