/*
 * dbake-sim: dbake's real scheduling policy (src/sched/policy.c) under a
 * simulated clock, over generated workloads, against a lower bound and
 * against FIFO with one slot per node (the earlier tool). Prints tables;
 * never fails on the numbers.
 */
#include "sched/sim.h"
#include "sched/sim_dbake.h"
#include "sim_family.h"
#include "util/util.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define GOAL_INDEP 1.05
#define GOAL_DAG 1.20
#define GOAL_NS 10000.0
#define GOAL_MB 10.0

static const size_t targets_grid[] = { 10, 100, 1000, 10000 };
static const size_t nodes_grid[] = { 2, 8, 64 };

struct opts {
	int quick;
	int dbake_only;     /* --dbake-table: the first table alone */
	uint64_t seed;
	double sigma;
	double transfer;
	double pinned;
	const char *family;  /* --family FILE: workloads read from it */
};

struct stat {
	double sum, worst;
	size_t n;
};

static void stat_add(struct stat *s, double v)
{
	s->sum += v;
	if (!s->n || v > s->worst)
		s->worst = v;
	s->n++;
}

static double mean(const struct stat *s)
{
	return s->n ? s->sum / (double)s->n : 0;
}

static uint64_t mix_seed(uint64_t a, uint64_t b)
{
	a ^= b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2);
	return a;
}

static uint64_t scenario_seed(const struct opts *o, size_t targets,
			      size_t nodes, int shape, int mix, int rep)
{
	uint64_t s = o->seed;
	s = mix_seed(s, targets);
	s = mix_seed(s, nodes);
	s = mix_seed(s, (uint64_t)shape);
	s = mix_seed(s, (uint64_t)mix);
	return mix_seed(s, (uint64_t)rep);
}

/* The workload of one grid cell and repetition: seeded from all of it
 * (`salt` tells the tables apart), estimates as noisy as --sigma. */
static struct sim_params scenario(const struct opts *o, size_t targets,
				  size_t nodes, enum sim_shape shape, int salt,
				  int mix, int rep)
{
	return (struct sim_params){
		.targets = targets,
		.nodes = nodes,
		.shape = shape,
		.mix = mix ? SIM_LOGNORMAL : SIM_TIERS,
		.sigma = o->sigma,
		.seed = scenario_seed(o, targets, nodes, salt, mix, rep),
	};
}

static double run_ratio(const struct sim_workload *w, const struct sim_config *c,
			double lb, struct sim_result *keep)
{
	struct sim_result r;
	if (sim_run(w, c, &r) < 0)
		die(1, "simulation left jobs unscheduled");
	double ratio = r.makespan / lb;
	if (keep) {
		keep->picks += r.picks;
		keep->starts += r.starts;
		keep->pick_ns += r.pick_ns;
		if (r.pick_max_ns > keep->pick_max_ns)
			keep->pick_max_ns = r.pick_max_ns;
		for (int k = 0; k < SIM_HIST; k++)
			keep->pick_hist[k] += r.pick_hist[k];
	}
	sim_result_release(&r);
	return ratio;
}

struct group {
	struct stat dbake, hints, fifo, heft;
};

static void merge(struct stat *into, const struct stat *s)
{
	into->sum += s->sum;
	if (!into->n || s->worst > into->worst)
		into->worst = s->worst;
	into->n += s->n;
}

/* Cost per decision at 10,000 targets, by node count: main grid,
 * pinned, common base. */
#define COST_GRIDS 3
struct cost {
	struct sim_result r[COST_GRIDS * ARRAY_SIZE(nodes_grid)];
};

/*
 * Every job needs one base job (its layers on one node): the affinity
 * lists get long. Random DAG otherwise, noisy, 10,000 targets.
 */
