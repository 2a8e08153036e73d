#include "dispatch.h"
#include "build.h"
#include "../signals.h"
#include "../ui/ui.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct run_view *run_view(struct run *run)
{
	struct run_view *v = &run->view;
	v->dag = &run->dag;
	v->info = run->info;
	v->nodes = run->nodes;
	v->stats = run->stats;
	v->log_dir = run->logs.path;
	v->report_dir = run->report_dir;
	v->start_ms = run->start_ms;
	v->end_ms = run->end_ms;
	v->lower_bound = run->lower_bound;
	v->stopping = run->stopping;
	v->stop_signal = run->stop_signal;
	return v;
}

void run_count(const struct run_view *view, struct run_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < view->dag->nr; i++) {
		switch (view->dag->jobs[i].state) {
		case JOB_DONE: c->done++; break;
		case JOB_FAILED: c->failed++; break;
		case JOB_SKIPPED: c->skipped++; break;
		case JOB_CANCELLED: c->cancelled++; break;
		case JOB_RUNNING: c->running++; break;
		default: c->pending++; break;
		}
	}
}

/* Give a free slot the batch `jobs` (n of them); its arrays fit it. */
static void slot_take(struct slot *s, const size_t *jobs, size_t n)
{
	s->jobs = xrealloc(s->jobs, n * sizeof(*s->jobs));
	s->log_fds = xrealloc(s->log_fds, n * sizeof(*s->log_fds));
	memcpy(s->jobs, jobs, n * sizeof(*jobs));
	s->njobs = n;
}

static void report_final(size_t job, void *data)
{
	struct run *run = data;
	run->ui->job_finished(run_view(run), job);
}

/* Write all of buf to a log; a failing log never stops a build. */
static void log_write(int *fd, const char *buf, size_t len)
{
	if (*fd >= 0 && write_in_full(*fd, buf, len) < 0) {
		close(*fd);
		*fd = -1;
	}
}

static void slot_log(struct slot *s, const char *buf, size_t len)
{
	for (size_t i = 0; i < s->njobs; i++)
		log_write(&s->log_fds[i], buf, len);
}

static void slot_close_logs(struct slot *s)
{
	for (size_t i = 0; i < s->njobs; i++)
		if (s->log_fds[i] >= 0) {
			close(s->log_fds[i]);
			s->log_fds[i] = -1;
		}
}

