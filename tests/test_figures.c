/* test_figures.c — what the figures show, read back from their SVG: the tension figure's event
 * labels (or numbered markers and their key) inside the figure and never on top of each other,
 * every event shown; `mvsim run --event-rows` rows at event times, so a jump is drawn at its
 * time; the heatmap's nan cells grey with a legend entry (never crosses, failed, no run). */
#define TU_CLIROOT "build/test-figures"
#include "testutil.h"

#include <math.h>

#define FIGW 1200.0 /* the figures' width in px (scripts/common.gp) */

/* ---- reading text out of gnuplot's SVG ----------------------------------------------------- */

struct text {
	double x, y, size;
	int anchor; /* -1 start (left), 0 middle, 1 end (right) */
	char s[512];
};

/* Undoes the XML escapes gnuplot writes (&amp; &lt; &gt; &apos; &quot;), in place. */
static void unescape(char *s)
{
	static const char *const from[] = {"&amp;", "&lt;", "&gt;", "&apos;", "&quot;"};
	static const char to[] = "&<>'\"";
	char *w = s;
	for (const char *r = s; *r;) {
		int hit = 0;
		for (int k = 0; k < 5 && !hit; k++)
			if (strncmp(r, from[k], strlen(from[k])) == 0) {
				*w++ = to[k];
				r += strlen(from[k]);
				hit = 1;
			}
		if (!hit)
			*w++ = *r++;
	}
	*w = '\0';
}

/* Every <g transform="translate(x,y)" ... font-size="S" text-anchor="A"><text>T</text> of svg,
 * once per position and text (gnuplot writes a boxed label twice: its box, then the text). */
static int svg_texts(const char *svg, struct text *t, int max)
{
	int n = 0;
	for (const char *p = svg; (p = strstr(p, "<g transform=\"translate(")) != NULL && n < max;) {
		struct text x = {0};
		const char *q = p + strlen("<g transform=\"translate(");
		char *end;
		x.x = strtod(q, &end);
		x.y = strtod(end + 1, NULL);
		const char *close = strchr(p, '>'), *fs = strstr(p, "font-size=\""), *an = strstr(p, "text-anchor=\"");
		const char *open = strstr(p, "<text");
		p = q;
		if (close == NULL || open == NULL || fs == NULL || fs > close)
			continue;
		x.size = strtod(fs + strlen("font-size=\""), NULL);
		x.anchor = (an && an < close) ? (strncmp(an + 13, "end", 3) == 0 ? 1 : strncmp(an + 13, "middle", 6) == 0 ? 0 : -1) : -1;
		const char *a = strchr(open, '>'), *b = strstr(open, "</text>");
		if (a == NULL || b == NULL || b < a || (size_t)(b - a - 1) >= sizeof x.s)
			continue;
		memcpy(x.s, a + 1, (size_t)(b - a - 1));
		x.s[b - a - 1] = '\0';
		unescape(x.s);
		int dup = 0;
		for (int k = 0; k < n && !dup; k++)
			dup = t[k].x == x.x && t[k].y == x.y && strcmp(t[k].s, x.s) == 0;
		if (!dup)
			t[n++] = x;
	}
	return n;
}

