/* model.c — the multi-vector model's equations (docs/model.md §2) and derived outputs (§7).
 * Hot path: mv_model_rhs is called ~10^3–10^4 times a run; it allocates nothing, branches on
 * no setting, and reads what only changes at event boundaries from m->k (mv_model_prepare). */
#include "mvsim/model.h"

#include "mvsim/fmt.h"
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
	for (int i = 0; i < m->n; i++) {
		m->vbase[i] = mv_key_vec(m->n, m->D, i, 0);
		m->k.fin[i][0] = NAN; /* fdelta not computed yet */
	}
	mv_model_prepare(m);
}

unsigned mv_model_depends(const struct mv_model *m, int slot)
{
	const int n = m->n, D = m->D;

	if (slot == MV_G_AUTONOMY || (slot >= m->ideal0 && slot < m->ideal0 + n))
		return MV_PREP_FOCAL;
	if (slot == MV_G_ALPHA || slot == MV_G_BETA)
		return MV_PREP_EXPONENTS;
	if (slot == MV_G_GAMMA)
		return MV_PREP_DELTA;
	if (slot >= m->dom0 && slot < m->dom0 + 2 * D)
		return MV_PREP_DOMAINS;
	for (int i = 0; i < n; i++) {
		int off = slot - m->vbase[i];
		if (off < 0 || off >= MV_VP_COUNT + D + n)
			continue;
		if (off == MV_VP_DISTANCE || off == MV_VP_CONNECTIVITY)
			return MV_PREP_DELTA;
		if (off == MV_VP_GROWTH)
			return MV_PREP_GROWTH;
		if (off == MV_VP_HAZARD_MAX)
			return MV_PREP_HAZARD;
		if (off >= MV_VP_COUNT + D)
			return MV_PREP_RESTRAINT;
		return 0; /* salience, aspiration, decays, ...: read from p by every evaluation */
	}
	return slot < MV_G_COUNT ? 0 : MV_PREP_ALL;
}

void mv_model_prepare(struct mv_model *m)
{
	m->gen++; /* the last evaluation's quantities are not the row's any more */
	mv_model_prepare_parts(m, MV_PREP_ALL);
}

void mv_model_prepare_parts(struct mv_model *m, unsigned parts)
{
	const int n = m->n, D = m->D;
	const double *p = m->p;

	if (parts & MV_PREP_DOMAINS) {
		double wsum = 0;
		for (int d = 0; d < D; d++)
			wsum += p[m->dom0 + 2 * d];
		for (int d = 0; d < D; d++) {
			m->k.omega[d] = p[m->dom0 + 2 * d] / wsum;
			m->k.tau[d] = p[m->dom0 + 2 * d + 1];
		}
	}
	if (parts & MV_PREP_FOCAL) {
		const double kappa = p[MV_G_AUTONOMY];
		double usum = 0;
		m->k.one_m_kappa = 1 - kappa;
		for (int i = 0; i < n; i++)
			usum += p[m->ideal0 + i];
		for (int i = 0; i < n; i++)
			m->k.ku[i] = kappa * p[m->ideal0 + i] / usum;
	}
	if (parts & MV_PREP_EXPONENTS) {
		m->k.alpha = p[MV_G_ALPHA];
		m->k.beta = p[MV_G_BETA];
	}
	if (parts & MV_PREP_DELTA) {
		const double gamma = p[MV_G_GAMMA];
		for (int i = 0; i < n; i++) {
			const double *pv = p + m->vbase[i];
			/* δ_i^−γ, δ_i = distance/(1 + connectivity): constant between boundaries.
			 * The same pow as in every evaluation before, so the pull is bit for bit the
			 * same; recomputed only for a vector whose inputs moved. */
			const double dist = pv[MV_VP_DISTANCE], conn = pv[MV_VP_CONNECTIVITY];
			if (!(dist == m->k.fin[i][0] && conn == m->k.fin[i][1] && gamma == m->k.fin[i][2])) {
				m->k.fdelta[i] = pow(dist / (1 + conn), -gamma);
				m->k.fin[i][0] = dist;
				m->k.fin[i][1] = conn;
				m->k.fin[i][2] = gamma;
			}
		}
	}
	if (parts & MV_PREP_GROWTH) {
		m->k.pfac = m->frozen ? 0 : 1;
		m->k.nexo = 0;
		for (int i = 0; i < n; i++) {
			/* An exogenous mass is not integrated: the run sets it at every output. */
			m->k.growth[i] = m->frozen || m->exo[i] ? 0 : p[m->vbase[i] + MV_VP_GROWTH];
			if (m->exo[i])
				m->k.xo[m->k.nexo++] = (unsigned char)i;
		}
	}
	if (parts & MV_PREP_HAZARD) {
		/* h_i = 0 exactly when hmax_i = 0 (0/(1 + e^x) for every x): only the others. */
		m->k.nh = 0;
		for (int i = 0; i < n; i++)
			if (p[m->vbase[i] + MV_VP_HAZARD_MAX] != 0)
				m->k.hv[m->k.nh++] = (unsigned char)i;
	}
	if (parts & MV_PREP_RESTRAINT)
		for (int i = 0; i < n; i++) {
			const double *rho = p + m->vbase[i] + MV_VP_COUNT + D;
			m->k.nr[i] = 0;
			for (int j = 0; j < n; j++)
				if (j != i && rho[j] != 0) {
					m->k.rj[i][m->k.nr[i]] = (unsigned char)j;
					m->k.rrho[i][m->k.nr[i]++] = rho[j];
				}
		}
}