/* Open (or reopen, on a later attempt) the log of a job. */
static int open_log(struct run *run, size_t job)
{
	struct job_info *in = &run->info[job];
	if (!in->log_path) {
		int fd = logdir_open(&run->logs, in->target->name, &in->log_path);
		if (fd >= 0)
			in->metadata_path = xstrfmt("%s.metadata.json",
						    in->log_path);
		return fd;
	}
	return open(in->log_path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
}

static void fail_job(struct run *run, size_t job, long long now);

/* Whether a job that depends on `job` is not in the batch (`in`). */
static int needed_outside(const struct run *run, const unsigned char *in,
			  size_t job)
{
	const struct job *j = &run->dag.jobs[job];
	for (size_t k = 0; k < j->ndependents; k++)
		if (!in[j->dependents[k]])
			return 1;
	return 0;
}

/* Launch the slot's batch (s->jobs, s->njobs) on its node. */
static int start_batch(struct run *run, struct slot *s)
{
	struct node *node = &run->nodes->v[s->node];
	struct strvec argv = STRVEC_INIT;
	const char **names = xcalloc(s->njobs, sizeof(*names));
	int *outputs = xcalloc(s->njobs, sizeof(*outputs));
	struct strvec sets = STRVEC_INIT;
	unsigned char *in = xcalloc(run->dag.nr + 1, 1);
	long long now = now_ms();

	for (size_t i = 0; i < s->njobs; i++)
		in[s->jobs[i]] = 1;
	for (size_t i = 0; i < s->njobs; i++) {
		const struct target *t = run->info[s->jobs[i]].target;
		s->log_fds[i] = open_log(run, s->jobs[i]);
		names[i] = t->name;
		outputs[i] = !t->cacheonly;
		transfer_sets(&run->transfer, run, s->jobs[i], s->node,
			      needed_outside(run, in, s->jobs[i]), &sets);
	}
	free(in);
	struct build_args b = {
		.docker_globals = &run->opts->docker_globals,
		.shard = node->shard,
		.resolved = run->resolved,
		.targets = names,
		.outputs = outputs,
		.ntargets = s->njobs,
		.no_cache = run->opts->no_cache,
		.cache_registry = run->opts->cache_registry,
		.load = run->opts->load,
		.push = run->opts->push,
		/* bake's metadata file holds every target of the invocation */
		.metadata = run->opts->metadata_file ?
				    run->info[s->jobs[0]].metadata_path : NULL,
		.sets = &sets,
		.allow_dir = sets.nr ? run->transfer.dir : NULL,
	};
	build_argv(&argv, &b);
	struct strbuf head = STRBUF_INIT;
	strvec_clear(&sets);
	strbuf_addf(&head, "# dbake: node %s (%s), shard %s\n# dbake:", node->name,
		    node->endpoint, node->shard);
	for (size_t i = 0; i < argv.nr; i++)
		strbuf_addf(&head, " %s", argv.v[i]);
	strbuf_addch(&head, '\n');
	slot_log(s, head.buf, head.len);
	strbuf_release(&head);
	free(names);
	free(outputs);

	for (size_t i = 0; i < s->njobs; i++) {
		struct job_info *in = &run->info[s->jobs[i]];
		progress_release(&in->progress);
		in->progress = (struct progress)PROGRESS_INIT;
		in->step_ms = 0;
		in->idle_ms = now;
		in->batch = s->njobs;
		in->slot = s->rank;
	}
	int ret = pump_start(&run->pump, s, argv.v, run->shard_env);
	strvec_clear(&argv);
	for (size_t i = 0; i < s->njobs; i++) {
		dag_start_with_deps(&run->dag, s->jobs[i], s->node, now);
		policy_started(&run->policy, s->jobs[i], s->node);
	}
	if (ret < 0) {
		slot_close_logs(s);
		for (size_t i = 0; i < s->njobs; i++) {
			run->info[s->jobs[i]].exit_code = 255;
			fail_job(run, s->jobs[i], now);
		}
		s->njobs = 0;
		return -1;
	}
	s->live = 1;
	s->spawn_ms = s->run_from = run->last_launch_ms = now;
	s->ahead = 0;
	s->moved = 0;
	for (size_t i = 0; i < s->njobs; i++)
		run->ui->job_started(run_view(run), s->jobs[i]);
	return 0;
}

/*
 * Launches that come together share the client's CPUs: started at once,
 * eight bakes on two CPUs all reach their first step late (0.4-0.8 s in
 * W1), the most urgent as late as the least. Launched one by one, about
 * as fast as the CPUs start them, the first ones picked (the longest
 * chains) start sooner (0.3-0.5 s) and the last a little later (0.8-0.9
 * s). The gap: a launch's CPU over the CPUs this process may use; none
 * for fifo, which stands for the earlier tool.
 */
static int launch_gap(const struct run *run)
{
	cpu_set_t set;
	long ncpu = 0;
	if (run_fifo(run))
		return 0;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		ncpu = CPU_COUNT(&set);
	if (ncpu <= 0)
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	return pace_gap(ncpu);
}

static long long launch_due(struct loop *l, long long id, long long now,
			    void *data)
{
	struct run *run = data;
	(void)l;
	(void)id;
	(void)now;
	run->launch_timer = 0; /* the turn's end fills the slots */
	return LOOP_ONCE;
}

/*
 * Whether the next launch from fill_slots() waits for the previous one's
 * start-up (every launch counts; a build moved to a free node goes at
 * once). A held launch is a timer: the loop wakes for it.
 */
static int launch_held(struct run *run, long long now)
{
	long long wait = pace_wait(run->launch_gap_ms, run->last_launch_ms,
				     now);
	if (!wait)
		return 0;
	if (!run->launch_timer)
		run->launch_timer = loop_add_timer(&run->loop, wait,
						   launch_due, run);
	return 1;
}

static size_t ready_count(const struct run *run)
{
	size_t n = 0;
	for (size_t i = 0; i < run->dag.nr; i++)
		n += run->dag.jobs[i].state == JOB_READY;
	return n;
}

/*
 * A run of targets that are all unchanged since history saw them short
 * (each with its cache on a node, its steps quick) is built as plain
 * bake builds it: one bake of all of them, in dependency order, on the
 * node most of them built on last. Cached, a bake per node would cost
 * more than the work; should they not be, their steps are still few
 * (ONE_BAKE_WORK at most on that node). Only before anything started.
 */
static int one_bake(struct run *run)
{
	const struct dag *dag = &run->dag;
	size_t nnodes = run->nodes->nr;
	double work = 0;
	if (run_fifo(run) || dag->nr < 2)
		return 0;
	for (size_t i = 0; i < run->nslots; i++)
		if (run->slots[i].njobs || run->slots[i].moved)
			return 0; /* something started */
	for (size_t i = 0; i < dag->nr; i++) {
		const struct job *j = &dag->jobs[i];
		double w = j->work >= 0 ? j->work : j->estimate;
		if ((j->state != JOB_READY && j->state != JOB_PENDING) ||
		    !j->known || j->solo || w >= POLICY_SHORT ||
		    policy_home_of(&run->policy, i) < 0)
			return 0;
		work += w;
	}
	size_t *homes = xcalloc(nnodes + 1, sizeof(*homes));
	int node = -1;
	for (size_t i = 0; i < dag->nr; i++) {
		int h = policy_home_of(&run->policy, i);
		if (h >= 0)
			homes[h]++;
	}
	for (size_t n = 0; n < nnodes; n++) {
		int fits = 1;
		for (size_t i = 0; i < dag->nr && fits; i++)
			fits = dag->jobs[i].fits[n];
		if (fits && (node < 0 || homes[n] > homes[node]))
			node = (int)n;
	}
	free(homes);
	int cap = node >= 0 ? run->stats[node].capacity : 0;
	if (node < 0 || work / (cap > 0 ? cap : 1) > ONE_BAKE_WORK)
		return 0;
	struct slot *s = NULL;
	for (size_t i = 0; i < run->nslots && node >= 0 && !s; i++)
		if (run->slots[i].node == node && !run->slots[i].njobs &&
		    !run->slots[i].moved && !run->slots[i].live)
			s = &run->slots[i];
	if (!s)
		return 0;
	/* dependencies first: a job once all of its are in (the batch
	 * array doubles as the queue) */
	size_t *left = xcalloc(dag->nr + 1, sizeof(*left));
	size_t n = 0;
	for (size_t i = 0; i < dag->nr; i++)
		if (!(left[i] = dag->jobs[i].ndeps))
			run->batch[n++] = i;
	for (size_t q = 0; q < n; q++) {
		const struct job *j = &dag->jobs[run->batch[q]];
		for (size_t k = 0; k < j->ndependents; k++)
			if (!--left[j->dependents[k]])
				run->batch[n++] = j->dependents[k];
	}
	free(left);
	if (n != dag->nr)
		BUG("dependency cycle in a prepared DAG");
	slot_take(s, run->batch, n);
	start_batch(run, s);
	return 1;
}

/*
 * Give every free slot work: first jobs whose layers are on its node,
 * then by the policy's order; each with the jobs it batches.
 */
static void fill_slots(struct run *run)
{
	size_t max_short = 0;
	unsigned char *full = NULL;
	int unknown = 0;
	if (one_bake(run))
		return;
	/* a node of unknown capacity that makes a build wait has shown
	 * it is full: more builds there would only wait too */
	for (size_t n = 0; n < run->nodes->nr; n++)
		unknown |= !run->stats[n].capacity;
	if (unknown && !run_fifo(run)) {
		full = xcalloc(run->nodes->nr + 1, 1);
		waiting_slots(run, now_ms(), NULL, full);
	}
	for (int pass = run_fifo(run); pass < 2; pass++) {
		for (size_t i = 0; i < run->nslots && !run->stopping; i++) {
			struct slot *s = &run->slots[i];
			if (s->njobs || s->moved || s->live)
				continue;
			if (launch_held(run, now_ms()))
				break;
			/*
			 * A slot past the node's capacity only hides the next
			 * build's start-up: it takes what other nodes leave,
			 * once a build here is about to end, not a job that
			 * would wait here for a dependency's layers; but a job
			 * whose cache is here (built here last time) waits for
			 * the node rather than start over elsewhere.
			 */
			int cap = run->stats[s->node].capacity;
			if (!cap && full && full[s->node])
				continue;
			if (!cap && run->stats[s->node].seen.seen_full &&
			    run->stats[s->node].seen.steps_max > 0 &&
			    node_jobs(run, s->node) >=
			    (size_t)run->stats[s->node].seen.steps_max)
				continue; /* what it ran when full, no more */
			/* a batch takes a place per job: a node with its
			 * capacity's worth of jobs running starts one more
			 * build at most, in whichever of its slots is free
			 * (the build that started ahead last time may now be
			 * the node's only one) */
			size_t busy = cap ? node_jobs(run, s->node) : 0;
			int extra = cap && busy >= (size_t)cap;
			if (cap && busy > (size_t)cap)
				continue;
			ssize_t job = policy_pick(&run->policy, s->node, pass == 0);
			if (job >= 0 && extra &&
			    policy_home_of(&run->policy, (size_t)job) != s->node &&
			    (pass == 0 || !ending_soon(run, s->node) ||
			     sooner_elsewhere(run, (size_t)job, s, now_ms())))
				job = -1;
			if (job < 0)
				continue;
			if (!max_short) {
				/* short jobs: about one batch per node */
				size_t r = ready_count(run), n = run->nodes->nr;
				max_short = (r + n - 1) / n;
			}
			/* and, when their steps take time, no more than the
			 * node has room for beside what it runs: a batch
			 * builds its jobs at once, and the node runs no more
			 * steps at a time than its capacity */
			size_t most = max_short;
			const struct job *fj = &run->dag.jobs[job];
			double w = fj->work >= 0 ? fj->work : fj->estimate;
			if (cap && fj->known && w >= BATCH_FREE_WORK) {
				size_t room = busy < (size_t)cap ? (size_t)cap - busy : 1;
				if (room < most)
					most = room;
			}
			size_t n = policy_batch(&run->policy, (size_t)job, s->node,
						run->batch, most);
			slot_take(s, run->batch, n);
			if (start_batch(run, s) == 0 && extra) {
				s->ahead = 1;
				s->run_from = next_end(run, s->node, s,
						       s->spawn_ms);
			}
		}
	}
	free(full);
}

/*
 * Work stealing: a free slot with nothing ready for its node takes over
 * a build that waits for a busy node. The waiting invocation is killed;
 * nothing of it is lost.
 */
static void move_waiting(struct run *run)
{
	long long now = now_ms();
	int any_free = 0;
	if (run_fifo(run) || run->stopping)
		return;
	for (size_t i = 0; i < run->nslots && !any_free; i++)
		any_free = !run->slots[i].njobs && !run->slots[i].moved &&
			   !run->slots[i].live;
	if (!any_free)
		return;
	size_t *cand = xcalloc(run->nslots + 1, sizeof(*cand));
	unsigned char *full = xcalloc(run->nodes->nr + 1, 1);
	size_t ncand = waiting_slots(run, now, cand, full);
	for (size_t i = 0; i < run->nslots && ncand; i++) {
		struct slot *free_slot = &run->slots[i];
		const struct node_stats *st = &run->stats[free_slot->node];
		/* only to a node with room: one that has builds waiting
		 * too, or as many as it was seen to run, would only make
		 * the build wait again */
		int cap = st->capacity ? st->capacity : st->seen.steps_max;
		if (free_slot->njobs || free_slot->moved ||
		    free_slot->live || full[free_slot->node] ||
		    (cap && node_jobs(run, free_slot->node) >= (size_t)cap) ||
		    (!st->capacity && idle_build_on(run, free_slot->node)))
			continue;
		struct slot *victim = NULL;
		for (size_t k = 0; k < ncand; k++) {
			struct slot *s = &run->slots[cand[k]];
			if (s->node == free_slot->node || s->moved)
				continue;
			int fits = 1;
			for (size_t j = 0; j < s->njobs; j++)
				fits &= run->dag.jobs[s->jobs[j]].fits[free_slot->node];
			if (fits && (!victim || s->spawn_ms < victim->spawn_ms))
				victim = s;
		}
		if (!victim)
			continue;
		char note[256];
		snprintf(note, sizeof(note), "# dbake: moved to node %s: it had "
			 "not started here\n",
			 run->nodes->v[free_slot->node].name);
		slot_log(victim, note, strlen(note));
		slot_close_logs(victim);
		pump_signal(&run->pump, victim, SIGKILL);
		victim->moved = 1;
		for (size_t j = 0; j < victim->njobs; j++)
			dag_requeue(&run->dag, victim->jobs[j]);
		slot_take(free_slot, victim->jobs, victim->njobs);
		victim->njobs = 0;
		start_batch(run, free_slot);
	}
	free(cand);
	free(full);
}

static void begin_stop(struct run *run, const char *why)
{
	if (run->stopping)
		return;
	run->stopping = 1;
	run->ui->stopping(run_view(run), why);
	pump_stop(&run->pump, STOP_GRACE_MS);
	dag_cancel_rest(&run->dag, now_ms(), report_final, run);
}

/* A job failed on its own merits: report it, then what it blocks. */
static void fail_job(struct run *run, size_t job, long long now)
{
	dag_fail(&run->dag, job, now, NULL, NULL);
	run->ui->job_finished(run_view(run), job);
	for (size_t i = 0; i < run->dag.nr; i++)
		if (run->dag.jobs[i].state == JOB_SKIPPED &&
		    run->dag.jobs[i].blocked_by == job)
			run->ui->job_finished(run_view(run), i);
	if (run->opts->fail_fast)
		begin_stop(run, "a build failed (--fail-fast)");
}

/*
 * Remember the job's node and time; `from` is when its build had the
 * node (a build started ahead waits for its turn first: not its time).
 * On a node of unknown capacity (a first run: more slots than it runs
 * builds), a build that ran no step for a while, then did, waited in
 * BuildKit's queue: it is timed from that step. (A waiting build may
 * show its FROM before its RUN waits.) Not when the capacity is known:
 * there a long start is the build's own (a large context to send).
 */
static void remember(struct run *run, size_t job, long long from)
{
	const struct job *j = &run->dag.jobs[job];
	long long step = run->info[job].step_ms;
	if (!run->history)
		return;
	if (from < j->start_ms || from > j->end_ms)
		from = j->start_ms;
	if (!run->stats[j->node].capacity && step > from + MOVE_AFTER_MS &&
	    step <= j->end_ms)
		from = step;
	history_set_last(run->history, j->name, run->nodes->v[j->node].endpoint,
			 run->info[job].target->defhash);
	/* a batch's time is not any one target's */
	if (run->info[job].batch > 1)
		return;
	history_record(run->history, j->name, run->nodes->v[j->node].endpoint,
		       (double)(j->end_ms - from) / 1000.0,
		       run->info[job].progress.work);
}

/* The slot's child has exited and its output is drained. */
static void finish_slot(struct run *run, struct slot *s, int status)
{
	long long now = now_ms();
	int code = exit_code_of(status);

	s->live = 0;
	if (s->moved) {
		s->moved = 0;
		return;
	}
	if (!s->ahead)
		node_freed(run, s->node, now);
	/* still waiting for its turn when it ended: it never waited */
	long long from = s->ahead ? s->spawn_ms : s->run_from;
	s->ahead = 0;
	struct strbuf tail = STRBUF_INIT;
	strbuf_addf(&tail, "# dbake: exit %d\n", code);
	slot_log(s, tail.buf, tail.len);
	strbuf_release(&tail);
	slot_close_logs(s);
	size_t n = s->njobs;
	s->njobs = 0;
	for (size_t i = 0; i < n; i++) {
		size_t job = s->jobs[i];
		run->info[job].exit_code = code;
		if (code == 0) {
			transfer_built(&run->transfer, job);
			dag_done(&run->dag, job, now);
			remember(run, job, from);
			run->ui->job_finished(run_view(run), job);
		} else if (run->stopping) {
			dag_cancel(&run->dag, job, now);
			run->ui->job_finished(run_view(run), job);
		} else if (n > 1) {
			/* which one failed? build each alone to find out */
			run->dag.jobs[job].solo = 1;
			dag_requeue(&run->dag, job);
		} else {
			fail_job(run, job, now);
		}
	}
}

/* Output of a slot's bake: to its logs and its jobs' progress. */
static void slot_output(void *owner, void *task, const char *buf, size_t len)
{
	struct run *run = owner;
	struct slot *s = task;
	if (s->moved)
		return;
	slot_log(s, buf, len);
	long long now = now_ms();
	for (size_t i = 0; i < s->njobs; i++) {
		struct job_info *in = &run->info[s->jobs[i]];
		progress_feed(&in->progress, buf, len);
		int busy = in->progress.steps > in->progress.done;
		if (busy && in->idle_ms) {
			/* a step runs after a wait: the node's now */
			if (now - in->idle_ms > MOVE_AFTER_MS)
				in->step_ms = now;
			in->idle_ms = 0;
		} else if (!busy && !in->idle_ms) {
			in->idle_ms = now;
		}
	}
}

static void slot_finished(void *owner, void *task, int status)
{
	finish_slot(owner, task, status);
}

static const struct pump_ops slot_pump = {
	.output = slot_output,
	.finished = slot_finished,
};

static int running(const struct run *run)
{
	for (size_t i = 0; i < run->nslots; i++)
		if (run->slots[i].njobs || run->slots[i].moved)
			return 1;
	return 0;
}

static void handle_signals(struct run *run)
{
	int stops;
	int sig = signals_drain(&stops);
	if (!sig)
		return;
	if (!run->stop_signal) {
		run->stop_signal = sig;
		begin_stop(run, sig == SIGINT ? "interrupted"
			   : sig == SIGTERM ? "terminated" : "hangup");
	}
	if (stops > 1)
		pump_signal_all(&run->pump, SIGKILL); /* asked twice: no more grace */
}

static void on_signal_pipe(struct loop *l, int fd, void *data)
{
	(void)l;
	(void)fd;
	handle_signals(data);
}

/*
 * The docker CLI closes its plugin socket when it is asked to stop and
 * has no terminal to pass the signal on: stop as if interrupted.
 */
static void on_cli_socket(struct loop *l, int fd, void *data)
{
	struct run *run = data;
	char buf[64];
	(void)fd;
	ssize_t n = read(run->cli_fd, buf, sizeof(buf));
	if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN)))
		return;
	loop_del_file(l, run->cli_fd);
	close(run->cli_fd);
	run->cli_fd = -1;
	if (!run->stop_signal) {
		run->stop_signal = SIGINT;
		begin_stop(run, "the docker CLI asked to stop");
	}
}

