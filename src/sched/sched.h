/*
 * The dispatcher's decisions, apart from its processes: which slot of
 * which node builds what (slot sizing, the extra slot, one bake when all
 * is cheap, batch caps), when a waiting build moves, launch pacing, what
 * a node shows of its capacity. Pure: time is passed in, and what takes
 * a process (starting a bake, stopping one) is asked of the caller
 * through sched_ops. The dispatcher (run/) and the simulator (sim.c)
 * run the same code.
 */
#ifndef DBAKE_SCHED_H
#define DBAKE_SCHED_H

#include "capacity.h"
#include "dag.h"
#include "policy.h"

#include <stddef.h>

/* A build that has not started a step this long after its launch, on a
 * node busy with as many builds as it can run, is waiting for it: an idle
 * node may take it over. */
#define MOVE_AFTER_MS 700
/* Slots of a node whose capacity is not known yet. */
#define DEFAULT_SLOTS 4
/* A node that ran as many steps as it had places and showed no limit
 * (a floor, capacity.h) gets twice as many places the next run, up to
 * this: the steps counted at once. */
#define FLOOR_SLOTS_MAX STEPS_TRACKED
/* A node's extra slot starts a build this long before one of the node's
 * builds is due to end (durations from history), not sooner. */
#define EXTRA_AHEAD_MS 1500
/* ...and leaves a job to another node that has room for it this much
 * sooner (see sched_sooner_elsewhere()). */
#define SOONER_ELSEWHERE_MS 300
/* A waiting build stands aside for one ranked this much above it. */
#define STAND_ASIDE_RANK 1.0
/* Short jobs whose steps took less (seconds: cached, or trivial) batch
 * whatever the node runs; longer ones only into its free capacity. */
#define BATCH_FREE_WORK 0.25
/*
 * A first run of many targets, nothing known of them: once the first
 * COLD_BATCH_SEEN of them (or a slot's worth each) have been built, one
 * bake each, and the steps of three in four took less than POLICY_SHORT
 * / 2, or less than the rest of their bake (its start, a wait in the
 * queue: sched_job_built; else from launch to end, under POLICY_SHORT),
 * the others go
 * several to a bake: each slot then gets about COLD_BATCH_ROUNDS bakes of
 * what is left, COLD_BATCH_MAX targets at most. Worked out at each
 * launch from what is left, so the batches shrink towards the end; where
 * the first builds take time, one target a bake, as before. (Batches
 * kept large enough that the paced launches keep up with the slots
 * made 1000 light targets on 12 nodes slower on the bed: README.)
 */
#define COLD_BATCH_SEEN 8
#define COLD_BATCH_ROUNDS 2
#define COLD_BATCH_MAX 16
/* Seconds of step work (by history) one node may get in a run built
 * as one bake (see sched_one_bake()). */
#define ONE_BAKE_WORK 10.0

/* One bake invocation at a time on a node; it builds a batch of jobs. */
struct sched_slot {
	int node;          /* index into the nodes */
	int rank;          /* its place among its node's slots, from 0 */
	size_t *jobs;      /* the batch it runs (owned) */
	size_t njobs;      /* 0 when free */
	int live;          /* its bake's process is there (running, draining) */
	int moved;         /* its jobs went elsewhere: only its end is left */
	int ahead;         /* started beyond the node's capacity: its build
			      waits for one there to end */
	int timed_out;     /* its bake ran past --timeout and was stopped */
	int stalled;       /* stopped: its node stopped answering (stall.c) */
	long long spawn_ms;
	long long run_from; /* when its build has the node, as far as known:
			       its spawn, or the end it waits for */
};

/* What the decisions see of a job's build (from its progress lines). */
struct sched_job {
	int steps;          /* build steps seen */
	int done;           /* of those, finished */
	long long step_ms;  /* when a step ran after a wait, or 0 */
	long long idle_ms;  /* since when no step of it runs, or 0 */
	int own_known;      /* own_s is known: it was built alone */
	int stood_aside;    /* stopped once for a more urgent build */
	int begun;          /* its build began its work on the node (a step
			       not found cached, its context or its export:
			       progress_begun); before, it may wait there */
	double own_s;       /* its steps' own seconds, without the bake's
			       start or a wait in BuildKit's queue */
	long long own_from_ms; /* in a batch: its first step began, or 0 */
	long long own_to_ms;   /* ...and its latest step ended */
	double own_seen_s;     /* its steps' seconds up to own_to_ms
				  (learn_own_span) */
};


