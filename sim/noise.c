/* noise.c — Ornstein–Uhlenbeck shocks on the log-pulls (docs/model.md §6), drawn once per run
 * on a regular grid so the ODE right-hand side stays a deterministic function of t. */
#include "mvsim/noise.h"

#include "mvsim/integrate.h"

#include "mvsim/events.h"
#include "mvsim/keys.h"
#include "mvsim/series.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct mv_noise {
	int n;        /* vectors */
	long npts;    /* K + 1 grid points */
	double start; /* t_0, years */
	double step;  /* grid step, years */
	double *eps;  /* npts × n, row k = ε(t_k) */
};

static uint64_t splitmix64(uint64_t x)
{
	uint64_t z = x + 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Murmur3's finaliser: a bijection of the 32-bit integers with full avalanche. */
static uint32_t fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85EBCA6BU;
	h ^= h >> 13;
	h *= 0xC2B2AE35U;
	h ^= h >> 16;
	return h;
}

uint64_t mv_noise_run_seed(uint64_t seed, uint64_t k)
{
	uint32_t base = (uint32_t)(splitmix64(seed) >> 32);
	return fmix32(base + (uint32_t)k * 0x9E3779B9U);
}

/* Where σ_i comes from: a base value or a data series, with or without events over it. */
struct sigma_src {
	int slot;                    /* vectors.<v>.noise_sigma */
	double base;                 /* its noise_sigma when set, else noise.sigma */
	const struct mv_series *ser; /* a series replacing the base (docs/model.md §10), or NULL */
	int moving;                  /* 1: events or a series make σ_i depend on t */
};

static void sigma_src(const struct mv_scenario *sc, int i, struct sigma_src *s)
{
	s->slot = mv_key_vec(sc->nvec, sc->ndom, i, MV_VP_NOISE_SIGMA);
	s->base = sc->src[s->slot].kind == MV_SRC_DEFAULT ? sc->val[MV_G_NOISE_SIGMA]
							  : sc->val[s->slot];
	s->ser = NULL;
	for (int q = 0; q < sc->nseries; q++)
		if (sc->series[q].key == s->slot)
			s->ser = &sc->series[q];
	s->moving = s->ser != NULL;
	for (int e = 0; e < sc->nevents && !s->moving; e++)
		s->moving = sc->events[e].key == s->slot;
}

static double sigma_at(const struct mv_scenario *sc, const struct sigma_src *s, double t)
{
	double base = s->ser ? mv_series_interp(s->ser, t) : s->base;
	return mv_events_value_at(sc->events, sc->nevents, s->slot, base, t, t);
}

double mv_noise_sigma(const struct mv_scenario *sc, int i, double t)
{
	struct sigma_src s;
	sigma_src(sc, i, &s);
	return sigma_at(sc, &s, t);
}

int mv_noise_active(const struct mv_scenario *sc)
{
	const double start = sc->val[MV_G_START], end = sc->val[MV_G_END];

	for (int i = 0; i < sc->nvec; i++) {
		struct sigma_src s;
		sigma_src(sc, i, &s);
		if (sigma_at(sc, &s, start) > 0 || sigma_at(sc, &s, end) > 0)
			return 1;
		if (!s.moving)
			continue;
		/* σ_i(t) is piecewise linear between its events' boundaries and its series'
		 * points, so its maximum over [start, end] is at one of them or at an end. */
		for (int e = 0; e < sc->nevents; e++) {
			const struct mv_event *ev = &sc->events[e];
			if (ev->key != s.slot)
				continue;
			double b[2] = {ev->at, ev->at + ev->over};
			for (int j = 0; j < 2; j++)
				if (b[j] > start && b[j] < end && sigma_at(sc, &s, b[j]) > 0)
					return 1;
		}
		for (int k = 0; s.ser && k < s.ser->npts; k++) {
			double b = s.ser->t[k];
			if (b > start && b < end && sigma_at(sc, &s, b) > 0)
				return 1;
		}
	}
	return 0;
}

