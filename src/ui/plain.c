#include "ui.h"
#include "../run/dispatch.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

void format_duration(char *buf, size_t size, long long ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 60000)
		snprintf(buf, size, "%.1fs", (double)ms / 1000.0);
	else
		snprintf(buf, size, "%lldm%02llds", ms / 60000, (ms / 1000) % 60);
}

static const char *node_name(const struct run *run, int node)
{
	return node >= 0 ? run->nodes->v[node].name : "-";
}

static void plain_begin(struct run *run)
{
	printf("dbake: %zu target%s on %zu node%s of builder '%s', logs in %s\n",
	       run->dag.nr, run->dag.nr == 1 ? "" : "s", run->nodes->nr,
	       run->nodes->nr == 1 ? "" : "s", run->nodes->builder,
	       run->logs.path);
	fflush(stdout);
}

static void plain_started(struct run *run, size_t job)
{
	const struct job *j = &run->dag.jobs[job];
	printf("[%s] building %s\n", node_name(run, j->node), j->name);
	fflush(stdout);
}

static void print_finished(struct run *run, size_t job, int verbose)
{
	const struct job *j = &run->dag.jobs[job];
	const struct job_info *in = &run->info[job];
	char dur[32];
	format_duration(dur, sizeof(dur), j->end_ms - j->start_ms);
	switch (j->state) {
	case JOB_DONE:
		if (!verbose)
			break;
		printf("[%s] built %s in %s", node_name(run, j->node), j->name, dur);
		if (in->progress.steps)
			printf(" (%d/%d steps cached)", in->progress.cached,
			       in->progress.steps);
		printf("\n");
		break;
	case JOB_FAILED:
		printf("[%s] FAILED %s after %s (exit %d)%s%s, log: %s\n",
		       node_name(run, j->node), j->name, dur, in->exit_code,
		       in->progress.error[0] ? ": " : "", in->progress.error,
		       in->log_path ? in->log_path : "none");
		break;
	case JOB_SKIPPED:
		printf("skipped %s: blocked by %s\n", j->name,
		       run->dag.jobs[j->blocked_by].name);
		break;
	case JOB_CANCELLED:
		if (!verbose)
			break;
		if (j->node >= 0)
			printf("[%s] cancelled %s after %s\n", node_name(run, j->node),
			       j->name, dur);
		else
			printf("cancelled %s\n", j->name);
		break;
	default:
		break;
	}
	fflush(stdout);
}

static void plain_finished(struct run *run, size_t job)
{
	print_finished(run, job, 1);
}

static void quiet_finished(struct run *run, size_t job)
{
	print_finished(run, job, 0);
}

static void plain_stopping(struct run *run, const char *why)
{
	(void)run;
	printf("dbake: %s, stopping builds\n", why);
	fflush(stdout);
}

void ui_summary(struct run *run)
{
	struct run_counts c;
	char dur[32];
	run_count(run, &c);
	format_duration(dur, sizeof(dur), run->end_ms - run->start_ms);
	printf("---\n%zu built, %zu failed, %zu skipped", c.done, c.failed,
	       c.skipped);
	if (c.cancelled)
		printf(", %zu cancelled", c.cancelled);
	printf(" in %s\n", dur);
	for (size_t i = 0; i < run->dag.nr; i++)
		if (run->dag.jobs[i].state == JOB_FAILED)
			printf("failed: %s (log: %s)\n", run->dag.jobs[i].name,
			       run->info[i].log_path ? run->info[i].log_path
						     : "none");
	printf("logs: %s\n", run->logs.path);
	if (run->report_dir)
		printf("report: %s/report.html\n", run->report_dir);
	fflush(stdout);
}

static void nothing(struct run *run)
{
	(void)run;
}

static void nothing_job(struct run *run, size_t job)
{
	(void)run;
	(void)job;
}

static void nothing_why(struct run *run, const char *why)
{
	(void)run;
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
