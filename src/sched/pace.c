#include "pace.h"

int pace_gap(long ncpu)
{
	return ncpu > 0 ? (int)(LAUNCH_CPU_MS / ncpu) : 0;
}

long long pace_wait(int gap_ms, long long last_launch_ms, long long now)
{
	if (gap_ms <= 0 || !last_launch_ms || now - last_launch_ms >= gap_ms)
		return 0;
	return last_launch_ms + gap_ms - now;
}
