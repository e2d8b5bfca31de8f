/* test_events.c — docs/model.md §5: steps, ramps, set/add/mul, ties in file order, events before
 * the start, and the stops a run must make (boundaries, merged, inside the horizon). */
#include "testutil.h"

#include "mvsim/events.h"

static struct mv_event ev(double at, double over, int op, double x, int key, int order)
{
	struct mv_event e = {0};
	e.at = at;
	e.over = over;
	e.op = op;
	e.x = x;
	e.key = key;
	e.order = order;
	e.label = "";
	return e;
}

static void test_apply(void **state)
{
	(void)state;
	struct mv_event step = ev(2020, 0, MV_OP_ADD, 2, 0, 0);
	assert_double_equal(mv_event_apply(&step, 1, 2020), 3, 0);
	struct mv_event ramp = ev(2020, 4, MV_OP_ADD, 2, 0, 0);
	assert_double_equal(mv_event_apply(&ramp, 1, 2019), 1, 0);   /* f clamps at 0 */
	assert_double_equal(mv_event_apply(&ramp, 1, 2021), 1.5, 1e-15);
	assert_double_equal(mv_event_apply(&ramp, 1, 2030), 3, 0);   /* f clamps at 1 */
	struct mv_event mul = ev(2020, 4, MV_OP_MUL, 3, 0, 0);
	assert_double_equal(mv_event_apply(&mul, 2, 2022), 2 * (1 + 0.5 * 2), 1e-15);
	struct mv_event set = ev(2020, 4, MV_OP_SET, 10, 0, 0);
	assert_double_equal(mv_event_apply(&set, 2, 2023), 2 + 0.75 * 8, 1e-15);
	assert_double_equal(mv_event_apply(&set, 2, 2024), 10, 0);
}

/* Folding in order of `at`, ties in file order: set-then-add differs from add-then-set. */
static void test_fold_order(void **state)
{
	(void)state;
	struct mv_event a[] = {ev(2020, 0, MV_OP_SET, 5, 7, 0), ev(2020, 0, MV_OP_ADD, 1, 7, 1)};
	assert_double_equal(mv_events_value_at(a, 2, 7, 0, 2020, 2020), 6, 0);
	struct mv_event b[] = {ev(2020, 0, MV_OP_ADD, 1, 7, 0), ev(2020, 0, MV_OP_SET, 5, 7, 1)};
	assert_double_equal(mv_events_value_at(b, 2, 7, 0, 2020, 2020), 5, 0);
	/* Other keys are ignored; later events not yet counted. */
	struct mv_event c[] = {ev(2010, 0, MV_OP_MUL, 2, 7, 0), ev(2012, 0, MV_OP_ADD, 9, 3, 1),
			       ev(2030, 0, MV_OP_ADD, 100, 7, 2)};
	assert_double_equal(mv_events_value_at(c, 3, 7, 1.5, 2020, 2020), 3, 0);
	assert_double_equal(mv_events_value_at(c, 3, 7, 1.5, 2030, 2030), 103, 0);
	/* Overlapping ramps: add over [2020, 2030], mul over [2025, 2027]. */
	struct mv_event d[] = {ev(2020, 10, MV_OP_ADD, 10, 7, 0), ev(2025, 2, MV_OP_MUL, 2, 7, 1)};
	assert_double_equal(mv_events_value_at(d, 2, 7, 0, 2026, 2026), 6 * 1.5, 1e-14);
	/* t_incl: the segment starting at 2020 continues smoothly up to 2025 without the mul. */
	assert_double_equal(mv_events_value_at(d, 2, 7, 0, 2025, 2020), 5, 1e-14);
	assert_double_equal(mv_events_value_at(d, 2, 7, 0, 2025, 2025), 5, 1e-14);
}

