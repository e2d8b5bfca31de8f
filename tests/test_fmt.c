/* test_fmt.c — mv_fmt_g10 writes exactly the bytes of printf("%.10g") (docs/model.md §7):
 * hand-picked edge cases, then MV_FMT_TEST_COUNT (default 10^7) doubles from a fixed seed
 * across every magnitude — random bit patterns (all exponents, subnormals, NaN payloads),
 * decimal-looking numbers near rounding ties, exact ties and their neighbours, integers,
 * subnormals and the range of a run's output — each compared byte for byte with snprintf.
 * `make check` runs it under the sanitizers with MV_FMT_TEST_COUNT=1000000 (10x slower). */
#include "testutil.h"

#include "mvsim/fmt.h"

#include "fmt_digits.h"

#include <float.h>
#include <inttypes.h>

#define SEED UINT64_C(0x6d7673696d666d74) /* fixed: a failure is reproducible */

static uint64_t rng_state;

static uint64_t next64(void) /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double from_bits(uint64_t b)
{
	double d;
	memcpy(&d, &b, sizeof d);
	return d;
}

static double unit(void) /* [0, 1) */
{
	return (double)(next64() >> 11) * 0x1p-53;
}

static long nchecked, nbad;

static void check(double v)
{
	char want[64], got[64];
	memset(got, 'x', sizeof got);
	int nw = snprintf(want, sizeof want, "%.10g", v);
	int ng = mv_fmt_g10(v, got);
	char port[64]; /* the version for CPUs without FMA, whatever this one has */
	memset(port, 'x', sizeof port);
	int np = mv_fmt_g10_portable(v, port);
	nchecked++;
	if (np != nw || strcmp(want, port) != 0) {
		if (nbad++ < 10)
			print_error("%a: printf \"%s\", mv_fmt_g10_portable \"%s\"\n", v, want, port);
	}
	if (ng != nw || strcmp(want, got) != 0) {
		if (nbad++ < 10) {
			uint64_t b;
			memcpy(&b, &v, sizeof b);
			print_error("bits 0x%016" PRIx64 ": printf \"%s\" (%d), mv_fmt_g10 \"%s\" (%d)\n",
				    b, want, nw, got, ng);
		}
	}
	if ((size_t)ng >= MV_FMT_BUF)
		nbad++;
}

static void check_pm(double v)
{
	check(v);
	check(-v);
	check(nextafter(v, 0));
	check(nextafter(v, INFINITY));
}

static void test_edge_cases(void **state)
{
	(void)state;
	nchecked = nbad = 0;
	const double fixed[] = {0.0, 1.0, 2025.0, 2015.25, 0.3318, 0.1, 1.0 / 3, 2.0 / 3,
				1e-5, 1e-4, 9.99999999995e-5, 0.0001, 123456789.0, 1234567890.0,
				9999999999.0, 9999999999.5, 9999999999.49, 1e10, 1e9, 99999.999995,
				DBL_MIN, DBL_MAX, DBL_TRUE_MIN, DBL_EPSILON, 0x1p-1022 - 0x1p-1074,
				0x1p-15, 0x1p-16, 0x1p-30, 12345678905.0, 12345678915.0, 0.5, 2.5,
				1.5e-300, 4.5e300, 3.0517578125e-05, 1e22, 1e23, 1e-300, 1e300};
	for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
		check_pm(fixed[k]);
	check(-0.0);
	check(INFINITY);
	check(-INFINITY);
	check(NAN);
	check(-NAN);
	check(from_bits(UINT64_C(0x7ff0000000000001))); /* signalling-NaN pattern */
	check(from_bits(UINT64_C(0xfff8000000000123)));
	for (int e = -325; e <= 309; e++) { /* every power of ten and its neighbours */
		char s[32];
		snprintf(s, sizeof s, "1e%d", e);
		check_pm(strtod(s, NULL));
		snprintf(s, sizeof s, "9.9999999995e%d", e);
		check_pm(strtod(s, NULL));
	}
	for (int e = -1074; e <= 1023; e++) /* every power of two */
		check_pm(ldexp(1.0, e));
	for (long i = 0; i <= 100000; i++) /* small integers and quarters (output times) */
		check((double)i + 0.25 * (double)(i & 3));
	assert_int_equal(nbad, 0);
	print_message("edge cases: %ld numbers, all equal\n", nchecked);
}

