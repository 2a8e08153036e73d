#include "dispatch.h"
#include "build.h"
#include "../loop.h"
#include "../sched/policy.h"
#include "../ui/ui.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void run_count(const struct run *run, struct run_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < run->dag.nr; i++) {
		switch (run->dag.jobs[i].state) {
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
	run->ui->job_finished(run, job);
}

/* Write all of buf to the job's log; a failing log never stops a build. */
static void log_write(struct slot *s, const char *buf, size_t len)
{
	while (s->log_fd >= 0 && len) {
		ssize_t n = write(s->log_fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(s->log_fd);
			s->log_fd = -1;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void fail_job(struct run *run, size_t job, long long now);

static int start_job(struct run *run, struct slot *s, size_t job)
{
	struct job_info *in = &run->info[job];
	struct node *node = &run->nodes->v[s->node];
	struct strvec argv = STRVEC_INIT;
	const struct target *t = in->target;

	if (!in->log_path) {
		s->log_fd = logdir_open(&run->logs, t->name, &in->log_path);
		if (s->log_fd < 0)
			return -1;
		in->metadata_path = xstrfmt("%s.metadata.json", in->log_path);
	} else {
		s->log_fd = open(in->log_path, O_WRONLY | O_APPEND | O_NOFOLLOW |
						       O_CLOEXEC);
	}
	struct build_args b = {
		.docker_globals = &run->opts->docker_globals,
		.shard = node->shard,
		.resolved = run->resolved,
		.target = t->name,
		.no_cache = run->opts->no_cache,
		.load = run->opts->load && !t->cacheonly,
		.push = run->opts->push && !t->cacheonly,
		.metadata = in->metadata_path,
	};
	build_argv(&argv, &b);
	struct strbuf head = STRBUF_INIT;
	strbuf_addf(&head, "# dbake: node %s (%s), shard %s\n# dbake:", node->name,
		    node->endpoint, node->shard);
	for (size_t i = 0; i < argv.nr; i++)
		strbuf_addf(&head, " %s", argv.v[i]);
	strbuf_addch(&head, '\n');
	log_write(s, head.buf, head.len);
	strbuf_release(&head);

	progress_release(&in->progress);
	in->progress = (struct progress)PROGRESS_INIT;
	s->child = (struct child)CHILD_INIT;
	int ret = child_start(&s->child, argv.v, run->shard_env, 0);
	strvec_clear(&argv);
	if (ret < 0) {
		if (s->log_fd >= 0)
			close(s->log_fd);
		s->log_fd = -1;
		return -1;
	}
	fcntl(s->child.out_fd, F_SETFL, O_NONBLOCK);
	s->job = (ssize_t)job;
	s->drain_until = 0;
	dag_start(&run->dag, job, s->node, now_ms());
	run->ui->job_started(run, job);
	return 0;
}

/* Give every free slot a job: first to nodes holding a dependency's
 * layers, then by the policy's order. */
static void fill_slots(struct run *run)
{
	enum policy_mode mode = run->opts->policy == POLICY_FIFO
					? POLICY_MODE_FIFO : POLICY_MODE_DEFAULT;
	for (int pass = mode == POLICY_MODE_FIFO; pass < 2; pass++) {
		for (size_t i = 0; i < run->nslots && !run->stopping; i++) {
			struct slot *s = &run->slots[i];
			if (s->job >= 0)
				continue;
			ssize_t job = policy_pick(&run->dag, s->node, mode, pass == 0);
			if (job < 0)
				continue;
			if (start_job(run, s, (size_t)job) < 0) {
				run->info[job].exit_code = 255;
				dag_start(&run->dag, (size_t)job, s->node, now_ms());
				fail_job(run, (size_t)job, now_ms());
			}
		}
	}
}

static void begin_stop(struct run *run, const char *why)
{
	if (run->stopping)
		return;
	run->stopping = 1;
	run->ui->stopping(run, why);
	int any = 0;
	for (size_t i = 0; i < run->nslots; i++)
		if (run->slots[i].child.pid > 0) {
			child_kill(&run->slots[i].child, SIGTERM);
			any = 1;
		}
	if (any)
		run->kill_at = now_ms() + STOP_GRACE_MS;
	dag_cancel_rest(&run->dag, now_ms(), report_final, run);
}

static void kill_all(struct run *run, int sig)
{
	for (size_t i = 0; i < run->nslots; i++)
		if (run->slots[i].child.pid > 0)
			child_kill(&run->slots[i].child, sig);
}

/* The slot's child has exited and its output is drained. */
static void finish_slot(struct run *run, struct slot *s, int status)
{
	size_t job = (size_t)s->job;
	struct job_info *in = &run->info[job];
	long long now = now_ms();

	child_close(&s->child);
	in->exit_code = exit_code_of(status);
	if (s->log_fd >= 0) {
		struct strbuf tail = STRBUF_INIT;
		strbuf_addf(&tail, "# dbake: exit %d\n", in->exit_code);
		log_write(s, tail.buf, tail.len);
		strbuf_release(&tail);
		close(s->log_fd);
		s->log_fd = -1;
	}
	s->job = -1;
	if (in->exit_code == 0) {
		dag_done(&run->dag, job, now);
	} else if (run->stopping) {
		dag_cancel(&run->dag, job, now);
	} else {
		fail_job(run, job, now);
		return;
	}
	run->ui->job_finished(run, job);
}

/* A job failed on its own merits: report it, then what it blocks. */
static void fail_job(struct run *run, size_t job, long long now)
{
	run->failures++;
	dag_fail(&run->dag, job, now, NULL, NULL);
	run->ui->job_finished(run, job);
	for (size_t i = 0; i < run->dag.nr; i++)
		if (run->dag.jobs[i].state == JOB_SKIPPED &&
		    run->dag.jobs[i].blocked_by == job)
			run->ui->job_finished(run, i);
	if (run->opts->fail_fast)
		begin_stop(run, "a build failed (--fail-fast)");
}

static void read_slot(struct run *run, struct slot *s)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(s->child.out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close(s->child.out_fd);
			s->child.out_fd = -1;
			return;
		}
		log_write(s, buf, (size_t)n);
		progress_feed(&run->info[s->job].progress, buf, (size_t)n);
	}
}

/* Reap exited children; finish slots whose output is closed too. */
static void reap_slots(struct run *run, long long now)
{
	for (size_t i = 0; i < run->nslots; i++) {
		struct slot *s = &run->slots[i];
		if (s->job < 0)
			continue;
		int status = 0;
		if (s->child.pid > 0 && !child_reap(&s->child, 0, &status))
			continue;
		if (s->child.pid == 0 && !s->drain_until) {
			/* just reaped: remember status, let output drain */
			s->drain_until = now + 2000;
			s->status = status;
		}
		if (s->child.out_fd >= 0) {
			read_slot(run, s);
			if (s->child.out_fd >= 0 && now < s->drain_until)
				continue;
		}
		finish_slot(run, s, s->status);
	}
}

static int running(const struct run *run)
{
	for (size_t i = 0; i < run->nslots; i++)
		if (run->slots[i].job >= 0)
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
		kill_all(run, SIGKILL); /* asked twice: no more grace */
}

/*
 * The docker CLI closes its plugin socket when it is asked to stop and
 * has no terminal to pass the signal on: stop as if interrupted.
 */
static void handle_cli_socket(struct run *run)
{
	char buf[64];
	ssize_t n = read(run->cli_fd, buf, sizeof(buf));
	if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN)))
		return;
	close(run->cli_fd);
	run->cli_fd = -1;
	if (!run->stop_signal) {
		run->stop_signal = SIGINT;
		begin_stop(run, "the docker CLI asked to stop");
	}
}