/* Computes ā, s and h at y from m->k (prepared) and m->eps. Returns the index of a
 * non-finite attraction's share variable, or -1. */
static int compute_aux(const struct mv_model *m, const double *y, struct mv_model_aux *x)
{
	const int n = m->n, D = m->D;
	const double *p = m->p;
	double q[32], mexo[32];

	/* ā_i = Σ_d ω_d a_di, summed over d in order for every i (domain-major: y's order;
	 * the first term starts the sum, as 0 + x = x did) */
	for (int i = 0; i < n; i++)
		x->abar[i] = m->k.omega[0] * y[MV_Y_SHARE(n, 0, i)];
	for (int d = 1; d < D; d++)
		for (int i = 0; i < n; i++)
			x->abar[i] += m->k.omega[d] * y[MV_Y_SHARE(n, d, i)];
	const double *mass = y + MV_Y_MASS(n, D, 0);
	if (m->k.nexo > 0) { /* exogenous masses replace the integrated ones */
		memcpy(mexo, mass, (size_t)n * sizeof *mexo);
		for (int k = 0; k < m->k.nexo; k++)
			mexo[m->k.xo[k]] = m->mexo[m->k.xo[k]];
		mass = mexo;
	}
	const double alpha = m->k.alpha, beta = m->k.beta;
	x->hsum = 0;
	for (int i = 0; i < n; i++) {
		double e = y[MV_Y_EFFORT(n, D, i)];
		double z = y[MV_Y_TENSION(n, D, i)];
		/* P[d][i] = σ[d][i]·q_i, q_i = max(m,0)^α·δ^−γ·(1 + e)·exp(−βz + ε): one pow and
		 * one exp (δ^−γ is prepared), in the order of the formula, so that every stepper
		 * gives today's numbers (scripts/check-equal.sh; exp(α ln m − γ ln δ − βz + ε)
		 * instead moves rk1imp, rk2imp, rk2 and msadams by up to 1.1e-8: docs/speed.md). */
		/* exp(±0) is 1 exactly (C11 F.10.3.1): a vector without tension or noise, most
		 * of them, skips the call, with the same bits */
		const double arg = -beta * z + m->eps[i];
		q[i] = pow(mass[i] > 0 ? mass[i] : 0, alpha) * m->k.fdelta[i] * (1 + e) *
		       (arg == 0 ? 1 : exp(arg));
		x->h[i] = 0;
	}
	for (int k = 0; k < m->k.nh; k++) {
		/* h_i = hmax/(1 + exp(−(z − θ)/w)), summed in vector order as before */
		const int i = m->k.hv[k];
		const double *pv = p + m->vbase[i];
		const double z = y[MV_Y_TENSION(n, D, i)];
		x->h[i] = pv[MV_VP_HAZARD_MAX] /
			  (1 + exp(-(z - pv[MV_VP_HAZARD_THRESHOLD]) / pv[MV_VP_HAZARD_WIDTH]));
	}
	for (int i = 0; i < n; i++)
		x->hsum += x->h[i];
	double all = 0; /* 0 when every s is finite, NaN when one is not (see mv_model_rhs) */
	for (int d = 0; d < D; d++) {
		double P[32], sum = 0;
		for (int i = 0; i < n; i++) {
			P[i] = p[m->vbase[i] + MV_VP_COUNT + d] * q[i];
			sum += P[i];
		}
		for (int i = 0; i < n; i++) {
			x->s[d][i] = P[i] / sum;
			all += 0 * x->s[d][i];
		}
	}
	if (all != 0) /* rare: find the first non-finite attraction */
		for (int d = 0; d < D; d++)
			for (int i = 0; i < n; i++)
				if (!isfinite(x->s[d][i]))
					return MV_Y_SHARE(n, d, i);
	return -1;
}