/* Characters of a UTF-8 string. */
static int nchars(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* The horizontal extent of a text: DejaVu Sans averages about 0.6 em a character in mixed
 * text (the scripts reserve more, 8 px a character at 11 pt = 0.73 em). */
static void extent(const struct text *t, double *x0, double *x1)
{
	double w = 0.6 * t->size * nchars(t->s);
	*x0 = t->anchor < 0 ? t->x : t->anchor > 0 ? t->x - w : t->x - w / 2;
	*x1 = *x0 + w;
}

/* No two of texts[0..n) overlap (their lines are less than a text height apart vertically
 * and their extents meet), and each lies inside the figure's width. */
static void expect_apart(struct text *const *t, int n)
{
	for (int a = 0; a < n; a++) {
		double a0, a1;
		extent(t[a], &a0, &a1);
		if (a0 < 0 || a1 > FIGW)
			fail_msg("'%s' at x %.1f..%.1f leaves the figure (0..%g)", t[a]->s, a0, a1, FIGW);
		for (int b = a + 1; b < n; b++) {
			double b0, b1;
			extent(t[b], &b0, &b1);
			if (fabs(t[a]->y - t[b]->y) < 0.9 * fmax(t[a]->size, t[b]->size) && a0 < b1 && b0 < a1)
				fail_msg("'%s' (%.1f..%.1f, y %.1f) overlaps '%s' (%.1f..%.1f, y %.1f)", t[a]->s,
					 a0, a1, t[a]->y, t[b]->s, b0, b1, t[b]->y);
		}
	}
}

/* The events a tension figure of result `tsv` shows: those at T0 <= at <= T1 (first and last
 * row), an identical label at the same time once, in time order (as scripts/tension.gp). */
struct event {
	double at;
	char label[256];
};

static int events_in_run(const char *tsv, struct event *ev, int max)
{
	int n = 0;
	double t0 = NAN, t1 = NAN;
	const char *p = tsv;
	while (*p) {
		const char *nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		if (starts_with(p, "# event\t")) {
			struct event e = {0};
			char *q;
			e.at = strtod(p + 8, &q);
			/* at, over, key, label; the figure shows the key (without "vectors.") when
			 * the label is empty */
			for (int f = 0; f < 2 && q < nl; f++)
				q = strchr(q, '\t') ? strchr(q, '\t') + 1 : (char *)nl;
			const char *key = q, *kend = strchr(q, '\t');
			if (kend == NULL || kend > nl)
				kend = nl;
			q = kend < nl ? (char *)kend + 1 : (char *)nl;
			size_t len = (size_t)(nl - q);
			if (len == 0) {
				if (strncmp(key, "vectors.", 8) == 0)
					key += 8;
				q = (char *)key;
				len = (size_t)(kend - key);
			}
			if (len >= sizeof e.label)
				len = sizeof e.label - 1;
			memcpy(e.label, q, len);
			e.label[len] = '\0';
			if (n < max)
				ev[n++] = e;
		} else if (*p != '#' && *p != 't') {
			double t = strtod(p, NULL);
			if (isnan(t0))
				t0 = t;
			t1 = t;
		}
		p = nl + 1;
	}
	int m = 0;
	for (int k = 0; k < n; k++) {
		int dup = 0;
		for (int j = 0; j < m; j++)
			dup |= ev[j].at == ev[k].at && strcmp(ev[j].label, ev[k].label) == 0;
		if (!dup && ev[k].at >= t0 && ev[k].at <= t1)
			ev[m++] = ev[k];
	}
	for (int a = 0; a < m; a++) /* stable: insertion */
		for (int b = a; b > 0 && ev[b].at < ev[b - 1].at; b--) {
			struct event tmp = ev[b];
			ev[b] = ev[b - 1];
			ev[b - 1] = tmp;
		}
	return m;
}

static char *path_in(const char *name)
{
	return tu_dir_file(rundir, name);
}

/* ---- the tension figure ---------------------------------------------------------------------- */

#define MAXT 4000
static struct text texts[MAXT];

/* A result with a few events (tests/data/plot_synth_four.tsv: fixed, with an event without a
 * label, shown by its key, and one near the end): each is labelled whole beside its line, in
 * lanes. */
static void test_tension_labels(void **state)
{
	(void)state;
	const char *tsv = "tests/data/plot_synth_four.tsv", *svg = path_in("synth-tension.svg");
	struct result r = RUN("plot", tsv, "--kind", "tension", "-o", svg);
	expect_ok(&r);
	result_free(&r);
	char *data = tu_slurp(tsv, NULL), *fig = tu_slurp(svg, NULL);
	static struct event ev[64];
	int ne = events_in_run(data, ev, 64);
	assert_int_equal(ne, 7); /* those from 2015 on; the two at 2015.52 and at 2017.44 once each */
	int nt = svg_texts(fig, texts, MAXT);
	struct text *shown[64];
	for (int k = 0; k < ne; k++) {
		shown[k] = NULL;
		for (int j = 0; j < nt && !shown[k]; j++)
			if (strcmp(texts[j].s, ev[k].label) == 0)
				shown[k] = &texts[j];
		if (shown[k] == NULL)
			fail_msg("the label '%s' (%.2f) is not in the figure whole", ev[k].label, ev[k].at);
	}
	expect_apart(shown, ne);
	/* no numbered key: the labels are beside their events */
	for (int j = 0; j < nt; j++)
		assert_false(starts_with(texts[j].s, "1  2015.00  "));
	assert_string_equal(ev[5].label, "russia.tension"); /* 2022.1, no label: its key */
	free(data);
	free(fig);
}

/* Many events (the baseline's from its start on, and the eleven of tests/data/plot_events.cfg),
 * close together, with long labels and two near the end: numbered markers
 * above the plot (a marker may stand for a run of numbers, "9-13") and a key below listing
 * every event with its time and whole label; nothing overlaps, nothing leaves the figure. */
static void test_tension_markers(void **state)
{
	(void)state;
	const char *tsv = path_in("events.tsv"), *svg = path_in("events-tension.svg");
	const char *png = path_in("events-tension.png");
	struct result r = RUN("run", "tests/data/plot_events.cfg", "--event-rows", "-o", tsv);
	expect_ok(&r);
	result_free(&r);
	r = RUN("plot", tsv, "--kind", "tension", "-o", svg);
	expect_ok(&r);
	result_free(&r);
	r = RUN("plot", tsv, "--kind", "tension", "-o", png);
	expect_ok(&r);
	assert_true(starts_with(r.out, png) && strcmp(r.out + strlen(png), "\n") == 0);
	result_free(&r);
	char *data = tu_slurp(tsv, NULL), *fig = tu_slurp(svg, NULL);
	static struct event ev[64];
	int ne = events_in_run(data, ev, 64);
	assert_true(ne >= 11); /* plot_events.cfg's 11, and the baseline's in the run */
	int nt = svg_texts(fig, texts, MAXT);
	static struct text *all[MAXT];
	int na = 0, covered[64] = {0};
	for (int k = 0; k < ne; k++) {
		char want[400];
		snprintf(want, sizeof want, "%d  %.2f  %s", k + 1, ev[k].at, ev[k].label);
		int found = 0;
		for (int j = 0; j < nt && !found; j++)
			if (strcmp(texts[j].s, want) == 0) {
				found = 1;
				all[na++] = &texts[j];
			}
		if (!found)
			fail_msg("the key has no entry '%s'", want);
	}
	/* the markers: "j" or "a-b", above the plot (the top 15% of the 800 px figure) */
	int nmark = 0;
	for (int j = 0; j < nt; j++) {
		int a, b;
		char dash;
		int got = sscanf(texts[j].s, "%d%c%d", &a, &dash, &b);
		if (texts[j].y > 0.15 * 800 || !(got == 1 || (got == 3 && dash == '-')))
			continue;
		if (got == 1)
			b = a;
		if (strspn(texts[j].s, "0123456789-") != strlen(texts[j].s))
			continue;
		assert_true(a >= 1 && b <= ne && a <= b);
		for (int k = a; k <= b; k++) {
			assert_int_equal(covered[k - 1], 0); /* one marker per event */
			covered[k - 1] = 1;
		}
		all[na++] = &texts[j];
		nmark++;
	}
	for (int k = 0; k < ne; k++)
		if (!covered[k])
			fail_msg("no marker shows event %d (%s)", k + 1, ev[k].label);
	assert_true(nmark < ne); /* some events share a marker (they are too close for their own) */
	expect_apart(all, na);
	free(data);
	free(fig);
}

/* A row's t and the value of column `col`, for every data row of a result. */
static int column_values(const char *tsv, const char *col, double *t, double *v, int max)
{
	const char *hdr = strstr(tsv, "\nt\t");
	assert_non_null(hdr);
	hdr++;
	int c = -1, k = 0;
	const char *nl = strchr(hdr, '\n');
	for (const char *p = hdr; p < nl; k++) {
		size_t len = strcspn(p, "\t\n");
		if (len == strlen(col) && strncmp(p, col, len) == 0)
			c = k;
		p += len + (p[len] == '\t');
		if (p[-1] != '\t')
			break;
	}
	assert_true(c >= 0);
	int n = 0;
	for (const char *p = nl + 1; *p && n < max;) {
		char *q;
		t[n] = strtod(p, &q);
		const char *f = p;
		for (int j = 0; j < c; j++)
			f = strchr(f, '\t') + 1;
		v[n] = strtod(f, NULL);
		n++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

/* Without --event-rows the rows are the 0.25-year grid only: a jump between two rows would be
 * drawn as a ramp from the row before. With it, the same rows plus one 1e-6 years before each
 * event and one at it, so the jump is a vertical step at its time: tension_russia rises by the
 * event's `add` (0.8 at 2020.74, 0.5 at 2031.6) between the two. Tolerance 1e-5: over 1e-6 years
 * the tension drifts by at most 1e-6 x |dz/dt|, and |dz/dt| < 10 per year here (z < 1, τz = 2,
 * c = 1; docs/model.md §3). */
static void test_event_rows(void **state)
{
	(void)state;
	const char *plain = path_in("plain.tsv"), *rows = path_in("rows.tsv");
	struct result r = RUN("run", "tests/data/plot_events.cfg", "-o", plain);
	expect_ok(&r);
	result_free(&r);
	r = RUN("run", "tests/data/plot_events.cfg", "--event-rows", "-o", rows);
	expect_ok(&r);
	result_free(&r);
	char *a = tu_slurp(plain, NULL), *b = tu_slurp(rows, NULL);
	static double ta[400], za[400], tb[600], zb[600];
	int na = column_values(a, "tension_russia", ta, za, 400);
	int nb = column_values(b, "tension_russia", tb, zb, 600);
	assert_int_equal(na, 101);
	assert_null(strstr(a, "\n# rows\t"));
	assert_non_null(strstr(b, "\n# rows\toutput_step and events (--event-rows: 1e-6 years before each "
				  "event, at it, at a ramp's end)\n"));
	/* the grid rows are all there, with the same values (the run stops at the same times) */
	for (int k = 0, j = 0; k < na; k++) {
		while (j < nb && fabs(tb[j] - ta[k]) > 1e-9)
			j++;
		if (j == nb)
			fail_msg("the row at t = %.10g is missing with --event-rows", ta[k]);
		assert_double_equal(zb[j], za[k], 1e-9 * fmax(1, fabs(za[k]))); /* 10 digits */
	}
	for (int k = 0; k < na; k++)
		assert_true(fabs(ta[k] - 2020.74) > 1e-3 && fabs(ta[k] - 2031.6) > 1e-3);
	static const double at[] = {2020.74, 2031.6}, add[] = {0.8, 0.5};
	for (int e = 0; e < 2; e++) {
		int before = -1, after = -1;
		for (int j = 0; j < nb; j++) {
			if (fabs(tb[j] - (at[e] - 1e-6)) < 1e-9)
				before = j;
			if (fabs(tb[j] - at[e]) < 1e-9)
				after = j;
		}
		assert_true(before >= 0 && after == before + 1);
		assert_double_equal(zb[after] - zb[before], add[e], 1e-5);
	}
	/* strictly increasing times */
	for (int j = 1; j < nb; j++)
		assert_true(tb[j] > tb[j - 1]);
	free(a);
	free(b);
}

/* ---- the heatmap ----------------------------------------------------------------------------- */

/* Polygons of gnuplot's SVG filled with rgb(r, g, b). */
static int polygons(const char *svg, int r, int g, int b)
{
	char want[64];
	int n = 0;
	snprintf(want, sizeof want, "<polygon fill = 'rgb(%3d, %3d, %3d)'", r, g, b);
	for (const char *p = svg; (p = strstr(p, want)) != NULL; p++)
		n++;
	return n;
}

/* Rows of a summary whose column `col` is nan, with status `status`. */
static int nan_rows(const char *tsv, const char *col, const char *status)
{
	const char *hdr = strstr(tsv, "\nrun\t");
	assert_non_null(hdr);
	hdr++;
	int c = -1, s = -1, k = 0;
	const char *nl = strchr(hdr, '\n');
	for (const char *p = hdr; p < nl; k++) {
		size_t len = strcspn(p, "\t\n");
		if (len == strlen(col) && strncmp(p, col, len) == 0)
			c = k;
		if (len == 6 && strncmp(p, "status", 6) == 0)
			s = k;
		p += len + 1;
	}
	assert_true(c >= 0 && s >= 0);
	int n = 0;
	for (const char *p = nl + 1; *p && *p != '#';) {
		const char *f = p, *g = p;
		for (int j = 0; j < c; j++)
			f = strchr(f, '\t') + 1;
		for (int j = 0; j < s; j++)
			g = strchr(g, '\t') + 1;
		n += starts_with(f, "nan\t") && starts_with(g, status) && g[strlen(status)] == '\t';
		p = strchr(p, '\n') + 1;
	}
	return n;
}

#define GX "vectors.china.growth"
#define GY "vectors.west.growth"
#define CROSS "cross:share_china>share_west"

/* Cells where China never passes the West are mid grey (#a6a6a6), not white, and the legend
 * below the map says so; a shard's missing cells are the light background, in the legend too;
 * failed runs dark grey (#525252); a map without nan has no legend. Counted in the SVG: one
 * polygon per grey cell, and one for the legend's sample. */
static void test_heatmap_grey(void **state)
{
	(void)state;
	const char *sum = path_in("never.tsv"), *shard = path_in("shard.tsv"), *fail = path_in("fail.tsv");
	struct result r = RUN("sweep", "tests/data/plot_never.cfg", "-o", sum, "--quiet");
	expect_ok(&r);
	result_free(&r);
	r = RUN("sweep", "tests/data/plot_never.cfg", "--shard", "1/2", "-o", shard, "--quiet");
	expect_ok(&r);
	result_free(&r);
	r = RUN("sweep", "tests/data/plot_fail.cfg", "-o", fail, "--quiet");
	expect_exit(&r, 1); /* 6 of the 9 points are invalid */
	result_free(&r);

	char *s = tu_slurp(sum, NULL);
	int nnan = nan_rows(s, CROSS, "ok");
	assert_int_equal(nnan, 14); /* tests/data/plot_cross.cfg: 6 of the 20 cross */
	const char *svg = path_in("never.svg");
	r = RUN("plot", sum, "--x", GX, "--y", GY, "--metric", CROSS, "-o", svg);
	expect_ok(&r);
	result_free(&r);
	char *fig = tu_slurp(svg, NULL);
	assert_int_equal(polygons(fig, 166, 166, 166), nnan + 1);
	assert_int_equal(polygons(fig, 255, 255, 255), 0);
	assert_int_equal(polygons(fig, 82, 82, 82), 0);
	assert_non_null(strstr(fig, "<text>never crosses (nan)</text>"));
	assert_null(strstr(fig, "failed run"));
	assert_null(strstr(fig, "another shard"));
	free(fig);

	/* a metric with a number in every run: no grey, no legend */
	svg = path_in("share.svg");
	r = RUN("plot", sum, "--x", GX, "--y", GY, "--metric", "final:share_china", "-o", svg);
	expect_ok(&r);
	result_free(&r);
	fig = tu_slurp(svg, NULL);
	assert_int_equal(polygons(fig, 166, 166, 166), 0);
	assert_null(strstr(fig, "never crosses"));
	assert_null(strstr(fig, "(nan)"));
	free(fig);
	free(s);

	/* the first of two shards: its nan cells grey, the other shard's cells the background */
	s = tu_slurp(shard, NULL);
	nnan = nan_rows(s, CROSS, "ok");
	svg = path_in("shard.svg");
	r = RUN("plot", shard, "--x", GX, "--y", GY, "--metric", CROSS, "-o", svg);
	expect_ok(&r);
	result_free(&r);
	fig = tu_slurp(svg, NULL);
	assert_true(nnan > 0);
	assert_int_equal(polygons(fig, 166, 166, 166), nnan + 1);
	assert_non_null(strstr(fig, "<text>no run (another shard)</text>"));
	free(fig);
	free(s);

	/* failed runs: dark grey, "failed run" */
	s = tu_slurp(fail, NULL);
	int nfail = nan_rows(s, "final:share_china", "failed");
	assert_int_equal(nfail, 6);
	svg = path_in("fail.svg");
	r = RUN("plot", fail, "--x", "vectors.west.share.economy", "--y", "vectors.china.growth",
		"--metric", "final:share_china", "-o", svg);
	expect_ok(&r);
	result_free(&r);
	fig = tu_slurp(svg, NULL);
	assert_int_equal(polygons(fig, 82, 82, 82), nfail + 1);
	assert_non_null(strstr(fig, "<text>failed run</text>"));
	assert_null(strstr(fig, "(nan)"));
	free(fig);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tension_labels),
		cmocka_unit_test(test_tension_markers),
		cmocka_unit_test(test_event_rows),
		cmocka_unit_test(test_heatmap_grey),
	};
	return cmocka_run_group_tests_name("figures", tests, tu_cli_setup_scripts, tu_cli_teardown);
}
