#include "sizes.h"
#include "../util/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * The fit, in the logs: y = log d(t, n), z_t = log size(t), s_n = log
 * speed(n). It minimises
 *
 *     wd sum_i (y_i - z_t(i) + s_n(i))^2  +  wz sum_t (z_t - mu)^2
 *                                         +  ws sum_n s_n^2
 *
 * (the durations' noise, the sizes' spread about their mean mu, the
 * speeds' spread about 1). The best z_t for given speeds and mu is a
 * weighted mean, so z drops out: what is left is quadratic in (s, mu),
 * one equation a node and one for mu, solved at once (nodes are few;
 * iterating between sizes and speeds instead crawls, a few % a round,
 * where one node's speed rests on many targets seen only there).
 */

struct system {
	size_t n;      /* unknowns: the nodes' log speeds, then mu */
	double *a;     /* n x n, row-major */
	double *b;
};

/* Solve a x = b by Gaussian elimination with partial pivoting; the
 * system is symmetric positive definite (ws, wz > 0). x into b. */
static void solve(struct system *sy)
{
	size_t n = sy->n;
	double *a = sy->a, *b = sy->b;
	for (size_t c = 0; c < n; c++) {
		size_t p = c;
		for (size_t r = c + 1; r < n; r++)
			if (fabs(a[r * n + c]) > fabs(a[p * n + c]))
				p = r;
		if (p != c) {
			for (size_t k = 0; k < n; k++) {
				double t = a[c * n + k];
				a[c * n + k] = a[p * n + k];
				a[p * n + k] = t;
			}
			double t = b[c];
			b[c] = b[p];
			b[p] = t;
		}
		if (a[c * n + c] == 0)
			continue;
		for (size_t r = c + 1; r < n; r++) {
			double f = a[r * n + c] / a[c * n + c];
			if (f == 0)
				continue;
			for (size_t k = c; k < n; k++)
				a[r * n + k] -= f * a[c * n + k];
			b[r] -= f * b[c];
		}
	}
	for (size_t c = n; c-- > 0;) {
		double v = b[c];
		for (size_t k = c + 1; k < n; k++)
			v -= a[c * n + k] * b[k];
		b[c] = a[c * n + c] != 0 ? v / a[c * n + c] : 0;
	}
}

/* The observations that count, by target: obs[idx[first[t]..first[t+1]]]. */
struct by_target {
	size_t *first, *idx;
};

static int counts(const struct size_obs *o, size_t njobs, size_t nnodes)
{
	return o->job < njobs && o->node < nnodes && o->seconds > 0;
}

/*
 * The log speeds (ls, per node; 0 for a node `fixed` or not seen) that
 * minimise the objective, for the prior spread of sizes 1 / wz.
 */
static void fit(const struct size_obs *obs, const double *y,
		const struct by_target *bt, size_t njobs, size_t nnodes,
		const unsigned char *fixed, double wz, double *ls)
{
	const double wd = 1 / (SIZES_NOISE * SIZES_NOISE);
	const double ws = 1 / (SIZES_SPEED_SPREAD * SIZES_SPEED_SPREAD);
	size_t n = nnodes + 1, mu = nnodes;
	struct system sy = { n, xcalloc(n * n, sizeof(double)),
			     xcalloc(n, sizeof(double)) };
	double *a = sy.a, *b = sy.b;
	double *c = xcalloc(nnodes + 1, sizeof(*c)); /* c_{t,n} */
	size_t *on = xcalloc(nnodes + 1, sizeof(*on)), non;

	for (size_t m = 0; m < nnodes; m++)
		a[m * n + m] = ws;
	for (size_t t = 0; t < njobs; t++) {
		size_t from = bt->first[t], to = bt->first[t + 1];
		if (from == to)
			continue;
		double k = (double)(to - from), yt = 0;
		double p = wd * k + wz;
		non = 0;
		for (size_t j = from; j < to; j++) {
			size_t i = bt->idx[j], m = obs[i].node;
			if (!c[m]++)
				on[non++] = m;
			yt += y[i];
			a[m * n + m] += wd;
			b[m] -= wd * y[i];
		}
		for (size_t u = 0; u < non; u++) {
			size_t m = on[u];
			for (size_t v = 0; v < non; v++)
				a[m * n + on[v]] -= wd * wd * c[m] * c[on[v]] / p;
			a[m * n + mu] -= wd * wz * c[m] / p;
			a[mu * n + m] -= wz * wd * c[m] / p;
			b[m] += wd * wd * c[m] * yt / p;
		}
		a[mu * n + mu] += wz * (1 - wz / p);
		b[mu] += wz * wd * yt / p;
		for (size_t u = 0; u < non; u++)
			c[on[u]] = 0;
	}
	/* a fixed node keeps log speed 0 */
	for (size_t m = 0; m < nnodes; m++) {
		if (!fixed[m])
			continue;
		for (size_t k = 0; k < n; k++)
			a[m * n + k] = a[k * n + m] = 0;
		a[m * n + m] = 1;
		b[m] = 0;
	}
	solve(&sy);
	for (size_t m = 0; m < nnodes; m++)
		ls[m] = b[m];
	free(sy.a);
	free(sy.b);
	free(c);
	free(on);
}

void sizes_fit(const struct size_obs *obs, size_t nobs, size_t njobs,
	       size_t nnodes, double *size, double *speed)
{
	double *y = xcalloc(nobs + 1, sizeof(*y));
	double *ls = xcalloc(nnodes + 1, sizeof(*ls));
	double *info = xcalloc(nnodes + 1, sizeof(*info));
	double *sum = xcalloc(njobs + 1, sizeof(*sum));
	unsigned char *fixed = xcalloc(nnodes + 1, 1);
	size_t *kn = xcalloc(nnodes + 1, sizeof(*kn));
	struct by_target bt = { xcalloc(njobs + 2, sizeof(size_t)),
				xcalloc(nobs + 1, sizeof(size_t)) };
	size_t seen = 0;

	for (size_t i = 0; i < nobs; i++) {
		if (!counts(&obs[i], njobs, nnodes))
			continue;
		y[i] = log(obs[i].seconds);
		bt.first[obs[i].job + 1]++;
		kn[obs[i].node]++;
	}
	for (size_t t = 0; t < njobs; t++)
		bt.first[t + 1] += bt.first[t];
	size_t *fill = xcalloc(njobs + 1, sizeof(*fill));
	for (size_t i = 0; i < nobs; i++)
		if (counts(&obs[i], njobs, nnodes))
			bt.idx[bt.first[obs[i].job] + fill[obs[i].job]++] = i;
	free(fill);

	/* the sizes' spread, from each target's mean: the prior of a size */
	double mu = 0, var = 0;
	for (size_t t = 0; t < njobs; t++) {
		size_t k = bt.first[t + 1] - bt.first[t];
		for (size_t j = bt.first[t]; j < bt.first[t + 1]; j++)
			sum[t] += y[bt.idx[j]];
		if (k) {
			sum[t] /= (double)k;
			mu += sum[t];
			seen++;
		}
	}
	if (seen) {
		mu /= (double)seen;
		for (size_t t = 0; t < njobs; t++)
			if (bt.first[t + 1] > bt.first[t])
				var += (sum[t] - mu) * (sum[t] - mu);
		var /= (double)seen;
	}
	if (var < 0.04)
		var = 0.04;
	if (seen)
		fit(obs, y, &bt, njobs, nnodes, fixed, 1 / var, ls);

	/*
	 * What each node's speed rests on: a target seen on that node alone
	 * tells it only as far as sizes vary (var), one seen on others too
	 * as far as durations vary from run to run. A speed within two of
	 * its deviations of the others' is not told apart from them, and
	 * one within SIZES_SPEED_MIN of them is not worth telling apart:
	 * it stays 1, and the rest are fitted again (a few targets drawn
	 * long do not make a node slow, nor the load of the moment its
	 * targets happened to run in).
	 */
	const double noise = SIZES_NOISE * SIZES_NOISE;
	for (size_t i = 0; i < nobs; i++) {
		if (!counts(&obs[i], njobs, nnodes))
			continue;
		size_t k = bt.first[obs[i].job + 1] - bt.first[obs[i].job];
		info[obs[i].node] += k > 1 ? (double)(k - 1) / (double)k / noise
					   : 1 / (noise + var);
	}
	int any = 0;
	for (size_t n = 0; n < nnodes; n++) {
		double sd = 1 / sqrt(info[n] + 1 / (SIZES_SPEED_SPREAD *
						    SIZES_SPEED_SPREAD));
		if (kn[n] && (fabs(ls[n]) < 2 * sd ||
			      fabs(ls[n]) < log(SIZES_SPEED_MIN)))
			any = fixed[n] = 1;
	}
	if (any)
		fit(obs, y, &bt, njobs, nnodes, fixed, 1 / var, ls);

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
	for (size_t t = 0; t < njobs; t++) {
		size_t k = bt.first[t + 1] - bt.first[t];
		double v = 0;
		for (size_t j = bt.first[t]; j < bt.first[t + 1]; j++)
			v += y[bt.idx[j]] + ls[obs[bt.idx[j]].node];
		size[t] = k ? exp(v / (double)k) : 0;
	}
	free(y);
	free(ls);
	free(info);
	free(sum);
	free(fixed);
	free(kn);
	free(bt.first);
	free(bt.idx);
}