int mv_model_rhs(double t, const double y[], double dydt[], void *params)
{
	struct mv_model *m = params;
	const int n = m->n, D = m->D;
	const double *p = m->p;
	struct mv_model_aux *x = &m->last;

	m->nevals++;
	m->last_ok = 0;
	int bad = compute_aux(m, y, x);
	if (bad >= 0) {
		m->bad = bad;
		m->bad_t = t;
		return GSL_EBADFUNC;
	}
	for (int d = 0; d < D; d++) {
		/* da/dt = (T − a)/τ_d, T = (1 − κ)s + κu */
		double tau = m->k.tau[d];
		for (int i = 0; i < n; i++) {
			double target = m->k.one_m_kappa * x->s[d][i] + m->k.ku[i];
			dydt[MV_Y_SHARE(n, d, i)] = (target - y[MV_Y_SHARE(n, d, i)]) / tau;
		}
	}
	for (int i = 0; i < n; i++) {
		const double *pv = p + m->vbase[i];
		double R = 1;
		/* R_i = Π_{j≠i} clamp(1 − ρ_ij ā_j, 0, 1), over the j with ρ_ij ≠ 0 */
		for (int k = 0; k < m->k.nr[i]; k++) {
			double f = 1 - m->k.rrho[i][k] * x->abar[m->k.rj[i][k]];
			R *= f < 0 ? 0 : (f > 1 ? 1 : f);
		}
		double gapA = pv[MV_VP_ASPIRATION] - x->abar[i];
		double gapr = pv[MV_VP_RED_LINE] - x->abar[i];
		dydt[MV_Y_MASS(n, D, i)] = m->k.growth[i] * y[MV_Y_MASS(n, D, i)];
		dydt[MV_Y_EFFORT(n, D, i)] = pv[MV_VP_RESPONSIVENESS] * (gapA > 0 ? gapA : 0) -
					     y[MV_Y_EFFORT(n, D, i)] / pv[MV_VP_EFFORT_DECAY];
		dydt[MV_Y_TENSION(n, D, i)] = pv[MV_VP_COERCION] * R * (gapr > 0 ? gapr : 0) -
					      y[MV_Y_TENSION(n, D, i)] / pv[MV_VP_TENSION_DECAY];
	}
	dydt[MV_Y_PROB(n, D)] = m->k.pfac * (x->hsum * (1 - y[MV_Y_PROB(n, D)]));
	/* One test for the common case: Σ 0·dydt is ±0 when every derivative is finite and NaN
	 * when one is not (0·∞ and 0·NaN are NaN); only then the scan for the first one. */
	double all[4] = {0, 0, 0, 0}; /* four sums: no chain of ny dependent additions */
	int j = 0;
	for (; j + 4 <= m->ny; j += 4) {
		all[0] += 0 * dydt[j];
		all[1] += 0 * dydt[j + 1];
		all[2] += 0 * dydt[j + 2];
		all[3] += 0 * dydt[j + 3];
	}
	for (; j < m->ny; j++)
		all[0] += 0 * dydt[j];
	if (all[0] + all[1] + all[2] + all[3] != 0)
		for (int k = 0; k < m->ny; k++)
			if (!isfinite(dydt[k])) {
				m->bad = k;
				m->bad_t = t;
				return GSL_EBADFUNC;
			}
	m->last_t = t;
	memcpy(m->last_y, y, (size_t)m->ny * sizeof *y);
	m->last_gen = m->gen;
	m->last_ok = 1;
	return GSL_SUCCESS;
}

void mv_model_row(struct mv_model *m, double t, const double *y, double *row)
{
	const int n = m->n, D = m->D;
	struct mv_model_aux local;
	const struct mv_model_aux *x = &local;
	int c = 0;

	if (m->last_ok && m->last_gen == m->gen && t == m->last_t &&
	    memcmp(y, m->last_y, (size_t)m->ny * sizeof *y) == 0)
		x = &m->last; /* the stepper's last evaluation was here (model.h) */
	else
		compute_aux(m, y, &local);
	row[c++] = t;
	for (int i = 0; i < n; i++)
		row[c++] = x->abar[i];
	for (int d = 0; d < D; d++)
		for (int i = 0; i < n; i++)
			row[c++] = y[MV_Y_SHARE(n, d, i)];
	for (int i = 0; i < n; i++) {
		double pull = 0;
		for (int d = 0; d < D; d++)
			pull += m->k.omega[d] * x->s[d][i];
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
		double a = x->abar[i];
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
	row[c++] = x->hsum;
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
		buf += mv_concat(buf, 2 * MV_MAX_NAME + 16, __VA_ARGS__, NULL) + 1; \
		c++;                                                              \
	} while (0)
	ADD("t");
	for (int i = 0; i < n; i++)
		ADD("share_", sc->vec_id[i]);
	for (int d = 0; d < D; d++)
		for (int i = 0; i < n; i++)
			ADD("share_", sc->dom_id[d], "_", sc->vec_id[i]);
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < n; i++)
			ADD(per_vec[k], "_", sc->vec_id[i]);
	for (int k = 0; k < 9; k++)
		ADD(tail[k]);
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
