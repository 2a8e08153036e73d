#!/usr/bin/env bash
# A bake traces all its builds as one trace, and BuildKit writes the
# whole of it into each build's history record: child bakes are told
# not to sample traces (OTEL_TRACES_SAMPLER=always_off), unless the
# user chose a sampler or a trace exporter; then theirs stands.
. "$(dirname "$0")/lib.sh"
world
targets a b c d
# every build's setting, one line each
settings() { cut -d' ' -f2 "$FAKE_DIR/traces" | sort -u | tr '\n' ' '; }

run_dbake
check "default: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "default: every build told always_off ($(settings))" \
	[ "$(settings)" = "always_off " ]
check "default: a setting for each bake" \
	[ "$(wc -l <"$FAKE_DIR/traces")" -eq "$(builds | wc -l)" ]

: >"$FAKE_DIR/traces"
OTEL_TRACES_SAMPLER=parentbased_always_on run_dbake
check "the user's sampler: exit 0 (got $RC)" [ "$RC" -eq 0 ]
check "the user's sampler stands ($(settings))" \
	[ "$(settings)" = "parentbased_always_on " ]

for v in OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317 \
	OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:4318; do
	: >"$FAKE_DIR/traces"
	export "${v?}"
	run_dbake
	unset "${v%%=*}"
	check "${v%%=*} set: exit 0 (got $RC)" [ "$RC" -eq 0 ]
	check "${v%%=*} set: the sampler left unset ($(settings))" [ "$(settings)" = "- " ]
done
