/*
 * Launch pacing: bakes launched together share the client's CPUs, so
 * the most urgent start as late as the least; launched one by one,
 * about as fast as the CPUs start them, the first ones picked start
 * sooner. Pure: time is passed in.
 */
#ifndef DBAKE_PACE_H
#define DBAKE_PACE_H

/* CPU a bake process takes on the client to start (Go's start-up,
 * reading the bake file, opening the session with BuildKit): about 80 ms
 * for buildx 0.35, measured with time(1) on a cached build. Measured
 * again as dbake runs its children (`python3 bench/bake_cost.py`), 57
 * ms; a gap from that (28 ms on two CPUs) is not taken yet: in the
 * model (dbake-sim) it slowed the cached runs of light targets (README,
 * "What a bake costs"). */
#define LAUNCH_CPU_MS 80

/* The gap between launches on `ncpu` CPUs (0: no pacing). */
int pace_gap(long ncpu);

/* How long the next launch waits at `now` (ms, 0: it may go), given the
 * gap and the latest launch (0: none yet). */
long long pace_wait(int gap_ms, long long last_launch_ms, long long now);

#endif
