/* series.h — data series that drive parameters and masses (docs/model.md §10), read from
 * whitespace-separated data files with a header line; `nan` marks a gap. */
#ifndef MVSIM_SERIES_H
#define MVSIM_SERIES_H

#include "mvsim/error.h"

#define MV_SERIES_MAX_POINTS 100000 /* points per series */
#define MV_SERIES_MAX_LINE 65536    /* bytes per data-file line */

struct mv_series {
	int key;          /* slot it drives (keys.h layout) */
	int vector;       /* for a mass series, the vector; -1 for a parameter */
	int npts;         /* >= 2 */
	double *t;        /* years, strictly increasing; owned */
	double *v;        /* values, already multiplied by scale; owned */
	double scale;
	char *path;       /* data file as opened (relative to the scenario file); owned */
	char *column;     /* owned */
	int file, line;   /* scenario file (index into mv_scenario.files) and line of the entry */
	char sha256[65];  /* of the data file as read, hex */
};

/* Reads column `column` of the data file at path: first column time, strictly increasing;
 * `nan` values of the column are skipped; values multiplied by scale. On success sets
 * *t, *v (malloc'd) and *npts and returns 0; on failure returns -1 with err set (code 2),
 * `path:line: ...` where a line is to blame. */
int mv_series_read(const char *path, const char *column, double scale, double **t, double **v,
		   int *npts, struct mv_error *err);

/* Linear interpolation of s at t, the end values held flat outside the data range. */
double mv_series_interp(const struct mv_series *s, double t);

/* An exogenous mass at t: the interpolated series inside the data range, and outside it
 * growth at rate g from the nearest end value (m_last·e^{g(t − t_last)}, m_first·e^{g(t − t_first)}). */
double mv_series_mass(const struct mv_series *s, double t, double g);

/* mv_series_read that also gives the SHA-256 of the bytes read (hex) in sha256 (if not NULL):
 * the data file is read and hashed once (opened by mv_infile_open: a FIFO is refused). */
int mv_series_read_hashed(const char *path, const char *column, double scale, double **t,
			  double **v, int *npts, char sha256[65], struct mv_error *err);

/* mv_series_read on a file already read whole (text, NUL-terminated; path for messages). */
int mv_series_parse(const char *path, const char *text, const char *column, double scale,
		    double **t, double **v, int *npts, struct mv_error *err);

void mv_series_free_data(struct mv_series *s);

#endif