static void base_table(const struct opts *o, struct cost *cost)
{
	int reps = o->quick ? 1 : 2;
	printf("\ncommon base: random DAG where every job also needs the first "
	       "one, noisy, 10,000 targets\n\n");
	printf("%5s | %6s %6s | %6s %6s | %6s\n", "nodes", "dbake", "worst",
	       "fifo", "worst", "heft");
	for (size_t ni = 0; ni < ARRAY_SIZE(nodes_grid); ni++) {
		struct stat d = { 0 }, f = { 0 }, he = { 0 };
		for (int mix = 0; mix < 2; mix++)
			for (int rep = 0; rep < reps; rep++) {
				struct sim_params p = scenario(o, 10000, nodes_grid[ni],
							       SIM_BASE, 9, mix, rep);
				struct sim_workload w;
				sim_generate(&w, &p);
				double lb = sim_lower_bound(&w);
				struct sim_config dc = { .mode = POLICY_MODE_DEFAULT,
					.timing = 1 };
				struct sim_config fc = { .mode = POLICY_MODE_FIFO,
					.one_slot = 1 };
				stat_add(&d, run_ratio(&w, &dc, lb,
					&cost->r[2 * ARRAY_SIZE(nodes_grid) + ni]));
				stat_add(&f, run_ratio(&w, &fc, lb, NULL));
				stat_add(&he, sim_heft(&w, 0) / lb);
				sim_workload_release(&w);
			}
		printf("%5zu | %6.3f %6.3f | %6.3f %6.3f | %6.3f\n",
		       nodes_grid[ni], mean(&d), d.worst, mean(&f), f.worst,
		       mean(&he));
	}
}

static void main_grid(const struct opts *o, struct cost *cost, int equal,
		      int rows)
{
	static const char *shape_name[] = { "indep", "dag" };
	struct group groups[2][2];
	int reps = o->quick ? 1 : 3;

	memset(groups, 0, sizeof(groups));
	if (rows) {
	printf("makespan / LB, %d runs a row (%d seed%s x {tiers, lognormal} "
	       "durations)\n\n", 2 * reps, reps, reps > 1 ? "s" : "");
	printf("%-5s %-5s %7s %5s | %6s %6s | %6s %6s | %6s %6s | %6s | %7s %5s\n",
	       "shape", "est", "targets", "nodes", "run1", "worst", "hist",
	       "worst", "fifo", "worst", "heft", "LB s", "CP/LB");
	}
	for (int shape = 0; shape < 2; shape++)
	for (int noisy = 0; noisy < 2; noisy++)
	for (size_t ti = 0; ti < ARRAY_SIZE(targets_grid); ti++)
	for (size_t ni = 0; ni < ARRAY_SIZE(nodes_grid); ni++) {
		struct stat d = { 0 }, h = { 0 }, f = { 0 }, lbs = { 0 },
			    cps = { 0 }, he = { 0 };
		for (int mix = 0; mix < 2; mix++)
		for (int rep = 0; rep < reps; rep++) {
			struct sim_params p = scenario(o, targets_grid[ti],
				nodes_grid[ni], shape ? SIM_DAG : SIM_INDEPENDENT,
				shape, mix, rep);
			/* same workload, exact or noisy estimates */
			p.sigma = noisy ? o->sigma : 0;
			p.equal_speeds = equal;
			struct sim_workload w;
			sim_generate(&w, &p);
			double lb = sim_lower_bound(&w), fastest = 0;
			for (size_t n = 0; n < w.nnodes; n++)
				if (w.nodes[n].speed > fastest)
					fastest = w.nodes[n].speed;
			struct sim_config dc = { .mode = POLICY_MODE_DEFAULT,
				.timing = targets_grid[ti] == 10000 };
			struct sim_config hc = { .mode = POLICY_MODE_DEFAULT,
				.hints = 1 };
			struct sim_config fc = { .mode = POLICY_MODE_FIFO,
				.one_slot = 1 };
			struct sim_result *keep = dc.timing && cost ? &cost->r[ni] : NULL;
			stat_add(&d, run_ratio(&w, &dc, lb, keep));
			stat_add(&h, run_ratio(&w, &hc, lb, NULL));
			stat_add(&f, run_ratio(&w, &fc, lb, NULL));
			stat_add(&lbs, lb);
			stat_add(&he, sim_heft(&w, 0) / lb);
			stat_add(&cps, sim_critical_path(&w, fastest) / lb);
			sim_workload_release(&w);
		}
		if (rows)
		printf("%-5s %-5s %7zu %5zu | %6.3f %6.3f | %6.3f %6.3f | %6.3f %6.3f | %6.3f | %7.1f %5.2f\n",
		       shape_name[shape], noisy ? "noisy" : "exact",
		       targets_grid[ti], nodes_grid[ni], mean(&d), d.worst,
		       mean(&h), h.worst, mean(&f), f.worst, mean(&he),
		       mean(&lbs), mean(&cps));
		struct group *g = &groups[shape][noisy];
		merge(&g->dbake, &d);
		merge(&g->hints, &h);
		merge(&g->fifo, &f);
		merge(&g->heft, &he);
	}

	if (equal)
		printf("\nthe same grid with every node at speed 1 (capacities "
		       "still 1..8)\n\n");
	else
		printf("\ngoals: mean makespan / LB over every run of the group "
		       "(all sizes and node counts)\n\n");
	printf("%-18s %4s | %6s %6s | %6s %6s | %6s %6s | %6s | %7s  %-3s %s\n",
	       "group", "runs", "run1", "worst", "hist", "worst", "fifo",
	       "worst", "heft", "goal", "run1", "hist");
	for (int shape = 0; shape < 2; shape++)
		for (int noisy = 0; noisy < 2; noisy++) {
			const struct group *g = &groups[shape][noisy];
			double goal = shape ? GOAL_DAG : GOAL_INDEP;
			char name[32];
			snprintf(name, sizeof(name), "%s, %s",
				 shape ? "random DAG" : "independent",
				 noisy ? "noisy" : "exact");
			printf("%-18s %4zu | %6.3f %6.3f | %6.3f %6.3f | %6.3f %6.3f | %6.3f | <= %4.2f  %-3s %s\n",
			       name, g->dbake.n, mean(&g->dbake), g->dbake.worst,
			       mean(&g->hints), g->hints.worst,
			       mean(&g->fifo), g->fifo.worst, mean(&g->heft), goal,
			       mean(&g->dbake) <= goal ? "yes" : "NO",
			       mean(&g->hints) <= goal ? "yes" : "NO");
		}
}

