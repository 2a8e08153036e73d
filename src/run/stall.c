/*
 * A node that stops answering (its BuildKit stopped, frozen, or cut off
 * without the connection dropping) leaves its builds waiting for ever:
 * nothing in the children's output says so. When every build on a node
 * has been silent for a while, the node is probed (`buildx inspect` of
 * its shard, with a short timeout); a node whose probe fails or does
 * not answer in time is lost as a node that dropped the connection is
 * (lost.c): its builds are stopped and go to the other nodes. A healthy
 * node running a long quiet step answers, and is probed again only
 * after another silence.
 */
#include "stall.h"
#include "lost.h"
#include "../buildx/docker.h"
#include "../ui/ui.h"
#include "../util/util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct probe {
	size_t node;
	int active;
	long long started_ms, last_ms;
	struct strbuf out;
};

static long long env_ms(const char *name, long long dflt)
{
	const char *v = getenv(name);
	char *end;
	double s = v && *v ? strtod(v, &end) : -1;
	return v && *v && !*end && s > 0 ? (long long)(s * 1000) : dflt;
}

void stall_init(struct run *run)
{
	size_t n = run->nodes->nr;
	run->probes = xcalloc(n + 1, sizeof(*run->probes));
	for (size_t i = 0; i < n; i++) {
		run->probes[i].node = i;
		strbuf_init(&run->probes[i].out);
	}
	run->slot_heard = xcalloc(run->sched.nslots + 1,
				  sizeof(*run->slot_heard));
	run->probe_after_ms = env_ms("DBAKE_PROBE_AFTER", STALL_PROBE_AFTER_MS);
	run->probe_timeout_ms = env_ms("DBAKE_PROBE_TIMEOUT",
				       STALL_PROBE_TIMEOUT_MS);
}

void stall_heard(struct run *run, const struct sched_slot *s, long long now)
{
	run->slot_heard[s - run->sched.slots] = now;
}

/* Stopped builds of a frozen node that ignore SIGTERM (buildx waiting
 * for the daemon to hear the cancel): killed. */
static long long kill_stalled(struct loop *l, long long id, long long now,
			      void *data)
{
	struct run *run = data;
	(void)l;
	(void)id;
	(void)now;
	for (size_t k = 0; k < run->sched.nslots; k++) {
		struct sched_slot *s = &run->sched.slots[k];
		if (s->stalled && s->live)
			pump_signal(&run->pump, s, SIGKILL);
	}
	return LOOP_ONCE;
}

/* The node answered or did not; `why` is NULL when it did. */
static void node_answered(struct run *run, struct probe *p, const char *why,
			  long long now)
{
	p->active = 0;
	p->last_ms = now;
	if (!why || run->sched.stopping)
		return;
	int node = (int)p->node;
	lost_node_at(run, node, why, now);
	/* its builds wait for an answer that will not come: stop them,
	 * to be built elsewhere (finish_slot sees them stalled) */
	for (size_t k = 0; k < run->sched.nslots; k++) {
		struct sched_slot *s = &run->sched.slots[k];
		if (s->node != node || !s->njobs || !s->live || s->moved)
			continue;
		s->stalled = 1;
		for (size_t i = 0; i < s->njobs; i++)
			snprintf(run->info[s->jobs[i]].progress.error,
				 sizeof(run->info[s->jobs[i]].progress.error),
				 "node '%s' stopped answering (%s)",
				 run->nodes->v[node].name, why);
		char note[160];
		snprintf(note, sizeof(note), "# dbake: stopped: node '%s' "
			 "stopped answering (%s)\n", run->nodes->v[node].name,
			 why);
		run_slot_log(run, s, note, strlen(note));
		pump_signal(&run->pump, s, SIGTERM);
	}
	loop_add_timer(&run->loop, STALL_KILL_MS, kill_stalled, run);
}

static void probe_output(void *owner, void *task, const char *buf, size_t len)
{
	struct probe *p = task;
	(void)owner;
	if (p->out.len < 65536)
		strbuf_add(&p->out, buf, len);
}

/* Whether inspect's text says the node is running ("Status: running"). */
static int says_running(const char *text)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (!starts_with(l, "Status:"))
			continue;
		l += strlen("Status:");
		l += strspn(l, " \t");
		return starts_with(l, "running") &&
		       (l[7] == '\n' || l[7] == '\0' || l[7] == ' ');
	}
	return 0;
}

static void probe_finished(void *owner, void *task, int status)
{
	struct run *run = owner;
	struct probe *p = task;
	long long now = now_ms();
	const char *why = NULL;
	char dur[32], msg[96];
	if (!status && p->out.len && says_running(p->out.buf)) {
		why = NULL;
	} else if (now - p->started_ms >= run->probe_timeout_ms) {
		format_duration(dur, sizeof(dur), run->probe_timeout_ms);
		snprintf(msg, sizeof(msg), "no answer to a probe in %s", dur);
		why = msg;
	} else {
		why = "a probe found it not running";
	}
	strbuf_reset(&p->out);
	node_answered(run, p, why, now);
}

static const struct pump_ops probe_pump = {
	.output = probe_output,
	.finished = probe_finished,
};

static void probe_start(struct run *run, struct probe *p, long long now)
{
	const struct node *n = &run->nodes->v[p->node];
	struct strvec argv = STRVEC_INIT;
	buildx_argv(&argv, NULL, &run->opts->docker_globals);
	strvec_push(&argv, "inspect");
	strvec_push(&argv, "--timeout");
	strvec_pushf(&argv, "%llds", (run->probe_timeout_ms + 999) / 1000);
	strvec_push(&argv, n->shard);
	p->started_ms = now;
	p->active = pump_start(&run->probe_pump, p, argv.v, run->shard_env) == 0;
	if (!p->active)
		p->last_ms = now;
	strvec_clear(&argv);
}

void stall_check(struct run *run, long long now)
{
	if (!run->probes || run->sched.stopping)
		return;
	for (size_t n = 0; n < run->nodes->nr; n++) {
		struct probe *p = &run->probes[n];
		if (run->sched.stats[n].down || !run->nodes->v[n].shard)
			continue;
		if (p->active) {
			/* a little past its own --timeout: buildx itself hangs */
			if (now - p->started_ms > run->probe_timeout_ms + 2000)
				pump_signal(&run->probe_pump, p, SIGKILL);
			continue;
		}
		long long heard = -1;
		for (size_t k = 0; k < run->sched.nslots; k++) {
			const struct sched_slot *s = &run->sched.slots[k];
			if (s->node == (int)n && s->njobs && s->live && !s->moved &&
			    run->slot_heard[k] > heard)
				heard = run->slot_heard[k];
		}
		if (heard < 0 || now - heard < run->probe_after_ms ||
		    now - p->last_ms < run->probe_after_ms)
			continue;
		probe_start(run, p, now);
	}
}

void stall_attach(struct run *run)
{
	pump_init(&run->probe_pump, &run->loop, &probe_pump, run);
}

void stall_reap(struct run *run)
{
	if (run->probes)
		pump_reap(&run->probe_pump);
}

void stall_detach(struct run *run)
{
	if (run->probes)
		pump_release(&run->probe_pump);
}

void stall_release(struct run *run)
{
	for (size_t i = 0; run->probes && i < run->nodes->nr; i++)
		strbuf_release(&run->probes[i].out);
	free(run->probes);
	run->probes = NULL;
	free(run->slot_heard);
	run->slot_heard = NULL;
}
