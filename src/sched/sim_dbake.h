/*
 * dbake's own decisions under a simulated clock: the dispatcher's code
 * (sched_fill: slot sizing, the extra slot, one bake, batches, moves,
 * launch pacing; sched_observe and capacity_learn) drives a model of
 * BuildKit nodes, not a simplified copy of it. A first run knows
 * nothing (no durations, no capacities: four slots a node, as dbake
 * starts); a later run knows what the runs before taught, through the
 * same history and learning code as dbake (sched/learn.c).
 *
 * The model: a bake takes `startup` seconds (its start on the client)
 * before its targets reach the node; a node builds `capacity` targets
 * at a time at its `speed`, the others wait in its queue showing no
 * step (as BuildKit's do); a target's build is one step of its
 * duration; a bake ends when its targets have. Not modelled: cache
 * hits, layer transfers, failures.
 */
#ifndef DBAKE_SIM_DBAKE_H
#define DBAKE_SIM_DBAKE_H

#include "sim.h"

#include "history.h"
#include "pace.h"

/* What the runs taught, carried from one to the next: a history as
 * dbake keeps it (in memory only), its nodes named "sim://node<N>". */
struct sim_memory {
	struct history history;
	char **endpoints;   /* per node */
	size_t nnodes;
};

void sim_memory_init(struct sim_memory *m, const struct sim_workload *w);
void sim_memory_release(struct sim_memory *m);

struct sim_dbake_config {
	double startup;     /* seconds a bake takes to reach its node */
	int launch_gap_ms;  /* pacing (pace_gap() of the client's CPUs) */
	int no_homes;       /* a later run forgets each target's node (the
			       model has no cache for a home to save) */
};

/* The model's defaults: a bake's start-up as measured with launches
 * paced as the dispatcher paces them on 2 CPUs (`python3
 * bench/bake_cost.py`: 4 bakes of a 1 s step launched 40 ms apart, one
 * a node, each took 0.25 s more than its step, median of 40; one alone
 * 0.17 s, four at once 0.34 s), and that pacing. */
#define SIM_STARTUP 0.25
#define SIM_DBAKE_CONFIG_INIT \
	{ .startup = SIM_STARTUP, .launch_gap_ms = LAUNCH_CPU_MS / 2 }

struct sim_dbake_result {
	double makespan;
	size_t bakes;       /* invocations launched */
	size_t moves;       /* waiting builds moved to another node */
};

/*
 * One dbake run of the workload with what `mem` knows; `mem` then holds
 * what this run taught too. Returns 0, or -1 when jobs were left.
 */
int sim_dbake(const struct sim_workload *w, const struct sim_dbake_config *cfg,
	      struct sim_memory *mem, struct sim_dbake_result *res);

#endif