/* One double from generator g (0..7). */
static double sample(int g)
{
	uint64_t r = next64();
	switch (g) {
	case 0: /* any bit pattern: every exponent, subnormals, inf, NaN */
		return from_bits(r);
	case 1: { /* decimal-looking: 11–13 digit integers scaled by 10^j, near ties */
		double n = (double)(r % UINT64_C(9000000000000)) + 1e11;
		char s[48];
		snprintf(s, sizeof s, "%.0fe%d", n, (int)(next64() % 640) - 330);
		return strtod(s, NULL);
	}
	case 2: { /* exact ties: an 11-digit integer ending in 5, times 2^j (exact while
		   * the 2^j keeps 11 digits, else near) */
		double n = (double)((r % UINT64_C(9000000000)) + 1000000000) * 10 + 5;
		return ldexp(n, -(int)(next64() % 40));
	}
	case 3: { /* neighbours of ties */
		double n = (double)((r % UINT64_C(9000000000)) + 1000000000) * 10 + 5;
		double t = ldexp(n, -(int)(next64() % 40));
		return next64() & 1 ? nextafter(t, 0) : nextafter(t, INFINITY);
	}
	case 4: /* subnormals */
		return from_bits((r & ((UINT64_C(1) << 52) - 1)) | (r & (UINT64_C(1) << 63)));
	case 5: /* integers up to 2^53 */
		return (double)(r >> (11 + next64() % 53));
	case 6: /* a run's output: log-uniform in [1e-12, 1e6], either sign */
		return (r & 1 ? -1 : 1) * pow(10, -12 + 18 * unit());
	default: /* uniform in [0, 1) with few bits: short decimals and binary fractions */
		return (double)(r % 1000000) / (double)(1u << (next64() % 24));
	}
}

static void test_random(void **state)
{
	(void)state;
	const char *env = getenv("MV_FMT_TEST_COUNT");
	long count = env && env[0] ? strtol(env, NULL, 10) : 10000000L;
	rng_state = SEED;
	nchecked = nbad = 0;
	for (long k = 0; k < count; k++)
		check(sample((int)(k & 7)));
	print_message("random: %ld numbers from seed 0x%016" PRIx64 ", %ld differ\n", nchecked,
		      SEED, nbad);
	assert_int_equal(nbad, 0);
	assert_int_equal(nchecked, count);
}

/* The digits of every integer below 10^8 (mv_fmt_digits8, the multiplication-only digits
 * of fmt.c), against division; every 97th of them when MV_FMT_TEST_COUNT is below 10^7 (make
 * check and make valgrind), all 10^8 otherwise (about 1 s). */
static void test_digits8(void **state)
{
	(void)state;
	const char *env = getenv("MV_FMT_TEST_COUNT");
	uint32_t stride = env && atol(env) < 10000000 ? 97 : 1;
	for (uint32_t n = 0; n < 100000000u; n += stride) {
		char d[8];
		mv_fmt_digits8(n, d);
		uint32_t x = n;
		for (int k = 7; k >= 0; k--, x /= 10)
			if (d[k] != (char)('0' + x % 10))
				fail_msg("%u: digit %d is '%c'", (unsigned)n, k, d[k]);
	}
	char d[8];
	mv_fmt_digits8(99999999u, d);
	assert_memory_equal(d, "99999999", 8);
}

/* mv_concat writes what snprintf(buf, size, "%s%s%s", a, b, c) writes and returns the
 * same length, for every size from 0 to past the whole. */
static void test_concat(void **state)
{
	(void)state;
	const char *a = "vectors.", *b = "russia", *c = ".salience.economy";
	for (size_t size = 0; size <= 40; size++) {
		char x[48], y[48];
		memset(x, '#', sizeof x);
		memset(y, '#', sizeof y);
		int lx = mv_concat(x, size, a, b, c, (char *)NULL);
		int ly = snprintf(y, size, "%s%s%s", a, b, c);
		assert_int_equal(lx, ly);
		assert_memory_equal(x, y, sizeof x); /* the bytes past the NUL untouched too */
	}
	char z[4];
	assert_int_equal(mv_concat(z, sizeof z, (char *)NULL), 0);
	assert_string_equal(z, "");
	assert_int_equal(mv_concat(z, sizeof z, "", "ab", "", "c", (char *)NULL), 3);
	assert_string_equal(z, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_concat),
		cmocka_unit_test(test_digits8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
