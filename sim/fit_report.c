/* fit_report.c — what a fit reports (docs/model.md §11a): the report's tables (TSV, each
 * labelled `# table: NAME`, readable whole or one table per file), a short human summary, and
 * the fitted what-if scenario. The loader is fit_load.c, the solver fit.c. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "mvsim/fit.h"

#include "mvsim/output.h"
#include "mvsim/tsv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int oom(struct mv_error *err)
{
	return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
}

static const char *status_name(int status)
{
	static const char *const names[] = {"converged", "not converged", "no progress", "failed"};
	return status >= 0 && status <= MV_FIT_FAILED ? names[status] : "failed";
}

/* v exactly: the shortest %.Ng (N <= 17) that reads back as v; "nan", "inf", "-inf". */
static void num(FILE *out, double v)
{
	char buf[40];
	if (isnan(v)) {
		fputs("nan", out);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "inf" : "-inf", out);
		return;
	}
	for (int prec = 10; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, out);
}

static void tab_num(FILE *out, double v)
{
	fputc('\t', out);
	num(out, v);
}

/* The origin as a cell: its time, "inf" without origins or holdout. */
static void origin_cell(FILE *out, const struct mv_fit *f, int i)
{
	num(out, f->origins[i].t);
}

static const char *const table_names[MV_FIT_NTABLES] = {
	"origins", "parameters", "correlation", "starts", "scores", "residuals"};

const char *mv_fit_table_name(int table)
{
	return table >= 0 && table < MV_FIT_NTABLES ? table_names[table] : NULL;
}

/* The worst status over the origins (converged < not converged < no progress). */
static int overall_status(const struct mv_fit_results *r)
{
	int st = MV_FIT_CONVERGED;
	for (int i = 0; i < r->norigins; i++)
		st = r->origin[i]->status > st ? r->origin[i]->status : st;
	return st;
}

static void write_meta(const struct mv_fit *f, const struct mv_fit_results *r, FILE *out)
{
	fprintf(out, "# mvsim %s fit report\n", MV_VERSION);
	fprintf(out, "# fit\t%s\n# fit_sha256\t%s\n", f->path, f->sha256);
	fprintf(out, "# scenario\t%s\n# scenario_name\t%s\n# scenario_sha256\t%s\n", f->scenario_path,
		f->sc->name, f->sc->sha256);
	fprintf(out, "# method\t%s\n# max_iterations\t%ld\n", mv_fit_method_name(f->method),
		f->max_iterations);
	fprintf(out, "# starts\t%d\n# seed\t%llu\n", f->starts, (unsigned long long)f->seed);
	fprintf(out, "# origins\t");
	if (!f->has_origins)
		fputs(isfinite(f->holdout) ? "holdout" : "none", out);
	for (int i = 0; f->has_origins && i < f->norigins; i++) {
		if (i)
			fputc(',', out);
		num(out, f->origins[i].t);
	}
	fprintf(out, "\n# horizon\t");
	num(out, f->horizon);
	fprintf(out, "\n# holdout\t");
	num(out, f->holdout);
	fprintf(out, "\n# points_outside\t%d\n# model_runs\t%ld\n# jobs\t%d\n", f->noutside, r->nruns,
		r->jobs);
	int st = overall_status(r);
	fprintf(out, "# status\t%s\t%s\n", status_name(st),
		st == MV_FIT_CONVERGED ? "every origin converged" : "see the origins table");
	fprintf(out, "# tables\t");
	for (int t = 0; t < MV_FIT_NTABLES; t++)
		fprintf(out, "%s%s", t ? " " : "", table_names[t]);
	fputc('\n', out);
}

static void write_scores_row(FILE *out, const struct mv_fit_score *s)
{
	fprintf(out, "\t%d", s->n_fit);
	tab_num(out, s->rmse_fit);
	fprintf(out, "\t%d", s->n_holdout);
	tab_num(out, s->rmse_holdout);
	tab_num(out, s->rmse_persistence);
	tab_num(out, s->rmse_mean);
	tab_num(out, s->rmse_drift);
	tab_num(out, mv_fit_skill(s->rmse_holdout, s->rmse_persistence));
	tab_num(out, mv_fit_skill(s->rmse_holdout, s->rmse_mean));
	tab_num(out, mv_fit_skill(s->rmse_holdout, s->rmse_drift));
	tab_num(out, s->persistence);
	tab_num(out, s->mean);
	tab_num(out, s->drift);
	tab_num(out, s->t_last);
	fputc('\n', out);
}