/* A few jobs fit only a quarter of the nodes (an arm64 pool, say). */
static void pinned_table(const struct opts *o, struct cost *cost)
{
	int reps = o->quick ? 1 : 2;
	printf("\npinned: %.0f %% of the jobs fit only every 4th node (the "
	       "last of 2), random DAG, noisy\nestimates, %d runs a row; LB "
	       "and heft as above (LB ignores the pinning)\n\n",
	       o->pinned * 100, 2 * reps);
	printf("%7s %5s | %6s %6s | %6s %6s | %6s %6s | %6s\n", "targets",
	       "nodes", "run1", "worst", "hist", "worst", "fifo", "worst",
	       "heft");
	for (size_t ti = 1; ti < ARRAY_SIZE(targets_grid); ti++)
		for (size_t ni = 0; ni < ARRAY_SIZE(nodes_grid); ni++) {
			struct stat d = { 0 }, h = { 0 }, f = { 0 }, he = { 0 };
			for (int mix = 0; mix < 2; mix++)
				for (int rep = 0; rep < reps; rep++) {
					struct sim_params p = scenario(o,
						targets_grid[ti], nodes_grid[ni],
						SIM_DAG, 7, mix, rep);
					p.pinned = o->pinned;
					struct sim_workload w;
					sim_generate(&w, &p);
					double lb = sim_lower_bound(&w);
					struct sim_config dc = { .mode = POLICY_MODE_DEFAULT,
						.timing = targets_grid[ti] == 10000 };
					struct sim_config hc = { .mode = POLICY_MODE_DEFAULT,
						.hints = 1 };
					struct sim_result *keep = dc.timing
						? &cost->r[ARRAY_SIZE(nodes_grid) + ni] : NULL;
					struct sim_config fc = { .mode = POLICY_MODE_FIFO,
						.one_slot = 1 };
					stat_add(&d, run_ratio(&w, &dc, lb, keep));
					stat_add(&h, run_ratio(&w, &hc, lb, NULL));
					stat_add(&f, run_ratio(&w, &fc, lb, NULL));
					stat_add(&he, sim_heft(&w, 0) / lb);
					sim_workload_release(&w);
				}
			printf("%7zu %5zu | %6.3f %6.3f | %6.3f %6.3f | %6.3f %6.3f | %6.3f\n",
			       targets_grid[ti], nodes_grid[ni], mean(&d), d.worst,
			       mean(&h), h.worst, mean(&f), f.worst, mean(&he));
		}
}

