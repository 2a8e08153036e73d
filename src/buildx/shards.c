#include "shards.h"
#include "contexts.h"
#include "docker.h"
#include "../proc.h"
#include "../util/util.h"

#include <ctype.h>
#include <jansson.h>
#include <poll.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t field_hash(uint64_t h, const char *s)
{
	return fnv1a(h, s) ^ 0xff; /* separator: ("ab","c") != ("a","bc") */
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
	uint64_t h = FNV1A_INIT;
	h = field_hash(h, builder);
	h = field_hash(h, n->name);
	h = field_hash(h, n->endpoint);
	for (size_t i = 0; i < n->driver_opts.nr; i++)
		h = field_hash(h, n->driver_opts.v[i]);
	for (size_t i = 0; i < n->pinned.nr; i++)
		h = field_hash(h, n->pinned.v[i]);
	strbuf_addstr(&sb, "dbake-");
	add_sanitized(&sb, builder, 24);
	strbuf_addch(&sb, '-');
	add_sanitized(&sb, n->name, 24);
	strbuf_addf(&sb, "-%08llx", (unsigned long long)(h & 0xffffffffULL));
	return strbuf_detach(&sb);
}

static int open_store(struct shard_store *store, const struct strvec *globals)
{
	if (store->dir)
		return 0; /* opened by an earlier call */
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

int shard_entry_matches(const char *text, const char *name,
			const struct node *n)
{
	json_t *doc = json_loads(text, 0, NULL);
	json_t *nodes = json_object_get(doc, "Nodes");
	json_t *node = json_array_get(nodes, 0);
	const char *s = json_string_value(json_object_get(doc, "Name"));
	int ok = s && !strcmp(s, name);
	s = json_string_value(json_object_get(doc, "Driver"));
	ok &= s && !strcmp(s, "remote") && json_array_size(nodes) == 1;
	s = json_string_value(json_object_get(node, "Endpoint"));
	ok &= s && n->endpoint && !strcmp(s, n->endpoint);
	/* the options it was made with: exactly the node's */
	json_t *opts = json_object_get(node, "DriverOpts");
	ok &= json_is_null(opts) || !opts || json_is_object(opts);
	ok &= json_object_size(opts) == n->driver_opts.nr;
	for (size_t i = 0; ok && i < n->driver_opts.nr; i++) {
		const char *kv = n->driver_opts.v[i], *eq = strchr(kv, '=');
		char *key = eq ? xstrndup(kv, (size_t)(eq - kv)) : xstrdup(kv);
		const char *v = json_string_value(json_object_get(opts, key));
		ok = v && !strcmp(v, eq ? eq + 1 : "");
		free(key);
	}
	json_t *plats = json_object_get(node, "Platforms");
	ok &= json_array_size(plats) == n->pinned.nr;
	for (size_t i = 0; ok && i < json_array_size(plats); i++) {
		char *p = nodes_store_platform(json_array_get(plats, i));
		ok = p && strvec_has(&n->pinned, p);
		free(p);
	}
	ok &= !json_object_get(node, "Flags") ||
	      json_is_null(json_object_get(node, "Flags"));
	json_decref(doc);
	return ok;
}

/*
 * Whether shard `name` is in the store as dbake made it for `n`: a file
 * of ours, whose node is the node's endpoint with its options and pins.
 * Anything else (damaged, edited, another's) is removed, to be made
 * again.
 */
static int shard_exists(const struct shard_store *store, const char *name,
			const struct node *n)
{
	struct stat st;
	struct strbuf text = STRBUF_INIT;
	char *path = xstrfmt("%s/instances/%s", store->dir, name);
	if (lstat(path, &st) < 0) {
		free(path);
		return 0;
	}
	int ok = S_ISREG(st.st_mode) && st.st_uid == getuid() &&
		 st.st_size > 0 && st.st_size < 65536 &&
		 strbuf_read_file(&text, path) == 0 &&
		 shard_entry_matches(text.buf, name, n);
	if (!ok) {
		info("node '%s': its shard entry was damaged or changed; "
		     "making it again", n->name);
		if (unlink(path) < 0 && errno != ENOENT)
			error("cannot remove '%s': %s", path, strerror(errno));
	}
	strbuf_release(&text);
	free(path);
	return ok;
}

/* Start `buildx create` of node n's shard `name`; -1, said, if it
 * cannot start. */
static int shard_create_start(struct shard_store *store, const struct node *n,
			      const char *name, const struct strvec *globals,
			      struct child *c)
{
	struct strvec argv = STRVEC_INIT;
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
	int ret = child_start(c, argv.v, &store->env, 1);
	strvec_clear(&argv);
	return ret; /* child_start said why it could not */
}

/* Wait for a `buildx create` started by shard_create_start. */
static int shard_create_finish(const struct node *n, struct child *c)
{
	struct strbuf err = STRBUF_INIT;
	int status = child_collect(c, NULL, &err);
	int ret = 0;
	if (status < 0 || exit_code_of(status)) {
		strbuf_trim(&err);
		char *nl = strchr(err.buf, '\n');
		if (nl)
			*nl = '\0';
		ret = error("cannot create shard for node '%s': %s", n->name,
			    err.len ? err.buf : "interrupted");
	}
	strbuf_release(&err);
	return ret;
}

/* The pid the lock's holder wrote in it, or 0. */
static long lock_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int lock_timeout(void)
{
	const char *v = getenv("DBAKE_LOCK_TIMEOUT");
	char *end;
	long t = v && *v ? strtol(v, &end, 10) : -1;
	return t >= 0 && v && !*end ? (int)t : SHARD_LOCK_TIMEOUT;
}

/*
 * Take the store's lock; another dbake may hold it while it creates
 * shards. The wait polls, so a stop signal ends it at once (a blocking
 * flock would be restarted after the handler).
 */
static int lock_store(struct shard_store *store)
{
	long long deadline = now_ms() + 1000LL * lock_timeout();
	int said = 0;
	while (flock(store->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		long holder = lock_holder(store->lock_fd);
		if (errno != EWOULDBLOCK && errno != EINTR)
			return error("cannot lock shard store: %s",
				     strerror(errno));
		if (proc_should_stop && proc_should_stop())
			return -1;
		if (now_ms() >= deadline)
			return error("shard store '%s' still locked by another "
				     "dbake (pid %ld) after %d s; set "
				     "DBAKE_LOCK_TIMEOUT to wait longer",
				     store->dir, holder, lock_timeout());
		if (!said++)
			info("waiting for another dbake (pid %ld) to finish "
			     "setting up shards", holder);
		struct pollfd pfd = { .fd = proc_stop_fd, .events = POLLIN };
		poll(&pfd, proc_stop_fd >= 0 ? 1 : 0, 100);
		if (pfd.revents & POLLIN) {
			/* the handler kept what counts; the byte woke us */
			char junk[64];
			while (read(proc_stop_fd, junk, sizeof(junk)) > 0)
				;
		}
	}
	char pid[32];
	int len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(store->lock_fd, 0) < 0 ||
	    pwrite(store->lock_fd, pid, (size_t)len, 0) != len) {
		/* only a waiter's message loses the pid */
	}
	return 0;
}

int shards_ensure(struct shard_store *store, struct nodeset *set,
		  const struct strvec *globals)
{
	if (open_store(store, globals) < 0)
		return -1;
	if (lock_store(store) < 0)
		return -1;
	/* docker-container nodes on a docker host URL: contexts of ours */
	/* one mirror per user config dir: two never see each other's */
	int ret = 0;
	if (!store->contexts) {
		char *state = dbake_state_dir();
		char *user = docker_config_dir(globals);
		char *mirror = xstrfmt("%s/docker/%08llx", state,
				       fnv1a(FNV1A_INIT, user) & 0xffffffffULL);
		ret = docker_contexts_ensure(set, mirror, user, &store->env);
		store->contexts = 1;
		free(state);
		free(mirror);
		free(user);
	}
	/* the missing shards are created side by side: a `buildx create`
	 * is mostly its own start (100 ms of CPU), and buildx takes its
	 * store's lock for each change */
	struct child *creating = xcalloc(set->nr + 1, sizeof(*creating));
	for (size_t i = 0; i < set->nr; i++)
		creating[i] = (struct child)CHILD_INIT;
	for (size_t i = 0; i < set->nr && !ret; i++) {
		struct node *n = &set->v[i];
		char *name = shard_name(set->builder, n);
		if (!shard_exists(store, name, n))
			ret = shard_create_start(store, n, name, globals,
						 &creating[i]);
		free(n->shard);
		n->shard = name;
	}
	for (size_t i = 0; i < set->nr; i++)
		if (creating[i].pid > 0 &&
		    shard_create_finish(&set->v[i], &creating[i]) < 0 && !ret)
			ret = -1;
	free(creating);
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