/* What the nodes showed of their capacity, for the next run's slots. */
static void remember_capacity(struct run *run)
{
	if (!run->history || run_fifo(run))
		return;
	for (size_t n = 0; n < run->nodes->nr; n++) {
		const char *ep = run->nodes->v[n].endpoint;
		int old = history_capacity(run->history, ep);
		int cap = capacity_learn(old, &run->stats[n].seen,
					 run->stopping);
		if (cap != old)
			history_set_capacity(run->history, ep, cap);
	}
}

static void on_keys(struct loop *l, int fd, void *data)
{
	struct run *run = data;
	if (run->ui->on_input(run_view(run)) && !run->stop_signal) {
		run->stop_signal = SIGINT;
		begin_stop(run, "cancelled from the dashboard");
	}
	if (run->ui->input_fd(run_view(run)) != fd)
		loop_del_file(l, fd); /* the terminal went away */
}

/* The dashboard's clock, and the sampling of what the nodes run. */
static long long on_tick(struct loop *l, long long id, long long now,
			 void *data)
{
	struct run *run = data;
	(void)l;
	(void)id;
	for (size_t nd = 0; nd < run->nodes->nr; nd++)
		node_observe(run, (int)nd, now);
	if (run->ui->tick)
		run->ui->tick(run_view(run), 0);
	return UI_TICK_MS;
}