/* Table t: its `# table: NAME` line, header and rows. */
static void write_table(const struct mv_fit *f, const struct mv_fit_results *R, int t, FILE *out)
{
	const int p = f->nparams, Q = f->nobs;

	fprintf(out, "# table: %s\n", table_names[t]);
	switch (t) {
	case MV_FIT_T_ORIGINS:
		fputs("origin\tend\tstatus\treason\titerations\tmodel_runs\tn_fit\tn_scored\tssr_start\t"
		      "ssr\tsigma2\tdof\trank\tstarts\tstarts_reached\tstarts_failed\tbest_start\t"
		      "failed_trial_runs\tfirst_failure\n", out);
		for (int i = 0; i < R->norigins; i++) {
			const struct mv_fit_result *r = R->origin[i];
			const struct mv_fit_origin *og = &f->origins[i];
			origin_cell(out, f, i);
			tab_num(out, og->end);
			fprintf(out, "\t%s\t%s\t%d\t%ld\t%d\t%d", status_name(r->status),
				r->reason ? r->reason : "", r->iterations, r->nruns, og->m, og->mh);
			tab_num(out, r->ssr_start);
			tab_num(out, r->ssr);
			tab_num(out, r->sigma2);
			fprintf(out, "\t%d\t%d\t%d\t%d\t%d\t%d\t%ld\t%s\n", og->m - p, r->rank, r->nstarts,
				r->nreached, r->nstarts_failed, r->best, r->nfailed,
				r->first_failure[0] ? r->first_failure : "-");
		}
		break;
	case MV_FIT_T_PARAMETERS:
		fputs("origin\tkey\tvalue\tse\tmin\tmax\tstart\tbound\n", out);
		for (int i = 0; i < R->norigins; i++) {
			const struct mv_fit_result *r = R->origin[i];
			for (int j = 0; j < p; j++) {
				const struct mv_fit_param *pp = &f->params[j];
				origin_cell(out, f, i);
				fprintf(out, "\t%s", pp->key);
				tab_num(out, r->x[j]);
				tab_num(out, r->se[j]);
				tab_num(out, pp->min);
				tab_num(out, pp->max);
				tab_num(out, f->start_points[(size_t)r->best * (size_t)p + (size_t)j]);
				fprintf(out, "\t%s\n", r->bound[j] < 0 ? "min" : r->bound[j] > 0 ? "max" : "-");
			}
		}
		break;
	case MV_FIT_T_CORRELATION:
		fputs("origin\tkey", out);
		for (int j = 0; j < p; j++)
			fprintf(out, "\t%s", f->params[j].key);
		fputc('\n', out);
		for (int i = 0; i < R->norigins; i++)
			for (int a = 0; a < p; a++) {
				origin_cell(out, f, i);
				fprintf(out, "\t%s", f->params[a].key);
				for (int j = 0; j < p; j++)
					tab_num(out, R->origin[i]->corr[a * p + j]);
				fputc('\n', out);
			}
		break;
	case MV_FIT_T_STARTS:
		fputs("origin\tstart\tstatus\treason\titerations\tssr_start\tssr\treached\tbest", out);
		for (int j = 0; j < p; j++)
			fprintf(out, "\tstart.%s", f->params[j].key);
		for (int j = 0; j < p; j++)
			fprintf(out, "\tend.%s", f->params[j].key);
		fputs("\terror\n", out);
		for (int i = 0; i < R->norigins; i++) {
			const struct mv_fit_result *r = R->origin[i];
			for (int s = 0; s < r->nstarts; s++) {
				const struct mv_fit_start *st = &r->starts[s];
				origin_cell(out, f, i);
				fprintf(out, "\t%d\t%s\t%s\t%d", s, status_name(st->status),
					st->reason ? st->reason : "", st->iterations);
				tab_num(out, st->ssr_start);
				tab_num(out, st->ssr);
				fprintf(out, "\t%d\t%d", st->reached, s == r->best);
				for (int j = 0; j < p; j++)
					tab_num(out, f->start_points[(size_t)s * (size_t)p + (size_t)j]);
				for (int j = 0; j < p; j++)
					tab_num(out, st->x[j]);
				fputc('\t', out);
				/* One line: an error may name a file with a tab in it. */
				const char *e = st->error[0] ? st->error : "-";
				for (; *e; e++)
					fputc(*e == '\t' || *e == '\n' ? ' ' : *e, out);
				fputc('\n', out);
			}
		}
		break;
	case MV_FIT_T_SCORES:
		fputs("origin\tseries\tn_fit\trmse_fit\tn_scored\trmse_scored\trmse_persistence\t"
		      "rmse_mean\trmse_drift\tskill_persistence\tskill_mean\tskill_drift\t"
		      "persistence\tmean\tdrift\tt_last\n", out);
		for (int i = 0; i < R->norigins; i++)
			for (int q = 0; q <= Q; q++) {
				origin_cell(out, f, i);
				fprintf(out, "\t%s", q < Q ? f->obs[q].column : "all");
				write_scores_row(out, &R->origin[i]->scores[q]);
			}
		for (int q = 0; q <= Q; q++) {
			fprintf(out, "all\t%s", q < Q ? f->obs[q].column : "all");
			write_scores_row(out, &R->pooled[q]);
		}
		break;
	case MV_FIT_T_RESIDUALS:
		fputs("origin\tt\tcolumn\tset\tobserved\tmodel\tweight\ttransform\tresidual\t"
		      "persistence\tmean\tdrift\n", out);
		/* By origin, series, then time (fitted before scored): each origin's rows of a
		 * series are one block, which a plotting program draws as one line. */
		for (int i = 0; i < R->norigins; i++) {
			const struct mv_fit_origin *og = &f->origins[i];
			const struct mv_fit_result *r = R->origin[i];
			for (int q = 0; q < Q; q++)
			for (int k = 0; k < og->m + og->mh; k++) {
				const struct mv_fit_point *pt = &og->points[k];
				if (pt->obs != q)
					continue;
				const struct mv_fit_score *ys = &r->scores[pt->obs];
				origin_cell(out, f, i);
				tab_num(out, pt->t);
				fprintf(out, "\t%s\t%s", f->obs[pt->obs].column, pt->holdout ? "scored" : "fit");
				tab_num(out, pt->y);
				tab_num(out, r->model[k]);
				tab_num(out, pt->weight);
				fprintf(out, "\t%s", mv_fit_transform_name(f->obs[pt->obs].transform));
				tab_num(out, r->resid[k]);
				/* The yardsticks' forecasts, at scored points only. */
				tab_num(out, pt->holdout ? ys->persistence : NAN);
				tab_num(out, pt->holdout ? ys->mean : NAN);
				tab_num(out, pt->holdout ? ys->persistence + ys->drift * (pt->t - ys->t_last) : NAN);
				fputc('\n', out);
			}
		}
		break;
	}
}

