/*
 * Reading buildx's progress into step counts: plain ("#5 [stage 2/3] RUN
 * ...", "#5 DONE", "#5 CACHED", "#5 ERROR: ...") or rawjson (one
 * SolveStatus object per line, its vertexes named as in plain). Fed raw
 * bytes, any of which may be invalid text; never fails.
 */
#ifndef DBAKE_PROGRESS_H
#define DBAKE_PROGRESS_H

#include "../util/strbuf.h"

struct progress {
	int steps;           /* build steps seen ("[... M/N]" vertices) */
	int done;            /* of those, finished */
	int cached;          /* of those, cache hits */
	double work;         /* seconds the finished steps took ("DONE 1.2s") */
	const char *target;  /* set when the bake builds others too: its steps
				are those named "[TARGET ...]" */
	int own_done;        /* of those, finished (cache hits too) */
	double own_work;     /* seconds they took */
	int context_seen;    /* "[internal] load build context" begun */
	int context_sent;    /* ...and finished */
	int exporting;       /* an "exporting ..." vertex was seen */
	char current[160];   /* the latest step's title */
	char error[256];     /* the first ERROR line, or "" */
	struct strbuf line;  /* partial line carried between feeds */
	unsigned char *seen; /* per vertex number: 1 step, 2 finished */
	unsigned char *mine; /* per vertex number: a step of `target` */
	size_t seen_alloc;
	char **digests;      /* rawjson: vertex digests, numbered in order */
	size_t ndigests, digests_alloc;
};

#define PROGRESS_INIT { .line = STRBUF_INIT }

void progress_feed(struct progress *p, const char *buf, size_t len);
/* Parse one complete line (without its newline). */
void progress_line(struct progress *p, const char *line, size_t len);
void progress_release(struct progress *p);

/*
 * Whether the build has begun its work on the node: a step that was not
 * a cache hit, its context on its way, or its export. A build that
 * only found its FROM cached may still wait in the node's queue (that
 * is resolved before a RUN waits for its turn).
 */
int progress_begun(const struct progress *p);

/*
 * Whether an error line says the node could not be reached or went away
 * (gRPC's Unavailable, EOF from the server, transport closing, dialing
 * failed), not that the build failed: buildx's words for a lost BuildKit.
 */
int progress_node_lost(const char *error);

#endif
