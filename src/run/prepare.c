/*
 * Before the loop: the DAG from the plan (one job per selected target,
 * same-step jobs grouped); what history tells of the targets (durations, their
 * cache's node) and of the nodes (capacity, speed), the slots and the
 * order they are offered work in, the policy, the dependency layouts.
 */
#include "dispatch.h"
#include "../sched/bound.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

static int by_defhash(const void *a, const void *b, void *data)
{
	const struct job_info *info = data;
	unsigned long long x = info[*(const size_t *)a].target->defhash;
	unsigned long long y = info[*(const size_t *)b].target->defhash;
	if (x != y)
		return x < y ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Jobs whose definitions differ only in names and outputs share steps. */
static void group_same_steps(struct dag *dag, const struct job_info *info)
{
	size_t *idx = xcalloc(dag->nr + 1, sizeof(*idx));
	for (size_t i = 0; i < dag->nr; i++)
		idx[i] = i;
	qsort_r(idx, dag->nr, sizeof(*idx), by_defhash, (void *)info);
	for (size_t i = 1; i < dag->nr; i++)
		if (info[idx[i]].target->defhash == info[idx[i - 1]].target->defhash)
			dag_same_steps(dag, idx[i], idx[i - 1]);
	free(idx);
}

/* One job per selected target; edges between selected targets. */
void run_build_dag(struct run *run, const struct plan *plan)
{
	struct dag *dag = &run->dag;
	ssize_t *job_of = xcalloc(plan->nr + 1, sizeof(*job_of));
	struct job_info *info = xcalloc(plan->nr + 1, sizeof(*info));
	for (size_t i = 0; i < plan->nr; i++) {
		job_of[i] = -1;
		if (!plan->v[i].selected)
			continue;
		size_t j = dag_add(dag, plan->v[i].name, &plan->v[i].platforms);
		info[j].target = &plan->v[i];
		info[j].progress = (struct progress)PROGRESS_INIT;
		job_of[i] = (ssize_t)j;
	}
	for (size_t i = 0; i < plan->nr; i++) {
		if (job_of[i] < 0)
			continue;
		const struct target *t = &plan->v[i];
		for (size_t k = 0; k < t->deps.nr + t->after.nr; k++) {
			const char *dep = k < t->deps.nr ? t->deps.v[k]
							 : t->after.v[k - t->deps.nr];
			ssize_t d = plan_index(plan, dep);
			if (d >= 0 && job_of[d] >= 0)
				dag_add_edge(dag, (size_t)job_of[i], (size_t)job_of[d]);
		}
	}
	free(job_of);
	run->info = info;
	group_same_steps(dag, info);
}

/*
 * No schedule can be shorter than the longest chain, nor than all the
 * work spread evenly over every node's capacity. Known only when every
 * job's duration and every node's capacity are remembered.
 */
static double run_lower_bound(const struct run *run)
{
	double work = 0, chain = 0;
	int capacity = 0;
	for (size_t i = 0; i < run->dag.nr; i++) {
		const struct job *j = &run->dag.jobs[i];
		if (!j->known)
			return 0;
		work += j->estimate;
		if (j->rank > chain)
			chain = j->rank;
	}
	for (size_t n = 0; n < run->nodes->nr; n++) {
		if (!run->sched.stats[n].capacity)
			return 0;
		capacity += run->sched.stats[n].capacity;
	}
	return lower_bound(chain, work, capacity);
}

/*
 * What history knows of each node's speed: how fast it built the
 * targets it built, against their average over all nodes. Three targets
 * make a speed; 0: unknown.
 */
static void node_speeds(struct run *run, double *speed)
{
	if (!run->history || run_fifo(run))
		return;
	for (size_t n = 0; n < run->nodes->nr; n++) {
		const char *ep = run->nodes->v[n].endpoint;
		double ratio = 0;
		int samples = 0;
		for (size_t i = 0; i < run->dag.nr; i++) {
			const struct job *j = &run->dag.jobs[i];
			double here = history_node_estimate(run->history, j->name, ep);
			if (!j->known || here <= 0 || j->estimate <= 0)
				continue;
			ratio += j->estimate / here;
			samples++;
		}
		speed[n] = samples >= 3 ? ratio / samples : 0;
	}
}

/* Tell the policy the speeds and how many builds each node runs at once. */
static void hint_nodes(struct run *run, const double *speed)
{
	if (run_fifo(run))
		return;
	for (size_t n = 0; n < run->nodes->nr; n++)
		if (speed[n] > 0 || run->sched.stats[n].capacity)
			policy_node_hint(&run->sched.policy, (int)n, speed[n],
					 run->sched.stats[n].capacity);
}

/*
 * Send each target back to the node that built it last, its cache, when
 * its definition is unchanged since.
 */
static void home_nodes(struct run *run)
{
	if (!run->history || run_fifo(run))
		return;
	for (size_t i = 0; i < run->dag.nr; i++) {
		const char *last = history_last(run->history,
						run->dag.jobs[i].name,
						run->info[i].target->defhash);
		for (size_t n = 0; last && n < run->nodes->nr; n++)
			if (!strcmp(run->nodes->v[n].endpoint, last))
				policy_home(&run->sched.policy, i, (int)n);
	}
}

void dispatch_prepare(struct run *run)
{
	size_t nnodes = run->nodes->nr;
	for (size_t i = 0; i < run->dag.nr; i++) {
		struct job *j = &run->dag.jobs[i];
		double est = run->history ? history_estimate(run->history, j->name,
							     NULL) : -1;
		if (est >= 0) {
			j->estimate = est;
			j->known = 1;
			j->work = history_work(run->history, j->name);
		}
	}
	dag_rank(&run->dag); /* ranks follow the estimates just read */
	double *speed = xcalloc(nnodes + 1, sizeof(*speed));
	int *caps = xcalloc(nnodes + 1, sizeof(*caps));
	for (size_t n = 0; n < nnodes; n++)
		caps[n] = run->history ? history_capacity(run->history,
					     run->nodes->v[n].endpoint) : 0;
	node_speeds(run, speed);
	sched_init(&run->sched, &run->dag, nnodes, caps, speed,
		   run->opts->slots,
		   run_fifo(run) ? POLICY_MODE_FIFO : POLICY_MODE_DEFAULT);
	free(caps);
	run->slot_fds = xcalloc(run->sched.nslots + 1, sizeof(*run->slot_fds));
	run->lower_bound = run_lower_bound(run);
	hint_nodes(run, speed);
	free(speed);
	home_nodes(run);
	transfer_prepare(&run->transfer, run, !run_fifo(run));
}

void dispatch_release(struct run *run)
{
	for (size_t i = 0; run->slot_fds && i < run->sched.nslots; i++)
		free(run->slot_fds[i]);
	free(run->slot_fds);
	run->slot_fds = NULL;
	sched_release(&run->sched);
	transfer_release(&run->transfer);
}