/* What the run learns of each node, for the next run. */
struct node_stats {
	int slots;         /* slots it was given */
	int capacity;      /* remembered capacity, 0 if unknown */
	int floor;         /* not known: steps it ran at once, never
			      full (capacity.h), 0 if none */
	int running_max;   /* most invocations at once */
	struct capacity_seen seen; /* steps run at once, a build waiting */
	int down;          /* unreachable: no more builds for this run */
};

struct sched {
	struct dag *dag;            /* borrowed */
	struct policy policy;
	struct sched_slot *slots;   /* in the order they are offered work */
	size_t nslots;
	struct node_stats *stats;   /* per node */
	size_t nnodes;
	struct sched_job *jobs;     /* per job of the DAG */
	size_t *batch;              /* scratch for choosing a batch */
	int fifo;                   /* the earlier tool's mode */
	int launch_gap_ms;          /* between launches (sched/pace.h) */
	long long last_launch_ms;   /* the latest launch, or 0 */
	int stopping;               /* no new builds */
	size_t *ctx;                /* per job: the large build context it
				       shares with others (1..nctx), 0:
				       none (ctxgate.c) */
	size_t nctx;
	unsigned char *ctx_state;   /* per node and context: sent or not */
	size_t *ctx_by;             /* ...and the slot sending it, plus 1 */
	int one_bake_decided;       /* whether sched_one_bake() applies, looked at */
	int one_bake;               /* it does */
};

/* What takes a process, asked of the caller. */
struct sched_ops {
	/*
	 * Start the bake of slot s's batch (s->jobs, s->njobs). Returns 0,
	 * or -1 when it could not start: the caller has failed its jobs.
	 */
	int (*launch)(void *owner, struct sched_slot *s, long long now);
	/* The build of `from` is to stop: its jobs go to `to` (launched
	 * next), or back to wait for a slot (`to` NULL: a more urgent build
	 * waits behind it on its node); nothing of it is kept. Returns 0,
	 * or -1 when it turns out to have started (output not read yet):
	 * it stays. */
	int (*moving)(void *owner, struct sched_slot *from,
		      struct sched_slot *to);
};

/*
 * Set up over a prepared DAG: slots per node (`slots`, from --slots,
 * else the node's capacity plus one, else twice its floor, at least
 * DEFAULT_SLOTS and at most FLOOR_SLOTS_MAX, else DEFAULT_SLOTS;
 * `capacity` and `floor` per node, 0: unknown, NULL: none), in the
 * order policy_slot_order gives for `speed` (NULL: unknown); the policy
 * in `mode`.
 */
void sched_init(struct sched *s, struct dag *dag, size_t nnodes,
		const int *capacity, const int *floor, const double *speed,
		int slots, enum policy_mode mode);

/* Steps `node` runs at once at least: its capacity, else its floor (0:
 * neither known). Where a count stands for the node's rate (a lower
 * bound's, a batch's room); the slots and their limits go by the
 * capacity alone, so a node with a floor is still explored. */
int sched_node_least(const struct sched *sc, int node);
void sched_release(struct sched *s);

/*
 * Start what can start at `now`, in the slots' order: moves first (a
 * build waiting for its busy node goes to a free one), then new builds.
 * Returns 0, or the ms until a held launch may go (pacing): call again
 * then.
 */
long long sched_fill(struct sched *s, const struct sched_ops *ops,
		     void *owner, long long now);

/* Slot s's bake has ended (its output drained): the node is freed for
 * the build started ahead longest ago there; the slot is free. Returns
 * when its jobs had the node (for their times). */
long long sched_ended(struct sched *s, struct sched_slot *slot,
		      long long now);

/*
 * A job's build shows `steps` steps, `done` of them finished, at `now`:
 * a step that runs after a wait (none for MOVE_AFTER_MS) marks when its
 * build had the node (step_ms), for its time.
 */
void sched_job_steps(struct sched_job *j, int steps, int done, long long now);


/* Whether a slot runs a build or waits for a moved one's end. */
int sched_busy(const struct sched *s);

/* Sample what every node runs now, for its capacity. */
void sched_observe(struct sched *s, long long now);

/* occupancy.c */

/* A build on `node` ended: the build started ahead longest ago there
 * has the node from now on. */
void sched_node_freed(struct sched *s, int node, long long now);
/* Whether the place `job` would take on `node` is better kept for a job
 * ranked above it that waits only for a build due to end soon, and that
 * no other node will have room for by then. */
int sched_place_promised(const struct sched *s, int node, size_t job,
			 long long now);
