/* dbake's decisions on the bench's random family (sim_family.h). */
#include "sim_family.h"
#include "sched/sim.h"
#include "sched/sim_dbake.h"

#include <stdlib.h>

enum { NODES = 4, LATER = 2 };

static int malformed(struct sim_workload *w)
{
	sim_workload_release(w);
	return -1;
}

/* One workload from `in` into w; 1 read, 0 at the end, -1 malformed. */
static int read_workload(FILE *in, struct sim_workload *w, long *seed)
{
	int n, cap[NODES];
	int got = fscanf(in, "%ld %d %d %d %d %d", seed, &n, &cap[0], &cap[1],
			 &cap[2], &cap[3]);
	if (got == EOF)
		return 0;
	if (got != 2 + NODES || n < 1 || n > 100000)
		return -1;
	sim_workload_init(w, NODES);
	for (int k = 0; k < NODES; k++) {
		if (cap[k] < 1)
			return malformed(w);
		sim_set_node(w, (size_t)k, cap[k], 1.0);
	}
	for (int i = 0; i < n; i++) {
		double secs;
		int ndeps;
		if (fscanf(in, "%lf %d", &secs, &ndeps) != 2 || secs <= 0 ||
		    ndeps < 0 || ndeps > i)
			return malformed(w);
		sim_add_job(w, NULL, secs, -1);
		for (int d = 0; d < ndeps; d++) {
			int dep;
			if (fscanf(in, "%d", &dep) != 1 || dep < 0 || dep >= i)
				return malformed(w);
			sim_add_dep(w, (size_t)i, (size_t)dep);
		}
	}
	return 1;
}

int sim_family_table(FILE *in, FILE *out)
{
	struct sim_dbake_config cfg = SIM_DBAKE_CONFIG_INIT;
	double cold_sum = 0, later_sum = 0;
	int nw = 0, cold_over = 0, later_over = 0, ret;
	long seed;
	struct sim_workload w;
	cfg.no_homes = 1;
	fprintf(out, "%-8s %5s %8s | %7s %7s %7s   (makespan / LB)\n", "seed",
		"jobs", "LB", "first", "later", "later");
	while ((ret = read_workload(in, &w, &seed)) > 0) {
		double lb = sim_lower_bound(&w), r[1 + LATER];
		struct sim_memory mem;
		sim_memory_init(&mem, &w);
		for (int k = 0; k <= LATER; k++) {
			struct sim_dbake_result res;
			if (sim_dbake(&w, &cfg, &mem, &res) < 0) {
				fprintf(stderr, "dbake-sim: seed %ld: jobs left\n",
					seed);
				ret = -2;
			}
			r[k] = res.makespan / lb;
		}
		fprintf(out, "%-8ld %5zu %8.2f | %7.3f %7.3f %7.3f\n", seed,
			w.njobs, lb, r[0], r[1], r[2]);
		cold_sum += r[0];
		later_sum += r[LATER];
		cold_over += r[0] > 1.3;
		later_over += r[LATER] > 1.15;
		nw++;
		sim_memory_release(&mem);
		sim_workload_release(&w);
		if (ret < 0)
			return -1;
	}
	if (ret < 0) {
		fprintf(stderr, "dbake-sim: --family: malformed workload after "
			"%d read\n", nw);
		return -1;
	}
	if (nw)
		fprintf(out, "%d workloads: first runs %.3fx LB on average, "
			"over 1.3x on %d; later runs %.3fx, over 1.15x on %d\n",
			nw, cold_sum / nw, cold_over, later_sum / nw, later_over);
	return 0;
}
