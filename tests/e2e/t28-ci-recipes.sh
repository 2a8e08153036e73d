#!/usr/bin/env bash
# README's CI recipes, as README has them: the shell steps of the GitHub
# Actions workflow and of the GitLab CI job, run on the test bed in a
# fresh docker config (a runner's): the builder made from DBAKE_NODES,
# a pushed build with its metadata file and report; then again as the
# next job would, with nothing kept but the history the CI cache gives
# back, which the run uses.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
project
cat >docker-bake.hcl <<HCL
group "default" { targets = ["web", "api"] }
target "web" {
  dockerfile-inline = "FROM $BASE\nRUN echo web-$NONCE > /web\n"
  tags = ["$REG/ci/$NONCE/web:latest"]
}
target "api" {
  dockerfile-inline = "FROM $BASE\nRUN echo api-$NONCE > /api && sleep 1\n"
  tags = ["$REG/ci/$NONCE/api:latest"]
}
HCL

# the steps: each "run: |" block of the workflow, each "- |" item of
# the job's script
python3 - "$top/README.md" "$PROJ" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def block(title):
    i = text.index(title)
    j = text.index("```yaml", i)
    return text[j + 7:text.index("```", j + 7)]
def steps(yaml, key):
    out, lines, i = [], yaml.splitlines(), 0
    while i < len(lines):
        m = re.match(r"^(\s*)" + key + r"\s*\|\s*$", lines[i])
        if not m:
            i += 1
            continue
        ind, body = len(m.group(1)), []
        i += 1
        while i < len(lines) and (not lines[i].strip() or
                                  len(lines[i]) - len(lines[i].lstrip()) > ind):
            body.append(lines[i])
            i += 1
        pad = min(len(l) - len(l.lstrip()) for l in body if l.strip())
        out.append("\n".join(l[pad:] for l in body) + "\n")
    return out
for name, title, key in (("github", "GitHub Actions:", "run:"),
                         ("gitlab", "GitLab CI:", "-")):
    for k, s in enumerate(steps(block(title), key)):
        open(f"{sys.argv[2]}/{name}-{k}.sh", "w").write(s)
PY
check "README: the workflow's two shell steps" [ -s github-0.sh -a -s github-1.sh -a ! -e github-2.sh ]
check "README: the job's two script items" [ -s gitlab-0.sh -a -s gitlab-1.sh -a ! -e gitlab-2.sh ]

runner() { # a fresh runner's docker config, with docker's plugins and dbake
	rm -rf "$PROJ/runner"
	mkdir -p "$PROJ/runner/cli-plugins"
	echo '{}' >"$PROJ/runner/config.json"
	ln -s "$DBAKE" "$PROJ/runner/cli-plugins/docker-dbake"
}
job() { # CI STATE: the steps of CI's recipe, in order, as a job runs them
	local ci=$1 k rc=0
	for k in 0 1; do
		(cd "$PROJ" && DOCKER_CONFIG=$PROJ/runner BUILDX_CONFIG=$PROJ/runner/buildx \
			DBAKE_NODES="${NODE_ADDRS[*]}" DBAKE_TLS= DBAKE_STATE_DIR=$PROJ/.dbake \
			bash -e "$ci-$k.sh") >"$PROJ/$ci-$k.log" 2>&1 || { rc=$?; break; }
	done
	return $rc
}
# the history the cache keeps, and only that
keep_history() {
	find "$PROJ/.dbake" -mindepth 1 -maxdepth 1 ! -name history.json -exec rm -rf {} +
}
for ci in github gitlab; do
	rm -rf .dbake report metadata.json
	runner
	job $ci
	rc=$?
	check "$ci: a first job: exit 0 (got $rc)" [ "$rc" -eq 0 ]
	[ "$rc" -eq 0 ] || tail -n 15 "$PROJ/$ci-"*.log | sed 's/^/# /'
	check "$ci: the builder made of the bed's nodes" \
		[ "$(DOCKER_CONFIG=$PROJ/runner BUILDX_CONFIG=$PROJ/runner/buildx docker buildx inspect ci | grep -c '^Endpoint:')" -eq "${#NODE_ADDRS[@]}" ]
	check "$ci: metadata.json has both targets" \
		[ "$(jq -r 'keys | join(" ")' metadata.json 2>/dev/null)" = "api web" ]
	check "$ci: the report is there" [ -s report/report.json -a -s report/report.html ]
	check "$ci: pushed" curl -fsS -o /dev/null -H 'Accept: application/vnd.oci.image.index.v1+json' \
		"http://$REG/v2/ci/$NONCE/web/manifests/latest"
	check "$ci: the history for the cache" [ -s .dbake/history.json ]
	# the next job: a fresh runner, the history back from the cache
	keep_history
	rm -rf report metadata.json
	runner
	job $ci
	rc=$?
	check "$ci: the next job: exit 0 (got $rc)" [ "$rc" -eq 0 ]
	# the history sent each target back to the node with its cache
	logs=$(jq -r .log_dir report/report.json 2>/dev/null)
	check "$ci: the next job: every RUN step a cache hit, where the history said" \
		eval 'runs_cached "$logs/web.log" && runs_cached "$logs/api.log"' 
	check "$ci: nothing left behind" no_children_left "$(cat "$PROJ/$ci-1.log")"
done