/*
 * Does "affinity first" cost makespan? With and without a transfer cost
 * for dependencies built on another node, the default policy with and
 * without its affinity pass.
 */
static void locality_table(const struct opts *o)
{
	int reps = o->quick ? 1 : 2;
	printf("\nlocality: random DAG, noisy estimates; with transfer, a job "
	       "pays %.0f %% of the longest\ndependency built on another node "
	       "(pulling its layers); same LB (no transfer)\n\n",
	       o->transfer * 100);
	printf("%7s %5s | %-19s | %-27s | %s\n", "", "", "no transfer cost",
	       "with transfer cost", "fifo, transfer");
	printf("%7s %5s | %9s %9s | %9s %9s %7s | %9s %7s\n", "targets", "nodes",
	       "affinity", "none", "affinity", "none", "remote", "", "remote");
	for (size_t ti = 1; ti < ARRAY_SIZE(targets_grid); ti++)
		for (size_t ni = 0; ni < ARRAY_SIZE(nodes_grid); ni++) {
			struct stat s[5] = { 0 };
			double remote_aff = 0, remote_fifo = 0;
			size_t jobs = 0;
			for (int mix = 0; mix < 2; mix++)
				for (int rep = 0; rep < reps; rep++) {
					struct sim_params p = scenario(o,
						targets_grid[ti], nodes_grid[ni],
						SIM_DAG, 1, mix, rep);
					struct sim_workload w;
					sim_generate(&w, &p);
					double lb = sim_lower_bound(&w);
					struct sim_config c[5] = {
						{ .mode = POLICY_MODE_DEFAULT },
						{ .mode = POLICY_MODE_DEFAULT, .no_affinity = 1 },
						{ .mode = POLICY_MODE_DEFAULT,
						  .transfer = o->transfer },
						{ .mode = POLICY_MODE_DEFAULT, .no_affinity = 1,
						  .transfer = o->transfer },
						{ .mode = POLICY_MODE_FIFO, .one_slot = 1,
						  .transfer = o->transfer },
					};
					for (int k = 0; k < 5; k++) {
						struct sim_result r;
						if (sim_run(&w, &c[k], &r) < 0)
							die(1, "simulation left jobs unscheduled");
						stat_add(&s[k], r.makespan / lb);
						if (k == 2)
							remote_aff += (double)r.remote;
						if (k == 4)
							remote_fifo += (double)r.remote;
						sim_result_release(&r);
					}
					for (size_t i = 0; i < w.njobs; i++)
						jobs += w.jobs[i].ndeps > 0;
					sim_workload_release(&w);
				}
			printf("%7zu %5zu | %9.3f %9.3f | %9.3f %9.3f %6.0f%% | %9.3f %6.0f%%\n",
			       targets_grid[ti], nodes_grid[ni], mean(&s[0]),
			       mean(&s[1]), mean(&s[2]), mean(&s[3]),
			       100.0 * remote_aff / (double)(jobs ? jobs : 1),
			       mean(&s[4]),
			       100.0 * remote_fifo / (double)(jobs ? jobs : 1));
		}
	printf("(affinity: dbake as is; none: without its affinity pass; "
	       "remote: share of the jobs\nwith dependencies that pulled "
	       "layers from another node)\n");
}

