#include "policy_state.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

/*
 * Node speeds (default mode only). A node that took 20 s for 10 s of
 * estimates runs at 0.5: the policy learns it as jobs with remembered
 * durations finish, or is told it up front (policy_node_hint). Until some
 * speed is known, nothing here changes a pick.
 *
 * Once speeds are known, a job goes to a node when its chain (the job at
 * that node's speed, the rest at the fastest speed) ends within what the
 * rest of the run takes anyway, or no later than if it waited for the
 * faster nodes (which first work through what runs there and through the
 * ready jobs ahead of it). So a slow node leaves critical jobs to faster
 * ones and takes shorter ones; and when nothing would end in time on it
 * while something runs, it takes nothing: a slot frees up and calls again.
 */

/* A node is faster only when faster by this much (noisy speeds). */
#define LEARN_FASTER 1.1
/*
 * A node's own jobs count against this many more at the prior speed
 * (the hint, or every node's average): a few noisy durations do not make
 * a node look fast or slow.
 */
#define LEARN_PRIOR_JOBS 1
/* ...this many on a first run, whose jobs all count as the average one:
 * a node that drew a few long ones is not slow for that */
#define LEARN_PRIOR_COLD 4

/* A job whose duration tells a node's speed: known, and never in a
 * batch (short ones and same-step ones may be). */
static int telling(const struct dag *dag, size_t job)
{
	const struct job *j = &dag->jobs[job];
	return j->known && j->estimate >= POLICY_SHORT && j->group == job &&
	       j->group_next == NO_JOB;
}

/*
 * Or, on a first run (no job known), a job its bake built alone: each
 * counts as the average job (its estimate, the same for all), so a node
 * whose jobs take longer than the others' is slower. Jobs land on nodes
 * whatever they are, so the averages tell the nodes apart. dbake-sim,
 * seeds 6 to 15 (1 to 5 chose LEARN_PRIOR_COLD), cold runs over LB, mean
 * before / after: a DAG of 200 on 8 nodes of speeds 0.5 to 2, 2.01 /
 * 1.42 (better in 9, worse in none); of 50 on 4, 1.94 / 1.44 (6 and 2);
 * of 200 on 8 nodes of one speed, 1.094 / 1.097.
 */
static int telling_cold(const struct policy *p, const struct started *s)
{
	const struct job *j = &p->dag->jobs[s->job];
	return !p->state->any_known && s->alone && !j->known &&
	       j->group == s->job && j->group_next == NO_JOB;
}

static int speed_known(const struct policy_state *l, int node)
{
	return l->done[node] > 0 || l->hint_speed[node] > 0;
}

static double node_speed(const struct policy_state *l, int node)
{
	double prior = l->hint_speed[node] > 0 ? l->hint_speed[node] : l->avg;
	if (!l->done[node] || !prior)
		return prior;
	double prior_jobs = l->any_known ? LEARN_PRIOR_JOBS : LEARN_PRIOR_COLD;
	double each = l->est[node] / l->done[node], k = prior_jobs * each;
	return (l->est[node] + k) / (l->took[node] + k / prior);
}

static int node_slots(const struct policy_state *l, int node)
{
	int slots = l->most[node] > l->hint_slots[node] ? l->most[node]
							: l->hint_slots[node];
	return slots ? slots : l->done[node] > 0; /* it ran one, at least */
}

/* Seconds a running job still takes on its node, at best 0. */
static double running_left(const struct policy *p, const struct started *s)
{
	const struct policy_state *l = p->state;
	const struct job *j = &p->dag->jobs[s->job];
	double left = j->estimate / l->speed[s->node] -
		      (double)(l->now - s->start_ms) / 1000.0;
	return left > 0 ? left : 0;
}

/* Seconds until the chain of a running job ends, at best. */
static double running_chain(const struct policy *p, const struct started *s)
{
	const struct job *j = &p->dag->jobs[s->job];
	return running_left(p, s) + (j->rank - j->estimate) / p->state->fastest;
}