/* Where a slot's value came from, as config.c words it: "file:line: setting 'key'". */
static void where(const struct mv_scenario *sc, int slot, const char *key, char *buf, size_t size)
{
	struct mv_src src = sc->src[slot];

	if (src.kind == MV_SRC_SET && src.arg >= 0 && src.arg < sc->nsets)
		snprintf(buf, size, "--set '%s'", sc->sets[src.arg]);
	else if (src.kind != MV_SRC_DEFAULT && src.file >= 0 && src.file < sc->nfiles)
		snprintf(buf, size, "%s:%d: setting '%s'", sc->files[src.file], src.line, key);
	else
		snprintf(buf, size, "%s: setting '%s'%s",
			 sc->files && sc->nfiles > 0 ? sc->files[sc->top] : "scenario", key,
			 src.kind == MV_SRC_DEFAULT ? " (default)" : "");
}

/* Seeds r so that every seed mod 2^32 gives its own stream: GSL's mt19937 keeps the low 32
 * bits of the seed as its first state word but replaces a seed of 0 by 4357; 2^32 (a nonzero
 * unsigned long whose low 32 bits are 0) reaches the state word 0. */
static void seed_mt(gsl_rng *r, uint64_t seed)
{
	unsigned long s = (unsigned long)(seed & 0xFFFFFFFFULL);
#if ULONG_MAX > 0xFFFFFFFFUL
	if (s == 0)
		s = 0x100000000UL;
#endif
	gsl_rng_set(r, s);
}

struct mv_noise *mv_noise_create(const struct mv_scenario *sc, uint64_t seed,
				 struct mv_error *err)
{
	const int n = sc->nvec;
	const double start = sc->val[MV_G_START], end = sc->val[MV_G_END];
	const double step = sc->val[MV_G_NOISE_STEP], theta = sc->val[MV_G_NOISE_CORR];
	char at[512];

	if (!(step > 0) || !isfinite(step)) {
		where(sc, MV_G_NOISE_STEP, "noise.step", at, sizeof at);
		mv_error_set(err, MV_EXIT_INPUT, "%s: expected a number > 0, found %.10g", at, step);
		return NULL;
	}
	if (!(theta > 0) || !isfinite(theta)) {
		where(sc, MV_G_NOISE_CORR, "noise.correlation", at, sizeof at);
		mv_error_set(err, MV_EXIT_INPUT, "%s: expected a number > 0, found %.10g", at, theta);
		return NULL;
	}
	if (!(step <= end - start)) {
		where(sc, MV_G_NOISE_STEP, "noise.step", at, sizeof at);
		mv_error_set(err, MV_EXIT_INPUT,
			     "%s: expected a step no longer than the horizon (%.10g years), found %.10g",
			     at, end - start, step);
		return NULL;
	}
	/* K: the least with t_K = start + K·step ≥ end as computed (ceil((end − start)/step)
	 * may be one off either way after rounding). The limit is checked first, in floating
	 * point, so K fits a long. */
	double kf = ceil((end - start) / step);
	long K = 0;
	if (kf + 2 <= (double)(MV_NOISE_MAX_VALUES / n)) {
		K = (long)kf;
		while (start + (double)K * step < end)
			K++;
		while (K > 1 && start + (double)(K - 1) * step >= end)
			K--;
	}
	if (K == 0 || (K + 1) * (long)n > MV_NOISE_MAX_VALUES) {
		where(sc, MV_G_NOISE_STEP, "noise.step", at, sizeof at);
		mv_error_set(err, MV_EXIT_INPUT,
			     "%s: expected a grid of at most %ld noise values ((K+1)·n with "
			     "K = ceil(horizon/step), n = %d vectors), found %.0f",
			     at, MV_NOISE_MAX_VALUES, n, (kf + 1) * n);
		return NULL;
	}

