#include "history.h"
#include "../util/strbuf.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Weight of the newest observation in the running average. */
#define HISTORY_WEIGHT 0.5
/* Targets kept per project, so the file cannot grow without bound. */
#define HISTORY_MAX_TARGETS 20000

/* The file's document: an empty one when missing, damaged or too big. */
static json_t *read_doc(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 && st.st_size > HISTORY_MAX_READ) {
		warning("history '%s' is %lld MB, more than dbake reads; "
			"starting afresh", path, (long long)st.st_size >> 20);
		return json_object();
	}
	json_t *doc = json_load_file(path, 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		doc = json_object();
	}
	return doc;
}

void history_load(struct history *h, const char *path, const char *project)
{
	h->path = xstrdup(path);
	h->project = xstrdup(project);
	h->doc = read_doc(path);
	h->touched = json_pack("{s:{}, s:{}}", "targets", "nodes");
}

static void touch(const struct history *h, const char *kind, const char *key)
{
	json_object_set_new(json_object_get(h->touched, kind), key, json_true());
}

/* obj[key], created as an empty object when missing or not an object. */
static json_t *child(json_t *obj, const char *key)
{
	json_t *c = json_object_get(obj, key);
	if (!json_is_object(c)) {
		c = json_object();
		json_object_set_new(obj, key, c);
	}
	return c;
}

/*
 * history.json is a file anyone with the state dir may have edited or
 * damaged: every value read from it is checked. A duration is seconds, at
 * most a week; a capacity is what --slots allows. Anything else is as
 * good as unknown.
 */
#define SECONDS_MAX (7 * 24 * 3600.0)
#define CAPACITY_MAX 256

static double seconds_of(json_t *v)
{
	double s = json_is_number(v) ? json_number_value(v) : -1;
	return isfinite(s) && s >= 0 && s <= SECONDS_MAX ? s : -1;
}

static json_t *target_entry(const struct history *h, const char *target)
{
	json_t *p = json_object_get(json_object_get(h->doc, "projects"),
				    h->project);
	return json_object_get(json_object_get(p, "targets"), target);
}

double history_estimate(const struct history *h, const char *target,
			const char *node)
{
	json_t *t = target_entry(h, target);
	json_t *v = node ? json_object_get(json_object_get(t, "nodes"), node)
			 : NULL;
	if (seconds_of(v) >= 0)
		return seconds_of(v);
	return seconds_of(json_object_get(t, "avg"));
}

double history_node_estimate(const struct history *h, const char *target,
			     const char *node)
{
	return seconds_of(json_object_get(
		json_object_get(target_entry(h, target), "nodes"), node));
}

static int node_count(const struct history *h, const char *node,
		      const char *key)
{
	json_t *n = json_object_get(json_object_get(h->doc, "nodes"), node);
	json_t *v = json_object_get(n, key);
	json_int_t c = json_is_integer(v) ? json_integer_value(v) : 0;
	return c > 0 && c <= CAPACITY_MAX ? (int)c : 0;
}

int history_capacity(const struct history *h, const char *node)
{
	return node_count(h, node, "capacity");
}

int history_capacity_floor(const struct history *h, const char *node)
{
	return node_count(h, node, "floor");
}

static void blend(json_t *obj, const char *key, double seconds)
{
	double old = seconds_of(json_object_get(obj, key));
	double v = old >= 0 ? (1 - HISTORY_WEIGHT) * old + HISTORY_WEIGHT * seconds
			    : seconds;
	json_object_set_new(obj, key, json_real(v));
}

double history_work(const struct history *h, const char *target)
{
	return seconds_of(json_object_get(target_entry(h, target), "work"));
}

