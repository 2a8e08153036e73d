#include "lost.h"
#include "../util/util.h"

#include <stdio.h>

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
	struct node_stats *st = &run->sched.stats[s->node];
	if (st->down)
		return;
	st->down = 1;
	warning("node '%s' is unreachable (%s); its builds go to the other "
		"nodes", run->nodes->v[s->node].name, why);
	for (size_t i = 0; i < run->dag.nr; i++) {
		enum job_state state = run->dag.jobs[i].state;
		if ((state != JOB_READY && state != JOB_PENDING) ||
		    lost_fits_up_node(run, i))
			continue;
		struct progress *p = &run->info[i].progress;
		snprintf(p->error, sizeof(p->error),
			 "no node left to build it: '%s' is unreachable",
			 run->nodes->v[s->node].name);
		run_fail_job(run, i, now);
	}
}