/* Whether the node's extra slot may start a build: one of its builds is
 * due to end within EXTRA_AHEAD_MS (or a duration is not known). */
int sched_ending_soon(const struct sched *s, int node, long long now);
/* Sample the build steps `node` runs now, for its capacity. */
void sched_node_observe(struct sched *s, int node, long long now);
/* Jobs in the builds running on `node`. */
size_t sched_node_jobs(const struct sched *s, int node);
/* Whether a build on `node` (but `skip`) is due to end within `ms` of
 * `now`; `unknown` when that depends on a duration not known. */
int sched_ending_within(const struct sched *s, int node, long long ms,
			const struct sched_slot *skip, int unknown,
			long long now);
/* When the first build on `node` (but `skip`) is due to end, or `now`. */
long long sched_next_end(const struct sched *s, int node,
			 const struct sched_slot *skip, long long now);
/* Whether `job`, started ahead in `slot`, would have its node later than
 * another node, as history tells, has room for it (by more than
 * SOONER_ELSEWHERE_MS): better left for that one. */
int sched_sooner_elsewhere(const struct sched *s, size_t job,
			   const struct sched_slot *slot, long long now);
/* The slots whose build waits for its node (to `out`, if given); nodes
 * with one are marked in `full` (if given) and seen.seen_full. */
size_t sched_waiting(struct sched *s, long long now, size_t *out,
		     unsigned char *full);
/* Whether a build on `node` runs no step at the moment. */
int sched_idle_build_on(const struct sched *s, int node);

/* ctxgate.c */

/*
 * Jobs sharing a large local build context (ctx[job], 1..nctx; 0: none;
 * ctx has an entry per job): on each node, the first bake that needs one
 * takes the node's share of them (sched_context_batch) and sends it;
 * the others wait on that node until it has been sent
 * (sched_context_sent, or that bake's end). The caller decides what is
 * large (run/ctxshare.h).
 */
void sched_contexts(struct sched *sc, const size_t *ctx, size_t nctx);
/* Slot s's bake shows its context sent ("load build context" done). */
void sched_context_sent(struct sched *sc, const struct sched_slot *s);
/* Whether `job` waits on `node` for another bake to send its context. */
int sched_context_held(const struct sched *sc, size_t job, int node);
/*
 * A batch (n jobs, to launch on `node`) whose first job needs a large
 * context not sent to the node yet in this run: with it, the others
 * that need it, the node's share (a bake sends a context its targets
 * share once). Returns the new count.
 */
size_t sched_context_batch(struct sched *sc, int node, size_t *batch,
			   size_t n);
/* Slot s's bake starts, and sends the contexts not on its node yet. */
void sched_context_launched(struct sched *sc, const struct sched_slot *s);
/* Slot s's bake ended (moved: stopped, its jobs gone elsewhere). */
void sched_context_ended(struct sched *sc, const struct sched_slot *s);

/* A job built, alone or in a batch: its steps' own seconds (work; in a
 * batch, those its bake's progress named for it; -1 unknown), what a
 * first run's batching goes by. */
void sched_job_built(struct sched *sc, size_t job, double work);

/* Give a free slot the batch `jobs` (n of them). */
void sched_slot_take(struct sched_slot *s, const size_t *jobs, size_t n);
/* Start slot s's batch: its jobs run from now, the caller starts the
 * bake. Returns 0, or -1 when the bake could not start. */
int sched_launch(struct sched *sc, struct sched_slot *s,
		 const struct sched_ops *ops, void *owner, long long now);

/* batch.c */

/* The size of a first run's batches of unknown targets, now. */
size_t sched_cold_batch(const struct sched *sc);
/*
 * How many short jobs a batch on `node` that starts with `job` takes, of
 * `ready` jobs ready and `outstanding` ready or in builds: the node's
 * part by what each node that builds `job` builds at once, less what it
 * holds (0: it holds its part already); before any node's count is
 * known, one node's share of `ready`.
 */
size_t sched_short_share(const struct sched *sc, int node, size_t job,
			 size_t ready, size_t outstanding);
/* Whether `job` is light: batched by the nodes' shares alone, not held
 * to a node's room (BATCH_FREE_WORK). */
int sched_job_light(const struct sched *sc, size_t job);
/* A run of cached targets built as plain bake builds them, one bake a
 * node (decided before anything starts); returns 1 while in force. */
int sched_one_bake(struct sched *sc, const struct sched_ops *ops,
		   void *owner, long long now);

#endif