static const char *cfg =
	"name = \"events\";\n"
	"time = { start = 2015.0; end = 2025.0; output_step = 1.0; };\n"
	"domains = ( { name = \"d\"; } );\n"
	"vectors = ( { name = \"A\"; mass = 1.0; salience = [1.0]; initial = [0.5]; growth = 0.1; },\n"
	"            { name = \"B\"; mass = 1.0; salience = [1.0]; initial = [0.5]; } );\n"
	"events = (\n"
	"  { at = 2010.0; over = 10.0; key = \"vectors.a.growth\"; add = 0.1; label = \"before\"; },\n"
	"  { at = 2018.5; key = \"vectors.b.tension\"; add = 1.0; },\n"
	"  { at = 2018.5; key = \"vectors.a.growth\"; mul = 2.0; },\n"
	"  { at = 2012.0; key = \"vectors.a.growth\"; add = 0.05; },\n"
	"  { at = 2024.0; over = 5.0; key = \"vectors.b.distance\"; set = 3.0; },\n"
	"  { at = 2025.0; key = \"vectors.a.mass\"; mul = 2.0; },\n"
	"  { at = 2030.0; key = \"vectors.a.connectivity\"; add = 1.0; },\n"
	"  { at = 2015.0; key = \"vectors.a.effort\"; set = 0.5; } );\n";

static void test_schedule(void **state)
{
	(void)state;
	struct mv_keytab kt;
	struct mv_scenario *sc = tu_load_text(cfg, 0, NULL, &kt);
	struct mv_error err = {0};
	struct mv_schedule *s = mv_schedule_create(sc, &kt, &err);
	assert_non_null(s);
	/* Sorted by at: 2010, 2012, 2015, 2018.5 (tension, then growth: file order), 2024, ... */
	assert_true(sc->events[0].at == 2010 && sc->events[1].at == 2012);
	assert_true(sc->events[3].at == 2018.5 && sc->events[3].order < sc->events[4].order);
	/* Stops inside (start, end): 2018.5 once (merged), 2020 (ramp end), 2024; the state
	 * event at the end (2025) counts; 2029 and 2030 are past the end. */
	int nb = mv_schedule_nboundaries(s);
	const double *b = mv_schedule_boundaries(s);
	assert_int_equal(nb, 4);
	assert_true(b[0] == 2018.5 && b[1] == 2020 && b[2] == 2024 && b[3] == 2025);

	int n = 2, D = 1, g = mv_key_vec(n, D, 0, MV_VP_GROWTH);
	int dist = mv_key_vec(n, D, 1, MV_VP_DISTANCE);
	double *p = malloc((size_t)sc->nval * sizeof *p);
	/* Segment [2015, 2018.5): the ramp from 2010 is half done and still moving. */
	mv_schedule_segment(s, 2015, p);
	assert_double_equal(p[g], 0.1 + 0.05 + 0.05, 1e-15);
	assert_int_equal(mv_schedule_update(s, 2017, p), 1);
	assert_double_equal(p[g], 0.1 + 0.07 + 0.05, 1e-15);
	/* Up to the segment's end, the mul at 2018.5 is not yet counted. */
	mv_schedule_update(s, 2018.5, p);
	assert_double_equal(p[g], 0.1 + 0.085 + 0.05, 1e-15);
	/* Segment [2018.5, 2020): the mul doubles everything folded before it, the ramp goes on
	 * (it comes first in time, so it is inside the doubling). */
	mv_schedule_segment(s, 2018.5, p);
	assert_double_equal(p[g], 2 * (0.1 + 0.085 + 0.05), 1e-15);
	mv_schedule_update(s, 2019, p);
	assert_double_equal(p[g], 2 * (0.1 + 0.09 + 0.05), 1e-15);
	/* [2020, 2024): nothing ramps; [2024, 2025): b's distance ramps toward 3. */
	mv_schedule_segment(s, 2020, p);
	assert_int_equal(mv_schedule_update(s, 2021, p), 0);
	assert_double_equal(p[g], 2 * 0.25, 1e-15);
	mv_schedule_segment(s, 2024, p);
	mv_schedule_update(s, 2024.5, p);
	assert_double_equal(p[dist], 1 + 0.1 * 2, 1e-15);

	/* Jumps: the effort event at the start applies with next = 0 at t = start; the tension
	 * jump at 2018.5 next; the mass jump at the end last. */
	double y[16] = {0};
	y[MV_Y_MASS(n, D, 0)] = 1;
	int next = mv_schedule_jumps(s, 2015, 0, y);
	assert_int_equal(next, 1);
	assert_double_equal(y[MV_Y_EFFORT(n, D, 0)], 0.5, 0);
	next = mv_schedule_jumps(s, 2018.5, next, y);
	assert_double_equal(y[MV_Y_TENSION(n, D, 1)], 1, 0);
	next = mv_schedule_jumps(s, 2025, next, y);
	assert_double_equal(y[MV_Y_MASS(n, D, 0)], 2, 0);
	assert_int_equal(next, 3);
	free(p);
	mv_schedule_free(s);
	mv_schedule_free(NULL);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
}

