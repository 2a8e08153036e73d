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
run_dbake --plan --profile debug
echo "# --profile debug: $(targets)"
check "--profile debug: services without profiles and debug" [ "$(targets)" = "api db debug docs web" ]
run_dbake --plan web --with-deps
echo "# web --with-deps: $(targets)"
check "web --with-deps: web and its depends_on chain" [ "$(targets)" = "api db web" ]
run_dbake --plan --exclude docs,extra
echo "# --exclude docs,extra: $(targets)"
check "--exclude docs,extra" [ "$(targets)" = "api db debug web" ]
run_dbake --plan --exclude 'd*'
check "--exclude takes patterns" [ "$(targets)" = "api extra web" ]

run_dbake web --with-deps
check "web --with-deps builds: exit 0" [ "$RC" -eq 0 ]
check "web, api and db built" all_built web api db
check "nothing else built" grep -q '^3 built, 0 failed, 0 skipped' <<<"$OUT"
[ "$RC" -eq 0 ] || show

# A dotted service name: bake's target is api_v2; both names select it,
# --exclude takes both, --with-deps follows its depends_on from both.
mkdir dotted && cd dotted
cat >compose.yaml <<YAML
services:
  db:
    build:
      dockerfile_inline: "FROM $BASE\nRUN echo db-$NONCE\n"
  api.v2:
    build:
      dockerfile_inline: "FROM $BASE\nRUN echo api-$NONCE\n"
    depends_on: [db]
  web:
    build:
      dockerfile_inline: "FROM $BASE\nRUN echo web-$NONCE\n"
    depends_on:
      api.v2:
        condition: service_started
YAML
for name in api.v2 api_v2; do
	run_dbake --plan "$name" --with-deps
	check "$name --with-deps: the service and its depends_on ($(targets))" [ "$(targets)" = "api_v2 db" ]
	run_dbake --plan --exclude "$name"
	check "--exclude $name excludes it, no warning ($(targets))" \
		eval '[ "$(targets)" = "db web" ] && ! grep -q "matches no target" <<<"$ERR"'
done
run_dbake web --with-deps
check "a dotted dependency is built: exit 0" [ "$RC" -eq 0 ]
check "web, api_v2 and db built" all_built web api_v2 db
cd ..
