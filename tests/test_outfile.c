/* test_outfile.c — the one output primitive (outfile.h): nothing under the final name until
 * commit, abort leaves nothing, FIFOs and devices written through, refusals with the exact
 * message (a directory, a missing directory, an input of the command). */
#include "testutil.h"

#include "mvsim/outfile.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#define OUT "build/test-outfile"

static int setup(void **state)
{
	(void)state;
	mkdir("build", 0777);
	mkdir(OUT, 0777);
	return 0;
}

static void test_commit_and_abort(void **state)
{
	(void)state;
	struct mv_error err = {0};
	struct stat st;
	unlink(OUT "/a.tsv");
	mode_t mask = umask(022);
	struct mv_outfile *o = mv_outfile_open(OUT "/a.tsv", NULL, 0, &err);
	assert_non_null(o);
	assert_string_equal(mv_outfile_path(o), OUT "/a.tsv");
	assert_true(strncmp(mv_outfile_name(o), OUT "/a.tsv.tmp.", strlen(OUT "/a.tsv.tmp.")) == 0);
	fputs("hello\n", mv_outfile_stream(o));
	assert_int_equal(stat(OUT "/a.tsv", &st), -1); /* not there before commit */
	assert_int_equal(mv_outfile_commit(o, &err), 0);
	char *text = tu_slurp(OUT "/a.tsv", NULL);
	assert_string_equal(text, "hello\n");
	free(text);
	assert_int_equal(stat(OUT "/a.tsv", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644); /* 0666 & ~umask, not mkstemp's 0600 */
	umask(mask);
	assert_int_equal(tu_count_prefix(OUT, "a.tsv.tmp."), 0);
	/* abort: the old file stays, the temporary goes */
	o = mv_outfile_open(OUT "/a.tsv", NULL, 0, &err);
	assert_non_null(o);
	fputs("half", mv_outfile_stream(o));
	mv_outfile_abort(o);
	mv_outfile_abort(NULL);
	text = tu_slurp(OUT "/a.tsv", NULL);
	assert_string_equal(text, "hello\n");
	free(text);
	assert_int_equal(tu_count_prefix(OUT, "a.tsv.tmp."), 0);
}

static void test_write_through(void **state)
{
	(void)state;
	struct mv_error err = {0};
	char buf[64] = "";
	unlink(OUT "/fifo");
	assert_int_equal(mkfifo(OUT "/fifo", 0600), 0);
	int rd = open(OUT "/fifo", O_RDONLY | O_NONBLOCK); /* a reader, so opening for write works */
	assert_true(rd >= 0);
	struct mv_outfile *o = mv_outfile_open(OUT "/fifo", NULL, 0, &err);
	assert_non_null(o);
	assert_string_equal(mv_outfile_name(o), OUT "/fifo"); /* no temporary */
	fputs("through\n", mv_outfile_stream(o));
	assert_int_equal(mv_outfile_commit(o, &err), 0);
	assert_int_equal(read(rd, buf, sizeof buf - 1), 8);
	assert_string_equal(buf, "through\n");
	close(rd);
	struct stat st;
	assert_int_equal(stat(OUT "/fifo", &st), 0);
	assert_true(S_ISFIFO(st.st_mode)); /* still the FIFO, not replaced by a file */
	unlink(OUT "/fifo");
	/* a device */
	o = mv_outfile_open("/dev/null", NULL, 0, &err);
	assert_non_null(o);
	fputs("x", mv_outfile_stream(o));
	assert_int_equal(mv_outfile_commit(o, &err), 0);
}

static void test_refusals(void **state)
{
	(void)state;
	struct mv_error err = {0};
	assert_null(mv_outfile_open(OUT, NULL, 0, &err));
	assert_string_equal(err.msg, OUT ": cannot write output: Is a directory");
	assert_int_equal(err.code, MV_EXIT_INPUT);
	assert_null(mv_outfile_open("", NULL, 0, &err));
	assert_string_equal(err.msg, "output: expected a file name, found an empty one");
	assert_null(mv_outfile_open(OUT "/no-such-dir/x.tsv", NULL, 0, &err));
	assert_string_equal(err.msg, OUT "/no-such-dir/x.tsv: cannot create output: No such file or "
				     "directory");
	assert_int_equal(err.code, MV_EXIT_INPUT);
	/* an input of the command, under another name (a link) too */
	FILE *f = fopen(OUT "/in.cfg", "w");
	fputs("input\n", f);
	fclose(f);
	unlink(OUT "/in-link.cfg");
	assert_int_equal(symlink("in.cfg", OUT "/in-link.cfg"), 0);
	struct mv_file_id ids[2];
	assert_int_equal(mv_file_id_of("configs/kazakhstan.cfg", &ids[0]), 0);
	assert_int_equal(mv_file_id_of(OUT "/in.cfg", &ids[1]), 0);
	assert_int_equal(mv_file_id_of(OUT "/no-such-file", &ids[1]) == 0, 0);
	assert_int_equal(mv_file_id_of(OUT "/in.cfg", &ids[1]), 0);
	assert_null(mv_outfile_open(OUT "/in-link.cfg", ids, 2, &err));
	assert_string_equal(err.msg, OUT "/in-link.cfg: is an input of this command: refusing to "
				     "overwrite it");
	char *text = tu_slurp(OUT "/in.cfg", NULL);
	assert_string_equal(text, "input\n");
	free(text);
	struct mv_outfile *o = mv_outfile_open(OUT "/other.tsv", ids, 2, &err);
	assert_non_null(o); /* not an input: fine */
	mv_outfile_abort(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_and_abort),
		cmocka_unit_test(test_write_through),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests_name("outfile", tests, setup, NULL);
}
