/* test_sha256.c — SHA-256 against the FIPS 180-4 example vectors, the padding boundaries,
 * chunked updates at random split points, and mv_sha256_file. */
#include "testutil.h"

#include "mvsim/sha256.h"

#include <errno.h>
#include <sys/stat.h>

#define TMPDIR_SHA "build/test-sha256"

static void digest(const void *data, size_t n, char hex[65])
{
	struct mv_sha256 s;
	mv_sha256_init(&s);
	mv_sha256_update(&s, data, n);
	mv_sha256_final(&s, hex);
}

/* The FIPS 180-4 / NIST CSRC example messages (SHA256.pdf, SHA2_Additional.pdf). */
static void test_fips_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *msg, *hex;
	} v[] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		/* 448 bits: two blocks, the length no longer fits after the padding byte */
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
		/* 896 bits */
		{"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmn"
		 "opqrlmnopqrsmnopqrstnopqrstu",
		 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
	};
	char hex[65];

	for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
		digest(v[k].msg, strlen(v[k].msg), hex);
		assert_string_equal(hex, v[k].hex);
		assert_int_equal(strlen(hex), 64);
	}
}

/* One million 'a', fed as one buffer and as 1000 updates of 1000 bytes. */
static void test_million_a(void **state)
{
	(void)state;
	const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	size_t n = 1000000;
	char *a = malloc(n), hex[65];
	struct mv_sha256 s;

	assert_non_null(a);
	memset(a, 'a', n);
	digest(a, n, hex);
	assert_string_equal(hex, want);
	mv_sha256_init(&s);
	for (int k = 0; k < 1000; k++)
		mv_sha256_update(&s, a, 1000);
	assert_true(s.len == 1000000);
	mv_sha256_final(&s, hex);
	assert_string_equal(hex, want);
	free(a);
}

/* Lengths around the 55/56-byte padding boundary and the 64-byte block, where off-by-one
 * errors in padding live (digests from coreutils sha256sum). */
