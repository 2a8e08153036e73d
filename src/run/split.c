/*
 * Targets of several platforms, built as plain bake builds them on a
 * builder of several nodes: each platform on a node that builds it
 * natively, its image pushed by digest, then one index of them all
 * under the target's tags (`docker buildx imagetools create`, the
 * merge job).
 */
#include "split.h"
#include "childdef.h"
#include "../buildx/docker.h"
#include "../util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *printed(const struct run *run, const char *name)
{
	return json_object_get(json_object_get(run->plan->doc, "target"), name);
}

void split_mark(struct plan *plan, const struct options *opts)
{
	json_t *targets = json_object_get(plan->doc, "target");
	for (size_t i = 0; i < plan->nr; i++) {
		struct target *t = &plan->v[i];
		json_t *jt = json_object_get(targets, t->name);
		t->split = t->selected && opts->policy != POLICY_FIFO &&
			   childdef_splittable(jt, opts->push, opts->load);
		t->pushes = t->split && childdef_pushes(jt, opts->push);
	}
}

int split_part_pushes(const struct run *run, size_t job)
{
	const struct job_info *in = &run->info[job];
	return in->platform && in->target->pushes;
}

void split_part_built(struct run *run, size_t job)
{
	struct job_info *in = &run->info[job];
	if (!split_part_pushes(run, job) || !in->metadata_path)
		return;
	json_t *doc = json_load_file(in->metadata_path, 0, NULL);
	const char *dg = json_string_value(json_object_get(
		json_object_get(doc, in->target->name), "containerimage.digest"));
	free(in->digest);
	in->digest = dg && starts_with(dg, "sha256:") ? xstrdup(dg) : NULL;
	json_decref(doc);
	const char *tag = json_string_value(json_array_get(
		json_object_get(printed(run, in->target->name), "tags"), 0));
	if (in->digest && tag) {
		char *repo = childdef_repository(tag);
		char *ref = xstrfmt("docker-image://%s@%s", repo, in->digest);
		transfer_pushed(&run->transfer, job, ref);
		free(ref);
		free(repo);
	}
}

void split_merge_argv(const struct run *run, size_t job, const char *shard,
		      struct strvec *argv)
{
	const struct job_info *in = &run->info[job];
	const struct job *j = &run->dag.jobs[job];
	json_t *jt = printed(run, in->target->name);
	json_t *tags = json_object_get(jt, "tags");
	const char *first = json_string_value(json_array_get(tags, 0));
	const char *missing = NULL;
	int pushed = 0;
	for (size_t i = 0; i < j->ndeps; i++) {
		const struct job_info *p = &run->info[j->deps[i]];
		if (!p->platform || p->target != in->target ||
		    !split_part_pushes(run, j->deps[i]))
			continue;
		pushed = 1;
		if (!p->digest)
			missing = run->dag.jobs[j->deps[i]].name;
	}
	if (!pushed || !first) {
		/* nothing pushed: nothing to put together */
		strvec_push(argv, "true");
		return;
	}
	if (missing) {
		/* never an index short of a platform, nor a silent success */
		strvec_push(argv, "sh");
		strvec_push(argv, "-c");
		strvec_push(argv, "echo \"ERROR: $1 pushed no digest (its "
			    "metadata file has none): nothing to put together\" "
			    ">&2; exit 1");
		strvec_push(argv, "sh");
		strvec_push(argv, missing);
		return;
	}
	buildx_argv(argv, NULL, &run->opts->docker_globals);
	strvec_push(argv, "imagetools");
	strvec_push(argv, "create");
	/* a builder of dbake's store: its registry settings are the node's */
	strvec_push(argv, "--builder");
	strvec_push(argv, shard);
	strvec_push(argv, "--progress");
	strvec_push(argv, child_progress(run));
	size_t i;
	json_t *v;
	json_array_foreach(tags, i, v) {
		if (json_string_value(v)) {
			strvec_push(argv, "--tag");
			strvec_push(argv, json_string_value(v));
		}
	}
	/* what bake puts on the index; the rest is each part's */
	json_t *ann = json_object_get(jt, "annotations");
	json_array_foreach(ann, i, v) {
		const char *a = json_string_value(v);
		if (a && starts_with(a, "index:")) {
			strvec_push(argv, "--annotation");
			strvec_push(argv, a);
		}
	}
	if (in->metadata_path) {
		strvec_push(argv, "--metadata-file");
		strvec_push(argv, in->metadata_path);
	}
	char *repo = childdef_repository(first);
	for (size_t k = 0; k < j->ndeps; k++) {
		const struct job_info *p = &run->info[j->deps[k]];
		if (p->platform && p->target == in->target)
			strvec_pushf(argv, "%s@%s", repo, p->digest);
	}
	free(repo);
}

void split_merge_done(struct run *run, size_t job)
{
	struct job_info *in = &run->info[job];
	if (!in->metadata_path)
		return;
	json_t *md = json_load_file(in->metadata_path, 0, NULL);
	json_t *desc = json_object_get(md, "containerimage.descriptor");
	if (!json_is_object(desc)) {
		json_decref(md);
		return;
	}
	/* as bake's metadata file has a target: under its name */
	json_t *tags = json_object_get(printed(run, in->target->name), "tags");
	struct strbuf names = STRBUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(tags, i, v)
		strbuf_addf(&names, "%s%s", i ? "," : "", json_string_value(v));
	json_t *entry = json_pack("{s:O, s:O, s:s}", "containerimage.descriptor",
				  desc, "containerimage.digest",
				  json_object_get(desc, "digest"), "image.name",
				  names.buf);
	json_t *out = entry ? json_pack("{s:o}", in->target->name, entry) : NULL;
	char *text = out ? json_dumps(out, JSON_INDENT(2)) : NULL;
	if (text)
		write_file_atomic(in->metadata_path, text, strlen(text), 0600);
	free(text);
	json_decref(out);
	json_decref(md);
	strbuf_release(&names);
}
