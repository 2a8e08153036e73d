/*
 * The run: slots on nodes, child bakes, the poll() loop, cancellation.
 * Like git's run_processes_parallel with the DAG policy choosing the next
 * task for each free slot.
 */
#ifndef DBAKE_DISPATCH_H
#define DBAKE_DISPATCH_H

#include "../buildx/nodes.h"
#include "../cli.h"
#include "../plan/bakefile.h"
#include "../proc.h"
#include "../sched/dag.h"
#include "logs.h"
#include "progress.h"

#include <sys/types.h>

struct ui_ops;

/* What we know of each job beyond its DAG state. */
struct job_info {
	const struct target *target; /* borrowed from the plan */
	char *log_path;
	char *metadata_path;
	int exit_code;               /* of its last attempt */
	struct progress progress;
};

struct slot {
	int node;          /* index into the nodeset */
	ssize_t job;       /* running job, -1 when free */
	struct child child;
	int log_fd;
	int status;        /* wait status, once reaped */
	long long drain_until; /* reaped but output still open: give up then */
};

struct run {
	const struct options *opts;
	struct nodeset *nodes;
	const struct strvec *shard_env; /* BUILDX_CONFIG for child bakes */
	struct dag dag;
	struct job_info *info;          /* per job */
	struct slot *slots;
	size_t nslots;
	struct logdir logs;
	char *resolved;                 /* bake file for child bakes */
	const struct ui_ops *ui;
	void *ui_data;
	long long start_ms, end_ms;
	int stopping;                   /* cancelling: no new builds */
	int stop_signal;                /* signal that stopped the run, or 0 */
	long long kill_at;              /* SIGKILL stragglers then (0: none) */
	int failures;                   /* failed attempts seen */
	int cli_fd;                     /* docker CLI plugin socket, or -1 */
};

/* Grace between SIGTERM and SIGKILL when stopping builds. */
#define STOP_GRACE_MS 5000

/*
 * Build every job of run->dag. Returns the process exit code: 0 all built,
 * 1 something failed, was skipped or cancelled, 128+N after signal N.
 */
int dispatch_run(struct run *run);

/* Counts of jobs by final state, for summaries. */
struct run_counts {
	size_t done, failed, skipped, cancelled, running, pending;
};
void run_count(const struct run *run, struct run_counts *c);

#endif