/* Look at what ended or came back since the last look. */
void speed_update(struct policy *p)
{
	struct policy_state *l = p->state;
	const struct dag *dag = p->dag;
	if (!l->dirty && l->left_seen == dag->left)
		return;
	l->dirty = 0;
	l->left_seen = dag->left;
	size_t keep = 0;
	for (size_t i = 0; i < l->nrun; i++) {
		struct started *s = &l->run[i];
		const struct job *j = &dag->jobs[s->job];
		int same = j->node == s->node && j->start_ms == s->start_ms;
		if (j->state == JOB_RUNNING && same) {
			l->run[keep++] = *s;
			continue;
		}
		l->busy[s->node] -= s->slot;
		if (j->end_ms > l->now)
			l->now = j->end_ms;
		if (j->state == JOB_DONE && same) {
			if ((telling(dag, s->job) || telling_cold(p, s)) &&
			    j->end_ms > j->start_ms) {
				l->est[s->node] += j->estimate;
				l->took[s->node] +=
					(double)(j->end_ms - j->start_ms) / 1000.0;
				l->done[s->node]++;
			}
		} else if (j->state == JOB_READY || j->state == JOB_RUNNING) {
			l->work += j->estimate; /* back, or started again */
		}
	}
	l->nrun = keep;

	double est = 0, took = 0, hints = 0;
	size_t hinted = 0;
	for (size_t n = 0; n < dag->nodes; n++) {
		est += l->est[n];
		took += l->took[n];
		if (l->hint_speed[n] > 0) {
			hints += l->hint_speed[n];
			hinted++;
		}
	}
	l->avg = took > 0 ? est / took : hinted ? hints / (double)hinted : 0;
	l->fastest = 0;
	l->rate = 0;
	if (!l->avg)
		return;
	for (size_t n = 0; n < dag->nodes; n++) {
		double sp = node_speed(l, (int)n);
		l->speed[n] = sp;
		l->left[n] = 0;
		if (speed_known(l, (int)n) && sp > l->fastest)
			l->fastest = sp;
		l->rate += node_slots(l, (int)n) * sp;
	}
	if (l->fastest < l->avg)
		l->fastest = l->avg;
	l->chain_run = 0;
	for (size_t i = 0; i < l->nrun; i++) {
		const struct started *s = &l->run[i];
		double c = running_chain(p, s);
		if (c > l->chain_run)
			l->chain_run = c;
		l->left[s->node] += running_left(p, s) * l->speed[s->node];
	}
}

/*
 * How long the rest of the run takes at least, as far as the policy
 * knows: the longest ready chain at the fastest speed, the work left
 * spread over every node, the chain of a job already running. No slack
 * (measured: even 5 % adds up, job after job, through the running
 * chains). 0: speeds unknown, no bound.
 */
double speed_bound(const struct policy *p, double top_rank)
{
	const struct policy_state *l = p->state;
	if (p->mode != POLICY_MODE_DEFAULT || !l->fastest)
		return 0;
	double b = top_rank / l->fastest;
	if (l->rate > 0 && l->work / l->rate > b)
		b = l->work / l->rate;
	return l->chain_run > b ? l->chain_run : b;
}

/* When the chain of `job` would end if it ran on `node` now. */
double speed_chain_end(const struct policy *p, size_t job, int node)
{
	const struct policy_state *l = p->state;
	const struct job *j = &p->dag->jobs[job];
	return j->estimate / l->speed[node] +
	       (j->rank - j->estimate) / l->fastest;
}


static void faster_than(const struct policy *p, size_t job, int node,
			struct faster *f)
{
	const struct policy_state *l = p->state;
	const struct job *j = &p->dag->jobs[job];
	memset(f, 0, sizeof(*f));
	f->known = 1;
	for (size_t n = 0; n < p->dag->nodes; n++) {
		if (!j->fits[n] || l->speed[n] <= l->speed[node] * LEARN_FASTER)
			continue;
		int s = node_slots(l, (int)n);
		f->rate += s * l->speed[n];
		f->slots += s;
		f->left += l->left[n];
	}
}

