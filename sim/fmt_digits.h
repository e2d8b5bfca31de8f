/* fmt_digits.h — the decimal digits of an integer below 10^8 by multiplications only (private
 * to sim/fmt.c; tests/test_fmt.c checks all 10^8 values). n·C with C = ⌈2^56/10^6⌉ is n/10^6
 * in 8.56 fixed point: its integer part is the first pair of digits, and each multiplication
 * of the fraction by 100 brings the next pair up. C exceeds 2^56/10^6 by 0.07, so the
 * computed fraction is never below the true one and above it by at most 10^8·0.07·2^-56,
 * which three multiplications by 100 leave below 10^-4 of a unit: every floor is exact. */
#ifndef MVSIM_FMT_DIGITS_H
#define MVSIM_FMT_DIGITS_H

#include <stdint.h>
#include <string.h>

static const char mv_fmt_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The eight digits of n (0 <= n < 10^8), leading zeros included, into d[0..8). */
static inline void mv_fmt_digits8(uint32_t n, char *d)
{
	const uint64_t C = UINT64_C(72057594038), M = (UINT64_C(1) << 56) - 1;
	uint64_t y = (uint64_t)n * C;
	memcpy(d, mv_fmt_pairs + 2 * (y >> 56), 2);
	y = (y & M) * 100;
	memcpy(d + 2, mv_fmt_pairs + 2 * (y >> 56), 2);
	y = (y & M) * 100;
	memcpy(d + 4, mv_fmt_pairs + 2 * (y >> 56), 2);
	y = (y & M) * 100;
	memcpy(d + 6, mv_fmt_pairs + 2 * (y >> 56), 2);
}

/* mv_fmt_g10 without the fused multiply-add, whatever the CPU (fmt.c picks one of the two
 * at load time; tests/test_fmt.c compares both with printf). */
int mv_fmt_g10_portable(double v, char *buf);

#endif
