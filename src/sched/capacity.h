/*
 * What a node can run at once, learned from what it was seen to run:
 * build steps in progress together, held for a while (not invocations:
 * a cached build, a finished one, one not yet at its first step runs no
 * step). Pure: observations and time are passed in.
 */
#ifndef DBAKE_CAPACITY_H
#define DBAKE_CAPACITY_H

/* Step counts followed; a node seen to run more counts as this many. */
#define STEPS_TRACKED 32

/* More steps than a node was seen to run count once they last this long:
 * one build's step starts as another's ends, and the ended one's "DONE"
 * may come later than the new one's title. */
#define CAPACITY_HOLD_MS 400

struct capacity_seen {
	int steps_max;  /* most steps seen in progress together, held */
	int seen_full;  /* a build waited for the node meanwhile */
	/* since when at least k + 1 steps ran without a break, or 0 */
	long long steps_since[STEPS_TRACKED];
};

/*
 * The node runs `steps` build steps at `now` (sampled on the loop's
 * ticks). A count counts once the node ran at least that many for
 * CAPACITY_HOLD_MS without a break; each count is held on its own.
 */
void capacity_sample(struct capacity_seen *c, int steps, long long now);

/*
 * The capacity to remember after a run, from the one remembered (`old`,
 * 0: unknown) and what the run showed. A run stopped early (`stopped`:
 * a signal, Ctrl+C, --fail-fast) teaches nothing; more steps than `old`
 * raise it; fewer lower it (one a run) only when a build waited for the
 * node, never because a run had less work than the node.
 */
int capacity_learn(int old, const struct capacity_seen *c, int stopped);

/* What is remembered of a node: its capacity, once it was seen full at
 * it; else, at most one of them, a floor: it ran that many steps at
 * once, as many as it was given places, and no build waited. */
struct capacity_known {
	int capacity;   /* 0: not known */
	int floor;      /* 0: none */
};

/*
 * What to remember after a run that gave the node `slots` places: a
 * node that showed no limit (no build waited for it) has a floor of the
 * most it ran (never lower than the one before), not a capacity, unless
 * a capacity is known and it ran fewer steps than its places (less work
 * than the node, this time): a capacity would give it its count plus one
 * place the next time, so one of 16 would be found one place a run, and
 * light targets, whose steps end before more of them can be seen at
 * once, would leave a node of 8 at 1 or 2. A node seen full, or with a
 * capacity known and places to spare, as capacity_learn.
 */
struct capacity_known capacity_remember(struct capacity_known old,
					const struct capacity_seen *c,
					int slots, int stopped);

#endif
