/* Node speeds and target sizes fitted to remembered durations: exact when
 * targets ran on several nodes, close when each ran on one (many of them,
 * landing anywhere), and no speed made of a few long targets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "sched/sizes.h"
#include "sched/sim.h"

/* Each target on both nodes, node 0 twice as fast: speeds about sqrt(2)
 * and 1 / sqrt(2) (geometric mean 1; the prior draws them together by a
 * few %, four targets being little), sizes their durations at those. */
static void t_exact(void **state)
{
	(void)state;
	static const double d0[] = { 1, 2, 4, 8 };
	struct size_obs obs[8];
	for (size_t t = 0; t < 4; t++) {
		obs[2 * t] = (struct size_obs){ t, 0, d0[t] };
		obs[2 * t + 1] = (struct size_obs){ t, 1, 2 * d0[t] };
	}
	double size[4], speed[2];
	sizes_fit(obs, 8, 4, 2, size, speed);
	assert_true(speed[0] / speed[1] > 1.9 && speed[0] / speed[1] <= 2);
	assert_float_equal(speed[0] * speed[1], 1, 1e-9);
	for (size_t t = 0; t < 4; t++)
		assert_float_equal(size[t], sqrt(d0[t] * speed[0] * 2 * d0[t] *
						 speed[1]), 1e-9 * size[t]);
}

/* 300 targets of lognormal sizes, each built once on one of three nodes
 * of speeds 0.5, 1 and 2: the fit tells them apart (each within 25 %),
 * and a size is its duration at its node's speed. */
static void t_one_node_each(void **state)
{
	(void)state;
	static const double truth[] = { 0.5, 1, 2 };
	enum { N = 300 };
	struct size_obs obs[N];
	struct sim_rng r;
	sim_rng_seed(&r, 11);
	for (size_t t = 0; t < N; t++) {
		size_t n = sim_below(&r, 3);
		double z = 2 * exp(sim_normal(&r));
		obs[t] = (struct size_obs){ t, n, z / truth[n] };
	}
	double size[N], speed[3];
	sizes_fit(obs, N, N, 3, size, speed);
	double geo = cbrt(truth[0] * truth[1] * truth[2]);
	for (size_t n = 0; n < 3; n++)
		assert_true(fabs(log(speed[n] / (truth[n] / geo))) < log(1.25));
	assert_true(speed[0] < speed[1] && speed[1] < speed[2]);
	for (size_t t = 0; t < N; t++)
		assert_float_equal(size[t], obs[t].seconds * speed[obs[t].node],
				   1e-9 * size[t]);
}

/*
 * make bench's W1 on four nodes of one speed, each target once: the
 * nodes that drew the 8 s ones look slow, but six targets a node do not
 * tell that apart from chance: every speed stays 1, every size its
 * duration (not pulled towards the others').
 */