	struct mv_noise *nz = calloc(1, sizeof *nz);
	gsl_rng *rng = NULL;
	if (nz == NULL || (nz->eps = malloc((size_t)(K + 1) * (size_t)n * sizeof *nz->eps)) == NULL ||
	    (rng = gsl_rng_alloc(gsl_rng_mt19937)) == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory for a noise path of %ld values",
			     (K + 1) * (long)n);
		goto fail;
	}
	nz->n = n;
	nz->npts = K + 1;
	nz->start = start;
	nz->step = step;
	seed_mt(rng, seed);

	struct sigma_src src[MV_MAX_VECTORS];
	double sigma[MV_MAX_VECTORS];
	for (int i = 0; i < n; i++)
		sigma_src(sc, i, &src[i]);
	const double phi = exp(-step / theta);
	/* sqrt(1 − φ²) = sqrt(−expm1(−2·step/θ)): accurate also when step ≪ θ. */
	const double gain = sqrt(-expm1(-2 * step / theta));
	for (int i = 0; i < n; i++)
		nz->eps[i] = 0; /* ε_0 = 0 */
	for (long k = 0; k < K; k++) {
		const double tk = start + (double)k * step;
		const double *prev = nz->eps + k * n;
		double *next = nz->eps + (k + 1) * n;
		for (int i = 0; i < n; i++) {
			if (k == 0 || src[i].moving) {
				/* Itô: the innovation over (t_k, t_{k+1}] takes σ_i(t_k). */
				sigma[i] = sigma_at(sc, &src[i], tk);
				if (!(sigma[i] >= 0) || !isfinite(sigma[i])) {
					char key[MV_MAX_NAME + 32];
					snprintf(key, sizeof key, "vectors.%s.noise_sigma", sc->vec_id[i]);
					where(sc, src[i].slot, key, at, sizeof at);
					mv_error_set(err, MV_EXIT_INPUT,
						     "%s: expected a number >= 0 at t=%.10g, found %.10g",
						     at, tk, sigma[i]);
					goto fail;
				}
			}
			/* One draw for every vector, σ_i = 0 or not: the order k then i fixes
			 * which normal belongs to which shock. */
			double z = gsl_ran_gaussian_ziggurat(rng, 1.0);
			next[i] = prev[i] * phi + sigma[i] * gain * z;
		}
	}
	gsl_rng_free(rng);
	return nz;
fail:
	gsl_rng_free(rng);
	mv_noise_free(nz);
	return NULL;
}

void mv_noise_free(struct mv_noise *nz)
{
	if (nz == NULL)
		return;
	free(nz->eps);
	free(nz);
}

void mv_noise_eps(void *ctx, double t, double *eps)
{
	const struct mv_noise *nz = ctx;
	const int n = nz->n;
	const long K = nz->npts - 1;
	const double t0 = nz->start, h = nz->step;

	if (isnan(t)) {
		for (int i = 0; i < n; i++)
			eps[i] = NAN;
		return;
	}
	double x = (t - t0) / h;
	long k = !(x > 0) ? 0 : x >= (double)K ? K : (long)x;
	/* The division may round across a grid point: settle k so that t_k ≤ t < t_{k+1}
	 * with t_k computed as start + k·step, which makes ε(t_k) exact. */
	while (k > 0 && t < t0 + (double)k * h)
		k--;
	while (k < K && t >= t0 + (double)(k + 1) * h)
		k++;
	const double *e0 = nz->eps + k * n;
	if (k == K) { /* at or after t_K: hold ε_K */
		for (int i = 0; i < n; i++)
			eps[i] = e0[i];
		return;
	}
	double w = (t - (t0 + (double)k * h)) / h;
	if (w < 0) /* before start: hold ε_0 */
		w = 0;
	else if (w > 1)
		w = 1;
	const double *e1 = e0 + n;
	for (int i = 0; i < n; i++)
		eps[i] = e0[i] + w * (e1[i] - e0[i]);
}

long mv_noise_npoints(const struct mv_noise *nz)
{
	return nz->npts;
}

int mv_noise_nvec(const struct mv_noise *nz)
{
	return nz->n;
}

double mv_noise_start(const struct mv_noise *nz)
{
	return nz->start;
}

double mv_noise_step(const struct mv_noise *nz)
{
	return nz->step;
}

const double *mv_noise_path(const struct mv_noise *nz)
{
	return nz->eps;
}

int mv_noise_attach(const struct mv_scenario *sc, uint64_t seed, struct mv_run_opts *opts,
		    struct mv_noise **nz, struct mv_error *err)
{
	*nz = NULL;
	if (!mv_noise_active(sc))
		return 0;
	if ((*nz = mv_noise_create(sc, seed, err)) == NULL)
		return -1;
	opts->eps = mv_noise_eps;
	opts->eps_ctx = *nz;
	opts->eps_step = mv_noise_step(*nz);
	return 0;
}
