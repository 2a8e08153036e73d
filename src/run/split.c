/*
 * Targets of several platforms, built as plain bake builds them on a
 * builder of several nodes: each platform on a node that builds it
 * natively, its image pushed by digest, then one index of them all
 * under the target's tags (`docker buildx imagetools create`, the
 * merge job).
 */
#include "split.h"
#include "childdef.h"
#include "merge.h"
#include "../buildx/docker.h"
#include "../util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		t->part_files = 0;
		size_t k;
		json_t *o;
		json_array_foreach(json_object_get(jt, "output"), k, o)
			t->part_files |= t->split &&
					 (childdef_entry_is(o, "tar") ||
					  childdef_entry_is(o, "oci"));
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

/* imagetools create of the pushed parts, or "true", or a failure. */
static void push_merge_argv(const struct run *run, size_t job,
			    const char *shard, struct strvec *argv)
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

/*
 * docker's name for a tag, as buildx gives it to the oci exporter
 * (reference.ParseNormalizedNamed, then TagNameOnly): the registry,
 * docker.io's "library/" and ":latest" written out.
 */
char *split_normalized_name(const char *tag)
{
	struct strbuf sb = STRBUF_INIT;
	size_t first = strcspn(tag, "/");
	/* splitDockerDomain: a first component with '.' or ':', localhost,
	 * or capitals names a registry */
	int domain = tag[first] == '/' &&
		     (memchr(tag, '.', first) || memchr(tag, ':', first) ||
		      (first == 9 && !strncmp(tag, "localhost", 9)));
	for (size_t i = 0; tag[first] == '/' && i < first; i++)
		domain |= tag[i] >= 'A' && tag[i] <= 'Z';
	if (!domain)
		strbuf_addstr(&sb, strchr(tag, '/') ? "docker.io/"
						    : "docker.io/library/");
	strbuf_addstr(&sb, tag);
	const char *slash = strrchr(tag, '/');
	const char *last = slash ? slash + 1 : tag;
	if (!strchr(last, ':') && !strchr(last, '@'))
		strbuf_addstr(&sb, ":latest");
	return strbuf_detach(&sb);
}

/* The spec of merge.c for the target's tar and oci outputs. */
static json_t *merge_spec(const struct run *run, size_t job, const char *shard,
			  struct strvec *then)
{
	const struct job_info *in = &run->info[job];
	const struct job *j = &run->dag.jobs[job];
	json_t *jt = printed(run, in->target->name);
	json_t *plats = json_array();
	for (size_t i = 0; i < j->ndeps; i++) {
		const struct job_info *p = &run->info[j->deps[i]];
		if (p->platform && p->target == in->target) {
			char *pdir = childdef_platform_dir(p->platform);
			json_array_append_new(plats, json_string(pdir));
			free(pdir);
		}
	}
	json_t *names = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(jt, "tags"), i, v) {
		if (!json_string_value(v))
			continue;
		char *n = split_normalized_name(json_string_value(v));
		json_array_append_new(names, json_string(n));
		free(n);
	}
	json_t *outputs = json_array();
	json_array_foreach(json_object_get(jt, "output"), i, v) {
		int oci = childdef_entry_is(v, "oci");
		if (!oci && !childdef_entry_is(v, "tar"))
			continue;
		const char *tar = json_string_value(json_object_get(v, "tar"));
		char *dir = childdef_part_out(run->parts_dir, in->target->name, i);
		json_array_append_new(
			outputs,
			json_pack("{s:s, s:O, s:b, s:s, s:O, s:o}", "type",
				  oci ? "oci" : "tar", "dest",
				  json_object_get(v, "dest"), "tar",
				  !tar || strcmp(tar, "false"), "dir", dir,
				  "platforms", plats, "names",
				  oci ? json_incref(names) : json_array()));
		free(dir);
	}
	struct strvec buildx = STRVEC_INIT;
	buildx_argv(&buildx, NULL, &run->opts->docker_globals);
	json_t *bx = json_array();
	for (size_t k = 0; k < buildx.nr; k++)
		json_array_append_new(bx, json_string(buildx.v[k]));
	strvec_clear(&buildx);
	char *parts = xstrfmt("%s/%s", run->parts_dir, in->target->name);
	json_t *spec = json_pack("{s:o, s:s, s:o, s:s}", "buildx", bx, "builder",
				 shard, "outputs", outputs, "parts", parts);
	free(parts);
	if (in->metadata_path)
		json_object_set_new(spec, "metadata",
				    json_string(in->metadata_path));
	/* "true": nothing pushed, nothing more to do */
	if (then->nr && strcmp(then->v[0], "true")) {
		json_t *t = json_array();
		for (size_t k = 0; k < then->nr; k++)
			json_array_append_new(t, json_string(then->v[k]));
		json_object_set_new(spec, "then", t);
	}
	json_decref(plats);
	json_decref(names);
	return spec;
}