static void t_few_targets_no_speed(void **state)
{
	(void)state;
	static const double secs[] = { 8, 8, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2,
				       2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	struct size_obs obs[24];
	for (size_t t = 0; t < 24; t++)
		obs[t] = (struct size_obs){ t, t % 4, secs[t] };
	double size[24], speed[4];
	sizes_fit(obs, 24, 24, 4, size, speed);
	for (size_t n = 0; n < 4; n++)
		assert_float_equal(speed[n], 1, 1e-9);
	for (size_t t = 0; t < 24; t++)
		assert_float_equal(size[t], secs[t], 1e-9);
}

/*
 * The fit is a minimum: against the plain way to it, rounds of the best
 * sizes for the speeds and the best speeds for the sizes, run until they
 * hold still (thousands of rounds), on targets seen on one node or two,
 * with noise, nodes far enough apart that none stays at 1.
 */
static void t_against_rounds(void **state)
{
	(void)state;
	static const double truth[] = { 0.5, 1, 2, 3 };
	enum { T = 80, M = 4 };
	struct size_obs obs[2 * T];
	size_t nobs = 0;
	struct sim_rng r;
	sim_rng_seed(&r, 5);
	for (size_t t = 0; t < T; t++) {
		double z = 2 * exp(sim_normal(&r));
		size_t n = sim_below(&r, M), k = sim_uniform(&r) < 0.4 ? 2 : 1;
		for (size_t e = 0; e < k; e++, n = (n + 1) % M)
			obs[nobs++] = (struct size_obs){
				t, n, z / truth[n] * exp(0.1 * sim_normal(&r)) };
	}
	double size[T], speed[M];
	sizes_fit(obs, nobs, T, M, size, speed);

	const double wd = 1 / (SIZES_NOISE * SIZES_NOISE);
	const double ws = 1 / (SIZES_SPEED_SPREAD * SIZES_SPEED_SPREAD);
	double lz[T] = { 0 }, ls[M] = { 0 }, k[T] = { 0 }, mu = 0, var = 0;
	for (size_t i = 0; i < nobs; i++) {
		lz[obs[i].job] += log(obs[i].seconds);
		k[obs[i].job]++;
	}
	for (size_t t = 0; t < T; t++)
		mu += (lz[t] /= k[t]) / T;
	for (size_t t = 0; t < T; t++)
		var += (lz[t] - mu) * (lz[t] - mu) / T;
	double wz = 1 / var;
	for (int round = 0; round < 50000; round++) {
		double sum[T] = { 0 }, sn[M] = { 0 }, kn[M] = { 0 };
		for (size_t i = 0; i < nobs; i++)
			sum[obs[i].job] += log(obs[i].seconds) + ls[obs[i].node];
		mu = 0;
		for (size_t t = 0; t < T; t++)
			mu += lz[t] / T;
		for (size_t t = 0; t < T; t++)
			lz[t] = (wd * sum[t] + wz * mu) / (wd * k[t] + wz);
		for (size_t i = 0; i < nobs; i++) {
			sn[obs[i].node] += lz[obs[i].job] - log(obs[i].seconds);
			kn[obs[i].node]++;
		}
		for (size_t n = 0; n < M; n++)
			ls[n] = wd * sn[n] / (wd * kn[n] + ws);
	}
	double shift = 0;
	for (size_t n = 0; n < M; n++)
		shift += ls[n] / M;
	for (size_t n = 0; n < M; n++) {
		assert_true(fabs(speed[n] - 1) > 0.1); /* none held at 1 */
		assert_float_equal(speed[n], exp(ls[n] - shift), 1e-6);
	}
}

/* A node 15 % faster, beyond doubt (each target on every node, little
 * noise), is not worth telling apart: every speed stays 1; 50 % is. */
static void t_small_difference(void **state)
{
	(void)state;
	enum { T = 100, M = 3 };
	struct size_obs obs[T * M];
	double size[T], speed[M];
	for (int pass = 0; pass < 2; pass++) {
		double fast = pass ? 1.5 : 1.15;
		size_t nobs = 0;
		for (size_t t = 0; t < T; t++)
			for (size_t n = 0; n < M; n++)
				obs[nobs++] = (struct size_obs){
					t, n, (1.0 + (double)(t % 7)) /
						      (n == 0 ? fast : 1) };
		sizes_fit(obs, nobs, T, M, size, speed);
		if (!pass) {
			for (size_t n = 0; n < M; n++)
				assert_float_equal(speed[n], 1, 1e-9);
		} else {
			assert_true(speed[0] / speed[1] > 1.45);
			assert_float_equal(speed[1], speed[2], 1e-9);
		}
	}
}

/* Nothing seen, a node with nothing, durations that are not: zeros. */
static void t_nothing(void **state)
{
	(void)state;
	double size[3] = { 9, 9, 9 }, speed[2] = { 9, 9 };
	sizes_fit(NULL, 0, 3, 2, size, speed);
	for (size_t i = 0; i < 3; i++)
		assert_float_equal(size[i], 0, 0);
	assert_float_equal(speed[0], 0, 0);
	struct size_obs obs[] = { { 0, 0, 2 }, { 1, 0, 0 }, { 2, 0, -1 },
				  { 5, 0, 1 }, { 0, 7, 1 } };
	sizes_fit(obs, 5, 3, 2, size, speed);
	assert_float_equal(size[0], 2, 1e-9);
	assert_float_equal(size[1], 0, 0);
	assert_float_equal(size[2], 0, 0);
	assert_float_equal(speed[0], 1, 1e-9);
	assert_float_equal(speed[1], 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_exact),
		cmocka_unit_test(t_one_node_each),
		cmocka_unit_test(t_few_targets_no_speed),
		cmocka_unit_test(t_against_rounds),
		cmocka_unit_test(t_small_difference),
		cmocka_unit_test(t_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
