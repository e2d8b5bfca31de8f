/* fuzz_summary.c — libFuzzer target: the readers of sweep summaries (issue 15: torn, edited,
 * unbounded files). Input: the bytes of a summary or a .partial. Each input is read as a TSV
 * file (lines bounded, NUL refused), merged as the one part of a sweep (metadata, gate, rows,
 * checksum, trailer, end), and resumed as a .partial of the sweep its own metadata describes
 * (torn metadata restarted, bad rows cut). */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/summary.h"
#include "mvsim/tsv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char in[64], out[64], res[64], partial[80];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
}

/* Every failure carries a message and an exit status of 1 or 2. */
static void check_error(const struct mv_error *err)
{
	if (err->msg[0] == '\0' || (err->code != 1 && err->code != 2))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mv_error err = {0};

	if (in[0] == '\0') {
		long pid = (long)getpid();
		snprintf(in, sizeof in, "/tmp/mvsim-fuzz-summary-%ld.tsv", pid);
		snprintf(out, sizeof out, "/tmp/mvsim-fuzz-summary-%ld-merged.tsv", pid);
		snprintf(res, sizeof res, "/tmp/mvsim-fuzz-summary-%ld-resumed.tsv", pid);
		snprintf(partial, sizeof partial, "%s.partial", res);
	}
	write_file(in, data, size);

	/* 1. the TSV reader: every line within bounds, fields split */
	struct mv_tsv *t = mv_tsv_open(in, MV_TSV_CRLF, &err);
	if (t == NULL)
		abort(); /* a regular file opens */
	int got;
	while ((got = mv_tsv_next(t, &err)) > 0) {
		char **f;
		if (mv_tsv_len(t) > MV_TSV_MAX_LINE || strlen(mv_tsv_line(t)) != mv_tsv_len(t))
			abort();
		if (mv_tsv_split(t, &f) < 1)
			abort();
	}
	if (got < 0)
		check_error(&err);
	mv_tsv_close(t);

	/* 2. merged as the only part */
	const char *parts[] = {in};
	struct mv_gate *g = NULL;
	memset(&err, 0, sizeof err);
	unlink(out);
	if (mv_summary_merge(parts, 1, out, NULL, NULL, &g, &err) != 0)
		check_error(&err);
	else if (access(out, F_OK) != 0)
		abort(); /* merged: written */
	mv_gate_free(g);

	/* 3. resumed as the .partial of the sweep its metadata describes */
	FILE *f = fopen(in, "r");
	if (f == NULL)
		abort();
	memset(&err, 0, sizeof err);
	char *meta = mv_summary_read_meta(f, in, &err);
	fclose(f);
	if (meta == NULL) {
		check_error(&err);
		return 0;
	}
	memset(&err, 0, sizeof err);
	g = mv_gate_create(meta, 0, NULL, NULL, &err);
	if (g != NULL) {
		struct mv_summary_file *s = NULL;
		long done = 0;
		unlink(res);
		write_file(partial, data, size);
		int rc = mv_summary_file_open(res, meta, 1, 0, 1, 1000, g, &s, &done, &err);
		if (rc < 0)
			check_error(&err);
		else if (rc == 0 && (s == NULL || done < 0 || done > 1000))
			abort();
		if (s && mv_summary_file_finish(s, g, &err) != 0)
			check_error(&err);
	} else {
		check_error(&err);
	}
	mv_gate_free(g);
	free(meta);
	unlink(partial);
	return 0;
}