static int check_out(FILE *out, struct mv_error *err)
{
	if (fflush(out) != 0 || ferror(out))
		return mv_error_set(err, MV_EXIT_FAIL, "report: write failed: %s", strerror(errno));
	return 0;
}

int mv_fit_write_report(const struct mv_fit *f, const struct mv_fit_results *r, FILE *out,
			struct mv_error *err)
{
	write_meta(f, r, out);
	for (int t = 0; t < MV_FIT_NTABLES; t++) {
		if (t)
			fputs("\n\n", out);
		write_table(f, r, t, out);
	}
	return check_out(out, err);
}

int mv_fit_write_table(const struct mv_fit *f, const struct mv_fit_results *r, int table,
		       FILE *out, struct mv_error *err)
{
	if (table < 0 || table >= MV_FIT_NTABLES)
		return mv_error_set(err, MV_EXIT_FAIL, "report: no table %d", table);
	write_meta(f, r, out);
	write_table(f, r, table, out);
	return check_out(out, err);
}

/* ================================================================ the summary */

static const char *g4(double v, char *buf)
{
	if (isnan(v))
		return "-";
	snprintf(buf, 32, "%.4g", v);
	return buf;
}

static const char *skill_str(double model, double yard, char *buf)
{
	double s = mv_fit_skill(model, yard);
	if (isnan(s))
		return "-";
	snprintf(buf, 32, "%+.2f", s);
	return buf;
}

