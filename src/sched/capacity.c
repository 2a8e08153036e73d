#include "capacity.h"

void capacity_sample(struct capacity_seen *c, int steps, long long now)
{
	for (int k = 0; k < STEPS_TRACKED; k++) {
		if (k >= steps) {
			c->steps_since[k] = 0;
			continue;
		}
		if (!c->steps_since[k])
			c->steps_since[k] = now;
		if (now - c->steps_since[k] >= CAPACITY_HOLD_MS &&
		    k + 1 > c->steps_max)
			c->steps_max = k + 1;
	}
}

struct capacity_known capacity_remember(struct capacity_known old,
					const struct capacity_seen *c,
					int slots, int stopped)
{
	if (stopped || c->steps_max <= 0)
		return old;
	if (!c->seen_full &&
	    (!old.capacity || (slots > 0 && c->steps_max >= slots))) {
		int floor = c->steps_max > old.floor ? c->steps_max : old.floor;
		if (!old.floor && old.capacity > floor)
			return old; /* less work than the node, this time */
		return (struct capacity_known){ 0, floor };
	}
	int cap = capacity_learn(old.capacity ? old.capacity : old.floor, c,
				 stopped);
	return (struct capacity_known){ cap, 0 };
}

int capacity_learn(int old, const struct capacity_seen *c, int stopped)
{
	if (stopped || c->steps_max <= 0)
		return old;
	if (c->steps_max > old)
		return c->steps_max;
	if (!c->seen_full)
		return old;
	/* a step or two of it may have been between steps when sampled:
	 * one down per run, so a node that is full only at moments does
	 * not fall far */
	return c->steps_max > old - 1 ? c->steps_max : old - 1;
}