static void cost_table(const struct cost *cost, double *worst_ns)
{
	printf("\ncost per decision at 10,000 targets (default policy; "
	       "clock_gettime around every\npolicy_pick call, both passes, "
	       "all the runs of the grid above)\n\n");
	printf("%-6s %5s | %9s %7s %7s %7s %9s | %10s\n", "grid", "nodes",
	       "picks", "mean ns", "p99 ns", "p99.9", "slowest", "ns/started");
	*worst_ns = 0;
	for (size_t i = 0; i < ARRAY_SIZE(cost->r); i++) {
		const struct sim_result *r = &cost->r[i];
		size_t ni = i % ARRAY_SIZE(nodes_grid);
		double per = r->picks ? r->pick_ns / (double)r->picks : 0;
		static const char *grid[COST_GRIDS] = { "main", "pinned",
							"base" };
		printf("%-6s %5zu | %9zu %7.0f %7.0f %7.0f %9.0f | %10.0f\n",
		       grid[i / ARRAY_SIZE(nodes_grid)],
		       nodes_grid[ni], r->picks, per,
		       sim_pick_quantile(r, 0.99), sim_pick_quantile(r, 0.999),
		       r->pick_max_ns,
		       r->starts ? r->pick_ns / (double)r->starts : 0);
		if (per > *worst_ns)
			*worst_ns = per;
	}
	printf("(p99: within 19 %%; slowest: one call, preemption included on a "
	       "busy machine;\nns/started: all the picking time over the jobs "
	       "started, refusals and empty passes\nincluded)\n");
}

struct mem {
	long rss_start, rss_workload, rss_run; /* KB */
	size_t heap_peak;                     /* bytes above the baseline */
	size_t sim_own;                       /* the simulator's arrays in it */
	size_t heap_base;
	int ok;
};

/* Bytes allocated: from the arenas, and mmap()ed for big blocks. */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static void probe_heap(const struct policy *p, void *data)
{
	struct mem *m = data;
	size_t now = heap_in_use();
	(void)p;
	if (now > m->heap_base && now - m->heap_base > m->heap_peak)
		m->heap_peak = now - m->heap_base;
}

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/*
 * First thing, before the grid: one run at 10,000 targets on 64 nodes.
 * The heap in use while it runs (DAG + policy, plus the simulator's
 * per-job result arrays, subtracted) and the process's peak RSS.
 */
static void measure_memory(const struct opts *o, struct mem *m)
{
	memset(m, 0, sizeof(*m));
	m->rss_start = maxrss_kb();
	struct sim_params p = scenario(o, 10000, 64, SIM_DAG, 1, 1, 0);
	struct sim_workload w;
	sim_generate(&w, &p);
	m->rss_workload = maxrss_kb();
	size_t slots = 0;
	for (size_t n = 0; n < w.nnodes; n++)
		slots += (size_t)w.nodes[n].capacity;
	m->sim_own = (w.njobs + 1) * (sizeof(int) + 2 * sizeof(double)) +
		     (slots + 1) * 2 * 16;
	m->heap_base = heap_in_use();
	struct sim_config c = { .mode = POLICY_MODE_DEFAULT,
		.probe = probe_heap, .probe_data = m };
	struct sim_result r;
	m->ok = sim_run(&w, &c, &r) == 0 && m->heap_peak > 0;
	m->rss_run = maxrss_kb();
	sim_result_release(&r);
	sim_workload_release(&w);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: dbake-sim [--quick] [--dbake-table] [--seed N] [--sigma S]\n"
		"                 [--transfer F] [--pinned P] [--family FILE]\n"
		"  --quick       one seed per duration mix instead of three\n"
		"  --dbake-table only the table of dbake's decisions, cold and warm\n"
		"  --seed N      base seed (default 1); same seed, same tables\n"
		"  --sigma S     estimate noise: true x exp(S N(0,1)) (default 0.3)\n"
		"  --transfer F  locality table: cost of a remote dependency, as a\n"
		"                share of its duration (default 0.15)\n"
		"  --pinned P    pinned table: share of jobs fitting a quarter of\n"
		"                the nodes (default 0.05)\n"
		"  --family FILE dbake's first and later runs of the workloads in\n"
		"                FILE (- for stdin), as bench/workloads.py\n"
		"                --sim-family SEEDS writes them\n");
}

static double num_arg(const char *opt, const char *v)
{
	char *end;
	if (!v)
		die(2, "%s needs a value", opt);
	double d = strtod(v, &end);
	if (end == v || *end || d < 0)
		die(2, "%s: not a number >= 0: '%s'", opt, v);
	return d;
}



