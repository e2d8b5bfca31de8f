/* model.h — the right-hand side of the multi-vector model (docs/model.md §2) and its output row.
 * Pure functions of (t, y, parameters): no events, no stepping, no I/O. */
#ifndef MVSIM_MODEL_H
#define MVSIM_MODEL_H

#include "mvsim/error.h"
#include "mvsim/scenario.h"

/* State layout: y = (a[d][i] for d, i (domain-major); m_i; e_i; z_i; p), D·n + 3n + 1. */
#define MV_Y_SHARE(n, d, i) ((d) * (n) + (i))
#define MV_Y_MASS(n, D, i) ((D) * (n) + (i))
#define MV_Y_EFFORT(n, D, i) ((D) * (n) + (n) + (i))
#define MV_Y_TENSION(n, D, i) ((D) * (n) + 2 * (n) + (i))
#define MV_Y_PROB(n, D) ((D) * (n) + 3 * (n))

/* Optional noise ε_i(t) on the log-pull (docs/model.md §6): fills eps[0..n). The run calls it
 * and hands the values to the model in mv_model.eps. */
typedef void (*mv_eps_fn)(void *ctx, double t, double *eps);

/* What an evaluation derives at (t, y) besides dy/dt (docs/model.md §2), shared with the row. */
struct mv_model_aux {
	double abar[32];    /* overall shares ā_i */
	double s[8][32];    /* attraction s[d][i] */
	double h[32];       /* hazard h_i */
	double hsum;
};

#define MV_MODEL_MAX_Y (8 * 32 + 3 * 32 + 1)

struct mv_model {
	int n;          /* vectors */
	int D;          /* domains */
	int ny;         /* state size D·n + 3n + 1 */
	int ncols;      /* output columns (docs/model.md §7) */
	const double *p;  /* current value of every key slot (keys.h layout); not owned */
	int vbase[32];  /* slot of each vector's first parameter */
	int ideal0;     /* slot of focal.ideal of the first vector */
	int dom0;       /* slot of the first domain's weight (inertia follows) */
	int frozen;     /* spin-up: dm/dt = 0 and dp/dt = 0 (docs/model.md §5) */
	unsigned char exo[32]; /* 1: vector i's mass is exogenous (a data series), read mexo */
	double mexo[32];       /* exogenous masses at the current time */
	double eps[32]; /* noise ε_i(t) of the next evaluation (docs/model.md §6), filled by the
			 * caller; zeros (mv_model_init's) without noise */
	/* The last successful evaluation's (t, y) and quantities: mv_model_row at the same (t, y)
	 * reuses them unless mv_model_prepare ran since (gen). Explicit steppers evaluate at
	 * each step's end, so an output row costs no second evaluation of the model. */
	struct mv_model_aux last;
	double last_t;
	double last_y[MV_MODEL_MAX_Y];
	unsigned gen, last_gen;
	int last_ok;
	int bad;        /* after GSL_EBADFUNC: the state index whose derivative was not finite */
	double bad_t;   /* and the time of that evaluation */
	long nevals;    /* right-hand-side evaluations so far */

	/* What mv_model_prepare derives from p, frozen and exo: everything that cannot change
	 * between two event boundaries unless a parameter ramps (docs/model.md §2, §5). */
	struct {
		double omega[8];     /* ω_d, normalised */
		double tau[8];       /* τ_d */
		double one_m_kappa;  /* 1 − κ */
		double ku[32];       /* κ·u_i / Σu: the ideal mix's part of every target */
		double alpha, beta;
		double fdelta[32];   /* δ_i^−γ, δ_i = distance/(1 + connectivity) */
		double fin[32][3];   /* the distance, connectivity and γ it was computed from */
		double growth[32];   /* g_i, 0 when frozen or the mass is exogenous */
		double pfac;         /* 1, 0 when frozen */
		int nr[32];          /* restraint pattern: vector i is restrained by rj[i][0..nr[i]) */
		unsigned char rj[32][31];
		double rrho[32][31]; /* with ρ_ij */
		int nh;              /* vectors with hmax != 0: hv[0..nh) */
		unsigned char hv[32];
		int nexo;            /* exogenous masses: vectors xo[0..nexo) */
		unsigned char xo[32];
	} k;
};

/* Sets up m for scenario sc reading parameters from p (not copied), and prepares it. */
void mv_model_init(struct mv_model *m, const struct mv_scenario *sc, const double *p);

/* Derives m->k from the current p, frozen and exo. Call it whenever one of them changed
 * (a run does at every event boundary, and before every evaluation while a parameter ramps);
 * mv_model_rhs and mv_model_row read only m->k for what it holds. */
void mv_model_prepare(struct mv_model *m);

/* The parts of m->k, for a run whose parameters ramp: mv_model_depends tells which parts
 * read key slot `slot` (0: none, the evaluation reads it from p itself), and
 * mv_model_prepare_parts derives only those (mv_model_prepare: all of them). */
enum {
	MV_PREP_DOMAINS = 1,    /* ω, τ */
	MV_PREP_FOCAL = 2,      /* 1 − κ, κu/Σu */
	MV_PREP_EXPONENTS = 4,  /* α, β */
	MV_PREP_DELTA = 8,      /* δ^−γ */
	MV_PREP_GROWTH = 16,    /* g, exogenous masses, frozen */
	MV_PREP_HAZARD = 32,    /* the vectors with a hazard */
	MV_PREP_RESTRAINT = 64, /* the restraint pattern */
	MV_PREP_ALL = 127
};
unsigned mv_model_depends(const struct mv_model *m, int slot);
void mv_model_prepare_parts(struct mv_model *m, unsigned parts);

/* dy/dt at (t, y) into dydt, with the GSL system signature (params is a struct mv_model *).
 * Returns GSL_SUCCESS, or GSL_EBADFUNC when a derivative is not finite (m->bad names it). */
int mv_model_rhs(double t, const double y[], double dydt[], void *params);

/* The output row of docs/model.md §7 at (t, y) into row[0..ncols). When (t, y) are exactly
 * those of the last mv_model_rhs and mv_model_prepare was not called since, the row uses that
 * evaluation's ā, s and h (the same numbers: a run's ramps, exogenous masses and noise are
 * functions of t); a caller that changes p, eps or mexo otherwise calls mv_model_prepare. */
void mv_model_row(struct mv_model *m, double t, const double *y, double *row);

/* Name of state variable k as an output column ("share_economy_china", "crisis_prob"),
 * into buf. */
void mv_model_state_name(const struct mv_scenario *sc, int k, char *buf, int size);

/* The column names of docs/model.md §7 for sc: a NULL-terminated array of strings in one block
 * (free the array with free()). Returns NULL with err set on allocation failure, or (code 2)
 * when two columns would have the same name (ids that collide, e.g. a vector "economy china"
 * beside domain economy and vector china). */
char **mv_model_columns(const struct mv_scenario *sc, int *ncols, struct mv_error *err);

#endif
