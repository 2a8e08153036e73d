#include "ui.h"
#include "view.h"
#include "../out.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void format_duration(char *buf, size_t size, long long ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 60000)
		snprintf(buf, size, "%.1fs", (double)ms / 1000.0);
	else
		snprintf(buf, size, "%lldm%02llds", ms / 60000, (ms / 1000) % 60);
}

static const char *node_name(const struct run_view *view, int node)
{
	return node >= 0 ? view->nodes->v[node].name : "-";
}

static void plain_begin(const struct run_view *view)
{
	out_printf(STDOUT_FILENO, "dbake: %zu target%s on %zu node%s of builder '%s', logs in %s\n",
	       view->dag->nr, view->dag->nr == 1 ? "" : "s", view->nodes->nr,
	       view->nodes->nr == 1 ? "" : "s", view->nodes->builder,
	       view->log_dir);
}

static void plain_started(const struct run_view *view, size_t job)
{
	const struct job *j = &view->dag->jobs[job];
	out_printf(STDOUT_FILENO, "[%s] building %s\n", node_name(view, j->node), j->name);
}

static void print_finished(const struct run_view *view, size_t job, int verbose)
{
	const struct job *j = &view->dag->jobs[job];
	const struct job_info *in = &view->info[job];
	char dur[32];
	format_duration(dur, sizeof(dur), j->end_ms - j->start_ms);
	switch (j->state) {
	case JOB_DONE:
		if (!verbose)
			break;
		if (in->progress.steps)
			out_printf(STDOUT_FILENO, "[%s] built %s in %s (%d/%d steps cached)\n",
				   node_name(view, j->node), j->name, dur,
				   in->progress.cached, in->progress.steps);
		else
			out_printf(STDOUT_FILENO, "[%s] built %s in %s\n",
				   node_name(view, j->node), j->name, dur);
		break;
	case JOB_FAILED:
		out_printf(STDOUT_FILENO, "[%s] FAILED %s after %s (exit %d)%s%s, log: %s\n",
		       node_name(view, j->node), j->name, dur, in->exit_code,
		       in->progress.error[0] ? ": " : "", in->progress.error,
		       in->log_path ? in->log_path : "none");
		break;
	case JOB_SKIPPED:
		out_printf(STDOUT_FILENO, "skipped %s: blocked by %s\n", j->name,
		       view->dag->jobs[j->blocked_by].name);
		break;
	case JOB_CANCELLED:
		if (!verbose)
			break;
		if (j->node >= 0)
			out_printf(STDOUT_FILENO, "[%s] cancelled %s after %s\n", node_name(view, j->node),
			       j->name, dur);
		else
			out_printf(STDOUT_FILENO, "cancelled %s\n", j->name);
		break;
	default:
		break;
	}
}

static void plain_finished(const struct run_view *view, size_t job)
{
	print_finished(view, job, 1);
}

static void quiet_finished(const struct run_view *view, size_t job)
{
	print_finished(view, job, 0);
}

static void plain_stopping(const struct run_view *view, const char *why)
{
	(void)view;
	out_printf(STDOUT_FILENO, "dbake: %s, stopping builds\n", why);
}

void ui_summary(const struct run_view *view)
{
	struct run_counts c;
	char dur[32];
	run_count(view, &c);
	format_duration(dur, sizeof(dur), view->end_ms - view->start_ms);
	printf("---\n%zu built, %zu failed, %zu skipped", c.done, c.failed,
	       c.skipped);
	if (c.cancelled)
		printf(", %zu cancelled", c.cancelled);
	printf(" in %s\n", dur);
	for (size_t i = 0; i < view->dag->nr; i++)
		if (view->dag->jobs[i].state == JOB_FAILED)
			printf("failed: %s (log: %s)\n", view->dag->jobs[i].name,
			       view->info[i].log_path ? view->info[i].log_path
						     : "none");
	printf("logs: %s\n", view->log_dir);
	if (view->report_dir)
		printf("report: %s/report.html\n", view->report_dir);
	fflush(stdout);
}

static void nothing(const struct run_view *view)
{
	(void)view;
}

static void nothing_job(const struct run_view *view, size_t job)
{
	(void)view;
	(void)job;
}

static void nothing_why(const struct run_view *view, const char *why)
{
	(void)view;
	(void)why;
}

const struct ui_ops ui_plain = {
	.begin = plain_begin,
	.job_started = plain_started,
	.job_finished = plain_finished,
	.stopping = plain_stopping,
	.end = ui_summary,
};

const struct ui_ops ui_quiet = {
	.begin = nothing,
	.job_started = nothing_job,
	.job_finished = quiet_finished,
	.stopping = nothing_why,
	.end = ui_summary,
};
