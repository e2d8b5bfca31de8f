/* series.c — reading data files for forcing series and evaluating them (docs/model.md §10).
 * Interpolation is linear between points, flat (parameters) or growing (masses) outside. */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/series.h"

#include "mvsim/infile.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Splits line in place at runs of blanks/tabs into at most max fields; returns the count. */
static int split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == max)
			return max + 1;
		fields[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
	}
	return n;
}

/* A number, or nan for the gap marker; -1 if neither. */
static int parse_value(const char *s, double *out)
{
	char *end;

	if (strcasecmp(s, "nan") == 0) {
		*out = NAN;
		return 0;
	}
	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(*out))
		return -1;
	return 0;
}

int mv_series_read_hashed(const char *path, const char *column, double scale, double **t,
			  double **v, int *npts, char sha256[65], struct mv_error *err)
{
	struct mv_infile in;

	*t = *v = NULL;
	*npts = 0;
	if (mv_infile_read(path, "data file", MV_INFILE_MAX_DATA_BYTES, 0, &in, err))
		return -1;
	int rc = mv_series_parse(path, in.text, column, scale, t, v, npts, err);
	if (rc == 0 && sha256)
		memcpy(sha256, in.sha256, 65);
	mv_infile_free(&in);
	return rc;
}

int mv_series_parse(const char *path, const char *text, const char *column, double scale,
		    double **t, double **v, int *npts, struct mv_error *err)
{
	enum { MAXF = 256 };
	char *line = malloc(MV_SERIES_MAX_LINE), *fields[MAXF];
	int lineno = 0, col = -1, ncols = 0, n = 0, cap = 0, rc = -1;
	double *tt = NULL, *vv = NULL, tprev = -INFINITY;
	int prev_line = 0;

	*t = *v = NULL;
	*npts = 0;
	if (line == NULL)
		return mv_error_set(err, MV_EXIT_FAIL, "out of memory");
	for (const char *next = text; *next;) {
		const char *nl = strchr(next, '\n');
		size_t len = nl ? (size_t)(nl - next) : strlen(next);
		lineno++;
		if (len >= MV_SERIES_MAX_LINE - 1) {
			mv_error_set(err, MV_EXIT_INPUT, "%s:%d: expected a line shorter than %d bytes, found a longer one",
				     path, lineno, MV_SERIES_MAX_LINE);
			goto out;
		}
		if ((lineno & 1023) == 0 && mv_interrupt) {
			mv_error_interrupted(err);
			goto out;
		}
		memcpy(line, next, len);
		line[len] = '\0';
		next += len + (nl != NULL);
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#' || *p == '\0')
			continue;
		int nf = split(line, fields, MAXF);
		if (nf > MAXF) {
			mv_error_set(err, MV_EXIT_INPUT, "%s:%d: expected at most %d columns, found more",
				     path, lineno, MAXF);
			goto out;
		}
		if (col < 0) { /* the header */
			ncols = nf;
			for (int k = 1; k < nf; k++)
				if (strcmp(fields[k], column) == 0)
					col = k;
			if (col < 0) {
				char list[512];
				size_t used = 0;
				list[0] = '\0';
				for (int k = 1; k < nf && used < sizeof list; k++)
					used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
								 k > 1 ? ", " : "", fields[k]);
				mv_error_set(err, MV_EXIT_INPUT,
					     "%s:%d: setting 'column': expected one of %s, found '%s'",
					     path, lineno, list, column);
				goto out;
			}
			continue;
		}
		if (nf != ncols) {
			mv_error_set(err, MV_EXIT_INPUT, "%s:%d: expected %d fields like the header, found %d",
				     path, lineno, ncols, nf);
			goto out;
		}
		double tv, x;
		if (parse_value(fields[0], &tv) || isnan(tv)) {
			mv_error_set(err, MV_EXIT_INPUT, "%s:%d: expected a time in years, found '%.40s'",
				     path, lineno, fields[0]);
			goto out;
		}
		if (!(tv > tprev)) {
			mv_error_set(err, MV_EXIT_INPUT,
				     "%s:%d: expected times strictly increasing, found %g after %g (line %d)",
				     path, lineno, tv, tprev, prev_line);
			goto out;
		}
		tprev = tv;
		prev_line = lineno;
		if (parse_value(fields[col], &x)) {
			mv_error_set(err, MV_EXIT_INPUT, "%s:%d: column '%s': expected a number or nan, found '%.40s'",
				     path, lineno, column, fields[col]);
			goto out;
		}
		if (isnan(x))
			continue; /* a gap */
		if (n == MV_SERIES_MAX_POINTS) {
			mv_error_set(err, MV_EXIT_INPUT, "%s:%d: expected at most %d points, found more",
				     path, lineno, MV_SERIES_MAX_POINTS);
			goto out;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			double *a = realloc(tt, (size_t)cap * sizeof *a);
			if (a)
				tt = a;
			double *b = realloc(vv, (size_t)cap * sizeof *b);
			if (b)
				vv = b;
			if (!a || !b) {
				mv_error_set(err, MV_EXIT_FAIL, "out of memory");
				goto out;
			}
		}
		tt[n] = tv;
		vv[n] = x * scale;
		n++;
	}
	if (col < 0) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: expected a header line of column names, found none", path);
		goto out;
	}
	if (n < 2) {
		mv_error_set(err, MV_EXIT_INPUT, "%s: column '%s': expected at least 2 data points, found %d",
			     path, column, n);
		goto out;
	}
	*t = tt;
	*v = vv;
	*npts = n;
	tt = vv = NULL;
	rc = 0;
out:
	free(tt);
	free(vv);
	free(line);
	return rc;
}

int mv_series_read(const char *path, const char *column, double scale, double **t, double **v,
		   int *npts, struct mv_error *err)
{
	return mv_series_read_hashed(path, column, scale, t, v, npts, NULL, err);
}

/* Index k with t[k] <= x < t[k+1], for x inside the range. */
static int bracket(const struct mv_series *s, double x)
{
	int lo = 0, hi = s->npts - 1;

	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;
		if (s->t[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

double mv_series_interp(const struct mv_series *s, double x)
{
	if (x <= s->t[0])
		return s->v[0];
	if (x >= s->t[s->npts - 1])
		return s->v[s->npts - 1];
	int k = bracket(s, x);
	double f = (x - s->t[k]) / (s->t[k + 1] - s->t[k]);
	return s->v[k] + f * (s->v[k + 1] - s->v[k]);
}

double mv_series_mass(const struct mv_series *s, double x, double g)
{
	if (x < s->t[0])
		return s->v[0] * exp(g * (x - s->t[0]));
	if (x > s->t[s->npts - 1])
		return s->v[s->npts - 1] * exp(g * (x - s->t[s->npts - 1]));
	return mv_series_interp(s, x);
}

void mv_series_free_data(struct mv_series *s)
{
	free(s->t);
	free(s->v);
	free(s->path);
	free(s->column);
}
