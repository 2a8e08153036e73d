#include "dispatch.h"
#include "lost.h"
#include "stall.h"
#include "build.h"
#include "definition.h"
#include "split.h"
#include "../sched/learn.h"
#include "../out.h"
#include "../signals.h"
#include "../ui/ui.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const struct run_view *run_view(struct run *run)
{
	struct run_view *v = &run->view;
	v->dag = &run->dag;
	v->info = run->info;
	v->nodes = run->nodes;
	v->stats = run->sched.stats;
	v->log_dir = run->logs.path;
	v->report_dir = run->report_dir;
	v->secrets = &run->secrets;
	v->start_ms = run->start_ms;
	v->end_ms = run->end_ms;
	v->lower_bound = run->lower_bound;
	v->stopping = run->sched.stopping;
	v->stop_signal = run->stop_signal;
	v->decisions = run->decisions;
	v->decision_us = run->decision_us;
	v->decision_max_us = run->decision_max_us;
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

/* The log fds of the slot's batch, one per job. */
static int *slot_fds(struct run *run, const struct sched_slot *s)
{
	return run->slot_fds[s - run->sched.slots];
}

void run_slot_log(struct run *run, struct sched_slot *s, const char *buf,
		  size_t len)
{
	int *fds = slot_fds(run, s);
	for (size_t i = 0; i < s->njobs; i++)
		log_write(&fds[i], buf, len);
}

static void slot_close_logs(struct run *run, struct sched_slot *s)
{
	int *fds = slot_fds(run, s);
	for (size_t i = 0; i < s->njobs; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* Open (or reopen, on a later attempt) the log of a job. */
static int open_log(struct run *run, size_t job)
{
	struct job_info *in = &run->info[job];
	if (!in->log_path) {
		int fd = logdir_open(&run->logs, run->dag.jobs[job].name,
				     &in->log_path);
		if (fd >= 0)
			in->metadata_path = xstrfmt("%s.metadata.json",
						    in->log_path);
		return fd;
	}
	return open(in->log_path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
}


/* Launch the slot's batch (s->jobs, s->njobs) on its node. Its jobs
 * are running in the DAG already. */
static int launch_batch(void *owner, struct sched_slot *s, long long now)
{
	struct run *run = owner;
	struct node *node = &run->nodes->v[s->node];
	struct strvec argv = STRVEC_INIT;
	const char **names = xcalloc(s->njobs, sizeof(*names));
	size_t k = (size_t)(s - run->sched.slots);
	run->slot_fds[k] = xrealloc(run->slot_fds[k],
				    (s->njobs ? s->njobs : 1) * sizeof(int));
	int *fds = run->slot_fds[k];
	strbuf_reset(&run->slot_lines[k]);
	s->timed_out = 0;
	s->stalled = 0;
	stall_heard(run, s, now);
	int layouts = 0, merge = s->njobs == 1 && run->info[s->jobs[0]].merge;
	int digests = 0, parts = 0;

	for (size_t i = 0; i < s->njobs; i++) {
		fds[i] = open_log(run, s->jobs[i]);
		names[i] = run->info[s->jobs[i]].target->name;
		digests |= split_part_pushes(run, s->jobs[i]);
		parts |= run->info[s->jobs[i]].platform &&
			 run->info[s->jobs[i]].target->part_files;
	}
	char *definition = merge ? NULL : run_write_definition(run, s, &layouts);
	struct build_args b = {
		.docker_globals = &run->opts->docker_globals,
		.shard = node->shard,
		.definition = definition,
		.targets = names,
		.ntargets = s->njobs,
		.no_cache = run->opts->no_cache,
		/* bake's metadata file holds every target of the invocation;
		 * a part's has the digest its merge needs */
		.metadata = run->opts->metadata_file || digests ?
				    run->info[s->jobs[0]].metadata_path : NULL,
		.policy = &run->opts->bake_policy,
		.allow = &run->opts->allow,
		.pull = run->opts->pull,
		.allow_dir = { layouts ? run->transfer.dir : NULL,
			       parts ? run->parts_dir : NULL },
		.progress = child_progress(run),
	};
	if (merge)
		split_merge_argv(run, s->jobs[0], node->shard, &argv);
	else
		build_argv(&argv, &b);
	struct strbuf head = STRBUF_INIT;
	strbuf_addf(&head, "# dbake: node %s (%s), shard %s\n# dbake:", node->name,
		    node->endpoint, node->shard);
	for (size_t i = 0; i < argv.nr; i++)
		strbuf_addf(&head, " %s", argv.v[i]);
	strbuf_addch(&head, '\n');
	run_slot_log(run, s, head.buf, head.len);
	strbuf_release(&head);
	free(names);

	for (size_t i = 0; i < s->njobs; i++) {
		struct job_info *in = &run->info[s->jobs[i]];
		progress_release(&in->progress);
		in->progress = (struct progress)PROGRESS_INIT;
		/* one of several: its own steps are those named for it */
		if (s->njobs > 1)
			in->progress.target = in->target->name;
		in->batch = s->njobs;
		in->slot = s->rank;
	}
	int ret = definition || merge
			  ? pump_start(&run->pump, s, argv.v, run->shard_env)
			  : -1;
	strvec_clear(&argv);
	free(definition);
	if (ret < 0) {
		slot_close_logs(run, s);
		for (size_t i = 0; i < s->njobs; i++) {
			run->info[s->jobs[i]].exit_code = 255;
			run_fail_job(run, s->jobs[i], now);
		}
		return -1;
	}
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

/* Work stealing moves a waiting build, or it stands aside for a more
 * urgent one (`to` NULL): it had not started; stop it.
 * What it printed and was not read yet may say it has, just now (a
 * busy loop reads late): then it stays. */
static int moving(void *owner, struct sched_slot *from, struct sched_slot *to)
{
	struct run *run = owner;
	char note[256];
	pump_read(&run->pump, from);
	for (size_t i = 0; i < from->njobs; i++)
		if (run->sched.jobs[from->jobs[i]].begun)
			return -1;
	if (to)
		snprintf(note, sizeof(note), "# dbake: moved to node %s: it "
			 "had not started here\n", run->nodes->v[to->node].name);
	else
		snprintf(note, sizeof(note), "# dbake: stopped before it "
			 "started, for a more urgent build waiting on node %s; "
			 "it goes again later\n", run->nodes->v[from->node].name);
	run_slot_log(run, from, note, strlen(note));
	slot_close_logs(run, from);
	pump_signal(&run->pump, from, SIGKILL);
	return 0;
}

/* The sched op: a launch, its CPU counted apart from the decision
 * that asked for it. */
static int start_batch(void *owner, struct sched_slot *s, long long now)
{
	struct run *run = owner;
	long long t0 = cpu_us();
	int ret = launch_batch(owner, s, now);
	run->launch_us += cpu_us() - t0;
	return ret;
}

static const struct sched_ops sched_ops = {
	.launch = start_batch,
	.moving = moving,
};

/* Start what can start; a held launch wakes the loop when it may go. */
static void fill(struct run *run)
{
	long long t0 = cpu_us(), launching = run->launch_us;
	long long wait = sched_fill(&run->sched, &sched_ops, run, now_ms());
	/* the decision's own CPU, not the launches it made's (nor the
	 * time the machine gave others) */
	long long took = cpu_us() - t0 - (run->launch_us - launching);
	run->decisions++;
	run->decision_us += took;
	if (took > run->decision_max_us)
		run->decision_max_us = took;
	if (wait && !run->launch_timer)
		run->launch_timer = loop_add_timer(&run->loop, wait,
						   launch_due, run);
}

static void begin_stop(struct run *run, const char *why)
{
	if (run->sched.stopping)
		return;
	run->sched.stopping = 1;
	run->ui->stopping(run_view(run), why);
	pump_stop(&run->pump, STOP_GRACE_MS);
	dag_cancel_rest(&run->dag, now_ms(), report_final, run);
}

/* A job failed on its own merits: report it, then what it blocks. */
void run_fail_job(struct run *run, size_t job, long long now)
{
	/* the reason as every view shows it (FAILED line, dashboard,
	 * report): without the values that may be secrets */
	struct progress *p = &run->info[job].progress;
	char *e = redact(p->error, (const char *const *)run->secrets.v);
	snprintf(p->error, sizeof(p->error), "%s", e);
	free(e);
	dag_fail(&run->dag, job, now, NULL, NULL);
	run->ui->job_finished(run_view(run), job);
	for (size_t i = 0; i < run->dag.nr; i++)
		if (run->dag.jobs[i].state == JOB_SKIPPED &&
		    run->dag.jobs[i].blocked_by == job)
			run->ui->job_finished(run_view(run), i);
	if (run->opts->fail_fast)
		begin_stop(run, "a build failed (--fail-fast)");
}

/* What a job's own steps took: all of its bake's, or, in a batch, those
 * named for it (-1 when none of them finished). */
static double own_work(const struct progress *p)
{
	if (!p->target)
		return p->work;
	return p->own_done ? p->own_work : -1;
}

/* The slot's child has exited and its output is drained. */
static void finish_slot(void *owner, void *task, int status)
{
	struct run *run = owner;
	struct sched_slot *s = task;
	long long now = now_ms();
	int code = exit_code_of(status);
	long long from = sched_ended(&run->sched, s, now);
	if (from < 0)
		return; /* its jobs went elsewhere */
	struct strbuf tail = STRBUF_INIT;
	strbuf_addf(&tail, "# dbake: exit %d\n", code);
	run_slot_log(run, s, tail.buf, tail.len);
	strbuf_release(&tail);
	slot_close_logs(run, s);
	size_t n = s->njobs;
	s->njobs = 0;
	if (s->timed_out && code != 0)
		lost_say_overdue(run, s, n);
	const char *err = n ? run->info[s->jobs[0]].progress.error : "";
	int lost = code != 0 && !run->sched.stopping && !s->timed_out &&
		   (s->stalled || progress_node_lost(err));
	if (lost)
		lost_node(run, s, err, now);
	/* what each is charged of its own steps: a light target built
	 * among many is not remembered as long (learn_batch_work) */
	double *work = xcalloc(n + 1, sizeof(*work));
	for (size_t i = 0; i < n; i++)
		work[i] = own_work(&run->info[s->jobs[i]].progress);
	learn_batch_work(&run->sched, s->node, s->jobs, n, work);
	for (size_t i = 0; i < n; i++) {
		size_t job = s->jobs[i];
		run->info[job].exit_code = code;
		if (code == 0) {
			if (run->info[job].platform)
				split_part_built(run, job);
			else if (run->info[job].merge)
				split_merge_done(run, job);
			transfer_built(&run->transfer, job);
			dag_done(&run->dag, job, now);
			sched_job_built(&run->sched, job, work[i]);
			learn_job(&run->sched, run->history, run->endpoints,
				  run->node_keys, job, from, run->info[job].batch,
				  work[i], run->info[job].target->defhash);
			run->ui->job_finished(run_view(run), job);
		} else if (run->sched.stopping) {
			dag_cancel(&run->dag, job, now);
			run->ui->job_finished(run_view(run), job);
		} else if (lost && run->info[job].retries < NODE_LOST_RETRIES &&
			   lost_fits_up_node(run, job)) {
			/* not the build's fault: again, on another node */
			run->info[job].retries++;
			dag_requeue(&run->dag, job);
		} else if (n > 1 && !lost && !s->timed_out) {
			/* which one failed? build each alone to find out */
			run->dag.jobs[job].solo = 1;
			dag_requeue(&run->dag, job);
		} else {
			run_fail_job(run, job, now);
		}
	}
	free(work);
}

/*
 * With --progress rawjson, each whole JSON line of a child goes to stderr,
 * as bake's would: vertex digests differ between builds, so the lines of
 * several bakes make one stream. Lines of text (bake's last "ERROR: ")
 * stay in the logs: dbake says what failed in its own words.
 */
static void forward_json(struct run *run, struct sched_slot *s,
			 const char *buf, size_t len)
{
	struct strbuf *sb = &run->slot_lines[s - run->sched.slots];
	strbuf_add(sb, buf, len);
	size_t at = 0;
	const char *nl;
	while ((nl = memchr(sb->buf + at, '\n', sb->len - at))) {
		size_t n = (size_t)(nl - (sb->buf + at)) + 1;
		if (sb->buf[at] == '{')
			out_write(STDERR_FILENO, sb->buf + at, n);
		at += n;
	}
	memmove(sb->buf, sb->buf + at, sb->len - at);
	sb->len -= at;
	sb->buf[sb->len] = '\0';
}

/* Output of a slot's bake: to its logs and its jobs' progress. */
static void slot_output(void *owner, void *task, const char *buf, size_t len)
{
	struct run *run = owner;
	struct sched_slot *s = task;
	if (s->moved)
		return;
	run_slot_log(run, s, buf, len);
	if (run->opts->progress == PROGRESS_RAWJSON)
		forward_json(run, s, buf, len);
	long long now = now_ms();
	stall_heard(run, s, now);
	for (size_t i = 0; i < s->njobs; i++) {
		struct progress *p = &run->info[s->jobs[i]].progress;
		progress_feed(p, buf, len);
		sched_job_steps(&run->sched.jobs[s->jobs[i]], p->steps, p->done,
				now);
		if (p->target)
			learn_own_span(&run->sched.jobs[s->jobs[i]],
				       p->own_work, now);
		run->sched.jobs[s->jobs[i]].begun = progress_begun(p);
		if (p->context_sent)
			sched_context_sent(&run->sched, s);
	}
}

static const struct pump_ops slot_pump = {
	.output = slot_output,
	.finished = finish_slot,
};


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
	sched_observe(&run->sched, now);
	lost_stop_overdue(run, now);
	stall_check(run, now);
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
	stall_reap(run);
	if (!run->sched.stopping)
		fill(run);
	if (signals_resized() && run->ui->tick)
		run->ui->tick(run_view(run), 1);
}

/*
 * Whether anything can still happen: a child to hear from, or work
 * left and a reason to wake (a held launch) while not stopping.
 */
static int run_going(const struct run *run)
{
	if (sched_busy(&run->sched))
		return 1;
	if (run->sched.stopping || !run->dag.left)
		return 0;
	if (run->launch_timer)
		return 1;
	BUG("%zu jobs left, none running and no launch due", run->dag.left);
}

int dispatch_run(struct run *run)
{
	loop_init(&run->loop);
	pump_init(&run->pump, &run->loop, &slot_pump, run);
	stall_attach(run);
	run->start_ms = now_ms();
	run->sched.launch_gap_ms = launch_gap(run);
	loop_add_file(&run->loop, signals_fd(), on_signal_pipe, run);
	if (run->cli_fd >= 0)
		loop_add_file(&run->loop, run->cli_fd, on_cli_socket, run);
	loop_add_timer(&run->loop, UI_TICK_MS, on_tick, run);
	/* the dashboard owns the terminal and keeps stderr in a file */
	if (run->ui != &ui_tty)
		out_attach(&run->loop);
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
	stall_detach(run);
	out_detach();
	loop_release(&run->loop);
	run->end_ms = now_ms();
	learn_capacity(&run->sched, run->history, run->node_keys,
		       run->sched.stopping);

	if (run->stop_signal)
		return 128 + run->stop_signal;
	struct run_counts c;
	run_count(run_view(run), &c);
	return c.failed || c.skipped || c.cancelled ? 1 : 0;
}
