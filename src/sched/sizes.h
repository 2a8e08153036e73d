/*
 * Node speeds and target sizes from remembered durations. A target's
 * time on a node is its size (seconds at speed 1) over the node's
 * speed, give or take its noise from one run to the next:
 *
 *     log d(t, n) = log size(t) - log speed(n) + noise
 *
 * Fitted as the most likely sizes and speeds under priors: sizes spread
 * as the remembered durations do, speeds near one another. A target
 * seen on two nodes tells their speeds apart directly; one seen on a
 * single node tells only through the many others (a node whose targets
 * take longer than everyone's, targets landing on nodes as they come),
 * and counts for less. Pure.
 */
#ifndef DBAKE_SIZES_H
#define DBAKE_SIZES_H

#include <stddef.h>

/* Noise of a target's log duration on one node, run to run. */
#define SIZES_NOISE 0.2
/* Spread of the nodes' log speeds, before anything is seen. */
#define SIZES_SPEED_SPREAD 0.5
/*
 * A node's speed closer to the others' than this factor counts as
 * theirs (1): nodes of one kind on a loaded machine look 20 % apart, or
 * more, from when their targets ran (12 on the test bed, 1000 targets:
 * one 1.21x in one history, two 0.80x and 1.30x in another); policy.c
 * tells speeds apart by 10-15 %.
 */
#define SIZES_SPEED_MIN 1.25

/* Target `job` took `seconds` (> 0) on node `node`. */
struct size_obs {
	size_t job;
	size_t node;
	double seconds;
};

/*
 * Fit sizes and speeds to `nobs` durations of `njobs` targets on
 * `nnodes` nodes. Fills size[njobs] (seconds at speed 1; 0 for a target
 * with no duration) and speed[nnodes] (0 for a node with none); speeds
 * are scaled so their geometric mean over the nodes seen is 1.
 */
void sizes_fit(const struct size_obs *obs, size_t nobs, size_t njobs,
	       size_t nnodes, double *size, double *speed);

#endif
