/*
 * The files of a split target's parts put together where the target's
 * tar and oci outputs want them: what the merge job runs, as
 * `docker-dbake __merge SPEC` (a process of its own, so the run's loop
 * never waits on a disk or on buildx). SPEC is written by split.c:
 *
 *   {"buildx": [ARGV...],   docker [globals] buildx
 *    "builder": SHARD,      for imagetools
 *    "metadata": PATH,      where an oci index's descriptor goes, or absent
 *    "parts": DIR,          the parts' files (each output's "dir" in it),
 *                           removed once they are merged
 *    "outputs": [{"type": "tar"|"oci", "dest": PATH, "tar": BOOL,
 *                 "dir": PARTS, "platforms": [PDIR...],
 *                 "names": [NAME...]}],
 *    "then": [ARGV...]}     run last (the push merge), or absent
 *
 * A tar output becomes one tar of PARTS/PDIR/... as bake's exporter
 * writes several platforms: a directory per platform. An oci output
 * becomes one layout whose index holds each platform's manifests, made
 * by `imagetools create` from the parts' layouts, named as bake's
 * exporter names it (an index.json entry per tag).
 */
#include "merge.h"
#include "../buildx/docker.h"
#include "../util/strbuf.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* As buildx's last word, which dbake reads as the reason a job failed. */
__attribute__((format(printf, 1, 2))) static int merr(const char *fmt, ...)
{
	va_list ap;
	fputs("ERROR: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Run argv (in PATH) to its end, its output ours; 0 when it exited 0. */
static int run_wait(struct strvec *argv)
{
	pid_t pid;
	int status;
	int err = posix_spawnp(&pid, argv->v[0], NULL, NULL, argv->v, environ);
	if (err)
		return merr("cannot run %s: %s", argv->v[0], strerror(err));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return merr("waiting for %s: %s", argv->v[0],
				     strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return merr("%s failed (%s %d)", argv->v[0],
		     WIFEXITED(status) ? "exit" : "signal",
		     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* bake's lazy file writer makes the dest's directory first */
static void make_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir_p(dir, 0755);
	}
	free(dir);
}

/*
 * tar of `names` in `dir` into `dest`, written beside it and renamed
 * over it. As BuildKit writes its tars: names sorted, owners numeric;
 * for a layout (`layout`), every entry from the epoch, as its archive
 * exporter does.
 */
static int tar_into(const char *dest, const char *dir, const json_t *names,
		    int layout)
{
	char *tmp = xstrfmt("%s.dbake-%d", dest, (int)getpid());
	struct strvec argv = STRVEC_INIT;
	strvec_pushl(&argv, "tar", "--sort=name", "--numeric-owner", NULL);
	if (layout)
		strvec_pushl(&argv, "--mtime=@0", "--owner=0", "--group=0", NULL);
	strvec_pushl(&argv, "-C", dir, "-cf", tmp, NULL);
	size_t i;
	json_t *v;
	json_array_foreach(names, i, v)
		strvec_push(&argv, json_string_value(v));
	make_parent(dest);
	int ret = run_wait(&argv);
	if (!ret && rename(tmp, dest) < 0)
		ret = merr("cannot write '%s': %s", dest, strerror(errno));
	if (ret)
		unlink(tmp);
	strvec_clear(&argv);
	free(tmp);
	return ret;
}

/* A directory per platform, as BuildKit makes it in a tar or local
 * output of several platforms: 0755, from the epoch. */
static void as_buildkit_dirs(const char *dir, const json_t *platforms)
{
	static const struct timespec epoch[2] = { { 0, 0 }, { 0, 0 } };
	size_t i;
	json_t *v;
	json_array_foreach(platforms, i, v) {
		char *p = xstrfmt("%s/%s", dir, json_string_value(v));
		chmod(p, 0755);
		utimensat(AT_FDCWD, p, epoch, AT_SYMLINK_NOFOLLOW);
		free(p);
	}
}

/* A layout's files with the modes BuildKit's oci tar gives them: blobs
 * and oci-layout read-only, index.json 0644, directories 0755. */
static void as_buildkit_layout(const char *layout)
{
	char *p = xstrfmt("%s/blobs/sha256", layout);
	DIR *d = opendir(p);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *f = xstrfmt("%s/%s", p, e->d_name);
		chmod(f, 0444);
		free(f);
	}
	if (d)
		closedir(d);
	chmod(p, 0755);
	free(p);
	p = xstrfmt("%s/blobs", layout);
	chmod(p, 0755);
	free(p);
	p = xstrfmt("%s/oci-layout", layout);
	chmod(p, 0444);
	free(p);
	p = xstrfmt("%s/index.json", layout);
	chmod(p, 0644);
	free(p);
}

/*
 * The image a part's layout holds (its only index.json entry): its
 * digest, and in *created the newest "created" annotation seen so far
 * (BuildKit's build time, which its exporter puts on the index's entry).
 */
static char *layout_digest(const char *layout, char **created)
{
	char *path = xstrfmt("%s/index.json", layout);
	json_error_t jerr;
	json_t *idx = json_load_file(path, 0, &jerr);
	json_t *m = json_array_get(json_object_get(idx, "manifests"), 0);
	const char *dg = str(m, "digest");
	const char *c = str(json_object_get(m, "annotations"),
			    "org.opencontainers.image.created");
	char *out = dg && starts_with(dg, "sha256:") ? xstrdup(dg) : NULL;
	if (!out)
		merr("no image in '%s'", path);
	if (c && (!*created || strcmp(c, *created) > 0)) {
		free(*created);
		*created = xstrdup(c);
	}
	json_decref(idx);
	free(path);
	return out;
}

#define MERGE_TAG "dbake-merge"

/*
 * The layout's index.json as bake's oci exporter writes it: the image
 * index once per name, annotated with the name and its tag (once, bare,
 * without names); entries of other names kept, as in a directory
 * written before. The index's descriptor goes to `metadata`.
 */
static int name_index(const char *layout, const json_t *names,
		      const char *metadata, const char *created)
{
	char *path = xstrfmt("%s/index.json", layout);
	json_t *idx = json_load_file(path, 0, NULL);
	json_t *mans = json_object_get(idx, "manifests");
	json_t *desc = NULL, *keep = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(mans, i, m) {
		json_t *ann = json_object_get(m, "annotations");
		const char *ref = str(ann, "org.opencontainers.image.ref.name");
		const char *img = str(ann, "io.containerd.image.name");
		int ours = ref && !strcmp(ref, MERGE_TAG);
		size_t k;
		json_t *n;
		json_array_foreach(names, k, n)
			ours |= img && !strcmp(img, json_string_value(n));
		if (ref && !strcmp(ref, MERGE_TAG) && !desc)
			desc = json_deep_copy(m);
		if (!ours)
			json_array_append(keep, m);
	}
	if (!desc) {
		json_decref(keep);
		json_decref(idx);
		free(path);
		return merr("imagetools wrote no index in '%s'", layout);
	}
	json_object_del(desc, "annotations");
	if (created)
		json_object_set_new(desc, "annotations",
				    json_pack("{s:s}", "org.opencontainers.image.created",
					      created));
	if (!json_array_size(names))
		json_array_append(keep, desc);
	json_t *n;
	json_array_foreach(names, i, n) {
		const char *name = json_string_value(n);
		const char *colon = strrchr(name, ':');
		json_t *d = json_deep_copy(desc);
		json_t *ann = json_object();
		/* the keys in the order Go writes a map's */
		json_object_set_new(ann, "io.containerd.image.name", json_string(name));
		if (created)
			json_object_set_new(ann, "org.opencontainers.image.created",
					    json_string(created));
		json_object_set_new(ann, "org.opencontainers.image.ref.name",
				    json_string(colon && !strchr(colon, '/') ? colon + 1
									     : "latest"));
		json_object_set_new(d, "annotations", ann);
		json_array_append_new(keep, d);
	}
	json_object_set_new(idx, "manifests", keep);
	char *text = json_dumps(idx, JSON_COMPACT);
	int ret = text ? write_file_atomic(path, text, strlen(text), 0644) : -1;
	if (ret < 0)
		merr("cannot write '%s': %s", path, strerror(errno));
	free(text);
	/* bake's metadata for it, in imagetools' shape (split.c reshapes) */
	if (!ret && metadata) {
		json_t *md = json_pack("{s:O}", "containerimage.descriptor", desc);
		struct strbuf sb = STRBUF_INIT;
		json_array_foreach(names, i, n)
			strbuf_addf(&sb, "%s%s", i ? "," : "", json_string_value(n));
		if (sb.len)
			json_object_set_new(md, "image.name", json_string(sb.buf));
		strbuf_release(&sb);
		text = json_dumps(md, JSON_INDENT(2));
		if (text)
			write_file_atomic(metadata, text, strlen(text), 0600);
		free(text);
		json_decref(md);
	}
	static const char layout_file[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	char *lf = xstrfmt("%s/oci-layout", layout);
	if (!ret && access(lf, F_OK) < 0)
		write_file_atomic(lf, layout_file, strlen(layout_file), 0644);
	free(lf);
	json_decref(desc);
	json_decref(idx);
	free(path);
	return ret;
}

static int merge_oci(const json_t *spec, const json_t *o)
{
	const char *dest = str(o, "dest"), *dir = str(o, "dir");
	int tar = json_is_true(json_object_get(o, "tar"));
	char *layout = tar ? xstrfmt("%s/merged", dir) : xstrdup(dest);
	struct strvec argv = STRVEC_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(spec, "buildx"), i, v)
		strvec_push(&argv, json_string_value(v));
	strvec_pushl(&argv, "imagetools", "create", "--builder",
		     str(spec, "builder"), "--progress", "plain", "--tag", NULL);
	strvec_pushf(&argv, "oci-layout://%s:" MERGE_TAG, layout);
	int ret = 0;
	char *created = NULL;
	json_array_foreach(json_object_get(o, "platforms"), i, v) {
		char *part = xstrfmt("%s/%s", dir, json_string_value(v));
		char *dg = layout_digest(part, &created);
		if (!dg)
			ret = -1;
		else
			strvec_pushf(&argv, "oci-layout://%s@%s", part, dg);
		free(dg);
		free(part);
	}
	if (!ret && !tar)
		mkdir_p(layout, 0755);
	if (!ret)
		ret = run_wait(&argv);
	if (!ret)
		ret = name_index(layout, json_object_get(o, "names"),
				 str(spec, "metadata"), created);
	if (!ret && tar) {
		json_t *top = json_pack("[s, s, s]", "blobs", "index.json",
					"oci-layout");
		as_buildkit_layout(layout);
		ret = tar_into(dest, layout, top, 1);
		json_decref(top);
	}
	strvec_clear(&argv);
	free(created);
	free(layout);
	return ret;
}

int merge_main(const char *spec_path)
{
	json_error_t jerr;
	json_t *spec = json_load_file(spec_path, 0, &jerr);
	if (!json_is_object(spec)) {
		merr("cannot read '%s': %s", spec_path, jerr.text);
		json_decref(spec);
		return 1;
	}
	int ret = 0;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(spec, "outputs"), i, o) {
		const char *type = str(o, "type"), *dest = str(o, "dest");
		const char *dir = str(o, "dir");
		if (!type || !dest || !dir) {
			ret = merr("'%s': an output without type, dest or dir",
				    spec_path);
			break;
		}
		printf("# dbake: %s output of %zu platforms into %s\n", type,
		       json_array_size(json_object_get(o, "platforms")), dest);
		fflush(stdout);
		if (!strcmp(type, "tar")) {
			as_buildkit_dirs(dir, json_object_get(o, "platforms"));
			ret = tar_into(dest, dir, json_object_get(o, "platforms"), 0);
		} else {
			ret = merge_oci(spec, o);
		}
		if (ret)
			break;
	}
	/* the parts' copies, now in the dests */
	if (!ret && str(spec, "parts"))
		remove_tree(str(spec, "parts"));
	json_t *then = json_object_get(spec, "then");
	if (!ret && json_array_size(then)) {
		struct strvec argv = STRVEC_INIT;
		json_t *v;
		json_array_foreach(then, i, v)
			strvec_push(&argv, json_string_value(v));
		ret = run_wait(&argv);
		strvec_clear(&argv);
	}
	json_decref(spec);
	return ret ? 1 : 0;
}