/* One scores line: RMSEs and skills. */
static void summary_scores(FILE *out, int w, const char *name, const struct mv_fit_score *s)
{
	char a[32], b[32], c[32], d[32], e[32], k1[32], k2[32], k3[32];
	fprintf(out, "  %-*s %4d %-9s %4d %-9s %-9s %-9s %-9s %6s %6s %6s\n", w, name, s->n_fit,
		g4(s->rmse_fit, a), s->n_holdout, g4(s->rmse_holdout, b), g4(s->rmse_persistence, c),
		g4(s->rmse_mean, d), g4(s->rmse_drift, e),
		skill_str(s->rmse_holdout, s->rmse_persistence, k1),
		skill_str(s->rmse_holdout, s->rmse_mean, k2), skill_str(s->rmse_holdout, s->rmse_drift, k3));
}

static void summary_header(FILE *out, int w)
{
	fprintf(out, "  %-*s %4s %-9s %4s %-9s %-9s %-9s %-9s %6s %6s %6s\n", w, "series", "nfit",
		"rmse fit", "nsc", "scored", "persist", "mean", "drift", "sk(p)", "sk(m)", "sk(d)");
}

/* The times of points[a..b) of og as "first-last". */
static void span(const struct mv_fit_origin *og, int a, int b, char *buf, size_t size)
{
	if (a >= b) {
		snprintf(buf, size, "none");
		return;
	}
	double lo = INFINITY, hi = -INFINITY;
	for (int k = a; k < b; k++) {
		lo = fmin(lo, og->points[k].t);
		hi = fmax(hi, og->points[k].t);
	}
	snprintf(buf, size, "%g-%g", lo, hi);
}