void history_record(struct history *h, const char *target, const char *node,
		    double seconds, double work)
{
	json_t *targets = child(child(child(h->doc, "projects"), h->project),
				"targets");
	if (!json_object_get(targets, target) &&
	    json_object_size(targets) >= HISTORY_MAX_TARGETS)
		return;
	json_t *t = child(targets, target);
	touch(h, "targets", target);
	blend(t, "avg", seconds);
	if (work >= 0)
		blend(t, "work", work);
	if (node)
		blend(child(t, "nodes"), node, seconds);
}

const char *history_last(const struct history *h, const char *target,
			 unsigned long long def)
{
	json_t *t = target_entry(h, target);
	char hex[17];
	snprintf(hex, sizeof(hex), "%016llx", def);
	const char *was = json_string_value(json_object_get(t, "def"));
	if (!was || strcmp(was, hex))
		return NULL;
	return json_string_value(json_object_get(t, "last"));
}

void history_set_last(struct history *h, const char *target, const char *node,
		      unsigned long long def)
{
	char hex[17];
	snprintf(hex, sizeof(hex), "%016llx", def);
	json_t *targets = child(child(child(h->doc, "projects"), h->project),
				"targets");
	if (!json_object_get(targets, target) &&
	    json_object_size(targets) >= HISTORY_MAX_TARGETS)
		return;
	json_t *t = child(targets, target);
	touch(h, "targets", target);
	json_object_set_new(t, "last", json_string(node));
	json_object_set_new(t, "def", json_string(hex));
}

static void set_node_count(struct history *h, const char *node,
			   const char *key, const char *other, int count)
{
	json_t *n = child(child(h->doc, "nodes"), node);
	touch(h, "nodes", node);
	json_object_set_new(n, key, json_integer(count));
	json_object_del(n, other);
}

void history_set_capacity(struct history *h, const char *node, int capacity)
{
	set_node_count(h, node, "capacity", "floor", capacity);
}

void history_set_capacity_floor(struct history *h, const char *node,
				int floor)
{
	set_node_count(h, node, "floor", "capacity", floor);
}

/* Temp files of saves that were killed (kill -9 mid-write), an hour old:
 * a save going on now is never that old. */