static void test_padding_boundaries(void **state)
{
	(void)state;
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
		{55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
		{56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
		{57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
		{63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
		{64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
		{65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
		{119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
		{120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
		{128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
	};
	char a[128], hex[65];

	memset(a, 'a', sizeof a);
	for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
		digest(a, v[k].n, hex);
		if (strcmp(hex, v[k].hex) != 0)
			fail_msg("%zu x 'a': %s, expected %s", v[k].n, hex, v[k].hex);
	}
}

/* xorshift64*: a fixed, platform-independent sequence, so a failure can be replayed. */
static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ULL;
}

/* Any split of a message into updates (empty ones included) gives the one-shot digest. */
static void test_chunked_equals_oneshot(void **state)
{
	(void)state;
	enum { N = 1500 };
	unsigned char msg[N];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char one[65], chunked[65];

	for (int k = 0; k < N; k++)
		msg[k] = (unsigned char)(rng_next(&x) >> 56);
	for (int trial = 0; trial < 300; trial++) {
		size_t len = (size_t)(rng_next(&x) % (N + 1));
		struct mv_sha256 s;
		size_t pos = 0, nupd = 0;

		digest(msg, len, one);
		mv_sha256_init(&s);
		while (pos < len) {
			/* mostly short chunks so block boundaries fall inside them; sometimes long */
			size_t take = (size_t)(rng_next(&x) % (trial % 3 == 0 ? 200 : 70));
			if (take > len - pos)
				take = len - pos;
			mv_sha256_update(&s, msg + pos, take);
			pos += take;
			nupd++;
		}
		mv_sha256_update(&s, msg, 0);
		assert_true(s.len == len);
		mv_sha256_final(&s, chunked);
		if (strcmp(one, chunked) != 0)
			fail_msg("trial %d: %zu bytes in %zu updates: %s, one-shot %s", trial, len, nupd,
				 chunked, one);
	}
	/* byte by byte over more than two blocks */
	struct mv_sha256 s;
	mv_sha256_init(&s);
	for (int k = 0; k < 200; k++)
		mv_sha256_update(&s, msg + k, 1);
	mv_sha256_final(&s, chunked);
	digest(msg, 200, one);
	assert_string_equal(chunked, one);
}

/* A different message gives a different digest (one flipped bit). */
static void test_bit_flip(void **state)
{
	(void)state;
	char m[100], h1[65], h2[65];

	memset(m, 'x', sizeof m);
	digest(m, sizeof m, h1);
	m[57] ^= 1;
	digest(m, sizeof m, h2);
	assert_string_not_equal(h1, h2);
}

static char *write_file(const char *name, const void *data, size_t n)
{
	char *path = malloc(256);
	snprintf(path, 256, TMPDIR_SHA "/%s", name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void test_file(void **state)
{
	(void)state;
	char hex[65];

	char *p = write_file("abc", "abc", 3);
	assert_int_equal(mv_sha256_file(p, hex), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	unlink(p);
	free(p);

	p = write_file("empty", "", 0);
	assert_int_equal(mv_sha256_file(p, hex), 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	unlink(p);
	free(p);

	/* larger than the reader's buffer, and not a multiple of it */
	size_t n = 1000000;
	char *a = malloc(n);
	memset(a, 'a', n);
	p = write_file("million", a, n);
	assert_int_equal(mv_sha256_file(p, hex), 0);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	unlink(p);
	free(p);
	free(a);
}

/* The scenario fingerprint agrees with coreutils' sha256sum, an independent implementation. */
static void test_file_matches_sha256sum(void **state)
{
	(void)state;
	const char *path = "configs/kazakhstan.cfg";
	char hex[65], line[256] = "";

	assert_int_equal(mv_sha256_file(path, hex), 0);
	FILE *p = popen("sha256sum configs/kazakhstan.cfg", "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof line, p));
	assert_int_equal(pclose(p), 0);
	assert_true(strlen(line) > 64);
	line[64] = '\0';
	assert_string_equal(hex, line);
}

static void test_file_errors(void **state)
{
	(void)state;
	char hex[65] = "untouched";

	errno = 0;
	assert_int_equal(mv_sha256_file(TMPDIR_SHA "/no-such-file", hex), -1);
	assert_int_equal(errno, ENOENT);
	/* a directory opens but cannot be read */
	assert_int_equal(mv_sha256_file(TMPDIR_SHA, hex), -1);
	assert_int_not_equal(errno, 0);
}

static int group_setup(void **state)
{
	(void)state;
	mkdir("build", 0777);
	if (mkdir(TMPDIR_SHA, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* The CPU's SHA instructions (when present) and the portable code agree on every length
 * from 0 to 1,000 bytes of fixed pseudo-random data, hashed in one piece and in chunks. */
static void test_hw_equals_portable(void **state)
{
	(void)state;
	unsigned char data[1000];
	uint32_t x = 12345; /* fixed seed */
	for (size_t k = 0; k < sizeof data; k++) {
		x = x * 1103515245u + 12345u;
		data[k] = (unsigned char)(x >> 24);
	}
	int had = mv_sha256_hw(1);
	print_message("SHA-NI %s\n", mv_sha256_hw(1) ? "in use" : "not available: portable twice");
	for (size_t n = 0; n <= sizeof data; n++) {
		char a[65], b[65];
		struct mv_sha256 s;
		mv_sha256_hw(1);
		mv_sha256_init(&s);
		mv_sha256_update(&s, data, n / 3);
		mv_sha256_update(&s, data + n / 3, n - n / 3);
		mv_sha256_final(&s, a);
		mv_sha256_hw(0);
		mv_sha256_init(&s);
		mv_sha256_update(&s, data, n);
		mv_sha256_final(&s, b);
		if (strcmp(a, b) != 0)
			fail_msg("length %zu: %s (hardware) vs %s (portable)", n, a, b);
	}
	mv_sha256_hw(had ? 1 : -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_vectors),
		cmocka_unit_test(test_hw_equals_portable),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_padding_boundaries),
		cmocka_unit_test(test_chunked_equals_oneshot),
		cmocka_unit_test(test_bit_flip),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_matches_sha256sum),
		cmocka_unit_test(test_file_errors),
	};
	return cmocka_run_group_tests_name("sha256", tests, group_setup, NULL);
}
