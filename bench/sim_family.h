/*
 * dbake's decisions on workloads read from a file: the bench's random
 * family (`python3 bench/workloads.py --sim-family 1-200`), so its
 * first and later runs can be judged over many seeds, not one a bench.
 */
#ifndef DBAKE_SIM_FAMILY_H
#define DBAKE_SIM_FAMILY_H

#include <stdio.h>

/*
 * Each workload: a line "SEED NJOBS CAP..." (4 nodes), then a line per
 * job "SECONDS NDEPS DEP..." (deps by index, earlier jobs). For each, a
 * first run and two later ones (each target changed since the run
 * before, as in the bench: no home to go back to) under sim_dbake's
 * model; a line per workload to `out`, then the summary. Returns 0, or
 * -1 on malformed input (said on stderr).
 */
int sim_family_table(FILE *in, FILE *out);

#endif
