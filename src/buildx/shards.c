#include "shards.h"
#include "docker.h"
#include "../proc.h"
#include "../util/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h ^ 0xff; /* separator, so ("ab","c") != ("a","bc") */
}

/* Keep [a-z0-9_-] so the name is a valid builder name on every buildx. */
static void add_sanitized(struct strbuf *sb, const char *s, size_t max)
{
	size_t start = sb->len;
	for (; *s && sb->len - start < max; s++) {
		int c = tolower((unsigned char)*s);
		strbuf_addch(sb, isalnum(c) || c == '_' || c == '-' ? c : '-');
	}
}

char *shard_name(const char *builder, const struct node *n)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t h = 0xcbf29ce484222325ULL;
	h = fnv1a(h, builder);
	h = fnv1a(h, n->name);
	h = fnv1a(h, n->endpoint);
	for (size_t i = 0; i < n->driver_opts.nr; i++)
		h = fnv1a(h, n->driver_opts.v[i]);
	for (size_t i = 0; i < n->pinned.nr; i++)
		h = fnv1a(h, n->pinned.v[i]);
	strbuf_addstr(&sb, "dbake-");
	add_sanitized(&sb, builder, 24);
	strbuf_addch(&sb, '-');
	add_sanitized(&sb, n->name, 24);
	strbuf_addf(&sb, "-%08llx", (unsigned long long)(h & 0xffffffffULL));
	return strbuf_detach(&sb);
}

static int open_store(struct shard_store *store, const struct strvec *globals)
{
	char *state = dbake_state_dir();
	store->dir = xstrfmt("%s/buildx", state);
	free(state);
	if (mkdir_p(store->dir, 0700) < 0)
		return -1;
	char *lock = xstrfmt("%s/dbake.lock", store->dir);
	store->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			      0600);
	free(lock);
	if (store->lock_fd < 0)
		return error("cannot open shard store lock in '%s': %s",
			     store->dir, strerror(errno));
	strvec_pushf(&store->env, "BUILDX_CONFIG=%s", store->dir);
	buildx_argv(NULL, &store->env, globals);
	return 0;
}

static int shard_exists(const struct shard_store *store, const char *name)
{
	struct stat st;
	char *path = xstrfmt("%s/instances/%s", store->dir, name);
	int ok = stat(path, &st) == 0 && st.st_size > 0;
	free(path);
	return ok;
}

static int shard_create(struct shard_store *store, const struct node *n,
			const char *name, const struct strvec *globals)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf err = STRBUF_INIT;
	buildx_argv(&argv, NULL, globals);
	strvec_push(&argv, "create");
	strvec_push(&argv, "--name");
	strvec_push(&argv, name);
	strvec_push(&argv, "--node");
	strvec_push(&argv, name);
	strvec_push(&argv, "--driver");
	strvec_push(&argv, "remote");
	for (size_t i = 0; i < n->driver_opts.nr; i++) {
		strvec_push(&argv, "--driver-opt");
		strvec_push(&argv, n->driver_opts.v[i]);
	}
	for (size_t i = 0; i < n->pinned.nr; i++) {
		strvec_push(&argv, "--platform");
		strvec_push(&argv, n->pinned.v[i]);
	}
	strvec_push(&argv, n->endpoint);
	int status = run_capture(argv.v, &store->env, NULL, &err);
	int ret = 0;
	if (status < 0 || exit_code_of(status)) {
		strbuf_trim(&err);
		char *nl = strchr(err.buf, '\n');
		if (nl)
			*nl = '\0';
		ret = error("cannot create shard for node '%s': %s", n->name,
			    err.len ? err.buf : "interrupted");
	}
	strvec_clear(&argv);
	strbuf_release(&err);
	return ret;
}

int shards_ensure(struct shard_store *store, struct nodeset *set,
		  const struct strvec *globals)
{
	if (open_store(store, globals) < 0)
		return -1;
	if (flock(store->lock_fd, LOCK_EX) < 0)
		return error("cannot lock shard store: %s", strerror(errno));
	int ret = 0;
	for (size_t i = 0; i < set->nr && !ret; i++) {
		struct node *n = &set->v[i];
		char *name = shard_name(set->builder, n);
		if (!shard_exists(store, name))
			ret = shard_create(store, n, name, globals);
		free(n->shard);
		n->shard = name;
	}
	flock(store->lock_fd, LOCK_UN);
	return ret;
}

void shard_store_release(struct shard_store *store)
{
	free(store->dir);
	if (store->lock_fd >= 0)
		close(store->lock_fd);
	strvec_clear(&store->env);
	*store = (struct shard_store)SHARD_STORE_INIT;
}
