/* model.c — the multi-vector model's equations (MODEL.md §2) and derived outputs (§7).
 * Hot path: mv_model_rhs is called ~10^3–10^4 times a run; it allocates nothing. */
#include "mvsim/model.h"

#include "mvsim/keys.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MV_PI 3.14159265358979323846

void mv_model_init(struct mv_model *m, const struct mv_scenario *sc, const double *p)
{
	memset(m, 0, sizeof *m);
	m->n = sc->nvec;
	m->D = sc->ndom;
	m->ny = m->D * m->n + 3 * m->n + 1;
	m->ncols = 1 + m->D * m->n + 5 * m->n + 9;
	m->ideal0 = mv_key_ideal(m->n, m->D, 0);
	m->dom0 = mv_key_dom_weight(m->n, m->D, 0);
	m->p = p;
	for (int i = 0; i < m->n; i++)
		m->vbase[i] = mv_key_vec(m->n, m->D, i, 0);
}

/* Quantities shared by the right-hand side and the output row. */
struct aux {
	double abar[32];    /* overall shares ā_i */
	double omega[8];    /* normalised domain weights ω_d */
	double s[8][32];    /* attraction s[d][i] */
	double h[32];       /* hazard h_i */
	double hsum;
};

/* Computes ā, ω, s and h at (t, y). Returns the index of a non-finite attraction's
 * share variable, or -1. */
static int compute_aux(const struct mv_model *m, double t, const double *y, struct aux *x)
{
	const int n = m->n, D = m->D;
	const double *p = m->p;
	double wsum = 0, q[32], eps[32];

	for (int d = 0; d < D; d++)
		wsum += p[m->dom0 + 2 * d];
	for (int d = 0; d < D; d++)
		x->omega[d] = p[m->dom0 + 2 * d] / wsum;
	for (int i = 0; i < n; i++) {
		double a = 0;
		for (int d = 0; d < D; d++)
			a += x->omega[d] * y[MV_Y_SHARE(n, d, i)];
		x->abar[i] = a;
	}
	if (m->eps)
		m->eps(m->eps_ctx, t, eps);
	const double alpha = p[MV_G_ALPHA], gamma = p[MV_G_GAMMA], beta = p[MV_G_BETA];
	x->hsum = 0;
	for (int i = 0; i < n; i++) {
		const double *pv = p + m->vbase[i];
		double mass = m->exo[i] ? m->mexo[i] : y[MV_Y_MASS(n, D, i)];
		double e = y[MV_Y_EFFORT(n, D, i)];
		double z = y[MV_Y_TENSION(n, D, i)];
		double delta = pv[MV_VP_DISTANCE] / (1 + pv[MV_VP_CONNECTIVITY]);
		/* P[d][i] = σ[d][i]·q_i: the pull without salience. */
		q[i] = pow(mass > 0 ? mass : 0, alpha) * pow(delta, -gamma) * (1 + e) *
		       exp(-beta * z + (m->eps ? eps[i] : 0));
		/* h_i = hmax/(1 + exp(−(z − θ)/w)) */
		x->h[i] = pv[MV_VP_HAZARD_MAX] /
			  (1 + exp(-(z - pv[MV_VP_HAZARD_THRESHOLD]) / pv[MV_VP_HAZARD_WIDTH]));
		x->hsum += x->h[i];
	}
	for (int d = 0; d < D; d++) {
		double P[32], sum = 0;
		for (int i = 0; i < n; i++) {
			P[i] = p[m->vbase[i] + MV_VP_COUNT + d] * q[i];
			sum += P[i];
		}
		for (int i = 0; i < n; i++) {
			x->s[d][i] = P[i] / sum;
			if (!isfinite(x->s[d][i]))
				return MV_Y_SHARE(n, d, i);
		}
	}
	return -1;
}

int mv_model_rhs(double t, const double y[], double dydt[], void *params)
{
	struct mv_model *m = params;
	const int n = m->n, D = m->D;
	const double *p = m->p;
	struct aux x;

	m->nevals++;
	int bad = compute_aux(m, t, y, &x);
	if (bad >= 0) {
		m->bad = bad;
		m->bad_t = t;
		return GSL_EBADFUNC;
	}
	const double kappa = p[MV_G_AUTONOMY];
	double usum = 0;
	for (int i = 0; i < n; i++)
		usum += p[m->ideal0 + i];
	for (int d = 0; d < D; d++) {
		/* da/dt = (T − a)/τ_d, T = (1 − κ)s + κu */
		double tau = p[m->dom0 + 2 * d + 1];
		for (int i = 0; i < n; i++) {
			double target = (1 - kappa) * x.s[d][i] +
					kappa * p[m->ideal0 + i] / usum;
			dydt[MV_Y_SHARE(n, d, i)] = (target - y[MV_Y_SHARE(n, d, i)]) / tau;
		}
	}
	for (int i = 0; i < n; i++) {
		const double *pv = p + m->vbase[i];
		const double *rho = pv + MV_VP_COUNT + D;
		double R = 1;
		/* R_i = Π_{j≠i} clamp(1 − ρ_ij ā_j, 0, 1) */
		for (int j = 0; j < n; j++) {
			if (j == i || rho[j] == 0)
				continue;
			double f = 1 - rho[j] * x.abar[j];
			R *= f < 0 ? 0 : (f > 1 ? 1 : f);
		}
		double gapA = pv[MV_VP_ASPIRATION] - x.abar[i];
		double gapr = pv[MV_VP_RED_LINE] - x.abar[i];
		/* An exogenous mass is not integrated: the run sets it at every output. */
		dydt[MV_Y_MASS(n, D, i)] = m->frozen || m->exo[i] ? 0 : pv[MV_VP_GROWTH] * y[MV_Y_MASS(n, D, i)];
		dydt[MV_Y_EFFORT(n, D, i)] = pv[MV_VP_RESPONSIVENESS] * (gapA > 0 ? gapA : 0) -
					     y[MV_Y_EFFORT(n, D, i)] / pv[MV_VP_EFFORT_DECAY];
		dydt[MV_Y_TENSION(n, D, i)] = pv[MV_VP_COERCION] * R * (gapr > 0 ? gapr : 0) -
					      y[MV_Y_TENSION(n, D, i)] / pv[MV_VP_TENSION_DECAY];
	}
	dydt[MV_Y_PROB(n, D)] = m->frozen ? 0 : x.hsum * (1 - y[MV_Y_PROB(n, D)]);
	for (int k = 0; k < m->ny; k++)
		if (!isfinite(dydt[k])) {
			m->bad = k;
			m->bad_t = t;
			return GSL_EBADFUNC;
		}
	return GSL_SUCCESS;
}

