/* test_prim.c — PRIM scenario discovery (docs/model.md §12): the quantile rule, peeling and
 * pasting rule by rule on hand-worked data, quasi-p-values, covering, synthetic boxes, a
 * cross-check against an independent Python PRIM, the TSV reader and writer, bad input. */
#include "testutil.h"

#include "mvsim/metrics.h"
#include "mvsim/prim.h"

/* ------------------------------------------------------------ helpers */

/* An input over caller-owned arrays (x row-major n×p, y 0/1 or any metric). */
struct mem_input {
	struct mv_prim_input in;
	char *names[8];
};

static void mem_init(struct mem_input *m, int p, long n, const char *const *names, double *x,
		     double *y)
{
	memset(m, 0, sizeof *m);
	for (int j = 0; j < p; j++)
		m->names[j] = (char *)names[j];
	m->in.p = p;
	m->in.n = n;
	m->in.names = m->names;
	m->in.x = x;
	m->in.y = y;
	m->in.metric = (char *)"y";
	m->in.source = (char *)"mem";
}

/* Runs PRIM on (x, y) with opt (cases: y > 0.5 unless opt says otherwise); fails on error. */
static struct mv_prim_result *run(int p, long n, const char *const *names, double *x, double *y,
				  const struct mv_prim_options *opt)
{
	struct mem_input m;
	struct mv_prim_result *r = NULL;
	struct mv_error err = { 0 };
	mem_init(&m, p, n, names, x, y);
	if (mv_prim_run(&m.in, opt, &r, &err))
		fail_msg("mv_prim_run: %s", err.msg);
	return r;
}

static void opts(struct mv_prim_options *o)
{
	mv_prim_options_default(o);
	o->threshold = 0.5;
}

/* A fixed linear congruential stream (Numerical Recipes' constants): reproducible anywhere. */
static double lcg(uint32_t *s)
{
	*s = 1664525u * *s + 1013904223u;
	return *s / 4294967296.0;
}

/* P(X >= h), X ~ Bin(t, p), summed term by term in long double: independent of GSL. */
static double binom_tail(long h, long t, double p)
{
	long double sum = 0;
	for (long x = h; x <= t; x++) {
		long double c = 1;
		for (long i = 0; i < x; i++)
			c = c * (long double)(t - i) / (long double)(i + 1);
		sum += c * powl(p, x) * powl(1 - p, t - x);
	}
	return (double)sum;
}

/* ------------------------------------------------------------ the quantile rule */

static void test_quantile_rule(void **state)
{
	(void)state;
	/* No ties: i = 4·0.95 = 3.8 → lo 3, hi 4 → (4 + 5)/2; i = 4·0.05 = 0.2 → (1 + 2)/2. */
	double a[] = { 1, 2, 3, 4, 5 };
	assert_true(mv_prim_quantile(a, 5, 0.95) == 4.5);
	assert_true(mv_prim_quantile(a, 5, 0.05) == 1.5);
	/* i exactly whole (4·0.75 = 3): lo = hi = 3, v[lo] = v[hi] trivially, so the upper rule
	 * steps lo down to 2: (3 + 4)/2; the lower rule at q = 0.25 (i = 1) steps hi up: (2 + 3)/2. */
	assert_true(mv_prim_quantile(a, 5, 0.75) == 3.5);
	assert_true(mv_prim_quantile(a, 5, 0.25) == 2.5);
	/* q = 0.5 takes the lower rule: i = 2 → hi 3 → (3 + 4)/2. */
	assert_true(mv_prim_quantile(a, 5, 0.5) == 3.5);
	/* Ties at the top end: i = 5·0.95 = 4.75 → lo 4, hi 5 (both 5); lo walks down past the
	 * tied 5s to index 2 (value 3): (3 + 5)/2 = 4, so a peel removes every tied point. */
	double top[] = { 1, 2, 3, 5, 5, 5 };
	assert_true(mv_prim_quantile(top, 6, 0.95) == 4.0);
	/* Ties at the bottom end: i = 4·0.05 = 0.2 → lo 0, hi 1 (both 1); hi walks up to
	 * index 3 (value 4): (1 + 4)/2 = 2.5. */
	double bot[] = { 1, 1, 1, 4, 6 };
	assert_true(mv_prim_quantile(bot, 5, 0.05) == 2.5);
	/* All tied: the walk stops at the end (lo 0 or hi n−1): the value itself. */
	double same[] = { 2, 2, 2 };
	assert_true(mv_prim_quantile(same, 3, 0.95) == 2.0);
	assert_true(mv_prim_quantile(same, 3, 0.05) == 2.0);
	/* Ties at the top reaching index 0 stop there: {3, 3, 3, 7}, q = 0.05: i = 0.15 → lo 0,
	 * hi 1 tied → hi 3: (3 + 7)/2; q = 0.95: i = 2.85 → lo 2 (3), hi 3 (7): (3 + 7)/2. */
	double low3[] = { 3, 3, 3, 7 };
	assert_true(mv_prim_quantile(low3, 4, 0.05) == 5.0);
	assert_true(mv_prim_quantile(low3, 4, 0.95) == 5.0);
	double one[] = { 7 };
	assert_true(mv_prim_quantile(one, 1, 0.95) == 7.0);
	assert_true(mv_prim_quantile(one, 1, 0.05) == 7.0);
}

/* ------------------------------------------------------------ quasi-p-values */

