/*
 * Targets that share a large local build context: sent to a node by
 * several bakes at once, it goes whole each time. The scheduler
 * (sched/ctxgate.c) gives each node's first bake that needs it the
 * node's share of them, and holds the others on that node until it has
 * been sent.
 */
#ifndef DBAKE_CTXSHARE_H
#define DBAKE_CTXSHARE_H

struct run;

/* A context of this many bytes or more is large
 * (DBAKE_CONTEXT_GATE_BYTES changes it; 0: never). */
#define CONTEXT_GATE_BYTES (8ULL << 20)

/* Tell the scheduler which jobs share a large context. */
void ctxshare_prepare(struct run *run);

/* The bytes of the files under dir, counting stopped at cap. */
unsigned long long ctxshare_dir_bytes(const char *dir,
				      unsigned long long cap);

#endif
