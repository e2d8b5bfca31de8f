/* test_tsv.c — the one TSV reader (tsv.h): lines without their newline, a torn last line,
 * '\r\n' on request, metadata keys, fields, offsets (where resume cuts). */
#include "testutil.h"

#include "mvsim/tsv.h"

#include <sys/stat.h>

#define OUT "build/test-tsv"

static void test_lines(void **state)
{
	(void)state;
	struct mv_error err = {0};
	char **f;
	mkdir("build", 0777);
	mkdir(OUT, 0777);
	tu_write_file(OUT "/a.tsv", "# mvsim 1 x\n# key\tv1\tv2\nt\ta\tb\n1\t2\t3\n\n4\t5");
	struct mv_tsv *t = mv_tsv_open(OUT "/a.tsv", 0, &err);
	assert_non_null(t);
	assert_int_equal(mv_tsv_next(t, &err), 1);
	assert_string_equal(mv_tsv_line(t), "# mvsim 1 x");
	assert_true(mv_tsv_is_comment(t));
	assert_int_equal(mv_tsv_offset(t), 12);
	assert_int_equal(mv_tsv_next(t, &err), 1);
	const char *v = NULL;
	assert_true(mv_tsv_meta(t, "key", &v));
	assert_string_equal(v, "v1\tv2");
	assert_false(mv_tsv_meta(t, "ke", NULL));
	assert_int_equal(mv_tsv_next(t, &err), 1);
	assert_int_equal(mv_tsv_split(t, &f), 3);
	assert_string_equal(f[0], "t");
	assert_string_equal(f[2], "b");
	assert_string_equal(mv_tsv_line(t), "t\ta\tb"); /* the line stays whole */
	assert_int_equal(mv_tsv_next(t, &err), 1);
	assert_int_equal(mv_tsv_lineno(t), 4);
	assert_int_equal(mv_tsv_next(t, &err), 1); /* an empty line */
	assert_int_equal(mv_tsv_len(t), 0);
	assert_true(mv_tsv_complete(t));
	assert_int_equal(mv_tsv_next(t, &err), 1);
	assert_string_equal(mv_tsv_line(t), "4\t5");
	assert_false(mv_tsv_complete(t)); /* torn: no newline */
	assert_int_equal(mv_tsv_offset(t), 40); /* 12 + 12 + 6 + 6 + 1 + 3 bytes */
	assert_int_equal(mv_tsv_next(t, &err), 0);
	mv_tsv_close(t);
	mv_tsv_close(NULL);
}

static void test_crlf_and_fields(void **state)
{
	(void)state;
	struct mv_error err = {0};
	tu_write_file(OUT "/b.tsv", "a\tb\r\n");
	struct mv_tsv *t = mv_tsv_open(OUT "/b.tsv", 0, &err);
	assert_int_equal(mv_tsv_next(t, &err), 1);
	assert_string_equal(mv_tsv_line(t), "a\tb\r"); /* kept unless asked */
	mv_tsv_close(t);
	t = mv_tsv_open(OUT "/b.tsv", MV_TSV_CRLF, &err);
	assert_int_equal(mv_tsv_next(t, &err), 1);
	assert_string_equal(mv_tsv_line(t), "a\tb");
	mv_tsv_close(t);
	char *s = mv_tsv_field_dup("x\tyy\tz\r\n", 1);
	assert_string_equal(s, "yy");
	free(s);
	s = mv_tsv_field_dup("x\tyy\tz\r\n", 2);
	assert_string_equal(s, "z");
	free(s);
	assert_null(mv_tsv_field_dup("x\ty", 2));
	assert_int_equal(mv_tsv_field_index("t\tshare_a\tshare_b\n", "share_b"), 2);
	assert_int_equal(mv_tsv_field_index("t\tshare_a\tshare_b\n", "share"), -1);
	char text[] = "1\t2\t3\t4", *fl[2];
	assert_int_equal(mv_tsv_split_text(text, fl, 2), 4); /* counted, two stored */
	assert_string_equal(fl[1], "2");
	assert_null(mv_tsv_open(OUT "/none.tsv", 0, &err));
	assert_string_equal(err.msg, OUT "/none.tsv: cannot open: No such file or directory");
	assert_int_equal(err.code, MV_EXIT_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_crlf_and_fields),
	};
	return cmocka_run_group_tests_name("tsv", tests, NULL, NULL);
}