int mv_fit_write_summary(const struct mv_fit *f, const struct mv_fit_results *R, double secs,
			 FILE *out)
{
	const int p = f->nparams, Q = f->nobs;
	int kw = 9, cw = 6;
	char a[32], b[32], s1[64], s2[64];

	for (int j = 0; j < p; j++)
		kw = (int)strlen(f->params[j].key) > kw ? (int)strlen(f->params[j].key) : kw;
	for (int q = 0; q < Q; q++)
		cw = (int)strlen(f->obs[q].column) > cw ? (int)strlen(f->obs[q].column) : cw;
	fprintf(out, "fit %s: scenario '%s', %d parameter%s, %d series, %s (%d start%s, seed %llu)",
		f->path, f->sc->name, p, p == 1 ? "" : "s", Q, mv_fit_method_name(f->method),
		f->starts, f->starts == 1 ? "" : "s", (unsigned long long)f->seed);
	if (secs >= 0)
		fprintf(out, ", %ld model runs, %d job%s, %.3g s", R->nruns, R->jobs,
			R->jobs == 1 ? "" : "s", secs);
	fputc('\n', out);
	if (f->noutside)
		fprintf(out, "%d observation%s outside the scenario's time range (ignored)\n",
			f->noutside, f->noutside == 1 ? "" : "s");
	for (int i = 0; i < R->norigins; i++) {
		const struct mv_fit_result *r = R->origin[i];
		const struct mv_fit_origin *og = &f->origins[i];
		span(og, 0, og->m, s1, sizeof s1);
		span(og, og->m, og->m + og->mh, s2, sizeof s2);
		fputc('\n', out);
		if (f->has_origins)
			fprintf(out, "origin %g: ", og->t);
		else if (isfinite(og->t))
			fprintf(out, "holdout %g: ", og->t);
		fprintf(out, "%s (%s) after %d iteration%s; points %d fitted (%s), %d scored (%s)\n",
			r->status == MV_FIT_CONVERGED ? "converged" : "NOT CONVERGED",
			r->reason ? r->reason : "", r->iterations, r->iterations == 1 ? "" : "s", og->m,
			s1, og->mh, s2);
		fprintf(out, "  SSR %s (start %s)", g4(r->ssr, a), g4(r->ssr_start, b));
		if (f->starts > 1)
			fprintf(out, " from start %d (0: the given one); %d of %d starts reached it%s",
				r->best, r->nreached, r->nstarts,
				r->nreached < r->nstarts - r->nstarts_failed ? ": other optima exist" : "");
		if (r->nstarts_failed)
			fprintf(out, "; %d start%s failed", r->nstarts_failed, r->nstarts_failed == 1 ? "" : "s");
		fputc('\n', out);
		if (r->nfailed)
			fprintf(out, "  %ld trial point%s could not be run (rejected); the first: %s\n",
				r->nfailed, r->nfailed == 1 ? "" : "s", r->first_failure);
		for (int j = 0; j < p; j++) {
			const char *note = r->bound[j] < 0 ? "  ON THE LOWER BOUND"
					 : r->bound[j] > 0 ? "  ON THE UPPER BOUND"
					 : isnan(r->se[j]) ? (isnan(r->sigma2) ? "  (no SE: as many points as parameters)"
									  : "  NOT IDENTIFIED")
					 : "";
			fprintf(out, "  %-*s %-11s ± %-10s%s\n", kw, f->params[j].key, g4(r->x[j], a),
				g4(r->se[j], b), note);
		}
		for (int x = 0; x < p; x++)
			for (int y = x + 1; y < p; y++)
				if (fabs(r->corr[x * p + y]) > 0.9)
					fprintf(out, "  correlation %s / %s %.3f: hard to tell apart\n",
						f->params[x].key, f->params[y].key, r->corr[x * p + y]);
		if (og->mh > 0 || Q > 1) {
			summary_header(out, cw);
			for (int q = 0; q <= Q; q++)
				if (q < Q || Q > 1)
					summary_scores(out, cw, q < Q ? f->obs[q].column : "all",
						       &r->scores[q]);
		}
	}
	if (R->norigins > 1) {
		fprintf(out, "\nall origins (every scored point counted once):\n");
		summary_header(out, cw);
		for (int q = 0; q <= Q; q++)
			summary_scores(out, cw, q < Q ? f->obs[q].column : "all", &R->pooled[q]);
	}
	fprintf(out, "(skill = 1 - RMSE model / RMSE yardstick, on the scored points: > 0 the model "
		     "beats persistence (p), the mean (m), drift (d))\n");
	return 0;
}

/* ================================================================ the fitted file */

/* The path of file `target` relative to directory `dir` (both resolved), malloc'd; NULL with
 * err set when either cannot be resolved. */
static char *relative_path(const char *target, const char *dir, struct mv_error *err)
{
	char *t = realpath(target, NULL), *d = realpath(dir, NULL), *out = NULL;

	if (t == NULL || d == NULL) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: cannot resolve: %s", t ? dir : target,
			     strerror(errno));
		goto done;
	}
	/* The longest common prefix of whole components: common indexes a '/' or the end of
	 * both; then one "../" per component of d after it. */
	size_t common = 0;
	for (size_t k = 0;; k++) {
		char a = t[k], b = d[k];
		if ((a == '/' || a == '\0') && (b == '/' || b == '\0'))
			common = k;
		if (a != b || a == '\0')
			break;
	}
	int ups = 0;
	for (const char *c = d + common; *c; c++)
		ups += *c == '/' && c[1] != '\0' && c[1] != '/';
	const char *rest = t + common + (t[common] == '/');
	if ((out = malloc(3 * (size_t)ups + strlen(rest) + 1)) == NULL) {
		oom(err);
		goto done;
	}
	out[0] = '\0';
	for (int q = 0; q < ups; q++)
		strcat(out, "../");
	strcat(out, rest);