static void test_binom_sf(void **state)
{
	(void)state;
	/* Against a term-by-term sum (long double); relative 1e-10: GSL's incomplete beta
	 * function is good to about 1e-14 here, the sum to about 1e-16 per term. */
	const struct { long h, t; double p; } c[] = {
		{ 7, 8, 7.0 / 9 }, { 1, 1, 0.5 }, { 3, 10, 0.1 }, { 10, 10, 0.3 }, { 40, 100, 0.25 },
		{ 52, 87, 0.36 }, { 5, 60, 0.5 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		double want = binom_tail(c[i].h, c[i].t, c[i].p);
		double got = mv_prim_binom_sf(c[i].h, c[i].t, c[i].p);
		assert_double_equal(got, want, 1e-10 * want);
	}
	assert_true(mv_prim_binom_sf(0, 5, 0.3) == 1.0);  /* P(X >= 0) */
	assert_true(mv_prim_binom_sf(6, 5, 0.3) == 0.0);  /* beyond t */
	assert_true(mv_prim_binom_sf(5, 5, 1.0) == 1.0);  /* p = 1: X = t surely */
}

/* ------------------------------------------------------------ the hand-worked example */

/* Ten points, two parameters a and b (each a permutation of 1..10), c = 1 for 7 of them;
 * peel_alpha = paste_alpha = 0.2, mass_min 0.05, lenient1:
 *
 *      a :  1  2  3  4  5  6  7  8  9 10
 *      b :  3  7 10  5  9  1  2  4  8  6
 *      c :  1  1  0  0  1  0  1  1  1  1
 *
 * Quantiles with α = 0.2 on n sorted values v: upper (q = 0.8) i = 0.8(n−1); lower i = 0.2(n−1).
 * n = 10: upper i = 7.2 → (v7 + v8)/2, lower i = 1.8 → (v1 + v2)/2: each removes 2 points.
 * n = 8:  upper i = 5.6 → (v5 + v6)/2, lower i = 1.4 → (v1 + v2)/2: 2 points.
 * n = 6:  upper i = 4.0 exactly (5·0.8 rounds to 4) → lo = hi = 4, tied, lo → 3: (v3 + v4)/2;
 *         lower i = 1.0 → hi → 2: (v1 + v2)/2: 2 points each way.
 *
 * Step 0: n = 10, k = 7 (density 0.7). Candidates, in order:
 *   a upper 9.5 removes a = 9, 10 (both cases): 5/8 < 0.7, negative.
 *   a lower 2.5 removes a = 1, 2 (both cases): negative.
 *   b upper 8.5 removes b = 9 (case), 10 (not): (6/8 − 0.7)/2 = 0.025.
 *   b lower 2.5 removes b = 1 (not), 2 (case): 0.025 — a tie with b upper, same number of
 *   restricted dimensions (1): the earlier, b upper, wins.
 *   Accepted (mass 0.8 >= 0.05, < 1, objective > 0): step 1, b <= 8.5, n = 8, k = 6.
 * Step 1 → 2: the box holds a = 1 2 4 6 7 8 9 10, b = 3 7 5 1 2 4 8 6.
 *   a upper 8.5 removes a = 9, 10 (cases): negative. a lower (2 + 4)/2 = 3 removes a = 1, 2
 *   (cases): negative. b upper (6 + 7)/2 = 6.5 removes b = 7, 8 (cases): negative.
 *   b lower (2 + 3)/2 = 2.5 removes b = 1 (not), 2 (case): (5/6 − 6/8)/2 = 0.0417. Accepted:
 *   step 2, 2.5 <= b <= 8.5, n = 6, k = 5 (the point a = 4, b = 5 is the non-case left).
 * Step 2 → 3: every candidate removes two cases from a = 1 2 4 8 9 10 / b = 3 7 5 4 8 6
 *   (a's ends 1, 2 and 9, 10; b's ends 3, 4 and 7, 8 are all cases): the best objective is
 *   negative, peeling stops.
 * Pasting, over all 10 points, b the only restricted parameter:
 *   lower: the points with b <= 2.5 are b = 1, 2; the 0.8-quantile of {1, 2} is 1.5 (i = 0.8);
 *   b >= 1.5 adds b = 2 (a case): n 7, k 6, objective 6/7 − 5/6 = 0.0238.
 *   upper: b >= 8.5 are b = 9, 10; the 0.2-quantile is 9.5; b <= 9.5 adds b = 9 (a case):
 *   the same objective: the tie goes to the earlier candidate, lower. Accepted (mass grows,
 *   density 6/7 > 5/6): step 3, 1.5 <= b <= 8.5.
 *   Next: lower: {1} → 1 (one value), adding b = 1, a non-case: 6/8 < 6/7, negative; upper:
 *   9.5 adds b = 9: 7/8 − 6/7 = 0.0179 > 0, accepted: step 4, 1.5 <= b <= 9.5, n 8, k 7.
 *   Next: lower adds b = 1, upper ({10} → 10) adds b = 10: both non-cases, negative: stop.
 * Chosen: step 4 (the last). Quasi-p-values: H = 7, T = 8; with b's lower limit back at 1
 * the box holds 9 points, 7 cases: p = 7/9; with the upper back at 10 likewise: both are
 * P(X >= 7) for X ~ Bin(8, 7/9) = 8·(7/9)^7·(2/9) + (7/9)^8. */
static double hand_x[] = { 1, 3, 2, 7, 3, 10, 4, 5, 5, 9, 6, 1, 7, 2, 8, 4, 9, 8, 10, 6 };
static double hand_y[] = { 1, 1, 0, 0, 1, 0, 1, 1, 1, 1 };
static const char *const hand_names[] = { "a", "b" };

static void hand_opts(struct mv_prim_options *o)
{
	opts(o);
	o->peel_alpha = 0.2;
	o->paste_alpha = 0.2;
}

static void test_hand_worked(void **state)
{
	(void)state;
	struct mv_prim_options o;
	hand_opts(&o);
	struct mv_prim_result *r = run(2, 10, hand_names, hand_x, hand_y, &o);
	const struct { char phase; long n, k; double blo, bhi; } want[] = {
		{ 'i', 10, 7, 1, 10 }, { 'p', 8, 6, 1, 8.5 }, { 'p', 6, 5, 2.5, 8.5 },
		{ 'a', 7, 6, 1.5, 8.5 }, { 'a', 8, 7, 1.5, 9.5 },
	};
	assert_int_equal(r->N, 10);
	assert_int_equal(r->K, 7);
	assert_int_equal(r->nboxes, 1);
	const struct mv_prim_box *B = &r->boxes[0];
	assert_int_equal(B->nsteps, 5);
	for (int s = 0; s < 5; s++) {
		const struct mv_prim_step *S = &B->steps[s];
		assert_int_equal(S->phase, want[s].phase);
		assert_int_equal(S->n, want[s].n);
		assert_int_equal(S->k, want[s].k);
		assert_true(S->lo[0] == 1 && S->hi[0] == 10); /* a never restricted */
		assert_true(S->lo[1] == want[s].blo);
		assert_true(S->hi[1] == want[s].bhi);
		assert_true(S->coverage == (double)want[s].k / 7);
		assert_true(S->density == (double)want[s].k / (double)want[s].n);
		assert_true(S->mass == (double)want[s].n / 10);
		assert_int_equal(S->restricted, s == 0 ? 0 : 1);
	}
	assert_int_equal(B->chosen, 4);
	double q = 8 * pow(7.0 / 9, 7) * (2.0 / 9) + pow(7.0 / 9, 8);
	assert_double_equal(B->qp_lo[1], q, 1e-12); /* closed form; GSL to ~1e-14 */
	assert_double_equal(B->qp_hi[1], q, 1e-12);
	assert_true(isnan(B->qp_lo[0]) && isnan(B->qp_hi[0]));
	assert_int_equal(B->n, 8);
	assert_int_equal(B->k, 7);
	assert_true(B->coverage == 1.0 && B->coverage_all == 1.0 && B->density == 7.0 / 8);

	/* The same data as a file (tests/data/prim/hand.tsv, the example of docs/discovery.md)
	 * give the same trajectory. */
	struct mv_prim_input *in = NULL;
	struct mv_prim_result *rf = NULL;
	struct mv_error err = { 0 };
	if (mv_prim_read("tests/data/prim/hand.tsv", "crisis", hand_names, 2, &in, &err) ||
	    mv_prim_run(in, &o, &rf, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(rf->boxes[0].nsteps, 5);
	for (int s = 0; s < 5; s++) {
		assert_int_equal(rf->boxes[0].steps[s].n, B->steps[s].n);
		assert_true(rf->boxes[0].steps[s].lo[1] == B->steps[s].lo[1]);
		assert_true(rf->boxes[0].steps[s].hi[1] == B->steps[s].hi[1]);
	}
	mv_prim_result_free(rf);
	mv_prim_input_free(in);

	char line[256];
	mv_prim_summary(r, 0, line, sizeof line);
	assert_string_equal(line, "box 1: coverage 1.00, density 0.88 \xe2\x80\x94 1.5 \xe2\x89\xa4 b \xe2\x89\xa4 9.5");
	mv_prim_result_free(r);
}

/* ------------------------------------------------------------ tie rules, mass_min, pasting */

/* A tie between an earlier candidate that restricts a new dimension and a later one on a
 * dimension already restricted: the later wins (more unrestricted dimensions). Same α = 0.2
 * arithmetic as the hand-worked example, with
 *      a :  1  2  3  4  5  6  7  8  9 10
 *      b :  3  9  5 10  7  1  2  8  4  6
 *      c :  1  1  0  0  1  0  1  1  1  1
 * Step 1: a's ends remove two cases each; b upper 8.5 removes b = 9 (case), 10 (not): 0.025,
 * tied by b lower (later): b <= 8.5. Step 2, over a = 1 3 5 6 7 8 9 10: a lower (3 + 5)/2 = 4
 * removes a = 1 (case), 3 (not): (5/6 − 6/8)/2; b lower 2.5 removes b = 1 (not), 2 (case):
 * the same objective. a lower comes first but would restrict 2 dimensions, b lower keeps 1:
 * b lower wins: the box is 2.5 <= b <= 8.5 and a stays unrestricted. */
static void test_tie_unrestricted_first(void **state)
{
	(void)state;
	double x[] = { 1, 3, 2, 9, 3, 5, 4, 10, 5, 7, 6, 1, 7, 2, 8, 8, 9, 4, 10, 6 };
	double y[] = { 1, 1, 0, 0, 1, 0, 1, 1, 1, 1 };
	struct mv_prim_options o;
	hand_opts(&o);
	struct mv_prim_result *r = run(2, 10, hand_names, x, y, &o);
	const struct mv_prim_box *B = &r->boxes[0];
	assert_true(B->nsteps >= 3);
	assert_true(B->steps[1].hi[1] == 8.5 && B->steps[1].lo[1] == 1);
	assert_true(B->steps[2].lo[1] == 2.5);
	assert_true(B->steps[2].lo[0] == 1 && B->steps[2].hi[0] == 10);
	assert_int_equal(B->steps[2].restricted, 1);
	mv_prim_result_free(r);
}

/* A full tie between two unrestricted parameters: the earlier parameter wins. α = 0.05 on 10
 * points removes one point per candidate (i = 0.45 → (v0 + v1)/2). a lower removes a = 1 and
 * b lower removes b = 1, both non-cases; the upper candidates remove cases: a lower wins. */
static void test_tie_earlier_parameter(void **state)
{
	(void)state;
	double x[] = { 1, 5, 2, 1, 3, 10, 4, 2, 5, 4, 6, 6, 7, 7, 8, 8, 9, 9, 10, 3 };
	double y[] = { 0, 0, 1, 1, 0, 1, 0, 1, 0, 1 };
	struct mv_prim_options o;
	opts(&o);
	struct mv_prim_result *r = run(2, 10, hand_names, x, y, &o);
	const struct mv_prim_box *B = &r->boxes[0];
	assert_true(B->nsteps >= 2);
	assert_true(B->steps[1].lo[0] == 1.5);
	assert_true(B->steps[1].lo[1] == 1 && B->steps[1].hi[1] == 10);
	mv_prim_result_free(r);
}

/* mass_min: a = 1..20, cases a > 10. Every step the lower peel (i = 19·0.05 < 1: one point)
 * removes the lowest point, a non-case. With mass_min 0.6 the box at a >= 8.5 holds 12 points,
 * mass 12/20 = 0.6 exactly — accepted (>=) — and the next, 11 points (0.55), is refused: 8
 * peels. With the default 0.05 peeling goes on to a >= 10.5 (density 1) and stops there
 * because no candidate's objective is > 0: 10 peels. No paste helps: the lower one adds a
 * non-case, the upper one (a's upper limit is its initial 20) adds nothing. */
static void test_mass_min(void **state)
{
	(void)state;
	double x[20], y[20];
	for (int i = 0; i < 20; i++) {
		x[i] = i + 1;
		y[i] = i + 1 > 10;
	}
	const char *const names[] = { "a" };
	struct mv_prim_options o;
	opts(&o);
	o.mass_min = 0.6;
	struct mv_prim_result *r = run(1, 20, names, x, y, &o);
	assert_int_equal(r->boxes[0].nsteps, 9);
	assert_true(r->boxes[0].lo[0] == 8.5);
	assert_int_equal(r->boxes[0].n, 12);
	mv_prim_result_free(r);

	opts(&o);
	r = run(1, 20, names, x, y, &o);
	assert_int_equal(r->boxes[0].nsteps, 11);
	assert_true(r->boxes[0].lo[0] == 10.5);
	assert_true(r->boxes[0].density == 1.0);
	mv_prim_result_free(r);
}

/* Pasting's density condition, with the `original` objective (mean_new, positive whenever
 * the candidate holds a case, so only the density condition can refuse a paste that grows
 * the mass): a = 1..20, cases 6..15 except 10. Peeling with original removes the ends (ties
 * between upper and lower go to upper) until mass_min 0.5 stops it at [5.5, 15.5]: 10 points,
 * 9 cases. Both pastes then add a non-case (a = 5 or a = 16): objective 9/11 > 0, mass 0.55
 * grows, but density 9/11 < 0.9: refused, so the last step is a peel. */
static void test_paste_needs_density(void **state)
{
	(void)state;
	double x[20], y[20];
	for (int i = 0; i < 20; i++) {
		x[i] = i + 1;
		y[i] = i + 1 >= 6 && i + 1 <= 15 && i + 1 != 10;
	}
	const char *const names[] = { "a" };
	struct mv_prim_options o;
	opts(&o);
	o.objective = MV_PRIM_ORIGINAL;
	o.mass_min = 0.5;
	struct mv_prim_result *r = run(1, 20, names, x, y, &o);
	const struct mv_prim_box *B = &r->boxes[0];
	assert_true(B->lo[0] == 5.5 && B->hi[0] == 15.5);
	assert_int_equal(B->steps[B->nsteps - 1].phase, 'p');
	assert_int_equal(B->n, 10);
	mv_prim_result_free(r);
}

/* Pasting's data include the points on the current limit (EMA's box test is inclusive). Nine
 * points (a, b, c), α = β = 0.2:
 *   (1,3,1) (5,5,0) (4,4,1) (1,1,1) (3,1,0) (1,3,0) (1,3,1) (1,3,1) (1,2,0)
 * Peeling: a <= 3.5 (removes a = 4, 5), then a <= 1 — six box values of a are 1 and one is 3:
 * i = 4.8, lo walks down the tied 1s to index 0 and the quantile is (1 + 1)/2 = 1, a data
 * value — then b >= 2.5: the four points (1, 3), three of them cases. Pasting a's upper limit:
 * the points with a >= 1 that satisfy b >= 2.5 are the four at a = 1 (on the limit) and (4, 4),
 * (5, 5); the 0.2-quantile of {1, 1, 1, 1, 4, 5} (i = 1, hi walks to the 4) is 2.5, which adds
 * no point: objective 0, and pasting stops with a <= 1. Were the points on the limit left out,
 * the data {4, 5} would give 4.5 and add the case (4, 4). */
static void test_paste_inclusive_limit(void **state)
{
	(void)state;
	double x[] = { 1, 3, 5, 5, 4, 4, 1, 1, 3, 1, 1, 3, 1, 3, 1, 3, 1, 2 };
	double y[] = { 1, 0, 1, 1, 0, 0, 1, 1, 0 };
	struct mv_prim_options o;
	hand_opts(&o);
	struct mv_prim_result *r = run(2, 9, hand_names, x, y, &o);
	const struct mv_prim_box *B = &r->boxes[0];
	assert_int_equal(B->nsteps, 4);
	assert_int_equal(B->steps[3].phase, 'p');
	assert_true(B->steps[2].hi[0] == 1.0);
	assert_true(B->hi[0] == 1.0 && B->lo[1] == 2.5);
	assert_int_equal(B->n, 4);
	assert_int_equal(B->k, 3);
	mv_prim_result_free(r);
}

/* The objectives on one candidate (n_old 10, k_old 5 → n_new 8, k_new 5), through a
 * one-step run: a = 1..10, cases a >= 3 ... checked via the public result only where the
 * three objectives choose differently: lenient1 and lenient2 stop at density 1, original
 * peels while mass allows. */
static void test_objectives_differ(void **state)
{
	(void)state;
	double x[20], y[20];
	for (int i = 0; i < 20; i++) {
		x[i] = i + 1;
		y[i] = i + 1 > 10;
	}
	const char *const names[] = { "a" };
	struct mv_prim_options o;
	opts(&o);
	o.objective = MV_PRIM_LENIENT2;
	struct mv_prim_result *r = run(1, 20, names, x, y, &o);
	/* lenient2 = n_new·Δmean/Δn, positive exactly when lenient1 is: same path. */
	assert_true(r->boxes[0].lo[0] == 10.5);
	mv_prim_result_free(r);
	opts(&o);
	o.objective = MV_PRIM_ORIGINAL;
	r = run(1, 20, names, x, y, &o);
	/* original = mean_new stays > 0: peeling goes on at density 1 (ties → upper first) until
	 * mass_min 0.05 (1 point) refuses: the box ends with a single point. */
	assert_int_equal(r->boxes[0].n, 1);
	mv_prim_result_free(r);
}

/* ------------------------------------------------------------ covering */

/* Two boxes on a 20×20 grid (a, b = 0.025 .. 0.975 by 0.05): cases a > 0.6 & b > 0.6 (8×8 =
 * 64 points) and a < 0.15 & b < 0.15 (3×3 = 9). (Two boxes of equal size at opposite corners
 * would stall peeling: every edge slice then holds as dense a share of cases as the whole.)
 * Box 1 isolates the large one exactly (density 1). Box 2 runs on the 336 points left: it
 * holds all 9 remaining cases (coverage among the remaining 1, among all 9/73), and peeling
 * stops at 21 points because the next peel would fall below mass_min·N = 0.05·400 = 20 —
 * mass counts against all points, as in EMA. Box 2's limits contain no point of box 1, so its
 * statistics among all points equal its own. A third box finds no case left. */
static void test_covering(void **state)
{
	(void)state;
	static double x[800], y[400];
	for (int i = 0; i < 20; i++)
		for (int k = 0; k < 20; k++) {
			double a = 0.025 + 0.05 * i, b = 0.025 + 0.05 * k;
			x[2 * (20 * i + k)] = a;
			x[2 * (20 * i + k) + 1] = b;
			y[20 * i + k] = (a > 0.6 && b > 0.6) || (a < 0.15 && b < 0.15);
		}
	struct mv_prim_options o;
	opts(&o);
	o.boxes = 3;
	struct mv_prim_result *r = run(2, 400, hand_names, x, y, &o);
	assert_int_equal(r->K, 73);
	assert_int_equal(r->nboxes, 2);
	assert_string_equal(r->stopped, "after box 2: no case of interest remains (315 points)");
	const struct mv_prim_box *B1 = &r->boxes[0], *B2 = &r->boxes[1];
	assert_true(B1->lo[0] > 0.575 && B1->lo[0] < 0.625 && B1->lo[1] > 0.575 && B1->lo[1] < 0.625);
	assert_int_equal(B1->n, 64);
	assert_int_equal(B1->k, 64);
	assert_true(B1->coverage == 64.0 / 73 && B1->coverage_all == 64.0 / 73);
	assert_int_equal(B2->n_remaining, 336);
	assert_int_equal(B2->k_remaining, 9);
	assert_int_equal(B2->k, 9);
	assert_int_equal(B2->n, 21);
	assert_true(B2->hi[0] < 0.6 && B2->hi[1] < 0.6);
	assert_true(B2->coverage == 1.0 && B2->coverage_all == 9.0 / 73);
	assert_true(B2->density == 9.0 / 21 && B2->density_all == 9.0 / 21);
	assert_true(B2->mass == 21.0 / 336 && B2->mass_all == 21.0 / 400);
	assert_int_equal(B2->n_all, 21);
	/* Box 2's trajectory reports coverage among all cases and mass among all points, as EMA
	 * does: it starts at 9/73 and 336/400. */
	assert_true(B2->steps[0].coverage == 9.0 / 73 && B2->steps[0].mass == 336.0 / 400);
	mv_prim_result_free(r);
}

/* ------------------------------------------------------------ synthetic boxes */

/* 2000 uniform points in 5 dimensions, cases x0 > 0.7 and x1 < 0.4 (noise-free). The box
 * found restricts exactly x0's lower and x1's upper limit, each within one peel of the truth:
 * |limit − truth| <= α·(initial range) = 0.05, the most a peel of the initial box moves a
 * limit of uniform data (later peels, on fewer points, move less). */
static void synth(double *x, double *y, long n, double noise, uint32_t seed)
{
	uint32_t s = seed;
	for (long i = 0; i < n; i++) {
		for (int j = 0; j < 5; j++)
			x[5 * i + j] = lcg(&s);
		int c = x[5 * i] > 0.7 && x[5 * i + 1] < 0.4;
		if (lcg(&s) < noise)
			c = !c;
		y[i] = c;
	}
}

static const char *const five[] = { "x0", "x1", "x2", "x3", "x4" };

static void test_synthetic_noise_free(void **state)
{
	(void)state;
	static double x[10000], y[2000];
	synth(x, y, 2000, 0.0, 11);
	struct mv_prim_options o;
	opts(&o);
	struct mv_prim_result *r = run(5, 2000, five, x, y, &o);
	const struct mv_prim_box *B = &r->boxes[0];
	double w0 = r->init_hi[0] - r->init_lo[0], w1 = r->init_hi[1] - r->init_lo[1];
	assert_true(fabs(B->lo[0] - 0.7) <= 0.05 * w0);
	assert_true(fabs(B->hi[1] - 0.4) <= 0.05 * w1);
	assert_true(B->hi[0] == r->init_hi[0] && B->lo[1] == r->init_lo[1]);
	for (int j = 2; j < 5; j++)
		assert_true(B->lo[j] == r->init_lo[j] && B->hi[j] == r->init_hi[j]);
	assert_true(B->qp_lo[0] < 1e-10 && B->qp_hi[1] < 1e-10);
	mv_prim_result_free(r);
}

/* The same with 10% of the labels flipped. Peeling to the last step overfits the noise (that
 * is what the trade-off is for), but the significant restrictions (quasi-p < 0.05, EMA's
 * level) of the last box are exactly the two true ones, x0's lower and x1's upper limit, and
 * the box lies inside the true box up to one peel (0.05): x0 >= 0.65, x1 <= 0.45. Any other
 * restricted limit is not significant. */
static void test_synthetic_noise(void **state)
{
	(void)state;
	static double x[10000], y[2000];
	synth(x, y, 2000, 0.1, 12);
	struct mv_prim_options o;
	opts(&o);
	struct mv_prim_result *r = run(5, 2000, five, x, y, &o);
	const struct mv_prim_box *B = &r->boxes[0];
	for (int j = 0; j < 5; j++) {
		int sig_lo = B->qp_lo[j] < 0.05, sig_hi = B->qp_hi[j] < 0.05;
		assert_int_equal(sig_lo, j == 0);
		assert_int_equal(sig_hi, j == 1);
	}
	assert_true(B->lo[0] >= 0.65 && B->hi[1] <= 0.45);
	assert_true(B->density > 2 * (double)r->K / (double)r->N);
	mv_prim_result_free(r);
}

/* ------------------------------------------------------------ against the Python reference */

/* tests/data/prim/ema_case.tsv (300 rows, 3 parameters, one with five tied levels, 10% label
 * noise, one NaN metric, one failed run) and ema_case.ref, the trajectory of both boxes and
 * their quasi-p-values by tests/data/prim/prim_ref.py — a naive Python PRIM that rescans
 * every point for every candidate. Counts, limits, coverage, density and mass must agree
 * exactly (the same double operations); quasi-p-values to 1e-9 relative (exact rational sums
 * there, GSL's incomplete beta function here). */
static void check_reference(const char *ref, enum mv_prim_objective objective)
{
	struct mv_prim_input *in = NULL;
	struct mv_error err = { 0 };
	const char *const params[] = { "x0", "x1", "x2" };
	if (mv_prim_read("tests/data/prim/ema_case.tsv", "y", params, 3, &in, &err))
		fail_msg("%s", err.msg);
	struct mv_prim_options o;
	opts(&o);
	o.boxes = 2;
	o.objective = objective;
	struct mv_prim_result *r = NULL;
	if (mv_prim_run(in, &o, &r, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r->left_nan, 1);
	assert_int_equal(r->left_failed, 1);

	FILE *f = fopen(ref, "r");
	assert_non_null(f);
	char line[4096];
	int nstep = 0, nqp = 0;
	while (fgets(line, sizeof line, f)) {
		char *fl[32];
		int n = 0;
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "# prim_ref.py", 13) == 0) {
			const char *names[] = { "lenient1", "lenient2", "original" };
			char want[32];
			snprintf(want, sizeof want, "objective=%s ", names[objective]);
			assert_non_null(strstr(line, want));
			continue;
		}
		for (char *t = strtok(line, "\t"); t && n < 32; t = strtok(NULL, "\t"))
			fl[n++] = t;
		if (n == 3 && strcmp(fl[0], "# counts") == 0) {
			assert_int_equal(r->N, atol(fl[1]));
			assert_int_equal(r->K, atol(fl[2]));
		}
		if (n == 16 && strcmp(fl[0], "step") == 0) {
			int b = atoi(fl[1]) - 1, s = atoi(fl[2]);
			assert_true(b < r->nboxes && s < r->boxes[b].nsteps);
			const struct mv_prim_step *S = &r->boxes[b].steps[s];
			assert_int_equal(S->phase, strcmp(fl[3], "initial") == 0 ? 'i'
					 : strcmp(fl[3], "peel") == 0 ? 'p' : 'a');
			assert_int_equal(S->n, atol(fl[4]));
			assert_int_equal(S->k, atol(fl[5]));
			assert_true(S->coverage == strtod(fl[6], NULL));
			assert_true(S->density == strtod(fl[7], NULL));
			assert_true(S->mass == strtod(fl[8], NULL));
			assert_int_equal(S->restricted, atoi(fl[9]));
			for (int j = 0; j < 3; j++) {
				assert_true(S->lo[j] == strtod(fl[10 + 2 * j], NULL));
				assert_true(S->hi[j] == strtod(fl[11 + 2 * j], NULL));
			}
			nstep++;
		}
		if (n == 5 && strcmp(fl[0], "qp") == 0) {
			const struct mv_prim_box *B = &r->boxes[atoi(fl[1]) - 1];
			int j = atoi(fl[2]);
			double lo = strtod(fl[3], NULL), hi = strtod(fl[4], NULL);
			assert_true(isnan(lo) == isnan(B->qp_lo[j]) && isnan(hi) == isnan(B->qp_hi[j]));
			if (!isnan(lo))
				assert_double_equal(B->qp_lo[j], lo, 1e-9 * lo);
			if (!isnan(hi))
				assert_double_equal(B->qp_hi[j], hi, 1e-9 * hi);
			nqp++;
		}
	}
	fclose(f);
	/* every step and quasi-p-value of both boxes was compared; the reference chooses each
	 * box's last step, as we do by default */
	assert_int_equal(r->nboxes, 2);
	assert_int_equal(nqp, 6);
	int total = 0;
	for (int b = 0; b < r->nboxes; b++) {
		total += r->boxes[b].nsteps;
		assert_int_equal(r->boxes[b].chosen, r->boxes[b].nsteps - 1);
	}
	assert_int_equal(nstep, total);
	mv_prim_result_free(r);
	mv_prim_input_free(in);
}

static void test_python_reference(void **state)
{
	(void)state;
	check_reference("tests/data/prim/ema_case.ref", MV_PRIM_LENIENT1);
	check_reference("tests/data/prim/ema_case.lenient2.ref", MV_PRIM_LENIENT2);
	check_reference("tests/data/prim/ema_case.original.ref", MV_PRIM_ORIGINAL);
}

/* ------------------------------------------------------------ reading, writing */

/* A real `mvsim sweep` summary (configs/sweeps/ci.cfg, its first 40 runs; run 4 edited into a
 * failed run, run 6's metric into nan): the parameters come from its `# parameter` lines. */
static void test_read_summary(void **state)
{
	(void)state;
	struct mv_prim_input *in = NULL;
	struct mv_error err = { 0 };
	if (mv_prim_read("tests/data/prim/summary.tsv", "final:crisis_prob", NULL, 0, &in, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(in->p, 8);
	assert_string_equal(in->names[0], "vectors.russia.coercion");
	assert_string_equal(in->names[7], "vectors.russia.growth");
	assert_int_equal(in->n, 40);
	assert_true(in->x[0] == 2.323561335 && in->y[0] == 0.0320065997);
	assert_true(in->failed[4] && !in->failed[5] && isnan(in->y[6]));
	struct mv_prim_options o;
	opts(&o);
	o.threshold = 0.031;
	struct mv_prim_result *r = NULL;
	if (mv_prim_run(in, &o, &r, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r->rows, 40);
	assert_int_equal(r->left_failed, 1);
	assert_int_equal(r->left_nan, 1);
	assert_int_equal(r->N, 38);
	mv_prim_result_free(r);
	mv_prim_input_free(in);
}

static void test_read_plain(void **state)
{
	(void)state;
	struct mv_prim_input *in = NULL;
	struct mv_error err = { 0 };
	const char *const params[] = { "restraint china", "x" };
	if (mv_prim_read("tests/data/prim/plain.tsv", "final:crisis_prob", params, 2, &in, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(in->p, 2);
	assert_int_equal(in->n, 4);
	assert_true(in->x[0] == 0.5 && in->x[1] == 1 && in->x[2] == 0.25);
	assert_true(in->y[2] == 0.8 && isnan(in->y[3]));
	assert_true(!in->failed[0]);
	mv_prim_input_free(in);
}

/* A failed run's fields are not read (they may be anything); the run is counted as left out. */
static void test_read_failed_row(void **state)
{
	(void)state;
	struct mv_prim_input *in = NULL;
	struct mv_error err = { 0 };
	const char *const params[] = { "x", "y" };
	if (mv_prim_read("tests/data/prim/failed.tsv", "m", params, 2, &in, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(in->n, 3);
	assert_true(!in->failed[0] && in->failed[1] && !in->failed[2]);
	assert_true(in->x[4] == 3 && in->y[2] == 0.1);
	mv_prim_input_free(in);
}

/* The tables read back: labels, headers, and numbers that are exactly the result's. */
static void test_write_tables(void **state)
{
	(void)state;
	struct mv_prim_options o;
	hand_opts(&o);
	struct mv_prim_result *r = run(2, 10, hand_names, hand_x, hand_y, &o);
	char path[] = "build/prim-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	struct mv_error err = { 0 };
	assert_int_equal(mv_prim_write(f, r, &err), 0);
	fclose(f);
	char *text = tu_slurp(path, NULL);
	unlink(path);
	assert_non_null(strstr(text, "# case\ty > 0.5\n"));
	assert_non_null(strstr(text, "# table: counts\nrows\tpoints\tcases\tleft_failed\tleft_nan\tboxes\n"
				     "10\t10\t7\t0\t0\t1\n"));
	assert_non_null(strstr(text, "# table: trajectory\nbox\tstep\tphase\tcoverage\tdensity\tmass"
				     "\trestricted\tn\tcases\ta:min\ta:max\tb:min\tb:max\n"
				     "1\t0\tinitial\t1\t0.7\t1\t0\t10\t7\t1\t10\t1\t10\n"));
	assert_non_null(strstr(text, "1\t4\tpaste\t1\t0.875\t0.8\t1\t8\t7\t1\t10\t1.5\t9.5\n"));
	/* 5/7 = coverage of step 2 in its shortest exact form reads back as the same double */
	char *s2 = strstr(text, "1\t2\tpeel\t");
	assert_non_null(s2);
	assert_true(strtod(s2 + 9, NULL) == 5.0 / 7);
	assert_non_null(strstr(text, "# table: boxes\nbox\tstep\trestricted\tpoints_remaining"));
	assert_non_null(strstr(text, "\n1\t4\t1\t10\t7\t8\t7\t1\t0.875\t0.8\t8\t7\t1\t0.875\t0.8\n"));
	char want[256], qp[32];
	mv_format_exact(r->boxes[0].qp_lo[1], qp);
	snprintf(want, sizeof want, "# table: limits\nbox\tparameter\tmin\tmax\tinitial_min\tinitial_max"
		 "\trestricted\tqp_min\tqp_max\n1\ta\t1\t10\t1\t10\t0\tnan\tnan\n1\tb\t1.5\t9.5\t1\t10\t1\t%s\t%s\n",
		 qp, qp);
	assert_non_null(strstr(text, want));
	free(text);
	mv_prim_result_free(r);
}

/* The summary orders restrictions by quasi-p-value and names later boxes' remaining stats. */
static void test_summary_lines(void **state)
{
	(void)state;
	static double x[10000], y[2000];
	synth(x, y, 2000, 0.0, 11);
	struct mv_prim_options o;
	opts(&o);
	o.boxes = 2;
	struct mv_prim_result *r = run(5, 2000, five, x, y, &o);
	char line[512], want[512];
	mv_prim_summary(r, 0, line, sizeof line);
	const struct mv_prim_box *B = &r->boxes[0];
	/* the more significant restriction first */
	int first0 = B->qp_lo[0] <= B->qp_hi[1];
	char r0[64], r1[64];
	snprintf(r0, sizeof r0, "x0 \xe2\x89\xa5 %.3g", B->lo[0]);
	snprintf(r1, sizeof r1, "x1 \xe2\x89\xa4 %.3g", B->hi[1]);
	snprintf(want, sizeof want, "box 1: coverage %.2f, density %.2f \xe2\x80\x94 %s, %s",
		 B->coverage_all, B->density_all, first0 ? r0 : r1, first0 ? r1 : r0);
	assert_string_equal(line, want);
	if (r->nboxes > 1) {
		mv_prim_summary(r, 1, line, sizeof line);
		snprintf(want, sizeof want, "box 2: coverage %.2f, density %.2f (among the points outside "
			 "earlier boxes: coverage %.2f, density %.2f)", r->boxes[1].coverage_all,
			 r->boxes[1].density_all, r->boxes[1].coverage, r->boxes[1].density);
		assert_memory_equal(line, want, strlen(want));
	}
	/* A box that does not exist: an empty line. */
	assert_int_equal(mv_prim_summary(r, r->nboxes, line, sizeof line), 0);
	assert_string_equal(line, "");
	/* A stream that cannot be written: an error, code 1. */
	FILE *ro = fopen("tests/data/prim/hand.tsv", "r");
	assert_non_null(ro);
	struct mv_error err = { 0 };
	assert_int_equal(mv_prim_write(ro, r, &err), -1);
	assert_int_equal(err.code, MV_EXIT_FAIL);
	fclose(ro);
	/* A short buffer: truncated, terminated, and the length it needed returned. */
	char small[12];
	int need = mv_prim_summary(r, 0, small, sizeof small);
	assert_int_equal(strlen(small), 11);
	mv_prim_summary(r, 0, line, sizeof line);
	assert_int_equal(need, (int)strlen(line));
	mv_prim_result_free(r);
}

/* ------------------------------------------------------------ bad input */

static void expect_read_error(const char *path, const char *metric, const char *const *params,
			      int np, const char *msg)
{
	struct mv_prim_input *in = NULL;
	struct mv_error err = { 0 };
	assert_int_equal(mv_prim_read(path, metric, params, np, &in, &err), -1);
	assert_null(in);
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_string_equal(err.msg, msg);
}

static void test_bad_files(void **state)
{
	(void)state;
	const char *const p1[] = { "x" };
	const char *const p2[] = { "x", "restraint chin" };
	const char *const pm[] = { "x", "final:crisis_prob" };
	const char *const pd[] = { "x", "x" };
	expect_read_error("tests/data/prim/summary.tsv", "final:crisis_prb", NULL, 0,
			  "tests/data/prim/summary.tsv: no column 'final:crisis_prb' for the metric; "
			  "did you mean 'final:crisis_prob'?");
	expect_read_error("tests/data/prim/plain.tsv", "final:crisis_prob", p2, 2,
			  "tests/data/prim/plain.tsv: no column 'restraint chin' for the parameter; "
			  "did you mean 'restraint china'?");
	expect_read_error("tests/data/prim/plain.tsv", "final:crisis_prob", NULL, 0,
			  "tests/data/prim/plain.tsv: no parameters: the file has no '# parameter' lines "
			  "(not an mvsim sweep summary), so its parameter columns must be named");
	expect_read_error("tests/data/prim/plain.tsv", "final:crisis_prob", p1, 0,
			  "tests/data/prim/plain.tsv: no parameters: expected at least one parameter column");
	expect_read_error("tests/data/prim/plain.tsv", "final:crisis_prob", pm, 2,
			  "tests/data/prim/plain.tsv: 'final:crisis_prob' is both the metric and a parameter");
	expect_read_error("tests/data/prim/plain.tsv", "final:crisis_prob", pd, 2,
			  "tests/data/prim/plain.tsv: parameter 'x' is named twice");
	const char *const pn[] = { "x", "restraint china" };
	expect_read_error("tests/data/prim/nonnumeric.tsv", "final:crisis_prob", pn, 2,
			  "tests/data/prim/nonnumeric.tsv:3: column 'restraint china': expected a finite "
			  "number, found 'high'");
	expect_read_error("tests/data/prim/fields.tsv", "final:crisis_prob", pn, 2,
			  "tests/data/prim/fields.tsv:3: expected 3 tab-separated fields (as the header), found 2");
	expect_read_error("tests/data/prim/noheader.tsv", "m", p1, 1,
			  "tests/data/prim/noheader.tsv: no header line (the file has only comments)");
	const char *const pxy[] = { "x", "y" };
	expect_read_error("tests/data/prim/badmetric.tsv", "m", pxy, 2,
			  "tests/data/prim/badmetric.tsv:2: column 'm': expected a number or nan, found 'lots'");
	expect_read_error("tests/data/prim/absent.tsv", "m", pxy, 2,
			  "tests/data/prim/absent.tsv: cannot open: No such file or directory");
}

static void expect_run_error(double *y, long n, const struct mv_prim_options *o, const char *msg)
{
	static double x[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	const char *const names[] = { "a" };
	struct mem_input m;
	struct mv_prim_result *r = NULL;
	struct mv_error err = { 0 };
	mem_init(&m, 1, n, names, x, y);
	assert_int_equal(mv_prim_run(&m.in, o, &r, &err), -1);
	assert_null(r);
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_string_equal(err.msg, msg);
}

static void test_bad_runs(void **state)
{
	(void)state;
	double none[] = { 0.1, 0.2, 0.3, 0.2 };
	double all[] = { 0.6, 0.7, 0.9, 0.8 };
	double mixed[] = { 0.1, 0.9, 0.2, 0.8 };
	double nan4[] = { NAN, NAN, NAN, NAN };
	struct mv_prim_options o;
	opts(&o);
	expect_run_error(none, 4, &o,
			 "mem: no case of interest: no run has y > 0.5 (the largest value is 0.3, over 4 runs)");
	expect_run_error(all, 4, &o,
			 "mem: every run is a case of interest: y > 0.5 in all 4 runs (the smallest value "
			 "is 0.6); PRIM needs runs of both kinds");
	o.rule = MV_PRIM_BELOW;
	expect_run_error(all, 4, &o,
			 "mem: no case of interest: no run has y < 0.5 (the smallest value is 0.6, over 4 runs)");
	opts(&o);
	expect_run_error(nan4, 4, &o,
			 "mem: no runs to analyse: all 4 rows are left out (0 failed, 4 with y nan)");
	const struct { double peel, paste, mass; const char *msg; } bad[] = {
		{ 0, 0.05, 0.05, "mem: peel_alpha: expected a number in (0, 0.5), found 0" },
		{ 0.5, 0.05, 0.05, "mem: peel_alpha: expected a number in (0, 0.5), found 0.5" },
		{ 0.05, 0.7, 0.05, "mem: paste_alpha: expected a number in (0, 0.5), found 0.7" },
		{ 0.05, -0.1, 0.05, "mem: paste_alpha: expected a number in (0, 0.5), found -0.1" },
		{ 0.05, 0.05, 0, "mem: mass_min: expected a number in (0, 1), found 0" },
		{ 0.05, 0.05, 1, "mem: mass_min: expected a number in (0, 1), found 1" },
		{ 0.05, 0.05, NAN, "mem: mass_min: expected a number in (0, 1), found nan" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		opts(&o);
		o.peel_alpha = bad[i].peel;
		o.paste_alpha = bad[i].paste;
		o.mass_min = bad[i].mass;
		expect_run_error(mixed, 4, &o, bad[i].msg);
	}
	opts(&o);
	o.nsteps = 1;
	o.step[0] = 9;
	expect_run_error(mixed, 4, &o,
			 "mem: step 9 does not exist: box 1's trajectory has steps 0 to 1");
	opts(&o);
	o.boxes = 0;
	expect_run_error(mixed, 4, &o, "mem: boxes: expected an integer in [1, 64], found 0");
	opts(&o);
	o.min_coverage = 1.5;
	expect_run_error(mixed, 4, &o, "mem: min_coverage: expected a number in [0, 1], found 1.5");
	o.min_coverage = 0.5;
	o.nsteps = 1;
	o.step[0] = 0;
	expect_run_error(mixed, 4, &o,
			 "mem: step and min_coverage: expected one way to choose a box, found both");
	opts(&o);
	o.threshold = NAN;
	expect_run_error(mixed, 4, &o, "mem: threshold: expected a finite number, found nan");
	/* a non-finite parameter in a row that is analysed */
	double xbad[] = { 1, INFINITY, 3, 4 };
	const char *const names[] = { "a" };
	struct mem_input m;
	struct mv_prim_result *r = NULL;
	struct mv_error err = { 0 };
	opts(&o);
	mem_init(&m, 1, 4, names, xbad, mixed);
	assert_int_equal(mv_prim_run(&m.in, &o, &r, &err), -1);
	assert_string_equal(err.msg, "mem: row 2: parameter 'a': expected a finite number, found inf");
}

/* The chosen step: a named step, the last step with coverage >= C. */
static void test_chosen_step(void **state)
{
	(void)state;
	struct mv_prim_options o;
	hand_opts(&o);
	o.nsteps = 1;
	o.step[0] = 2;
	struct mv_prim_result *r = run(2, 10, hand_names, hand_x, hand_y, &o);
	assert_int_equal(r->boxes[0].chosen, 2);
	assert_true(r->boxes[0].lo[1] == 2.5 && r->boxes[0].hi[1] == 8.5);
	assert_int_equal(r->boxes[0].n, 6);
	/* qp of step 2's limits: lower back at 1 → 8 points, 6 cases; upper back → 8, 6 too. */
	assert_double_equal(r->boxes[0].qp_lo[1], binom_tail(5, 6, 6.0 / 8), 1e-12);
	assert_double_equal(r->boxes[0].qp_hi[1], binom_tail(5, 6, 6.0 / 8), 1e-12);
	mv_prim_result_free(r);
	/* coverages along the trajectory: 1, 6/7, 5/7, 6/7, 1: the last with >= 0.8 is step 4,
	 * with >= 0.9 also step 4; as the trajectory's last step is the best, ask through a
	 * box whose last step is not: step 3 is the last >= 0.8 when step 4 is named away. */
	hand_opts(&o);
	o.min_coverage = 0.8;
	r = run(2, 10, hand_names, hand_x, hand_y, &o);
	assert_int_equal(r->boxes[0].chosen, 4);
	mv_prim_result_free(r);
	/* On data where coverage falls, the rule picks the last step at or above C. Cases are
	 * a = 1 and a = 11..20 (11 of 20, density 0.55); peeling 20% (four points) from below
	 * removes a = 1..4, one case: density 10/16 = 0.625, coverage 10/11, the first step. */
	double x[20], y[20];
	for (int i = 0; i < 20; i++) {
		x[i] = i + 1;
		y[i] = (i + 1 > 10) || i == 0;
	}
	const char *const names[] = { "a" };
	hand_opts(&o);
	o.min_coverage = 1.0;
	r = run(1, 20, names, x, y, &o);
	assert_true(r->boxes[0].nsteps >= 2);
	assert_double_equal(r->boxes[0].steps[1].coverage, 10.0 / 11, 1e-15);
	assert_double_equal(r->boxes[0].steps[1].density, 10.0 / 16, 1e-15);
	assert_int_equal(r->boxes[0].chosen, 0);
	mv_prim_result_free(r);
	hand_opts(&o);
	o.min_coverage = 0.9;
	r = run(1, 20, names, x, y, &o);
	int last = 0; /* the last step with coverage >= 0.9, found independently */
	for (int j = 0; j < r->boxes[0].nsteps; j++)
		if (r->boxes[0].steps[j].coverage >= 0.9)
			last = j;
	assert_true(last >= 1);
	assert_int_equal(r->boxes[0].chosen, last);
	mv_prim_result_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantile_rule),
		cmocka_unit_test(test_binom_sf),
		cmocka_unit_test(test_hand_worked),
		cmocka_unit_test(test_tie_unrestricted_first),
		cmocka_unit_test(test_tie_earlier_parameter),
		cmocka_unit_test(test_mass_min),
		cmocka_unit_test(test_paste_needs_density),
		cmocka_unit_test(test_paste_inclusive_limit),
		cmocka_unit_test(test_objectives_differ),
		cmocka_unit_test(test_covering),
		cmocka_unit_test(test_synthetic_noise_free),
		cmocka_unit_test(test_synthetic_noise),
		cmocka_unit_test(test_python_reference),
		cmocka_unit_test(test_read_summary),
		cmocka_unit_test(test_read_plain),
		cmocka_unit_test(test_read_failed_row),
		cmocka_unit_test(test_write_tables),
		cmocka_unit_test(test_summary_lines),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_runs),
		cmocka_unit_test(test_chosen_step),
	};
	return cmocka_run_group_tests_name("prim", tests, NULL, NULL);
}
