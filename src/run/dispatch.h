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
#include "logs.h"
#include "../buildx/progress.h"
#include "transfer.h"
#include "../ui/view.h"

#include <sys/types.h>

struct ui_ops;

/* One bake invocation at a time on a node; it builds a batch of jobs. */
struct slot {
	int node;          /* index into the nodeset */
	size_t *jobs;      /* the batch it runs */
	size_t njobs;      /* 0 when free */
	int *log_fds;      /* per job of the batch */
	int live;          /* its bake runs (or drains) in the pump */
	long long spawn_ms;
	int moved;         /* its jobs went elsewhere: only reap it */
	int rank;          /* its place among its node's slots, from 0 */
	int ahead;         /* started beyond the node's capacity: its build
			      waits for one there to end */
	long long run_from; /* when its build has the node, as far as known:
			       its spawn, or the end it waits for */
};

struct run {
	const struct options *opts;
	struct nodeset *nodes;
	const struct strvec *shard_env; /* BUILDX_CONFIG for child bakes */
	struct dag dag;
	struct job_info *info;          /* per job */
	struct slot *slots;
	size_t nslots;
	struct node_stats *stats;       /* per node */
	struct policy policy;
	struct transfer transfer;       /* dependencies between nodes */
	size_t *batch;                  /* scratch for choosing a batch */
	struct history *history;        /* NULL: remember nothing */
	struct logdir logs;
	char *resolved;                 /* bake file for child bakes */
	const struct ui_ops *ui;
	struct loop loop;
	struct pump pump;               /* the child bakes, one per busy slot */
	long long start_ms, end_ms;
	int launch_gap_ms;              /* between launches (launch_gap()) */
	long long last_launch_ms;       /* the latest launch, or 0 */
	long long launch_timer;         /* a held launch's, or 0 */
	int stopping;                   /* cancelling: no new builds */
	int stop_signal;                /* signal that stopped the run, or 0 */
	int cli_fd;                     /* docker CLI plugin socket, or -1 */
	double lower_bound;             /* seconds, when every duration is
					   known from history, else 0 */
	char *report_dir;               /* where report.json/html go */
	struct run_view view;           /* what the UIs see (run_view()) */
};

/* The run as the UIs and the report see it, brought up to date. */
const struct run_view *run_view(struct run *run);

/* Grace between SIGTERM and SIGKILL when stopping builds. */
#define STOP_GRACE_MS 5000

/* A build that has not started a step this long after its launch, on a
 * node busy with as many builds as it can run, is waiting for it: an idle
 * node may take it over. */
#define MOVE_AFTER_MS 700

/* Slots of a node whose capacity is not known yet. */
#define DEFAULT_SLOTS 4
/* A node's extra slot starts a build this long before one of the node's
 * builds is due to end (durations from history), not sooner. */
#define EXTRA_AHEAD_MS 1500
/* ...and leaves a job to another node that has room for it this much
 * sooner (see sooner_elsewhere()). */
#define SOONER_ELSEWHERE_MS 300
/* Short jobs whose steps took less (seconds: cached, or trivial) batch
 * whatever the node runs; longer ones only into its free capacity. */
#define BATCH_FREE_WORK 0.25
/* Seconds of step work (by history) one node may get in a run built
 * as one bake (see one_bake()). */
#define ONE_BAKE_WORK 10.0

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

/*
 * Build every job of run->dag. Returns the process exit code: 0 all built,
 * 1 something failed, was skipped or cancelled, 128+N after signal N.
 * The UI has begun, not ended: the caller writes the report, then ends it.
 */
int dispatch_run(struct run *run);


/* occupancy.c: what runs on each node, for the dispatcher's decisions. */

/* Jobs in the builds running on `node`. */
size_t node_jobs(const struct run *run, int node);
/* Whether a build on `node` (but `skip`) is due to end within `ms`;
 * `unknown` when that depends on a duration not known. */
int ending_within(const struct run *run, int node, long long ms,
		  const struct slot *skip, int unknown);
/* ending_within(EXTRA_AHEAD_MS), true when durations are not known. */
int ending_soon(const struct run *run, int node);
/* When the first build on `node` (but `skip`) is due to end, or `now`. */
long long next_end(const struct run *run, int node,
		   const struct slot *skip, long long now);
/* Whether `job`, started ahead in `s`, would have its node later than
 * another node, as history tells, has room for it (by more than
 * SOONER_ELSEWHERE_MS): better left for that one. */
int sooner_elsewhere(const struct run *run, size_t job, const struct slot *s,
		     long long now);
/* Sample the build steps `node` runs now, for its capacity (seen.steps_max). */
void node_observe(struct run *run, int node, long long now);
/* A build on `node` ended: the build started ahead longest ago there
 * has the node from now on. */
void node_freed(struct run *run, int node, long long now);
/* The slots whose build waits for its node (to `out`, if given); nodes
 * with one are marked in `full` (if given) and seen.seen_full. */
size_t waiting_slots(struct run *run, long long now, size_t *out,
		     unsigned char *full);
/* Whether a build on `node` runs no step at the moment. */
int idle_build_on(struct run *run, int node);

#endif
