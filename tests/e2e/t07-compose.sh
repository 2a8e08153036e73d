#!/usr/bin/env bash
# --profile, --with-deps and --exclude on a compose project.
. "$(dirname "$0")/lib.sh"
project
svc() { # name [extra yaml lines]
	printf '  %s:\n    build:\n      dockerfile_inline: "FROM %s\\nRUN echo %s-%s > /id\\n"\n' "$1" "$BASE" "$1" "$NONCE"
	[ -n "${2:-}" ] && printf '%s\n' "$2"
	return 0
}
{
	echo "services:"
	svc web "    depends_on: [api]"
	svc api "    depends_on:
      db:
        condition: service_started"
	svc db
	svc docs
	svc debug "    profiles: [debug]"
	svc extra "    profiles: [extra]"
	echo "  cache:"
	echo "    image: redis"
} >compose.yaml

targets() { # print the selected target names, sorted, space-separated
	python3 -c 'import json,sys; print(" ".join(sorted(json.loads(sys.argv[1])["targets"])))' "$OUT"
}
run_dbake --print --profile debug
echo "# --profile debug: $(targets)"
check "--profile debug: services without profiles and debug" [ "$(targets)" = "api db debug docs web" ]
run_dbake --print web --with-deps
echo "# web --with-deps: $(targets)"
check "web --with-deps: web and its depends_on chain" [ "$(targets)" = "api db web" ]
run_dbake --print --exclude docs,extra
echo "# --exclude docs,extra: $(targets)"
check "--exclude docs,extra" [ "$(targets)" = "api db debug web" ]
run_dbake --print --exclude 'd*'
check "--exclude takes patterns" [ "$(targets)" = "api extra web" ]

run_dbake web --with-deps
check "web --with-deps builds: exit 0" [ "$RC" -eq 0 ]
check "web, api and db built" all_built web api db
check "nothing else built" grep -q '^3 built, 0 failed, 0 skipped' <<<"$OUT"
[ "$RC" -eq 0 ] || show