/* dbake itself, cold and warm: sched_fill under the BuildKit model. */
/*
 * The 10,000-target row again, the model's costs taken away one at a
 * time: what each costs against LB, not a guess at it.
 */
static void where_time_goes(const struct opts *o)
{
	static const struct {
		const char *name;
		struct sim_dbake_config cfg;
	} rows[] = {
		{ "as modelled", SIM_DBAKE_CONFIG_INIT },
		{ "launches unpaced", { SIM_STARTUP, 0, 0 } },
		{ "  and no start-up", { 0, 0, 0 } },
		{ "as modelled, no homes", { SIM_STARTUP, LAUNCH_CPU_MS / 2, 1 } },
		{ "  unpaced, no start-up", { 0, 0, 1 } },
	};
	struct sim_params p = { .targets = 10000, .nodes = 64,
				.shape = SIM_DAG, .mix = SIM_LOGNORMAL,
				.seed = o->seed };
	struct sim_workload w;
	sim_generate(&w, &p);
	double lb = sim_lower_bound(&w);
	printf("\nwhere the time goes, DAG 10000 on 64 nodes (LB %.1f s): the "
	       "same runs without\nthe pacing of launches, a bake's start-up, "
	       "the homes later runs keep\n\n", lb);
	printf("%-24s | %7s %6s | %7s %6s | %5s\n", "model", "cold", "/LB",
	       "warm", "/LB", "bakes");
	for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
		struct sim_memory mem;
		struct sim_dbake_result res[2];
		int bad = 0;
		sim_memory_init(&mem, &w);
		for (int k = 0; k < 2; k++)
			bad |= sim_dbake(&w, &rows[r].cfg, &mem, &res[k]) < 0;
		printf("%-24s | %7.2f %6.3f | %7.2f %6.3f | %5zu%s\n",
		       rows[r].name, res[0].makespan, res[0].makespan / lb,
		       res[1].makespan, res[1].makespan / lb, res[0].bakes,
		       bad ? "  (jobs left!)" : "");
		sim_memory_release(&mem);
	}
	printf("(homes: a later run offers each target to the node that "
	       "built it first, for\nits cache, which this model does not "
	       "have: what homes cost is shown, not what\nthey save.)\n");
	sim_workload_release(&w);
}

/* Tie orders for sim_blind(): 2000 on small workloads, fewer on large
 * ones (their mean moves less from one order to the next). */
static size_t blind_orders(const struct sim_workload *w)
{
	size_t n = 200000 / (w->njobs ? w->njobs : 1);
	return n < 20 ? 20 : n > 2000 ? 2000 : n;
}

