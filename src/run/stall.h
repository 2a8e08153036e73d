/* Nodes that stop answering, found by probing them (stall.c). */
#ifndef DBAKE_STALL_H
#define DBAKE_STALL_H

#include "dispatch.h"

/* Every build on a node silent this long: the node is probed
 * ($DBAKE_PROBE_AFTER seconds overrides)... */
#define STALL_PROBE_AFTER_MS 20000
/* ...and a probe that has no answer in this long finds it dead
 * ($DBAKE_PROBE_TIMEOUT). */
#define STALL_PROBE_TIMEOUT_MS 10000
/* Its builds are stopped (SIGTERM), and killed this much later. */
#define STALL_KILL_MS 2000

void stall_init(struct run *run);      /* after the slots are made */
void stall_attach(struct run *run);    /* once the loop is */
/* A slot's bake said something (or started). */
void stall_heard(struct run *run, const struct sched_slot *s, long long now);
/* Probe silent nodes, give up on those that do not answer. */
void stall_check(struct run *run, long long now);
void stall_reap(struct run *run);
void stall_detach(struct run *run);    /* stops probes still running */
void stall_release(struct run *run);

#endif
