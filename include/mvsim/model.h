/* model.h — the right-hand side of the multi-vector model (MODEL.md §2) and its output row.
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

/* Optional noise ε_i(t) on the log-pull (MODEL.md §6): fills eps[0..n). */
typedef void (*mv_eps_fn)(void *ctx, double t, double *eps);

struct mv_model {
	int n;          /* vectors */
	int D;          /* domains */
	int ny;         /* state size D·n + 3n + 1 */
	int ncols;      /* output columns (MODEL.md §7) */
	const double *p;  /* current value of every key slot (keys.h layout); not owned */
	int vbase[32];  /* slot of each vector's first parameter */
	int ideal0;     /* slot of focal.ideal of the first vector */
	int dom0;       /* slot of the first domain's weight (inertia follows) */
	int frozen;     /* spin-up: dm/dt = 0 and dp/dt = 0 (MODEL.md §5) */
	unsigned char exo[32]; /* 1: vector i's mass is exogenous (a data series), read mexo */
	double mexo[32];       /* exogenous masses at the current time */
	mv_eps_fn eps;  /* NULL: no noise */
	void *eps_ctx;
	int bad;        /* after GSL_EBADFUNC: the state index whose derivative was not finite */
	double bad_t;   /* and the time of that evaluation */
	long nevals;    /* right-hand-side evaluations so far */
};

/* Sets up m for scenario sc reading parameters from p (not copied). */
void mv_model_init(struct mv_model *m, const struct mv_scenario *sc, const double *p);

/* dy/dt at (t, y) into dydt, with the GSL system signature (params is a struct mv_model *).
 * Returns GSL_SUCCESS, or GSL_EBADFUNC when a derivative is not finite (m->bad names it). */
int mv_model_rhs(double t, const double y[], double dydt[], void *params);

/* The output row of MODEL.md §7 at (t, y) into row[0..ncols). */
void mv_model_row(struct mv_model *m, double t, const double *y, double *row);

/* Name of state variable k as an output column ("share_economy_china", "crisis_prob"),
 * into buf. */
void mv_model_state_name(const struct mv_scenario *sc, int k, char *buf, int size);

/* The column names of MODEL.md §7 for sc: a NULL-terminated array of strings in one block
 * (free the array with free()). Returns NULL with err set on allocation failure, or (code 2)
 * when two columns would have the same name (ids that collide, e.g. a vector "economy china"
 * beside domain economy and vector china). */
char **mv_model_columns(const struct mv_scenario *sc, int *ncols, struct mv_error *err);

#endif
