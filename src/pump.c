#include "pump.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

struct pump_proc {
	struct pump *pump;
	void *task;
	struct child child;
	pid_t pgid;         /* its process group, kept after the reap */
	int reaped;
	int status;
	long long drain_timer;
};

void pump_init(struct pump *p, struct loop *l, const struct pump_ops *ops,
	       void *owner)
{
	*p = (struct pump)PUMP_INIT;
	p->loop = l;
	p->ops = ops;
	p->owner = owner;
}

static struct pump_proc *find(const struct pump *p, void *task)
{
	for (size_t i = 0; i < p->nr; i++)
		if (p->procs[i]->task == task)
			return p->procs[i];
	return NULL;
}

static void close_output(struct pump_proc *c)
{
	if (c->child.out_fd < 0)
		return;
	loop_del_file(c->pump->loop, c->child.out_fd);
	child_close(&c->child);
}

/* Forget the proc and tell the owner; the proc must be reaped. */
static void finish(struct pump *p, struct pump_proc *c)
{
	for (size_t i = 0; i < p->nr; i++)
		if (p->procs[i] == c) {
			p->procs[i] = p->procs[--p->nr];
			break;
		}
	close_output(c);
	loop_del_timer(p->loop, c->drain_timer);
	void *task = c->task;
	int status = c->status;
	free(c);
	if (!p->nr && p->kill_timer) {
		loop_del_timer(p->loop, p->kill_timer);
		p->kill_timer = 0;
	}
	p->ops->finished(p->owner, task, status);
}

/* Hand what the child's output holds now to the ops (16 reads at most,
 * so one child does not hold the loop). Returns 1 at its end (EOF or an
 * error), else 0. */
static int read_output(struct pump_proc *c)
{
	char buf[65536];
	for (int turns = 0; turns < 16 && c->child.out_fd >= 0; turns++) {
		ssize_t n = read(c->child.out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return 1;
		c->pump->ops->output(c->pump->owner, c->task, buf, (size_t)n);
	}
	return 0;
}

static void on_output(struct loop *l, int fd, void *data)
{
	struct pump_proc *c = data;
	(void)l;
	(void)fd;
	if (read_output(c)) {
		close_output(c);
		if (c->reaped)
			finish(c->pump, c);
	}
}

int pump_start(struct pump *p, void *task, char *const *argv,
	       const struct strvec *env)
{
	struct pump_proc *c = xcalloc(1, sizeof(*c));
	if (find(p, task))
		BUG("a task started twice in the pump");
	c->pump = p;
	c->task = task;
	c->child = (struct child)CHILD_INIT;
	if (child_start(&c->child, argv, env, 0) < 0) {
		free(c);
		return -1;
	}
	c->pgid = c->child.pid;
	fcntl(c->child.out_fd, F_SETFL, O_NONBLOCK);
	ALLOC_GROW(p->procs, p->nr + 1, p->alloc);
	p->procs[p->nr++] = c;
	loop_add_file(p->loop, c->child.out_fd, on_output, c);
	return 0;
}

void pump_read(struct pump *p, void *task)
{
	struct pump_proc *c = find(p, task);
	if (c)
		read_output(c); /* its end: the loop's, when it polls */
}

void pump_signal(struct pump *p, void *task, int sig)
{
	struct pump_proc *c = find(p, task);
	if (c && !c->reaped)
		child_kill(&c->child, sig);
}

void pump_signal_all(struct pump *p, int sig)
{
	for (size_t i = 0; i < p->nr; i++)
		if (!p->procs[i]->reaped)
			child_kill(&p->procs[i]->child, sig);
}

static long long kill_stragglers(struct loop *l, long long id, long long now,
				 void *data)
{
	struct pump *p = data;
	(void)l;
	(void)id;
	(void)now;
	p->kill_timer = 0;
	pump_signal_all(p, SIGKILL);
	return LOOP_ONCE;
}

void pump_stop(struct pump *p, long long grace_ms)
{
	if (p->kill_timer)
		return;
	pump_signal_all(p, SIGTERM);
	if (p->nr)
		p->kill_timer = loop_add_timer(p->loop, grace_ms,
					       kill_stragglers, p);
}

static long long drain_over(struct loop *l, long long id, long long now,
			    void *data)
{
	struct pump_proc *c = data;
	(void)l;
	(void)id;
	(void)now;
	c->drain_timer = 0;
	/* someone of its group holds the pipe, so the group still exists
	 * (its id cannot be another's): nothing of it is left behind */
	kill(-c->pgid, SIGKILL);
	finish(c->pump, c);
	return LOOP_ONCE;
}

void pump_reap(struct pump *p)
{
	for (size_t i = 0; i < p->nr;) {
		struct pump_proc *c = p->procs[i];
		if (c->reaped || !child_reap(&c->child, 0, &c->status)) {
			i++;
			continue;
		}
		c->reaped = 1;
		/* read what it left in the pipe before deciding */
		if (c->child.out_fd >= 0)
			on_output(p->loop, c->child.out_fd, c);
		if (i < p->nr && p->procs[i] == c) {
			if (c->child.out_fd < 0) {
				finish(p, c);
				continue; /* procs[i] is another now */
			}
			c->drain_timer = loop_add_timer(p->loop, PUMP_DRAIN_MS,
							drain_over, c);
			i++;
		}
		/* else on_output finished it; procs[i] is another now */
	}
}

size_t pump_running(const struct pump *p)
{
	return p->nr;
}

void pump_release(struct pump *p)
{
	pump_signal_all(p, SIGKILL);
	for (size_t i = 0; i < p->nr; i++) {
		struct pump_proc *c = p->procs[i];
		int status;
		if (!c->reaped)
			child_reap(&c->child, 1, &status);
		close_output(c);
		loop_del_timer(p->loop, c->drain_timer);
		free(c);
	}
	free(p->procs);
	if (p->kill_timer)
		loop_del_timer(p->loop, p->kill_timer);
	*p = (struct pump)PUMP_INIT;
}
