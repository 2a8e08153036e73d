/*
 * A scheduler simulator: the real DAG (dag.c) and policy (policy.c) run
 * under a simulated clock, over generated or hand-made workloads. Pure:
 * no processes, no files; the only clock read is the optional timing of
 * policy_pick calls.
 *
 * Model: a node has `capacity` slots (parallel builds, each at full
 * speed) and a `speed`: a job of duration d takes d / speed there. Jobs
 * have true durations; the policy sees estimates (exact, or true times
 * lognormal noise). Free slots are filled the way the dispatcher's
 * fill_slots does: every slot first asks for a job whose layers are on
 * its node (affinity pass), then for any job (general pass); slots are
 * ordered rank-major across nodes (every node's first slot, then every
 * node's second...). Batching is not modelled.
 */
#ifndef DBAKE_SIM_H
#define DBAKE_SIM_H

#include "policy.h"

#include <stddef.h>
#include <stdint.h>

/* xoshiro256**, seeded with splitmix64: reproducible everywhere. */
struct sim_rng {
	uint64_t s[4];
};

void sim_rng_seed(struct sim_rng *r, uint64_t seed);
uint64_t sim_rand(struct sim_rng *r);
double sim_uniform(struct sim_rng *r);   /* [0, 1) */
double sim_normal(struct sim_rng *r);    /* mean 0, deviation 1 */
size_t sim_below(struct sim_rng *r, size_t n); /* [0, n) */

struct sim_node {
	int capacity;       /* parallel builds, >= 1 */
	double speed;       /* > 0 */
};

struct sim_job {
	char *name;         /* owned; FIFO goes by name */
	double duration;    /* true seconds at speed 1 */
	double estimate;    /* what the policy sees */
	size_t *deps, ndeps;
	unsigned char *fits; /* per node, NULL: every node */
};

struct sim_workload {
	struct sim_node *nodes;
	size_t nnodes;
	struct sim_job *jobs;
	size_t njobs, alloc;
};

#define SIM_WORKLOAD_INIT { 0 }

/* Hand-made workloads. Nodes start with capacity 1, speed 1. */
void sim_workload_init(struct sim_workload *w, size_t nnodes);
void sim_set_node(struct sim_workload *w, size_t node, int capacity,
		  double speed);
/* name NULL: "j<index>"; estimate < 0: the true duration. */
size_t sim_add_job(struct sim_workload *w, const char *name, double duration,
		   double estimate);
void sim_add_dep(struct sim_workload *w, size_t job, size_t dep);
/* From now on `job` fits `node` (and the other nodes given so). */
void sim_only_on(struct sim_workload *w, size_t job, size_t node);
void sim_workload_release(struct sim_workload *w);

enum sim_shape {
	SIM_INDEPENDENT,    /* no edges */
	SIM_DAG,            /* each job needs 0-3 of the jobs just before it */
	SIM_BASE,           /* SIM_DAG, and every job needs the first one (a
			       common base image) */
};

enum sim_mix {
	SIM_TIERS,          /* 1/2/4/8 s, 40/30/20/10 % */
	SIM_LOGNORMAL,      /* median 2 s, sigma 1, within [0.1, 300] s */
};

struct sim_params {
	size_t targets, nodes;
	enum sim_shape shape;
	enum sim_mix mix;
	double sigma;       /* estimate = true x exp(sigma N(0,1)); 0: exact */
	int equal_speeds;   /* every node at speed 1 */
	double pinned;      /* share of jobs that fit only a quarter of the
			       nodes (every 4th, or the last of 2-3) */
	uint64_t seed;
};

/*
 * Generate a workload, the same for the same parameters: nodes of
 * capacity 1..8 and speed 0.5..2 (log-uniform), names in a random order
 * (FIFO's order says nothing of the DAG), DAG edges to jobs of a window
 * of max(4, targets / 16) just before each job (so chains have some
 * depth).
 */
void sim_generate(struct sim_workload *w, const struct sim_params *p);

