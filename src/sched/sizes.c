#include "sizes.h"
#include "../util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rounds of the fit at most, and the change in a log speed that ends it. */
#define SIZES_ROUNDS 2000
#define SIZES_CLOSE 1e-7

/* Each round takes the most likely sizes given the speeds, then the most
 * likely speeds given the sizes (both Gaussian in the logs, so each is a
 * weighted mean), until the speeds hold still. A node marked `fixed`
 * keeps speed 1 (log 0). */
static void fit(const struct size_obs *obs, size_t nobs, size_t njobs,
		size_t nnodes, const size_t *kt, const size_t *kn,
		const unsigned char *fixed, double wz, double *lz, double *ls,
		double *sum)
{
	const double wd = 1 / (SIZES_NOISE * SIZES_NOISE);
	const double ws = 1 / (SIZES_SPEED_SPREAD * SIZES_SPEED_SPREAD);
	double mu = 0;
	size_t seen = 0;
	for (size_t t = 0; t < njobs; t++)
		if (kt[t]) {
			mu += lz[t];
			seen++;
		}
	if (!seen)
		return;
	mu /= (double)seen;
	for (int round = 0; round < SIZES_ROUNDS; round++) {
		memset(sum, 0, njobs * sizeof(*sum));
		for (size_t i = 0; i < nobs; i++)
			if (obs[i].job < njobs && obs[i].node < nnodes &&
			    obs[i].seconds > 0)
				sum[obs[i].job] += log(obs[i].seconds) +
						   ls[obs[i].node];
		double nmu = 0;
		for (size_t t = 0; t < njobs; t++) {
			if (!kt[t])
				continue;
			lz[t] = (wd * sum[t] + wz * mu) /
				(wd * (double)kt[t] + wz);
			nmu += lz[t];
		}
		mu = nmu / (double)seen;
		memset(sum, 0, nnodes * sizeof(*sum));
		for (size_t i = 0; i < nobs; i++)
			if (obs[i].job < njobs && obs[i].node < nnodes &&
			    obs[i].seconds > 0)
				sum[obs[i].node] += lz[obs[i].job] -
						    log(obs[i].seconds);
		double moved = 0;
		for (size_t n = 0; n < nnodes; n++) {
			double v = kn[n] && !fixed[n]
					   ? wd * sum[n] / (wd * (double)kn[n] + ws)
					   : 0;
			if (fabs(v - ls[n]) > moved)
				moved = fabs(v - ls[n]);
			ls[n] = v;
		}
		if (moved < SIZES_CLOSE)
			break;
	}
}

void sizes_fit(const struct size_obs *obs, size_t nobs, size_t njobs,
	       size_t nnodes, double *size, double *speed)
{
	double *lz = xcalloc(njobs + 1, sizeof(*lz));
	double *ls = xcalloc(nnodes + 1, sizeof(*ls));
	double *sum = xcalloc((njobs > nnodes ? njobs : nnodes) + 1, sizeof(*sum));
	double *info = xcalloc(nnodes + 1, sizeof(*info));
	unsigned char *fixed = xcalloc(nnodes + 1, 1);
	size_t *kt = xcalloc(njobs + 1, sizeof(*kt));
	size_t *kn = xcalloc(nnodes + 1, sizeof(*kn));
	size_t seen = 0;

	for (size_t i = 0; i < nobs; i++) {
		if (obs[i].job >= njobs || obs[i].node >= nnodes ||
		    !(obs[i].seconds > 0))
			continue;
		lz[obs[i].job] += log(obs[i].seconds);
		kt[obs[i].job]++;
		kn[obs[i].node]++;
	}
	/* the sizes' spread, from each target's mean: the prior of a size */
	double mu = 0, var = 0;
	for (size_t t = 0; t < njobs; t++)
		if (kt[t]) {
			lz[t] /= (double)kt[t];
			mu += lz[t];
			seen++;
		}
	if (seen) {
		mu /= (double)seen;
		for (size_t t = 0; t < njobs; t++)
			if (kt[t])
				var += (lz[t] - mu) * (lz[t] - mu);
		var /= (double)seen;
	}
	if (var < 0.04)
		var = 0.04;
	fit(obs, nobs, njobs, nnodes, kt, kn, fixed, 1 / var, lz, ls, sum);

	/*
	 * What each node's speed rests on: a target seen on that node alone
	 * tells it only as far as sizes vary (var), one seen on others too
	 * as far as durations vary from run to run. A speed within two of
	 * its deviations of the others' is not told apart from them: it
	 * stays 1, and the rest are fitted again (a few targets drawn long
	 * do not make a node slow).
	 */
	const double noise = SIZES_NOISE * SIZES_NOISE;
	for (size_t i = 0; i < nobs; i++) {
		if (obs[i].job >= njobs || obs[i].node >= nnodes ||
		    !(obs[i].seconds > 0))
			continue;
		size_t k = kt[obs[i].job];
		info[obs[i].node] += k > 1 ? (double)(k - 1) / (double)k / noise
					   : 1 / (noise + var);
	}
	int any = 0;
	for (size_t n = 0; n < nnodes; n++) {
		double sd = 1 / sqrt(info[n] + 1 / (SIZES_SPEED_SPREAD *
						    SIZES_SPEED_SPREAD));
		if (kn[n] && fabs(ls[n]) < 2 * sd)
			any = fixed[n] = 1;
	}
	if (any)
		fit(obs, nobs, njobs, nnodes, kt, kn, fixed, 1 / var, lz, ls,
		    sum);

	/* geometric mean 1 over the nodes seen */
	double shift = 0;
	size_t nseen = 0;
	for (size_t n = 0; n < nnodes; n++)
		if (kn[n]) {
			shift += ls[n];
			nseen++;
		}
	shift = nseen ? shift / (double)nseen : 0;
	for (size_t n = 0; n < nnodes; n++) {
		ls[n] -= shift;
		speed[n] = kn[n] ? exp(ls[n]) : 0;
	}
	/* each size from its own durations at those speeds: the prior that
	 * told the speeds apart would pull a long target's size towards the
	 * others', and its build would then look slow wherever it ran */
	memset(sum, 0, njobs * sizeof(*sum));
	for (size_t i = 0; i < nobs; i++)
		if (obs[i].job < njobs && obs[i].node < nnodes &&
		    obs[i].seconds > 0)
			sum[obs[i].job] += log(obs[i].seconds) + ls[obs[i].node];
	for (size_t t = 0; t < njobs; t++)
		size[t] = kt[t] ? exp(sum[t] / (double)kt[t]) : 0;
	free(lz);
	free(ls);
	free(sum);
	free(info);
	free(fixed);
	free(kt);
	free(kn);
}
