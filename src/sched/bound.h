/*
 * The lower bound on a schedule's length, the one the dispatcher, the
 * dashboard, the report and the simulator all use: no schedule is
 * shorter than its longest chain of work, nor than all its work spread
 * evenly over every place that builds (a node's capacity, weighted by
 * its speed where speeds differ).
 */
#ifndef DBAKE_BOUND_H
#define DBAKE_BOUND_H

/* max(chain, work / places), in the units given; places <= 0: chain. */
double lower_bound(double chain, double work, double places);

#endif