void split_merge_argv(const struct run *run, size_t job, const char *shard,
		      struct strvec *argv)
{
	const struct job_info *in = &run->info[job];
	if (!in->target->part_files || !run->parts_dir) {
		push_merge_argv(run, job, shard, argv);
		return;
	}
	struct strvec then = STRVEC_INIT;
	push_merge_argv(run, job, shard, &then);
	json_t *spec = merge_spec(run, job, shard, &then);
	char *path = xstrfmt("%s/merge-%zu.json", run->parts_dir, job);
	char *text = json_dumps(spec, JSON_INDENT(2));
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (text && n > 0 &&
	    write_file_atomic(path, text, strlen(text), 0600) == 0) {
		self[n] = '\0';
		strvec_pushl(argv, self, MERGE_COMMAND, path, NULL);
	} else {
		strvec_pushl(argv, "sh", "-c",
			     "echo \"ERROR: cannot write $1\" >&2; exit 1", "sh",
			     path, NULL);
	}
	free(text);
	free(path);
	json_decref(spec);
	strvec_clear(&then);
}

/*
 * What bake's metadata says of the build of every platform on one node,
 * from the parts' files: each platform's provenance, and one build ref
 * (the first part's), naming the user's builder and node.
 */
static void add_parts_metadata(const struct run *run, size_t job, json_t *entry)
{
	const struct job_info *in = &run->info[job];
	const struct job *j = &run->dag.jobs[job];
	for (size_t i = 0; i < j->ndeps; i++) {
		size_t dep = j->deps[i];
		const struct job_info *p = &run->info[dep];
		if (!p->platform || p->target != in->target || !p->metadata_path)
			continue;
		json_t *md = json_load_file(p->metadata_path, 0, NULL);
		json_t *e = json_object_get(md, in->target->name);
		const char *key;
		json_t *v;
		json_object_foreach(e, key, v)
			if (starts_with(key, "buildx.build.provenance"))
				json_object_set(entry, key, v);
		const char *ref = json_string_value(json_object_get(e, "buildx.build.ref"));
		int node = run->dag.jobs[dep].node;
		const char *rest = ref ? strchr(ref, '/') : NULL;
		rest = rest ? strchr(rest + 1, '/') : NULL;
		if (rest && node >= 0 && (size_t)node < run->nodes->nr &&
		    !json_object_get(entry, "buildx.build.ref")) {
			char *mine = xstrfmt("%s/%s%s", run->nodes->builder,
					     run->nodes->v[node].name, rest);
			json_object_set_new(entry, "buildx.build.ref", json_string(mine));
			free(mine);
		}
		json_decref(md);
	}
}

void split_merge_done(struct run *run, size_t job)
{
	struct job_info *in = &run->info[job];
	if (!in->metadata_path)
		return;
	json_t *md = json_load_file(in->metadata_path, 0, NULL);
	json_t *desc = json_object_get(md, "containerimage.descriptor");
	json_t *entry = json_object();
	if (json_is_object(desc)) {
		/* the index made: imagetools' descriptor, under bake's keys */
		const char *given = json_string_value(json_object_get(md, "image.name"));
		json_t *tags = json_object_get(printed(run, in->target->name), "tags");
		struct strbuf names = STRBUF_INIT;
		size_t i;
		json_t *v;
		json_array_foreach(tags, i, v)
			strbuf_addf(&names, "%s%s", i ? "," : "", json_string_value(v));
		json_object_set(entry, "containerimage.descriptor", desc);
		json_object_set(entry, "containerimage.digest",
				json_object_get(desc, "digest"));
		json_object_set_new(entry, "image.name",
				    json_string(given ? given : names.buf));
		strbuf_release(&names);
	}
	add_parts_metadata(run, job, entry);
	/* as bake's metadata file has a target: under its name */
	json_t *out = json_object_size(entry)
			      ? json_pack("{s:O}", in->target->name, entry)
			      : NULL;
	char *text = out ? json_dumps(out, JSON_INDENT(2)) : NULL;
	if (text)
		write_file_atomic(in->metadata_path, text, strlen(text), 0600);
	free(text);
	json_decref(out);
	json_decref(entry);
	json_decref(md);
}