static void drop_stale_temps(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	char *prefix = xstrfmt("%s.tmp-", slash ? slash + 1 : path);
	DIR *d = opendir(dir);
	struct dirent *e;
	time_t now = time(NULL);
	while (d && (e = readdir(d))) {
		struct stat st;
		if (!starts_with(e->d_name, prefix))
			continue;
		char *p = xstrfmt("%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_mtime + 3600 < now)
			unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(dir);
}

/* Seconds an entry was last used, 0 when unknown. */
static long long used_of(json_t *o)
{
	json_t *v = json_object_get(o, "used");
	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

/* The key of `obj`'s least recently used member other than `keep`. */
static const char *oldest(json_t *obj, const char *keep)
{
	const char *key, *best = NULL;
	long long when = 0;
	json_t *v;
	json_object_foreach(obj, key, v) {
		if (keep && !strcmp(key, keep))
			continue;
		if (!best || used_of(v) < when) {
			best = key;
			when = used_of(v);
		}
	}
	return best;
}

/* At most `max` members in `obj`, the least recently used dropped. */
static void bound_members(json_t *obj, size_t max, const char *keep)
{
	while (json_object_size(obj) > max) {
		const char *k = oldest(obj, keep);
		if (!k)
			break;
		json_object_del(obj, k);
	}
}

/* What reading would ignore is not written back: values out of range
 * or of the wrong type go. */
static void sanitize(json_t *disk)
{
	const char *key, *k2;
	json_t *v, *t, *tmp, *tmp2;
	json_object_foreach_safe(json_object_get(disk, "nodes"), tmp, key, v) {
		if (!json_is_object(v)) {
			json_object_del(json_object_get(disk, "nodes"), key);
			continue;
		}
		static const char *const counts[] = { "capacity", "floor" };
		for (size_t i = 0; i < 2; i++) {
			json_t *c = json_object_get(v, counts[i]);
			if (c && (!json_is_integer(c) ||
				  json_integer_value(c) < 1 ||
				  json_integer_value(c) > CAPACITY_MAX))
				json_object_del(v, counts[i]);
		}
	}
	json_object_foreach(json_object_get(disk, "projects"), key, v) {
		json_t *targets = json_object_get(v, "targets");
		json_object_foreach_safe(targets, tmp, k2, t) {
			if (!json_is_object(t)) {
				json_object_del(targets, k2);
				continue;
			}
			static const char *const secs[] = { "avg", "work" };
			for (size_t i = 0; i < 2; i++)
				if (json_object_get(t, secs[i]) &&
				    seconds_of(json_object_get(t, secs[i])) < 0)
					json_object_del(t, secs[i]);
			json_t *nodes = json_object_get(t, "nodes");
			if (nodes && !json_is_object(nodes)) {
				json_object_del(t, "nodes");
				continue;
			}
			const char *k3;
			json_t *s;
			json_object_foreach_safe(nodes, tmp2, k3, s)
				if (seconds_of(s) < 0)
					json_object_del(nodes, k3);
		}
	}
}

/* This run's targets and nodes, written over `disk`. */
static void merge_into(const struct history *h, json_t *disk, long long now)
{
	json_t *ours = json_object_get(json_object_get(h->doc, "projects"),
				       h->project);
	json_t *proj = child(child(disk, "projects"), h->project);
	json_t *targets = child(proj, "targets");
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(h->touched, "targets"), key, v) {
		json_t *t = json_object_get(json_object_get(ours, "targets"), key);
		if (json_is_object(t))
			json_object_set(targets, key, t);
	}
	json_object_set_new(proj, "used", json_integer(now));
	json_t *nodes = child(disk, "nodes");
	json_object_foreach(json_object_get(h->touched, "nodes"), key, v) {
		json_t *n = json_object_get(json_object_get(h->doc, "nodes"), key);
		if (json_is_object(n)) {
			json_object_set(nodes, key, n);
			json_object_set_new(n, "used", json_integer(now));
		}
	}
	bound_members(json_object_get(disk, "projects"), HISTORY_MAX_PROJECTS,
		      h->project);
	bound_members(nodes, HISTORY_MAX_NODES, NULL);
}

/* Take the lock beside the file, waiting a few seconds at most. */
static int lock_history(const char *path)
{
	char *lock = xstrfmt("%s.lock", path);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(lock);
	if (fd < 0)
		return -1;
	for (int i = 0; i < 100; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	close(fd);
	return -1;
}

int history_save(const struct history *h, long long now)
{
	drop_stale_temps(h->path);
	int lock = lock_history(h->path);
	if (lock < 0)
		return error("cannot save history '%s': another dbake holds "
			     "its lock", h->path);
	json_t *disk = read_doc(h->path);
	merge_into(h, disk, now);
	sanitize(disk);
	char *text = json_dumps(disk, JSON_COMPACT | JSON_SORT_KEYS);
	/* too big still: more projects go, least recently used first */
	while (text && strlen(text) > HISTORY_MAX_BYTES) {
		json_t *projects = json_object_get(disk, "projects");
		const char *k = oldest(projects, h->project);
		if (!k)
			break;
		json_object_del(projects, k);
		free(text);
		text = json_dumps(disk, JSON_COMPACT | JSON_SORT_KEYS);
	}
	int ret = 0;
	if (!text || write_file_atomic(h->path, text, strlen(text), 0600) < 0)
		ret = error("cannot save history '%s': %s", h->path,
			    text ? strerror(errno) : "out of memory");
	free(text);
	json_decref(disk);
	close(lock); /* and the lock with it */
	return ret;
}

void history_release(struct history *h)
{
	json_decref(h->doc);
	json_decref(h->touched);
	free(h->path);
	free(h->project);
	*h = (struct history)HISTORY_INIT;
}
