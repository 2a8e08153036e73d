#include "sched.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

/*
 * Targets sharing a large build context (see sched.h): sent by several
 * bakes at once, the context goes to the node whole each time, the
 * sends competing for the client's CPUs and the link. So on each node
 * the first bake that needs it takes the node's share of the ready
 * targets that share it (one bake sends what its targets share once),
 * and later ones wait until it has been sent. BuildKit keeps what was
 * sent under the context's shared key: a bake that starts once no build
 * holds it sends only what changed; one that starts while the first
 * still builds sends it whole again, but not all at the same time.
 */

enum { CTX_UNSENT, CTX_SENDING, CTX_SENT };

void sched_contexts(struct sched *sc, const size_t *ctx, size_t nctx)
{
	free(sc->ctx);
	free(sc->ctx_state);
	free(sc->ctx_by);
	sc->ctx = NULL;
	sc->ctx_state = NULL;
	sc->ctx_by = NULL;
	sc->nctx = 0;
	if (!nctx)
		return;
	sc->nctx = nctx;
	sc->ctx = xcalloc(sc->dag->nr + 1, sizeof(*sc->ctx));
	memcpy(sc->ctx, ctx, sc->dag->nr * sizeof(*ctx));
	sc->ctx_state = xcalloc(sc->nnodes * (nctx + 1) + 1, 1);
	sc->ctx_by = xcalloc(sc->nnodes * (nctx + 1) + 1, sizeof(*sc->ctx_by));
}

static size_t at(const struct sched *sc, int node, size_t c)
{
	return (size_t)node * (sc->nctx + 1) + c;
}

int sched_context_held(const struct sched *sc, size_t job, int node)
{
	size_t c = sc->ctx ? sc->ctx[job] : 0;
	return c && sc->ctx_state[at(sc, node, c)] == CTX_SENDING;
}

void sched_context_launched(struct sched *sc, const struct sched_slot *s)
{
	for (size_t i = 0; sc->ctx && i < s->njobs; i++) {
		size_t c = sc->ctx[s->jobs[i]];
		size_t k = at(sc, s->node, c);
		if (c && sc->ctx_state[k] == CTX_UNSENT) {
			sc->ctx_state[k] = CTX_SENDING;
			sc->ctx_by[k] = (size_t)(s - sc->slots) + 1;
		}
	}
}

/* What slot s was sending is there now (sent), or is not (given up);
 * a moved slot's jobs are gone: every context is looked at. */
static void settle(struct sched *sc, const struct sched_slot *s, int state)
{
	size_t me = (size_t)(s - sc->slots) + 1;
	for (size_t c = 1; sc->ctx && c <= sc->nctx; c++) {
		size_t k = at(sc, s->node, c);
		if (sc->ctx_state[k] == CTX_SENDING && sc->ctx_by[k] == me) {
			sc->ctx_state[k] = (unsigned char)state;
			sc->ctx_by[k] = 0;
		}
	}
}

void sched_context_sent(struct sched *sc, const struct sched_slot *s)
{
	/* called as its output comes: its own jobs' contexts only */
	size_t me = (size_t)(s - sc->slots) + 1;
	for (size_t i = 0; sc->ctx && i < s->njobs; i++) {
		size_t c = sc->ctx[s->jobs[i]];
		size_t k = at(sc, s->node, c);
		if (c && sc->ctx_state[k] == CTX_SENDING && sc->ctx_by[k] == me) {
			sc->ctx_state[k] = CTX_SENT;
			sc->ctx_by[k] = 0;
		}
	}
}

void sched_context_ended(struct sched *sc, const struct sched_slot *s)
{
	/* a bake that ran to its end sent its context; one stopped (moved,
	 * or its node lost) may not have: the next bake sends it */
	settle(sc, s, s->moved || sc->stats[s->node].down ? CTX_UNSENT
							   : CTX_SENT);
}

size_t sched_context_batch(struct sched *sc, int node, size_t *batch,
			   size_t n)
{
	size_t c = sc->ctx && n ? sc->ctx[batch[0]] : 0;
	if (!c || sc->ctx_state[at(sc, node, c)] != CTX_UNSENT)
		return n;
	const struct dag *dag = sc->dag;
	size_t left = 0, nodes = 0;
	for (size_t i = 0; i < dag->nr; i++)
		left += sc->ctx[i] == c && dag->jobs[i].state == JOB_READY;
	for (size_t k = 0; k < sc->nnodes; k++)
		nodes += !sc->stats[k].down && dag->jobs[batch[0]].fits[k] &&
			 sc->ctx_state[at(sc, (int)k, c)] == CTX_UNSENT;
	/* the node's share of what is ready (the batch's jobs are in it),
	 * over the nodes that build them and have not got it yet */
	size_t most = nodes ? (left + nodes - 1) / nodes : n;
	unsigned char *in = xcalloc(dag->nr + 1, 1);
	for (size_t i = 0; i < n; i++)
		in[batch[i]] = 1;
	for (size_t i = 0; i < dag->nr && n < most; i++) {
		const struct job *j = &dag->jobs[i];
		if (sc->ctx[i] == c && !in[i] && j->state == JOB_READY &&
		    !j->solo && j->fits[node])
			batch[n++] = i;
	}
	free(in);
	return n;
}
