/*
 * Remembered durations per target and node, and each node's observed
 * capacity, in $XDG_STATE_HOME/dbake/history.json. Used from the second
 * run on: critical path first, batches of short targets, slots per node.
 * Keys: a project (the directory and bake files), a target name, a node
 * endpoint.
 */
#ifndef DBAKE_HISTORY_H
#define DBAKE_HISTORY_H

struct json_t;

struct history {
	struct json_t *doc; /* whole file, owned */
	char *path;
	char *project;      /* key of this run's project */
	struct json_t *touched; /* {"targets": {T: true}, "nodes": {N: true}}:
				   what this run changed, all a save writes */
};

#define HISTORY_INIT { 0 }

/* Load (a missing or unreadable file is an empty history). */
void history_load(struct history *h, const char *path, const char *project);

/* Expected seconds of `target` on `node` (or on any node), -1 if unknown. */
double history_estimate(const struct history *h, const char *target,
			const char *node);

/* Seconds of `target` on `node` itself, -1 if it never ran there. */
double history_node_estimate(const struct history *h, const char *target,
			     const char *node);

/* Steps `node` was seen running at once when full, 0 if unknown. */
int history_capacity(const struct history *h, const char *node);
/* Steps it was seen running at once, never full: it may run more (0:
 * none; a node has a capacity or a floor, not both). */
int history_capacity_floor(const struct history *h, const char *node);

/*
 * Seconds `target`'s build steps took last time, without the cost of
 * starting a build (what batching can't save), -1 if unknown.
 */
double history_work(const struct history *h, const char *target);

/* Record a build: its wall time on `node`, and its steps' work. */
void history_record(struct history *h, const char *target, const char *node,
		    double seconds, double work);
void history_set_capacity(struct history *h, const char *node, int capacity);
void history_set_capacity_floor(struct history *h, const char *node,
				int floor);

/*
 * The node that built `target` last, or NULL; only while its definition
 * (`def`, a hash of it) is the same: then its cache there is likely
 * still good, at least for its first steps.
 */
const char *history_last(const struct history *h, const char *target,
			 unsigned long long def);
void history_set_last(struct history *h, const char *target, const char *node,
		      unsigned long long def);

/*
 * Projects kept (the least recently used go first), and the size the
 * file is brought under by dropping more of them (never this run's).
 * A file larger than HISTORY_MAX_READ is not read: a run would spend
 * seconds parsing it.
 */
#define HISTORY_MAX_PROJECTS 64
#define HISTORY_MAX_NODES 256
#define HISTORY_MAX_BYTES (8 << 20)
#define HISTORY_MAX_READ (64 << 20)

/*
 * Write what this run learnt: under a lock (history.json.lock), the file
 * is read again and this run's targets and nodes written over it, so
 * runs that share the state dir keep each other's; then bounded, and
 * written atomically (temporary file, then rename). `now` is seconds
 * since the epoch, the projects' and nodes' last use.
 */
int history_save(const struct history *h, long long now);

void history_release(struct history *h);

#endif