/* make bench's W1: 24 targets of 1/2/4/8 s (10/7/5/2) on 4 nodes of
 * the capacities given, speed 1. */
void sim_bench_w1(struct sim_workload *w, const int *capacity);

/* The workload's jobs and edges into a prepared DAG (estimates left at
 * their defaults: nothing known). */
struct dag;
void sim_build_dag(const struct sim_workload *w, struct dag *dag);

/* The jobs in an order where each comes after its dependencies (owned;
 * free() it), or NULL on a cycle. */
size_t *sim_topo_order(const struct sim_workload *w);

/* Longest chain of true durations, each run at `speed`. */
double sim_critical_path(const struct sim_workload *w, double speed);
/* Sum of true durations. */
double sim_total_work(const struct sim_workload *w);
/*
 * No schedule is shorter than the longest chain run on the fastest node,
 * nor than all the work spread over every slot of every node at its
 * speed: max(CP / max speed, work / sum(capacity x speed)).
 */
double sim_lower_bound(const struct sim_workload *w);

/*
 * A yardstick, not dbake: HEFT, the classic offline list scheduler for
 * nodes of different speeds. It knows every true duration and speed up
 * front; jobs by decreasing rank (true durations), each on the slot
 * where it would finish first (with the same transfer cost as sim_run).
 * Returns its makespan.
 */
double sim_heft(const struct sim_workload *w, double transfer);

/*
 * Another yardstick, for first runs: what knowing no duration costs.
 * List scheduling that knows the graph and every node's capacity (and,
 * with `know_speeds`, its speed) but not one duration: a ready job goes
 * to a free place (the fastest node's first, or in a random order), the
 * longest chain of jobs first (as dbake's first run ranks them), ties in
 * a random order; no start-up, no transfer, nothing learnt while
 * running. Returns the mean makespan over `orders` random orders drawn
 * from `seed` (as bench/workloads.py's Workload.blind), or -1 when a job
 * fits no node. A reference, not a bound: a first run is judged against
 * it as well as against LB.
 */
double sim_blind(const struct sim_workload *w, size_t orders, uint64_t seed,
		 int know_speeds);

struct sim_config {
	enum policy_mode mode;
	int one_slot;       /* one slot per node (the earlier tool) */
	int no_affinity;    /* skip the affinity pass (ablation) */
	/*
	 * Locality: a job pays transfer x the longest true duration among
	 * its dependencies built on another node (their layers are pulled
	 * instead of being local). 0: no such cost.
	 */
	double transfer;
	int timing;         /* time every policy_pick call */
	/* Tell the policy every node's speed and capacity up front
	 * (policy_node_hint), as history from an earlier run could. */
	int hints;
	/* Called after the first fill and after each event, with the
	 * policy (its DAG: p->dag), or NULL. */
	void (*probe)(const struct policy *p, void *data);
	void *probe_data;
};

#define SIM_HIST 128

struct sim_result {
	double makespan;    /* seconds */
	size_t events;      /* completion instants */
	size_t picks;       /* policy_pick calls */
	size_t starts;      /* jobs started */
	double pick_ns;     /* total time in policy_pick (timing only) */
	double pick_max_ns; /* slowest single call (timing only) */
	/* calls by time: bucket k holds [2^(k/4), 2^((k+1)/4)) ns */
	size_t pick_hist[SIM_HIST];
	size_t remote;      /* jobs that paid a transfer */
	double transfer_s;  /* total transfer time paid */
	int *node;          /* per job: where it ran */
	double *start, *end;
};

/*
 * Run the workload to the end. Returns 0, or -1 when jobs are left that
 * no slot takes (a job fitting no node, or a policy leaving every slot
 * idle). Release the result after, either way.
 */
int sim_run(const struct sim_workload *w, const struct sim_config *cfg,
	    struct sim_result *res);
void sim_result_release(struct sim_result *res);

/* The time under which a share q (0.99: 99 %) of the timed calls ran. */
double sim_pick_quantile(const struct sim_result *res, double q);

#endif
