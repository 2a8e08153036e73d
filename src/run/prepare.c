/*
 * Before the loop: the DAG from the plan (one job per selected target,
 * same-step jobs grouped); what history tells of the targets and nodes
 * (sched/learn.c), the slots and their order, the policy, the
 * dependency layouts.
 */
#include "ctxshare.h"
#include "dispatch.h"
#include "stall.h"
#include "../sched/learn.h"
#include "../util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

static int by_defhash(const void *a, const void *b, void *data)
{
	const struct job_info *info = data;
	unsigned long long x = info[*(const size_t *)a].target->defhash;
	unsigned long long y = info[*(const size_t *)b].target->defhash;
	if (x != y)
		return x < y ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Jobs whose definitions differ only in names and outputs share steps;
 * not the parts of a split target (one platform each) nor their merge. */
static void group_same_steps(struct dag *dag, const struct job_info *info)
{
	size_t *idx = xcalloc(dag->nr + 1, sizeof(*idx));
	size_t n = 0;
	for (size_t i = 0; i < dag->nr; i++)
		if (!info[i].platform && !info[i].merge)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), by_defhash, (void *)info);
	for (size_t i = 1; i < n; i++)
		if (info[idx[i]].target->defhash == info[idx[i - 1]].target->defhash)
			dag_same_steps(dag, idx[i], idx[i - 1]);
	free(idx);
}

static const struct strvec no_platforms = STRVEC_INIT;

/* The job a dependent of plan target `d` building for `platform` waits
 * for: the part of that platform, if `d` is split, else its job. */
static size_t job_for(const struct run *run, const ssize_t *job_of,
		      const size_t *first_part, size_t d, const char *platform)
{
	const struct target *t = run->info[job_of[d]].target;
	for (size_t k = 0; t->split && platform && k < t->platforms.nr; k++)
		if (!strcmp(t->platforms.v[k], platform))
			return first_part[d] + k;
	return (size_t)job_of[d];
}

/*
 * One job per selected target; a split target (several platforms, one
 * node each, as plain bake builds it on a builder of several nodes) has
 * a job per platform, its parts, and one that puts them together, which
 * its dependents wait for, unless they build for one of its platforms:
 * they wait for that part. Edges between selected targets.
 */
void run_build_dag(struct run *run, const struct plan *plan)
{
	struct dag *dag = &run->dag;
	ssize_t *job_of = xcalloc(plan->nr + 1, sizeof(*job_of));
	size_t *first_part = xcalloc(plan->nr + 1, sizeof(*first_part));
	size_t parts = 0;
	for (size_t i = 0; i < plan->nr; i++)
		if (plan->v[i].selected && plan->v[i].split)
			parts += plan->v[i].platforms.nr;
	struct job_info *info = xcalloc(plan->nr + parts + 1, sizeof(*info));
	run->part_names = xcalloc(parts + 1, sizeof(*run->part_names));
	run->part_platforms = xcalloc(parts + 1, sizeof(*run->part_platforms));
	run->info = info;
	for (size_t i = 0; i < plan->nr; i++) {
		job_of[i] = -1;
		const struct target *t = &plan->v[i];
		if (!t->selected)
			continue;
		if (t->split) {
			first_part[i] = dag->nr;
			for (size_t k = 0; k < t->platforms.nr; k++) {
				size_t p = run->nparts++;
				struct strvec *pv = &run->part_platforms[p];
				strvec_init(pv);
				strvec_push(pv, t->platforms.v[k]);
				run->part_names[p] = xstrfmt("%s@%s", t->name,
							     t->platforms.v[k]);
				size_t j = dag_add(dag, run->part_names[p], pv);
				info[j].target = t;
				info[j].platform = pv->v[0];
				info[j].progress = (struct progress)PROGRESS_INIT;
				dag->jobs[j].solo = 1;
			}
		}
		size_t j = dag_add(dag, t->name,
				   t->split ? &no_platforms : &t->platforms);
		info[j].target = t;
		info[j].merge = t->split;
		info[j].progress = (struct progress)PROGRESS_INIT;
		dag->jobs[j].solo = t->split;
		job_of[i] = (ssize_t)j;
		for (size_t k = 0; t->split && k < t->platforms.nr; k++)
			dag_add_edge(dag, j, first_part[i] + k);
	}
	for (size_t i = 0; i < plan->nr; i++) {
		if (job_of[i] < 0)
			continue;
		const struct target *t = &plan->v[i];
		for (size_t k = 0; k < t->deps.nr + t->after.nr; k++) {
			const char *dep = k < t->deps.nr ? t->deps.v[k]
							 : t->after.v[k - t->deps.nr];
			ssize_t d = plan_index(plan, dep);
			if (d < 0 || job_of[d] < 0)
				continue;
			if (t->split) {
				for (size_t p = 0; p < t->platforms.nr; p++)
					dag_add_edge(dag, first_part[i] + p,
						     job_for(run, job_of, first_part,
							     (size_t)d,
							     t->platforms.v[p]));
			} else {
				const char *one = t->platforms.nr == 1
							  ? t->platforms.v[0] : NULL;
				dag_add_edge(dag, (size_t)job_of[i],
					     job_for(run, job_of, first_part,
						     (size_t)d, one));
			}
		}
	}
	free(job_of);
	free(first_part);
	group_same_steps(dag, info);
}