/* Event times that differ by less than 1e-9 years are one stop. */
static void test_merge(void **state)
{
	(void)state;
	const char *text =
		"name = \"merge\";\n"
		"time = { start = 0.0; end = 1.0; output_step = 0.1; };\n"
		"domains = ( { name = \"d\"; } );\n"
		"vectors = ( { name = \"A\"; mass = 1.0; salience = [1.0]; initial = [0.5]; },\n"
		"            { name = \"B\"; mass = 1.0; salience = [1.0]; initial = [0.5]; } );\n"
		"events = ( { at = 0.3; key = \"vectors.a.growth\"; add = 1.0; },\n"
		"           { at = 0.3000000000001; key = \"vectors.b.growth\"; add = 1.0; } );\n";
	struct mv_keytab kt;
	struct mv_scenario *sc = tu_load_text(text, 0, NULL, &kt);
	struct mv_error err = {0};
	struct mv_schedule *s = mv_schedule_create(sc, &kt, &err);
	assert_int_equal(mv_schedule_nboundaries(s), 1);
	/* And the run: 0.1·3 is not 0.3 in binary, yet rows stay 11 and both events apply. */
	struct tu_rows rows;
	assert_int_equal(tu_run(sc, &kt, NULL, &rows, &err), 0);
	assert_int_equal(rows.nrows, 11);
	assert_double_equal(tu_at(&rows, 10, tu_col(sc, "mass_a")), exp(0.7), 1e-9);
	assert_double_equal(tu_at(&rows, 10, tu_col(sc, "mass_b")), exp(0.7), 1e-9);
	free(rows.v);
	mv_schedule_free(s);
	mv_keytab_free(&kt);
	mv_scenario_free(sc);
}

/* The event index (validation's fold) gives exactly the values of mv_events_value_at — the same
 * mv_event_apply in the same order — for steps, ramps, overlaps and ties, at every boundary
 * and between. Fixed seed 12345 (printed on failure). Exact equality: same operations. */
static void test_index_exact(void **state)
{
	(void)state;
	enum { NE = 400, NV = 5 };
	struct mv_scenario sc = {0};
	struct mv_event *e = calloc(NE, sizeof *e);
	double val[NV] = {1.0, 0.5, -2.0, 3.0, 0.0};
	unsigned long r = 12345;
	for (int k = 0; k < NE; k++) {
		r = r * 6364136223846793005UL + 1442695040888963407UL;
		int slot = (int)((r >> 33) % NV), op = (int)((r >> 20) % 3);
		double at = 2000 + (double)((r >> 40) % 64) / 4.0; /* many ties */
		double over = (r >> 10) % 3 == 0 ? 0.0 : (double)((r >> 50) % 40) / 8.0;
		e[k] = ev(at, over, op, op == MV_OP_MUL ? 0.9 + (double)((r >> 5) % 20) / 100 : 0.25, slot, k);
	}
	/* sorted by at, ties in file order, as the loader leaves them */
	for (int i = 1; i < NE; i++)
		for (int j = i; j > 0 && (e[j - 1].at > e[j].at); j--) {
			struct mv_event t = e[j];
			e[j] = e[j - 1];
			e[j - 1] = t;
		}
	sc.nval = NV;
	sc.val = val;
	sc.nevents = NE;
	sc.events = e;
	struct mv_error err = {0};
	struct mv_event_index *ix = mv_event_index_create(&sc, &err);
	assert_non_null(ix);
	for (int k = 0; k < NE; k++) {
		double ts[3] = {e[k].at, e[k].at + e[k].over, e[k].at + 0.3};
		for (int q = 0; q < 3; q++)
			for (int s = 0; s < NV; s++) {
				double want = mv_events_value_at(e, NE, s, val[s], ts[q], ts[q]);
				double got = mv_event_index_value(ix, s, ts[q]);
				if (!(got == want))
					fail_msg("seed 12345: slot %d at t=%.17g: index %.17g, fold %.17g", s,
						 ts[q], got, want);
			}
	}
	int total = 0;
	for (int s = 0; s < NV; s++)
		total += mv_event_index_count(ix, s);
	assert_int_equal(total, NE);
	mv_event_index_free(ix);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_index_exact),
		cmocka_unit_test(test_fold_order),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
