#include "lost.h"
#include "../sched/learn.h"
#include "../ui/ui.h"
#include "../util/util.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

int lost_fits_up_node(const struct run *run, size_t job)
{
	const struct job *j = &run->dag.jobs[job];
	for (size_t n = 0; n < run->sched.nnodes; n++)
		if (j->fits[n] && !run->sched.stats[n].down)
			return 1;
	return 0;
}

void lost_node(struct run *run, struct sched_slot *s, const char *why,
	       long long now)
{
	lost_node_at(run, s->node, why, now);
}

void lost_node_at(struct run *run, int node, const char *why, long long now)
{
	struct node_stats *st = &run->sched.stats[node];
	if (st->down)
		return;
	st->down = 1;
	warning("node '%s' is unreachable (%s); its builds go to the other "
		"nodes", run->nodes->v[node].name, why);
	/* targets that stayed there for their cache: any node now */
	if (learn_unpin(&run->dag, (size_t)node))
		policy_refit(&run->sched.policy);
	for (size_t i = 0; i < run->dag.nr; i++) {
		enum job_state state = run->dag.jobs[i].state;
		if ((state != JOB_READY && state != JOB_PENDING) ||
		    lost_fits_up_node(run, i))
			continue;
		struct progress *p = &run->info[i].progress;
		snprintf(p->error, sizeof(p->error),
			 "no node left to build it: '%s' is unreachable",
			 run->nodes->v[node].name);
		run_fail_job(run, i, now);
	}
}

/* --timeout: a bake running longer is stopped; its targets fail. */
void lost_stop_overdue(struct run *run, long long now)
{
	long long limit = run->opts->timeout_ms;
	for (size_t k = 0; limit > 0 && k < run->sched.nslots; k++) {
		struct sched_slot *s = &run->sched.slots[k];
		if (!s->njobs || !s->live || s->moved || s->timed_out ||
		    now - s->spawn_ms < limit)
			continue;
		s->timed_out = 1;
		char note[128], dur[32];
		format_duration(dur, sizeof(dur), limit);
		snprintf(note, sizeof(note), "# dbake: stopped: it ran past "
			 "--timeout %s\n", dur);
		run_slot_log(run, s, note, strlen(note));
		pump_signal(&run->pump, s, SIGTERM);
	}
}

void lost_say_overdue(struct run *run, struct sched_slot *s, size_t n)
{
	char dur[32];
	format_duration(dur, sizeof(dur), run->opts->timeout_ms);
	for (size_t i = 0; i < n; i++) {
		struct progress *p = &run->info[s->jobs[i]].progress;
		snprintf(p->error, sizeof(p->error), "stopped after --timeout %s",
			 dur);
	}
}