/*
 * Whether `job` goes to `node` now, `ahead` seconds of estimates being
 * ready before it. Its chain ends within the bound, or no later than
 * if it waited for the faster nodes that fit it to get to it (their slots
 * work through what runs there and what is ahead first). `all` caches
 * the faster nodes for jobs that fit every node.
 */
int speed_runs_here(const struct policy *p, size_t job, int node,
		    double bound, double ahead, struct faster *all)
{
	const struct policy_state *l = p->state;
	const struct job *j = &p->dag->jobs[job];
	double here = speed_chain_end(p, job, node);
	struct faster mine, *f = &mine;
	if (here <= bound)
		return 1;
	if (l->klass[job]) {
		faster_than(p, job, node, f);
	} else {
		if (!all->known)
			faster_than(p, job, node, all);
		f = all;
	}
	if (f->rate <= 0)
		return 1; /* nothing faster to wait for */
	double there = (f->left + ahead) / f->rate +
		       j->estimate * f->slots / f->rate +
		       (j->rank - j->estimate) / l->fastest;
	return here <= there;
}

void speed_started(struct policy *p, size_t job, int node, size_t batch)
{
	const struct dag *dag = p->dag;
	struct policy_state *l = p->state;
	const struct job *j = &dag->jobs[job];
	int slots = node_slots(l, node);
	/* builds at once on a node: the jobs of a batch share one (short
	 * or same-step jobs may be in one; counting them would make the
	 * node look wider than it is) */
	int slot = telling(dag, job);
	ALLOC_GROW(l->run, l->nrun + 1, l->allocrun);
	l->run[l->nrun++] = (struct started){ job, node, slot, batch == 1,
					      j->start_ms };
	if ((l->busy[node] += slot) > l->most[node])
		l->most[node] = l->busy[node];
	if (j->start_ms > l->now)
		l->now = j->start_ms;
	l->work -= j->estimate;
	if (l->fastest) {
		const struct started *s = &l->run[l->nrun - 1];
		double c = running_chain(p, s);
		if (c > l->chain_run)
			l->chain_run = c;
		l->left[node] += j->estimate;
		l->rate += (node_slots(l, node) - slots) * l->speed[node];
	}
}

void policy_node_hint(struct policy *p, int node, double speed, int slots)
{
	struct policy_state *l = p->state;
	if (!l || p->mode != POLICY_MODE_DEFAULT || node < 0 ||
	    (size_t)node >= p->dag->nodes)
		return;
	l->hint_speed[node] = speed > 0 ? speed : 0;
	l->hint_slots[node] = slots > 0 ? slots : 0;
	l->dirty = 1;
}

void speed_init(struct policy_state *l, const struct dag *dag)
{
	size_t n = dag->nodes + 1;
	for (size_t i = 0; i < dag->nr; i++)
		l->any_known |= dag->jobs[i].known;
	l->est = xcalloc(n, sizeof(*l->est));
	l->took = xcalloc(n, sizeof(*l->took));
	l->done = xcalloc(n, sizeof(*l->done));
	l->busy = xcalloc(n, sizeof(*l->busy));
	l->most = xcalloc(n, sizeof(*l->most));
	l->hint_speed = xcalloc(n, sizeof(*l->hint_speed));
	l->hint_slots = xcalloc(n, sizeof(*l->hint_slots));
	l->speed = xcalloc(n, sizeof(*l->speed));
	l->left = xcalloc(n, sizeof(*l->left));
	l->left_seen = dag->left;
	for (size_t i = 0; i < dag->nr; i++)
		if (dag->jobs[i].state == JOB_PENDING ||
		    dag->jobs[i].state == JOB_READY)
			l->work += dag->jobs[i].estimate;
}

void speed_release(struct policy_state *l)
{
	free(l->run);
	free(l->est);
	free(l->took);
	free(l->done);
	free(l->busy);
	free(l->most);
	free(l->hint_speed);
	free(l->hint_slots);
	free(l->speed);
	free(l->left);
}
