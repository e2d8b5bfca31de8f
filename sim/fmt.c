/* fmt.c — %.10g without printf (docs/model.md §7: numbers with enough digits to round-trip
 * what tests compare). The ten significant digits of |v| are the integer nearest
 * x = |v|·10^k, k = 9 − floor(log10|v|). With |v| = f·2^ev (f in [0.5, 1)) and a table of
 * 10^k = (hi + lo)·2^e (scripts/gen_fmt_pow10.py, exact to 2^-106), x = f·(hi + lo)·2^(ev+e)
 * is computed as a double-double xh + xl (Dekker's exact product for f·hi, so no FMA is
 * needed; -std=c11 keeps the compiler from contracting it) with an absolute error below
 * 2^-70 for x < 2^35. Rounding only asks on which side of N + 1/2 the true x lies; when the
 * computed distance is within 2^-60 of 0 (an exact tie, or nearly), snprintf decides. */
#include "mvsim/fmt.h"

#include "fmt_digits.h"
#include "fmt_pow10.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* a·b = *p + *e exactly: with a fused multiply-add (the error of a rounded product is
 * fma(a, b, −p), exact), else Dekker/Veltkamp (no overflow for the operands used here).
 * Both give the same two numbers, so the formatted bytes never depend on the CPU. */
static inline __attribute__((always_inline)) void two_prod(double a, double b, double *p,
							   double *e, int fused)
{
	if (fused) {
		*p = a * b;
		*e = __builtin_fma(a, b, -*p);
		return;
	}
	const double split = 134217729.0; /* 2^27 + 1 */
	double pr = a * b;
	double t = split * a, ah = t - (t - a), al = a - ah;
	t = split * b;
	double bh = t - (t - b), bl = b - bh;
	*p = pr;
	*e = ((ah * bh - pr) + ah * bl + al * bh) + al * bl;
}

static double pow2(int s) /* 2^s for a normal exponent */
{
	uint64_t b = (uint64_t)(s + 1023) << 52;
	double d;
	memcpy(&d, &b, sizeof d);
	return d;
}

/* floor(e·log10 2) for |e| <= 1700 (78913/2^18 ≈ log10 2). */
_Static_assert(MV_FMT_KMIN <= -300 && MV_FMT_KMAX >= 334, "mv_fmt_pow10 covers every double");

static int floor_log10_pow2(int e)
{
	/* GCC and Clang shift a negative int arithmetically (GCC's manual, "Integers
	 * implementation"): q >> 18 is floor(q / 2^18) for either sign. */
	return (e * 78913) >> 18;
}

/* Ten decimal digits of N (10^9 <= N < 10^10) into d[0..10). */
static inline __attribute__((always_inline)) void ten_digits(uint64_t N, char *d)
{
	uint32_t hi = (uint32_t)(N / 100000000u), lo = (uint32_t)(N % 100000000u);
	memcpy(d, mv_fmt_pairs + 2 * hi, 2);
	mv_fmt_digits8(lo, d + 2);
}