done:
	free(t);
	free(d);
	return out;
}

/* s as a libconfig string body: backslashes and quotes escaped. */
static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

int mv_fit_write_fitted(const struct mv_fit *f, const struct mv_fit_results *R,
			const char *out_path, FILE *out, struct mv_error *err)
{
	const int last = R->norigins - 1;
	const struct mv_fit_result *r = R->origin[last];
	const struct mv_fit_origin *og = &f->origins[last];
	const char *slash = strrchr(out_path, '/');
	char dir[4096];
	char *base;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == out_path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - out_path), out_path);
	if ((base = relative_path(f->scenario_path, dir, err)) == NULL)
		return -1;
	fprintf(out, "# Fitted by mvsim %s fit from %s (sha256 %s):\n", MV_VERSION, f->path, f->sha256);
	if (f->has_origins)
		fprintf(out, "# the fit of the last origin, %.10g (observations before it).\n", og->t);
	fprintf(out, "# %s after %d iterations (%s, %ld model runs", status_name(r->status),
		r->iterations, mv_fit_method_name(f->method), r->nruns);
	if (f->starts > 1)
		fprintf(out, ", best of %d starts, %d reached it", r->nstarts, r->nreached);
	fprintf(out, "); SSR ");
	num(out, r->ssr);
	fprintf(out, " over %d fitted points (RMSE ", og->m);
	num(out, r->scores[f->nobs].rmse_fit);
	fprintf(out, ")");
	if (og->mh) {
		fprintf(out, ", scored RMSE ");
		num(out, r->scores[f->nobs].rmse_holdout);
		fprintf(out, " (persistence ");
		num(out, r->scores[f->nobs].rmse_persistence);
		fprintf(out, ")");
	}
	fprintf(out, ".\n# Values at full precision (%%.17g): 'mvsim run' of this file reproduces the fit.\n");
	fprintf(out, "base = ");
	put_string(out, base);
	fprintf(out, ";\nname = ");
	char name[600];
	snprintf(name, sizeof name, "%s (fitted)", f->sc->name);
	put_string(out, name);
	fprintf(out, ";\noverrides = (\n");
	for (int j = 0; j < f->nparams; j++) {
		const struct mv_fit_param *pp = &f->params[j];
		fprintf(out, "  { key = ");
		put_string(out, pp->key);
		fprintf(out, "; value = %.17g; }%s  # se ", r->x[j], j + 1 < f->nparams ? "," : " ");
		num(out, r->se[j]);
		fprintf(out, ", bounds [");
		num(out, pp->min);
		fprintf(out, ", ");
		num(out, pp->max);
		fprintf(out, "]%s\n", r->bound[j] < 0 ? ", ON THE LOWER BOUND"
				      : r->bound[j] > 0 ? ", ON THE UPPER BOUND" : "");
	}
	fprintf(out, ");\n");
	free(base);
	if (fflush(out) != 0 || ferror(out))
		return mv_error_set(err, MV_EXIT_FAIL, "%s: write failed: %s", out_path, strerror(errno));
	return 0;
}

/* ================================================================ reading a report back */

void mv_fit_report_free(struct mv_fit_report *r)
{
	if (r == NULL)
		return;
	for (int t = 0; t < r->ntables; t++) {
		struct mv_fit_report_table *tab = &r->tables[t];
		for (int c = 0; c < tab->ncolumns; c++)
			free(tab->columns[c]);
		for (long k = 0; k < tab->nrows; k++) {
			for (int c = 0; c < tab->rows[k].nfields; c++)
				free(tab->rows[k].fields[c]);
			free(tab->rows[k].fields);
		}
		free(tab->name);
		free(tab->columns);
		free(tab->rows);
	}
	free(r->tables);
	free(r->scenario_name);
	free(r);
}

/* The current line's fields, copied into *fields (malloc'd, *n of them). Returns 0, or -1
 * out of memory. */
