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
#include "../loop.h"
#include "../proc.h"
#include "../pump.h"
#include "../sched/capacity.h"
#include "../sched/dag.h"
#include "../sched/history.h"
#include "../sched/pace.h"
#include "../sched/policy.h"
#include "../sched/sched.h"
#include "logs.h"
#include "../buildx/progress.h"
#include "transfer.h"
#include "../ui/view.h"

#include <sys/types.h>

struct ui_ops;

struct run {
	const struct options *opts;
	struct nodeset *nodes;
	const struct strvec *shard_env; /* BUILDX_CONFIG for child bakes */
	struct dag dag;
	struct job_info *info;          /* per job */
	struct sched sched;             /* slots, node stats, the policy */
	int **slot_fds;                 /* per slot: its batch's log fds */
	struct strbuf *slot_lines;      /* per slot, with rawjson: the
					   partial line of its bake */
	const char **endpoints;         /* per node: its key in history for
					   where targets' caches are */
	const char **node_keys;         /* per node: its key for capacity,
					   speed and durations */
	struct transfer transfer;       /* dependencies between nodes */
	struct history *history;        /* NULL: remember nothing */
	struct logdir logs;
	const struct plan *plan;        /* what bake printed: each child's
					   definition is cut from it */
	unsigned launches;              /* child bakes started so far */
	unsigned long decisions;        /* sched_fill calls... */
	long long decision_us;          /* ...their CPU, microseconds */
	long long decision_max_us;      /* ...and the costliest one's */
	long long launch_us;            /* CPU in launches (not decisions) */
	char **part_names;              /* per part of a split target:
					   its job's name, "T@PLATFORM"... */
	struct strvec *part_platforms;  /* ...and its one platform */
	size_t nparts;
	const struct ui_ops *ui;
	struct loop loop;
	struct pump pump;               /* the child bakes, one per busy slot */
	struct pump probe_pump;         /* probes of silent nodes (stall.c) */
	struct probe *probes;           /* per node */
	long long *slot_heard;          /* per slot: its bake's last output */
	long long probe_after_ms, probe_timeout_ms;
	long long start_ms, end_ms;
	long long launch_timer;         /* a held launch's, or 0 */
	int stop_signal;                /* signal that stopped the run, or 0 */
	int cli_fd;                     /* docker CLI plugin socket, or -1 */
	double lower_bound;             /* seconds, when every duration is
					   known from history, else 0 */
	char *report_dir;               /* where report.json/html go */
	struct strvec secrets;          /* options_secret_values */
	char *parts_dir;                /* where split targets' parts put
					   their tar and oci outputs, or
					   NULL when none has such outputs */
	struct run_view view;           /* what the UIs see (run_view()) */
};

/* The run as the UIs and the report see it, brought up to date. */
const struct run_view *run_view(struct run *run);

/* The children's --progress: plain, which dbake reads, or rawjson, which
 * it reads and passes on to its stderr. */
static inline const char *child_progress(const struct run *run)
{
	return run->opts->progress == PROGRESS_RAWJSON ? "rawjson" : "plain";
}

/* Grace between SIGTERM and SIGKILL when stopping builds. */
#define STOP_GRACE_MS 5000

/* The earlier tool's mode: one build per node, by name. */
static inline int run_fifo(const struct run *run)
{
	return run->opts->policy == POLICY_FIFO;
}

/* One job per selected target of the plan, edges between them (run->dag,
 * run->info). */
void run_build_dag(struct run *run, const struct plan *plan);

/*
 * Set up slots (per node, from --slots, else from the node's remembered
 * capacity), the policy and the estimates. Call before dispatch_run.
 */
void dispatch_prepare(struct run *run);

/* Free what dispatch_prepare set up. */
void dispatch_release(struct run *run);

/* Free everything of the run (its DAG, job info, logs, what
 * dispatch_prepare set up); the options, nodes and history are the
 * caller's. */
void run_release(struct run *run);

/*
 * Build every job of run->dag. Returns the process exit code: 0 all built,
 * 1 something failed, was skipped or cancelled, 128+N after signal N.
 * The UI has begun, not ended: the caller writes the report, then ends it.
 */
int dispatch_run(struct run *run);


/* Write to the logs of the slot's batch. */
void run_slot_log(struct run *run, struct sched_slot *s, const char *buf,
		  size_t len);

/* Fail a job, skip what depends on it, and say so (--fail-fast: stop). */
void run_fail_job(struct run *run, size_t job, long long now);

#endif