static inline __attribute__((always_inline)) int g10(double v, char *buf, int fused)
{
	uint64_t bits;
	char *o = buf;

	memcpy(&bits, &v, sizeof bits);
	int neg = (int)(bits >> 63), be = (int)((bits >> 52) & 0x7ff);
	uint64_t mant = bits & ((UINT64_C(1) << 52) - 1);
	if (neg)
		*o++ = '-';
	if (be == 0x7ff) {
		memcpy(o, mant ? "nan" : "inf", 4);
		return (int)(o - buf) + 3;
	}
	if (be == 0 && mant == 0) {
		memcpy(o, "0", 2);
		return (int)(o - buf) + 1;
	}
	int ev;
	if (be == 0) { /* subnormal: normalise, 2^64·|v| is normal */
		double a = (neg ? -v : v) * 0x1p64;
		memcpy(&bits, &a, sizeof bits);
		be = (int)((bits >> 52) & 0x7ff) - 64;
		mant = bits & ((UINT64_C(1) << 52) - 1);
	}
	ev = be - 1022; /* |v| = f·2^ev */
	uint64_t fb = mant | (UINT64_C(1022) << 52);
	double f;
	memcpy(&f, &fb, sizeof f);

	int e10 = floor_log10_pow2(ev - 1); /* |v| >= 2^(ev−1): e10 or one less than the truth */
	uint64_t N;
	for (;;) {
		/* k within the table: a double's ev is in [−1073, 1024], so e10 in [−324, 308]
		 * (one more or less after a correction) and k in [−300, 334] ⊂ [KMIN, KMAX] */
		int k = 9 - e10;
		const double hi = mv_fmt_pow10[k - MV_FMT_KMIN].hi, lo = mv_fmt_pow10[k - MV_FMT_KMIN].lo;
		double p, e1;
		two_prod(f, hi, &p, &e1, fused);
		const double scale = pow2(ev + mv_fmt_pow10[k - MV_FMT_KMIN].e);
		const double xh = p * scale, xl = (e1 + f * lo) * scale; /* exact scalings */
		uint64_t n0 = (uint64_t)xh; /* 0 < xh < 2^36 */
		double t = ((xh - (double)n0) - 0.5) + xl; /* x − (n0 + 1/2), the first term exact */
		if (t <= 0x1p-60 && t >= -0x1p-60)
			return snprintf(buf, MV_FMT_BUF, "%.10g", v);
		N = n0 + (t > 0);
		if (N < UINT64_C(1000000000))
			e10--;
		else if (N >= UINT64_C(10000000000))
			e10++;
		else
			break;
	}

	/* The digits, then the layout with fixed-size copies only (no variable-length memcpy
	 * calls): d has room past its ten digits, and buf (MV_FMT_BUF) past the at most 17
	 * bytes written, for the copies' tails, which later bytes or the NUL overwrite. */
	char d[24] = {0};
	ten_digits(N, d);
	int nd = 10;
	while (nd > 1 && d[nd - 1] == '0')
		nd--;
	if (e10 < -4 || e10 >= 10) { /* d.ddde±XX */
		o[0] = d[0];
		if (nd > 1) {
			o[1] = '.';
			memcpy(o + 2, d + 1, 9);
			o += nd + 1;
		} else {
			o += 1;
		}
		*o++ = 'e';
		int x = e10;
		*o++ = x < 0 ? '-' : '+';
		if (x < 0)
			x = -x;
		if (x >= 100) {
			*o++ = (char)('0' + x / 100);
			x %= 100;
		}
		*o++ = mv_fmt_pairs[2 * x];
		*o++ = mv_fmt_pairs[2 * x + 1];
	} else if (e10 >= 0) { /* ddd.ddd: e10 + 1 digits before the point */
		memcpy(o, d, 10);
		if (nd > e10 + 1) {
			o[e10 + 1] = '.';
			memcpy(o + e10 + 2, d + e10 + 1, 9);
			o += nd + 1;
		} else {
			o += e10 + 1;
		}
	} else { /* 0.000ddd: 1 to 4 zeros, the point after the first */
		memcpy(o, "0.000", 5);
		o += 1 - e10;
		memcpy(o, d, 10);
		o += nd;
	}
	*o = '\0';
	return (int)(o - buf);
}

int mv_fmt_g10_portable(double v, char *buf)
{
	return g10(v, buf, 0);
}

#if defined(__x86_64__) && defined(__GNUC__)
/* x86-64 CPUs since 2013 have FMA3: the exact product in two instructions instead of
 * Dekker's seventeen. The first call picks the version and keeps it in g10_impl (every
 * thread picks the same; relaxed atomics make the race defined). Not an ifunc: a resolver
 * runs during relocation, before the sanitizers' run-time is up, and crashed there. */
__attribute__((target("fma"))) static int g10_fma(double v, char *buf)
{
	return g10(v, buf, 1);
}

typedef int g10_fn(double, char *);
static int g10_first(double v, char *buf);
static _Atomic(g10_fn *) g10_impl = g10_first;

static int g10_first(double v, char *buf)
{
	__builtin_cpu_init();
	g10_fn *f = __builtin_cpu_supports("fma") ? g10_fma : mv_fmt_g10_portable;
	atomic_store_explicit(&g10_impl, f, memory_order_relaxed);
	return f(v, buf);
}

int mv_fmt_g10(double v, char *buf)
{
	return atomic_load_explicit(&g10_impl, memory_order_relaxed)(v, buf);
}
#else
int mv_fmt_g10(double v, char *buf)
{
	return mv_fmt_g10_portable(v, buf);
}
#endif

int mv_vconcat(char *buf, size_t size, va_list ap)
{
	size_t len = 0;

	for (const char *s; (s = va_arg(ap, const char *)) != NULL;) {
		size_t n = strlen(s);
		if (len < size) {
			size_t room = size - 1 - len;
			memcpy(buf + len, s, n < room ? n : room);
		}
		len += n;
	}
	if (size > 0)
		buf[len < size ? len : size - 1] = '\0';
	return (int)len;
}

int mv_concat(char *buf, size_t size, ...)
{
	va_list ap;

	va_start(ap, size);
	int len = mv_vconcat(buf, size, ap);
	va_end(ap);
	return len;
}
