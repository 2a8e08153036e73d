/*
 * Which ready job a free slot takes. Pure: reads the DAG, never touches
 * processes, so it runs the same under a simulated clock.
 */
#ifndef DBAKE_POLICY_H
#define DBAKE_POLICY_H

#include "dag.h"

#include <sys/types.h>

enum policy_mode {
	POLICY_MODE_DEFAULT, /* affinity, then longest chain first, then name */
	POLICY_MODE_FIFO,    /* first ready by name, as the earlier tool did */
};

/*
 * Pick a READY job that fits `node`. With `affine_only`, only a job with
 * a dependency built on that node (its layers are local there). Returns
 * the job index or -1.
 */
ssize_t policy_pick(const struct dag *dag, int node, enum policy_mode mode,
		    int affine_only);

#endif