static int copy_fields(struct mv_tsv *t, char ***fields, int *n)
{
	char **f;
	int nf = mv_tsv_split(t, &f);

	*fields = NULL;
	*n = 0;
	if (nf < 0 || (*fields = calloc((size_t)nf, sizeof **fields)) == NULL)
		return -1;
	for (int c = 0; c < nf; c++) {
		if (((*fields)[c] = strdup(f[c])) == NULL)
			return -1;
		*n = c + 1;
	}
	return 0;
}

/* A new table named by the current line ("# table: NAME") in data set `dataset`. */
static struct mv_fit_report_table *add_table(struct mv_fit_report *r, struct mv_tsv *t,
					     int dataset)
{
	struct mv_fit_report_table *grown =
		realloc(r->tables, (size_t)(r->ntables + 1) * sizeof *grown);

	if (grown == NULL)
		return NULL;
	r->tables = grown;
	struct mv_fit_report_table *tab = &grown[r->ntables];
	memset(tab, 0, sizeof *tab);
	if ((tab->name = strdup(mv_tsv_line(t) + 9)) == NULL)
		return NULL;
	tab->line = mv_tsv_lineno(t);
	tab->dataset = dataset;
	r->ntables++;
	return tab;
}

static int add_row(struct mv_fit_report_table *tab, struct mv_tsv *t)
{
	struct mv_fit_report_row *grown;

	if ((tab->nrows & (tab->nrows - 1)) == 0) { /* 0, 1, 2, 4, ...: double the room */
		grown = realloc(tab->rows, (size_t)(tab->nrows ? 2 * tab->nrows : 1) * sizeof *grown);
		if (grown == NULL)
			return -1;
		tab->rows = grown;
	}
	struct mv_fit_report_row *row = &tab->rows[tab->nrows++];
	row->line = mv_tsv_lineno(t);
	return copy_fields(t, &row->fields, &row->nfields);
}

int mv_fit_report_read(const char *path, struct mv_fit_report **out, struct mv_error *err)
{
	struct mv_fit_report *r = calloc(1, sizeof *r);
	struct mv_fit_report_table *tab = NULL; /* the table being read, NULL between tables */
	struct mv_tsv *t = NULL;
	int blanks = 0, dataset = 0, got;
	long lines = 0;

	*out = NULL;
	if (r == NULL) {
		oom(err);
		return -1;
	}
	if ((t = mv_tsv_open(path, MV_TSV_CRLF, err)) == NULL)
		goto fail;
	while ((got = mv_tsv_next(t, err)) > 0) {
		const char *line = mv_tsv_line(t);
		lines = mv_tsv_lineno(t);
		if (lines == 1 && (strncmp(line, "# mvsim ", 8) != 0 || !strstr(line, " fit report"))) {
			mv_error_set(err, MV_EXIT_INPUT, "%s: not an mvsim fit report (the first line "
				     "should be '# mvsim ... fit report', as 'mvsim fit --report' "
				     "writes)", path);
			goto fail;
		}
		if (line[0] == '\0') {
			blanks++;
			tab = NULL;
			continue;
		}
		dataset += blanks >= 2;
		blanks = 0;
		if (r->scenario_name == NULL && mv_tsv_meta(t, "scenario_name", NULL) &&
		    (r->scenario_name = mv_tsv_field_dup(line, 1)) == NULL)
			goto oom;
		if (strncmp(line, "# table: ", 9) == 0) {
			if ((tab = add_table(r, t, dataset)) == NULL)
				goto oom;
			continue;
		}
		if (line[0] == '#' || tab == NULL)
			continue;
		if (tab->header_line == 0) {
			tab->header_line = lines;
			if (copy_fields(t, &tab->columns, &tab->ncolumns))
				goto oom;
		} else if (add_row(tab, t)) {
			goto oom;
		}
	}
	mv_tsv_close(t);
	if (got == 0 && lines == 0) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: empty file, not an mvsim fit report", path);
		mv_fit_report_free(r);
		return -1;
	}
	*out = r;
	return got < 0;
oom:
	oom(err);
fail:
	mv_tsv_close(t);
	mv_fit_report_free(r);
	return -1;
}