static void dbake_table(const struct opts *o)
{
	struct row {
		const char *name;
		struct sim_workload w;
	} rows[8];
	size_t nr = 0;
	static const int two[] = { 2, 2, 2, 2 }, uneven[] = { 3, 1, 1, 1 };
	sim_bench_w1(&rows[nr].w, two);
	rows[nr++].name = "W1 24 tiers, 4x2";
	sim_bench_w1(&rows[nr].w, uneven);
	rows[nr++].name = "W5 24 tiers, 3,1,1,1";
	struct sim_params p = { .targets = 50, .nodes = 4, .shape = SIM_DAG,
				.mix = SIM_TIERS, .seed = o->seed };
	sim_generate(&rows[nr].w, &p);
	rows[nr++].name = "DAG 50, 4 nodes";
	p = (struct sim_params){ .targets = 200, .nodes = 8, .shape = SIM_DAG,
				 .mix = SIM_LOGNORMAL, .seed = o->seed };
	sim_generate(&rows[nr].w, &p);
	rows[nr++].name = "DAG 200, 8 nodes";
	p = (struct sim_params){ .targets = 500, .nodes = 8,
				 .shape = SIM_INDEPENDENT, .mix = SIM_TIERS,
				 .equal_speeds = 1, .seed = o->seed };
	sim_generate(&rows[nr].w, &p);
	for (size_t i = 0; i < rows[nr].w.njobs; i++)
		rows[nr].w.jobs[i].duration = 0.2; /* light */
	rows[nr++].name = "500 light, 8 nodes";
	/* the scale a big monorepo's CI reaches: what nothing known costs */
	p = (struct sim_params){ .targets = 10000, .nodes = 64, .shape = SIM_DAG,
				 .mix = SIM_LOGNORMAL, .seed = o->seed };
	sim_generate(&rows[nr].w, &p);
	rows[nr++].name = "DAG 10000, 64 nodes";

	struct sim_dbake_config model = SIM_DBAKE_CONFIG_INIT;
	printf("\ndbake's own decisions (src/sched/sched.c: sched_fill, the "
	       "dispatcher's code) on a\nBuildKit model: a bake reaches its "
	       "node %.2f s after launch, launches %d ms apart;\na node builds "
	       "its capacity's worth at a time, the rest wait showing no step.\n"
	       "cold: nothing known (4 slots a node); warm: what the runs "
	       "before taught (durations,\ncapacities, each target's node). "
	       "Seconds, and makespan / LB.\n\n", model.startup,
	       model.launch_gap_ms);
	printf("%-22s %6s | %5s %7s | %7s %6s | %7s %6s | %7s %6s | %5s %5s\n",
	       "workload", "LB", "blind", "+speeds", "cold", "/LB", "warm",
	       "/LB", "warm 2", "/LB", "bakes", "moves");
	for (size_t r = 0; r < nr; r++) {
		struct sim_workload *w = &rows[r].w;
		struct sim_dbake_config cfg = SIM_DBAKE_CONFIG_INIT;
		struct sim_memory mem;
		struct sim_dbake_result res[3];
		double lb = sim_lower_bound(w);
		double blind = sim_blind(w, blind_orders(w), o->seed, 0);
		double sped = sim_blind(w, blind_orders(w), o->seed, 1);
		sim_memory_init(&mem, w);
		int bad = 0;
		for (int k = 0; k < 3; k++)
			bad |= sim_dbake(w, &cfg, &mem, &res[k]) < 0;
		printf("%-22s %6.1f | %5.2f %7.2f | %7.2f %6.3f | %7.2f %6.3f | "
		       "%7.2f %6.3f | %5zu %5zu%s\n", rows[r].name, lb,
		       blind / lb, sped / lb, res[0].makespan,
		       res[0].makespan / lb, res[1].makespan, res[1].makespan / lb,
		       res[2].makespan, res[2].makespan / lb, res[0].bakes,
		       res[0].moves, bad ? "  (jobs left!)" : "");
		sim_memory_release(&mem);
		sim_workload_release(w);
	}
	printf("(blind: the mean makespan / LB of list scheduling that knows "
	       "the graph and\nevery node's capacity but no duration nor "
	       "speed, with no start-up: what a\nfirst run can hope for; "
	       "+speeds: knowing the speeds too. bakes, moves: of\nthe cold "
	       "run. Not modelled: cache hits, layer transfers, failures, the\n"
	       "client's CPU beyond pacing.)\n");
	where_time_goes(o);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct opts o = { .seed = 1, .sigma = 0.3, .transfer = 0.15,
			  .pinned = 0.05 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--quick"))
			o.quick = 1;
		else if (!strcmp(a, "--dbake-table"))
			o.dbake_only = 1;
		else if (!strcmp(a, "--seed"))
			o.seed = (uint64_t)num_arg(a, argv[++i]);
		else if (!strcmp(a, "--sigma"))
			o.sigma = num_arg(a, argv[++i]);
		else if (!strcmp(a, "--transfer"))
			o.transfer = num_arg(a, argv[++i]);
		else if (!strcmp(a, "--pinned"))
			o.pinned = num_arg(a, argv[++i]);
		else if (!strcmp(a, "--family") && i + 1 < argc)
			o.family = argv[++i];
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (o.pinned > 1)
		die(2, "--pinned: a share, 0 to 1");
	if (o.family) {
		FILE *f = strcmp(o.family, "-") ? fopen(o.family, "r") : stdin;
		if (!f)
			die(2, "--family: cannot open %s", o.family);
		return sim_family_table(f, stdout) < 0 ? 2 : 0;
	}

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (o.dbake_only) {
		dbake_table(&o);
		return 0;
	}
	printf("dbake-sim: dbake's decisions (src/sched/sched.c, policy.c, "
	       "dag.c) under a simulated\nclock, seed %llu%s\n", (unsigned long long)o.seed,
	       o.quick ? ", quick" : "");
	printf("model    nodes of capacity 1..8 (parallel builds at full speed) "
	       "and speed 0.5..2\n"
	       "         (log-uniform; d s of work take d / speed); durations "
	       "tiers 1/2/4/8 s\n"
	       "         (40/30/20/10 %%) or lognormal (median 2 s, sigma 1, "
	       "0.1..300 s); random DAG:\n"
	       "         0-3 dependencies among the max(4, targets/16) jobs "
	       "before; the policy sees\n"
	       "         estimates from history: exact, or noisy = true x "
	       "exp(%.2f N(0,1))\n", o.sigma);
	printf("dbake    the tables after the first: the policy alone "
	       "(policy.c), a slot per unit\n"
	       "         of capacity, affinity pass then general pass; no "
	       "batches, extra slot,\n"
	       "         pacing or moves (the first table has those); two "
	       "columns:\n"
	       "run1     a first run: nothing known of the nodes, slots "
	       "rank-major across nodes,\n"
	       "         node speeds learned as jobs finish\n"
	       "hist     a later run: told every node's speed and capacity "
	       "(what dispatch.c reads\n"
	       "         from history: policy_node_hint), the fastest nodes' "
	       "slots asked first\n"
	       "         (policy_slot_order)\n"
	       "fifo     FIFO by name, one slot per node (the earlier tool)\n"
	       "heft     a yardstick, not dbake: offline HEFT knowing every true "
	       "duration and speed\n"
	       "LB       max(critical path at the fastest speed, work / "
	       "sum(capacity x speed))\n\n");
	fflush(stdout);

	dbake_table(&o);

	struct mem mem;
	measure_memory(&o, &mem);

	struct cost cost;
	memset(&cost, 0, sizeof(cost));
	main_grid(&o, &cost, 0, 1);
	main_grid(&o, NULL, 1, 0);
	pinned_table(&o, &cost);
	base_table(&o, &cost);
	locality_table(&o);
	double ns;
	cost_table(&cost, &ns);

	printf("\nmemory at 10,000 targets, 64 nodes (random DAG, lognormal, "
	       "noisy), measured first\n\n");
	double heap_mb = mem.heap_peak > mem.sim_own
			 ? (double)(mem.heap_peak - mem.sim_own) / 1e6 : 0;
	double rss_mb = (double)mem.rss_run / 1024.0;
	if (mem.ok) {
		printf("scheduler heap (DAG + policy), peak in use "
		       "(mallinfo2):  %6.2f MB\n", heap_mb);
		printf("process peak RSS: %.1f MB at start, %.1f MB with the "
		       "workload generated,\n%.1f MB after the run (libraries and "
		       "the simulator's own copy of the workload included)\n",
		       mem.rss_start / 1024.0, mem.rss_workload / 1024.0, rss_mb);
	} else {
		printf("heap not measurable here (mallinfo2 under a sanitizer?)\n");
	}

	printf("\nper-decision and memory goals\n\n");
	printf("%-34s %10.0f ns   goal < %.0f ns   %s\n",
	       "worst mean ns per policy_pick", ns, GOAL_NS,
	       ns < GOAL_NS ? "yes" : "NO");
	if (mem.ok)
		printf("%-34s %10.2f MB   goal < %.0f MB     %s\n",
		       "scheduler heap", heap_mb, GOAL_MB,
		       heap_mb < GOAL_MB ? "yes" : "NO");
	printf("%-34s %10.2f MB   goal < %.0f MB     %s\n",
	       "process peak RSS", rss_mb, GOAL_MB,
	       rss_mb < GOAL_MB ? "yes" : "NO");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("\n%.1f s\n", (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
