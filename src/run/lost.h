/*
 * Builds that cannot end where they are. A node lost mid-run: a build
 * whose node could not be reached or went away (progress_node_lost) is
 * built again on another node that fits, NODE_LOST_RETRIES times at
 * most; the node gets no more builds this run. A build past --timeout:
 * stopped, its targets failed, never retried.
 */
#ifndef DBAKE_LOST_H
#define DBAKE_LOST_H

#include "dispatch.h"

#define NODE_LOST_RETRIES 2

/* Whether a node not lost fits the job. */
int lost_fits_up_node(const struct run *run, size_t job);

/*
 * The node of slot s did not answer (why: the child's error): say it
 * once, send no more builds there, and fail the jobs only it could
 * build, saying so. The caller sends the lost batch elsewhere.
 */
void lost_node(struct run *run, struct sched_slot *s, const char *why,
	       long long now);

/* The same, for a node found dead otherwise (a probe, stall.c). */
void lost_node_at(struct run *run, int node, const char *why, long long now);

/* --timeout: stop each bake running longer (its slot marked timed_out). */
void lost_stop_overdue(struct run *run, long long now);

/* The first n jobs of a stopped overdue slot: their error says why. */
void lost_say_overdue(struct run *run, struct sched_slot *s, size_t n);

#endif