int dispatch_run(struct run *run)
{
	run->start_ms = now_ms();
	run->ui->begin(run);
	handle_signals(run);
	fill_slots(run);
	struct pollfd *pfd = xcalloc(run->nslots + 2, sizeof(*pfd));
	size_t *owner = xcalloc(run->nslots + 2, sizeof(*owner));

	while (running(run) || (!run->stopping && run->dag.left)) {
		size_t n = 0;
		long long now = now_ms();
		int timeout = 1000;
		pfd[n++] = (struct pollfd){ .fd = signals_fd(), .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = run->cli_fd, .events = POLLIN };
		for (size_t i = 0; i < run->nslots; i++) {
			struct slot *s = &run->slots[i];
			if (s->job < 0)
				continue;
			if (s->child.out_fd >= 0) {
				owner[n] = i;
				pfd[n++] = (struct pollfd){ .fd = s->child.out_fd,
							    .events = POLLIN };
			}
			if (s->drain_until)
				timeout = 100;
		}
		if (run->kill_at) {
			long long left = run->kill_at - now;
			if (left <= 0) {
				kill_all(run, SIGKILL);
				run->kill_at = 0;
			} else if (left < timeout) {
				timeout = (int)left;
			}
		}
		if (!running(run) && run->dag.left && !run->stopping) {
			/* nothing runs and nothing can start: a node set bug */
			BUG("%zu jobs left but none can run", run->dag.left);
		}
		if (poll(pfd, n, timeout) < 0 && errno != EINTR)
			die(1, "poll failed: %s", strerror(errno));
		if (pfd[0].revents)
			handle_signals(run);
		if (pfd[1].revents)
			handle_cli_socket(run);
		for (size_t k = 2; k < n; k++)
			if (pfd[k].revents)
				read_slot(run, &run->slots[owner[k]]);
		reap_slots(run, now_ms());
		if (!run->stopping)
			fill_slots(run);
	}
	free(pfd);
	free(owner);
	run->end_ms = now_ms();
	run->ui->end(run);

	if (run->stop_signal)
		return 128 + run->stop_signal;
	struct run_counts c;
	run_count(run, &c);
	return c.failed || c.skipped || c.cancelled ? 1 : 0;
}