void mv_model_row(struct mv_model *m, double t, const double *y, double *row)
{
	const int n = m->n, D = m->D;
	struct aux x;
	int c = 0;

	compute_aux(m, t, y, &x);
	row[c++] = t;
	for (int i = 0; i < n; i++)
		row[c++] = x.abar[i];
	for (int d = 0; d < D; d++)
		for (int i = 0; i < n; i++)
			row[c++] = y[MV_Y_SHARE(n, d, i)];
	for (int i = 0; i < n; i++) {
		double pull = 0;
		for (int d = 0; d < D; d++)
			pull += x.omega[d] * x.s[d][i];
		row[c++] = pull;
	}
	for (int i = 0; i < n; i++)
		row[c++] = m->exo[i] ? m->mexo[i] : y[MV_Y_MASS(n, D, i)];
	for (int i = 0; i < n; i++)
		row[c++] = y[MV_Y_EFFORT(n, D, i)];
	for (int i = 0; i < n; i++)
		row[c++] = y[MV_Y_TENSION(n, D, i)];
	double hhi = 0, ent = 0, tx = 0, ty = 0;
	for (int i = 0; i < n; i++) {
		double a = x.abar[i];
		double ang = m->p[m->vbase[i] + MV_VP_ANGLE] * (MV_PI / 180);
		hhi += a * a;
		if (a > 0)
			ent -= a * log(a); /* 0·ln 0 = 0 */
		tx += a * cos(ang);
		ty += a * sin(ang);
	}
	row[c++] = hhi;
	row[c++] = 1 / hhi;
	row[c++] = ent;
	row[c++] = tx;
	row[c++] = ty;
	row[c++] = hypot(tx, ty);
	row[c++] = atan2(ty, tx) * (180 / MV_PI);
	row[c++] = x.hsum;
	row[c++] = y[MV_Y_PROB(n, D)];
}

void mv_model_state_name(const struct mv_scenario *sc, int k, char *buf, int size)
{
	int n = sc->nvec, D = sc->ndom;

	if (k < D * n)
		snprintf(buf, (size_t)size, "share_%s_%s", sc->dom_id[k / n], sc->vec_id[k % n]);
	else if (k < D * n + n)
		snprintf(buf, (size_t)size, "mass_%s", sc->vec_id[k - D * n]);
	else if (k < D * n + 2 * n)
		snprintf(buf, (size_t)size, "effort_%s", sc->vec_id[k - D * n - n]);
	else if (k < D * n + 3 * n)
		snprintf(buf, (size_t)size, "tension_%s", sc->vec_id[k - D * n - 2 * n]);
	else
		snprintf(buf, (size_t)size, "crisis_prob");
}

char **mv_model_columns(const struct mv_scenario *sc, int *ncols, struct mv_error *err)
{
	static const char *const tail[] = {"hhi", "n_eff", "entropy", "tilt_x", "tilt_y",
					   "tilt", "tilt_angle", "hazard", "crisis_prob"};
	static const char *const per_vec[] = {"pull", "mass", "effort", "tension"};
	int n = sc->nvec, D = sc->ndom, nc = 1 + D * n + 5 * n + 9;
	size_t bytes = (size_t)(nc + 1) * sizeof(char *) + (size_t)nc * (2 * MV_MAX_NAME + 16);
	char **names = malloc(bytes);
	char *buf;
	int c = 0;

	if (names == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	buf = (char *)(names + nc + 1);
#define ADD(...)                                                                  \
	do {                                                                      \
		names[c] = buf;                                                   \
		buf += snprintf(buf, 2 * MV_MAX_NAME + 16, __VA_ARGS__) + 1;     \
		c++;                                                              \
	} while (0)
	ADD("t");
	for (int i = 0; i < n; i++)
		ADD("share_%s", sc->vec_id[i]);
	for (int d = 0; d < D; d++)
		for (int i = 0; i < n; i++)
			ADD("share_%s_%s", sc->dom_id[d], sc->vec_id[i]);
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < n; i++)
			ADD("%s_%s", per_vec[k], sc->vec_id[i]);
	for (int k = 0; k < 9; k++)
		ADD("%s", tail[k]);
#undef ADD
	names[c] = NULL;
	for (int a = 0; a < nc; a++)
		for (int b = a + 1; b < nc; b++)
			if (strcmp(names[a], names[b]) == 0) {
				mv_error_set(err, MV_EXIT_INPUT,
					     "%s: setting 'vectors': expected names whose output columns differ, found two columns named '%s' (rename a vector or domain)",
					     sc->files[sc->top], names[a]);
				free(names);
				return NULL;
			}
	*ncols = nc;
	return names;
}
