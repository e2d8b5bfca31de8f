/* scenario.h — struct mv_scenario: a scenario as plain data, owned by mvsim.
 * Every number of a scenario lives in one flat array `val`, indexed as keys.h lays out. */
#ifndef MVSIM_SCENARIO_H
#define MVSIM_SCENARIO_H

#define MV_MAX_VECTORS 32  /* docs/model.md §1 */
#define MV_MAX_DOMAINS 8   /* docs/model.md §1 */
#define MV_MAX_EVENTS 4096 /* more is an input error, not unbounded memory */
#define MV_MAX_NAME 64     /* bytes in a vector, domain or focal name */
#define MV_MAX_BASES 16    /* depth of `base =` chains */
#define MV_MAX_SERIES 256  /* data series per scenario */
#define MV_MAX_FILE_BYTES (4 << 20) /* a scenario file */
#define MV_MAX_LINE_BYTES 65536     /* a line of a scenario file */
#define MV_MAX_ROWS 10000000L       /* output rows a run may write */

#include "mvsim/series.h"

/* Where a value came from (shown by `mvsim check`, used in error messages). */
enum mv_src_kind {
	MV_SRC_DEFAULT = 0, /* the model's default (docs/model.md §3) */
	MV_SRC_FILE,        /* a setting in a scenario file (top file or a base) */
	MV_SRC_OVERRIDE,    /* an `overrides` entry of a what-if file */
	MV_SRC_SET,         /* --set KEY=VALUE (or --rtol/--atol) on the command line */
	MV_SRC_DERIVED,     /* computed from other settings (reserved; normalised shares keep
			       the source of the value as written) */
	MV_SRC_SERIES,      /* a data series (arg: index into mv_scenario.series) */
	MV_SRC_SWEEP        /* varied by a sweep (file -1; line: the parameter's line in
			       mv_scenario.sweep_file; arg: its index) */
};

struct mv_src {
	unsigned char kind; /* enum mv_src_kind */
	short file;         /* index into mv_scenario.files, -1 if none */
	int line;           /* line in that file, 0 if none */
	int arg;            /* for MV_SRC_SET: index into mv_scenario.sets */
};

enum mv_event_op { MV_OP_SET = 0, MV_OP_ADD, MV_OP_MUL };

/* A timed change of one key (docs/model.md §5). On a parameter: progress
 * f = clamp((t − at)/over, 0, 1) (1 when over = 0) folds into the value; on a state key:
 * a jump when the integration reaches `at`. */
struct mv_event {
	double at;    /* years */
	double over;  /* ramp length, years; 0 = step */
	double x;     /* operand of op */
	int op;       /* enum mv_event_op */
	int key;      /* index into val */
	char *label;  /* owned, never NULL ("" if none) */
	int file;     /* where it was written */
	int line;
	int order;    /* position in file order (base first), for ties */
};

/* One file a scenario was built from. */
enum mv_input_role { MV_INPUT_SCENARIO = 0, MV_INPUT_BASE, MV_INPUT_SERIES };

struct mv_input {
	int role;         /* enum mv_input_role */
	char *path;       /* as opened (relative paths joined to the including file's directory) */
	char sha256[65];  /* of the bytes read, hex */
};

/* "scenario", "base", "series". */
const char *mv_input_role_name(int role);

struct mv_scenario {
	char *name;        /* required */
	char *description; /* "" if none */
	char *focal_name;  /* default "Kazakhstan" */
	struct mv_src name_src;

	int nvec;                         /* n, 2..MV_MAX_VECTORS */
	int ndom;                         /* D, 1..MV_MAX_DOMAINS */
	char *vec_name[MV_MAX_VECTORS];   /* as written */
	char *vec_id[MV_MAX_VECTORS];     /* docs/model.md §4 id */
	char *dom_name[MV_MAX_DOMAINS];
	char *dom_id[MV_MAX_DOMAINS];

	char method[16];                  /* integrator name; default "rk8pd" */
	struct mv_src method_src;

	int nval;             /* number of slots in val (keys.h layout) */
	double *val;          /* base values of every key */
	struct mv_src *src;   /* provenance of each slot */

	int nevents;
	struct mv_event *events; /* sorted by `at`, ties in file order */

	int nseries;
	struct mv_series *series; /* data series driving parameters and masses (docs/model.md §10) */

	int nfiles;
	char **files;  /* every file read; files[top] is the one given by the user */
	int top;
	char sha256[65];  /* of the top file, hex */

	int nsets;
	char **sets;   /* --set arguments as given, in order, for metadata */
	char *sweep_file; /* the sweep file varying keys (MV_SRC_SWEEP), or NULL; owned */
	unsigned normalise_domains; /* bit d: domain d's unswept initial shares are rescaled so
				       that its shares sum to 1 (a sweep's `normalise = true`) */

	/* Provenance: every file that went into the scenario, in the order read — the top file,
	 * its chain of bases, every data series — each read once and hashed as read. The run
	 * metadata lists them (`# input ROLE PATH SHA256`). */
	int ninputs;
	struct mv_input *inputs;
};

/* Frees a scenario and everything it owns. sc may be NULL. */
void mv_scenario_free(struct mv_scenario *sc);

/* For each domain of sc->normalise_domains: rescales the initial shares of that domain that
 * no sweep parameter varies (source not MV_SRC_SWEEP) by one factor so that the domain's shares
 * sum to 1 again (docs/config.md §9; a sweep parameter with `normalise = true`). The batch calls
 * it after setting a point. Leaves a domain as it is when its swept shares exceed 1 or the
 * others are all 0 (validation then reports the sum, naming the sweep's line). */
void mv_scenario_normalise_shares(struct mv_scenario *sc);

/* Appends {role, path, sha256} to sc->inputs. Returns 0, or -1 when out of memory. */
int mv_scenario_add_input(struct mv_scenario *sc, int role, const char *path,
			  const char sha256[65]);

/* Describes src as text for `mvsim check` ("default", "file x.cfg:12", "base b.cfg:3",
 * "override w.cfg:5", "--set", "derived") into buf; returns buf. */
char *mv_scenario_src_str(const struct mv_scenario *sc, struct mv_src src, char *buf, int size);

#endif
