/*
 * What the UIs and the report see of a run: a read-only view, brought up
 * to date by run/ (run_view()) before each call. The dependency goes one
 * way: run/ calls ui/, and nothing of ui/ includes run/.
 */
#ifndef DBAKE_VIEW_H
#define DBAKE_VIEW_H

#include "../buildx/nodes.h"
#include "../plan/bakefile.h"
#include "../sched/sched.h"
#include "../sched/dag.h"
#include "../buildx/progress.h"

/* What we know of each job beyond its DAG state. */
struct job_info {
	const struct target *target; /* borrowed from the plan */
	const char *platform;        /* a part: the one platform of a split
					target it builds, else NULL */
	int merge;                   /* puts a split target's parts together */
	char *digest;                /* a part's pushed image, once built */
	char *log_path;
	char *metadata_path;
	int exit_code;               /* of its last attempt */
	size_t batch;                /* size of the batch it was built in */
	int slot;                    /* rank of the slot on its node */
	int retries;                 /* builds again after its node was lost */
	struct progress progress;
};

struct run_view {
	const struct dag *dag;         /* the jobs: names, states, nodes, times */
	const struct job_info *info;   /* per job */
	const struct nodeset *nodes;
	const struct node_stats *stats; /* per node, or NULL */
	const char *log_dir;           /* the run's directory */
	const char *report_dir;        /* where the report is, or NULL */
	const struct strvec *secrets;  /* values the report never shows
					  (options_secret_values), or NULL */
	long long start_ms, end_ms;
	double lower_bound;            /* seconds, 0 when not known */
	int stopping;                  /* no new builds: cancelling */
	int stop_signal;               /* what stopped the run, or 0 */
	/* the scheduler's decisions (sched_fill calls): how many, their
	 * total and largest CPU time, in microseconds */
	unsigned long decisions;
	long long decision_us, decision_max_us;
};

/* Counts of jobs by state, for summaries. */
struct run_counts {
	size_t done, failed, skipped, cancelled, running, pending;
};
void run_count(const struct run_view *view, struct run_counts *c);

#endif