/* The directory the parts of split targets write tar and oci outputs
 * to, when one has such outputs (childdef.c, merge.c). */
static void prepare_parts_dir(struct run *run)
{
	int any = 0;
	for (size_t i = 0; i < run->dag.nr; i++)
		any |= run->info[i].merge && run->info[i].target->part_files;
	if (!any || !run->logs.path)
		return;
	char *dir = xstrfmt("%s/parts", run->logs.path);
	if (transfer_path_ok(dir) && (mkdir(dir, 0700) == 0 || errno == EEXIST))
		run->parts_dir = dir;
	else
		free(dir); /* the parts' builds say so (childdef_build) */
}

void dispatch_prepare(struct run *run)
{
	size_t nnodes = run->nodes->nr;
	double *speed = xcalloc(nnodes + 1, sizeof(*speed));
	int *caps = xcalloc(nnodes + 1, sizeof(*caps));
	int *floors = xcalloc(nnodes + 1, sizeof(*floors));
	unsigned long long *defhash = xcalloc(run->dag.nr + 1, sizeof(*defhash));
	run->endpoints = xcalloc(nnodes + 1, sizeof(*run->endpoints));
	run->node_keys = xcalloc(nnodes + 1, sizeof(*run->node_keys));
	for (size_t n = 0; n < nnodes; n++) {
		const struct node *nd = &run->nodes->v[n];
		run->endpoints[n] = nd->endpoint;
		run->node_keys[n] = nd->history_key ? nd->history_key
						    : nd->endpoint;
	}
	for (size_t i = 0; i < run->dag.nr; i++)
		defhash[i] = run->info[i].target->defhash;
	/* with --no-cache there is no cache to go back to */
	if (!run_fifo(run) && !run->opts->no_cache)
		learn_pin(&run->dag, run->history, run->endpoints, nnodes,
			  defhash);
	learn_read(&run->dag, run->history, run->node_keys, nnodes,
		   run_fifo(run), caps, speed);
	learn_floors(run->history, run->node_keys, nnodes, floors);
	sched_init(&run->sched, &run->dag, nnodes, caps, floors, speed,
		   run->opts->slots,
		   run_fifo(run) ? POLICY_MODE_FIFO : POLICY_MODE_DEFAULT);
	learn_apply(&run->sched, run->history, run->endpoints, defhash, speed);
	run->slot_fds = xcalloc(run->sched.nslots + 1, sizeof(*run->slot_fds));
	run->slot_lines =
		xcalloc(run->sched.nslots + 1, sizeof(*run->slot_lines));
	run->lower_bound = learn_lower_bound(&run->sched);
	free(caps);
	free(floors);
	free(speed);
	free(defhash);
	if (!run_fifo(run))
		ctxshare_prepare(run);
	transfer_prepare(&run->transfer, run, !run_fifo(run));
	prepare_parts_dir(run);
	options_secret_values(run->opts, &run->secrets);
	stall_init(run);
}

void dispatch_release(struct run *run)
{
	free(run->parts_dir);
	run->parts_dir = NULL;
	strvec_clear(&run->secrets);
	stall_release(run);
	for (size_t i = 0; run->slot_fds && i < run->sched.nslots; i++)
		free(run->slot_fds[i]);
	free(run->slot_fds);
	run->slot_fds = NULL;
	for (size_t i = 0; run->slot_lines && i < run->sched.nslots; i++)
		strbuf_release(&run->slot_lines[i]);
	free(run->slot_lines);
	run->slot_lines = NULL;
	free(run->endpoints);
	run->endpoints = NULL;
	free(run->node_keys);
	run->node_keys = NULL;
	sched_release(&run->sched);
	transfer_release(&run->transfer);
}

void run_release(struct run *run)
{
	for (size_t i = 0; run->info && i < run->dag.nr; i++) {
		free(run->info[i].log_path);
		free(run->info[i].metadata_path);
		free(run->info[i].digest);
		progress_release(&run->info[i].progress);
	}
	free(run->info);
	run->info = NULL;
	for (size_t i = 0; i < run->nparts; i++) {
		free(run->part_names[i]);
		strvec_clear(&run->part_platforms[i]);
	}
	free(run->part_names);
	free(run->part_platforms);
	run->part_names = NULL;
	run->part_platforms = NULL;
	run->nparts = 0;
	dispatch_release(run);
	free(run->report_dir);
	run->report_dir = NULL;
	logdir_release(&run->logs);
	dag_release(&run->dag);
}
