/* sha256.c — SHA-256 (FIPS 180-4), tested against the standard vectors.
 * Fingerprints every file a run reads, on every run: the x86 SHA extensions when the CPU has
 * them (a tenth of the instructions), else portable C with the rounds unrolled by eight. */
#include "mvsim/sha256.h"

#include <stdio.h>
#include <string.h>

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* Ch and Maj in their three- and four-operation forms (equal bit for bit to FIPS 180-4's). */
#define CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))
#define S0(a) (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22))
#define S1(e) (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25))
/* One round with the eight working variables named in rotated order, so no variable is
 * moved between rounds (eight rounds make a full rotation). */
#define ROUND(a, b, c, d, e, f, g, h, i)                                  \
	do {                                                              \
		uint32_t t1 = h + S1(e) + CH(e, f, g) + K[i] + w[i];      \
		d += t1;                                                  \
		h = t1 + S0(a) + MAJ(a, b, c);                            \
	} while (0)

static void block_portable(struct mv_sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;

	for (int i = 0; i < 16; i++) { /* big-endian words: one load and a byte swap */
		uint32_t x;
		memcpy(&x, p + 4 * i, 4);
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		w[i] = __builtin_bswap32(x);
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w[i] = x;
#else
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
		(void)x;
#endif
	}
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (int i = 0; i < 64; i += 8) {
		ROUND(a, b, c, d, e, f, g, h, i);
		ROUND(h, a, b, c, d, e, f, g, i + 1);
		ROUND(g, h, a, b, c, d, e, f, i + 2);
		ROUND(f, g, h, a, b, c, d, e, i + 3);
		ROUND(e, f, g, h, a, b, c, d, i + 4);
		ROUND(d, e, f, g, h, a, b, c, i + 5);
		ROUND(c, d, e, f, g, h, a, b, i + 6);
		ROUND(b, c, d, e, f, g, h, a, i + 7);
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHANI 1

/* One block with the x86 SHA extensions (SHA-NI): four rounds per two sha256rnds2, the
 * message schedule by sha256msg1/msg2. The state lives as ABEF and CDGH. */
__attribute__((target("sha,sse4.1,ssse3"))) static void block_shani(struct mv_sha256 *s,
								   const unsigned char *p)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i tmp = _mm_loadu_si128((const __m128i *)&s->h[0]);
	__m128i st1 = _mm_loadu_si128((const __m128i *)&s->h[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);          /* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);          /* EFGH */
	__m128i st0 = _mm_alignr_epi8(tmp, st1, 8);  /* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);       /* CDGH */
	const __m128i abef = st0, cdgh = st1;
	__m128i m[16];

	for (int i = 0; i < 16; i++) {
		if (i < 4) {
			m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), mask);
		} else {
			/* W[t] = σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16], four at a time */
			__m128i x = _mm_sha256msg1_epu32(m[i - 4], m[i - 3]);
			x = _mm_add_epi32(x, _mm_alignr_epi8(m[i - 1], m[i - 2], 4));
			m[i] = _mm_sha256msg2_epu32(x, m[i - 1]);
		}
		__m128i kw = _mm_add_epi32(m[i], _mm_loadu_si128((const __m128i *)&K[4 * i]));
		st1 = _mm_sha256rnds2_epu32(st1, st0, kw);
		kw = _mm_shuffle_epi32(kw, 0x0E);
		st0 = _mm_sha256rnds2_epu32(st0, st1, kw);
	}
	st0 = _mm_add_epi32(st0, abef);
	st1 = _mm_add_epi32(st1, cdgh);
	tmp = _mm_shuffle_epi32(st0, 0x1B);          /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);          /* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);       /* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);          /* HGFE */
	_mm_storeu_si128((__m128i *)&s->h[0], st0);
	_mm_storeu_si128((__m128i *)&s->h[4], st1);
}

/* 1 when the CPU has SHA-NI, SSE4.1 and SSSE3 (cpuid leaf 7 EBX bit 29; leaf 1 ECX 19, 9). */
static int cpu_has_shani(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) || !(c & (1u << 9)))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b >> 29) & 1;
}
#endif

/* -1: not asked yet; then 0 or 1. Every thread computes the same value, so the race of the
 * first calls is harmless. */
static volatile int use_hw = -1;

int mv_sha256_hw(int enable)
{
	int was = use_hw > 0;
#ifdef HAVE_SHANI
	use_hw = enable < 0 ? -1 : (enable && cpu_has_shani());
#else
	(void)enable;
	use_hw = 0;
#endif
	return was;
}

static void block(struct mv_sha256 *s, const unsigned char *p)
{
#ifdef HAVE_SHANI
	if (use_hw < 0)
		use_hw = cpu_has_shani();
	if (use_hw) {
		block_shani(s, p);
		return;
	}
#endif
	block_portable(s, p);
}

void mv_sha256_init(struct mv_sha256 *s)
{
	static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(s->h, h0, sizeof h0);
	s->len = 0;
	s->nbuf = 0;
}

void mv_sha256_update(struct mv_sha256 *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	s->len += n;
	while (s->nbuf == 0 && n >= 64) { /* whole blocks straight from the input */
		block(s, p);
		p += 64, n -= 64;
	}
	while (n > 0) {
		size_t take = 64 - s->nbuf < n ? 64 - s->nbuf : n;
		memcpy(s->buf + s->nbuf, p, take);
		s->nbuf += take, p += take, n -= take;
		if (s->nbuf == 64) {
			block(s, s->buf);
			s->nbuf = 0;
		}
	}
}

void mv_sha256_final(struct mv_sha256 *s, char hex[65])
{
	uint64_t bits = s->len * 8;
	unsigned char pad = 0x80, zero = 0, lenb[8];

	mv_sha256_update(s, &pad, 1);
	while (s->nbuf != 56)
		mv_sha256_update(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
	mv_sha256_update(s, lenb, 8);
	for (int i = 0; i < 8; i++)
		snprintf(hex + 8 * i, 9, "%08x", s->h[i]);
}

int mv_sha256_file(const char *path, char hex[65])
{
	struct mv_sha256 s;
	unsigned char buf[8192];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -1;
	mv_sha256_init(&s);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		mv_sha256_update(&s, buf, n);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return -1;
	mv_sha256_final(&s, hex);
	return 0;
}