/*
 * After every turn of the loop: reap, act on a quit from the dashboard,
 * start what can start.
 */
static void after_turn(struct run *run)
{
	pump_reap(&run->pump);
	if (!run->stopping) {
		/* builds that wait elsewhere were picked before anything
		 * still ready: they go first */
		move_waiting(run);
		fill_slots(run);
	}
	if (signals_resized() && run->ui->tick)
		run->ui->tick(run_view(run), 1);
}

/*
 * Whether anything can still happen: a child to hear from, or work
 * left and a reason to wake (a held launch) while not stopping.
 */
static int run_going(const struct run *run)
{
	if (running(run))
		return 1;
	if (run->stopping || !run->dag.left)
		return 0;
	if (run->launch_timer)
		return 1;
	BUG("%zu jobs left, none running and no launch due", run->dag.left);
}

int dispatch_run(struct run *run)
{
	loop_init(&run->loop);
	pump_init(&run->pump, &run->loop, &slot_pump, run);
	run->start_ms = now_ms();
	run->launch_gap_ms = launch_gap(run);
	loop_add_file(&run->loop, signals_fd(), on_signal_pipe, run);
	if (run->cli_fd >= 0)
		loop_add_file(&run->loop, run->cli_fd, on_cli_socket, run);
	loop_add_timer(&run->loop, UI_TICK_MS, on_tick, run);
	run->ui->begin(run_view(run));
	int keys = run->ui->input_fd ? run->ui->input_fd(run_view(run)) : -1;
	if (keys >= 0 && run->ui->on_input)
		loop_add_file(&run->loop, keys, on_keys, run);
	handle_signals(run);
	after_turn(run);
	while (run_going(run)) {
		loop_once(&run->loop, -1);
		after_turn(run);
	}
	pump_release(&run->pump);
	loop_release(&run->loop);
	run->end_ms = now_ms();
	remember_capacity(run);

	if (run->stop_signal)
		return 128 + run->stop_signal;
	struct run_counts c;
	run_count(run_view(run), &c);
	return c.failed || c.skipped || c.cancelled ? 1 : 0;
}
