/* sha256.h — SHA-256 (FIPS 180-4) for the scenario fingerprint in output metadata.
 * Small and self-contained so mvsim needs no crypto library. */
#ifndef MVSIM_SHA256_H
#define MVSIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct mv_sha256 {
	uint32_t h[8];
	uint64_t len;      /* bytes hashed so far */
	unsigned char buf[64];
	size_t nbuf;
};

void mv_sha256_init(struct mv_sha256 *s);
void mv_sha256_update(struct mv_sha256 *s, const void *data, size_t n);
/* Writes the digest as 64 lower-case hex digits and a NUL into hex[65]. */
void mv_sha256_final(struct mv_sha256 *s, char hex[65]);

/* Whether blocks go through the CPU's SHA instructions (x86 SHA-NI, when present; the
 * default) or the portable code: enable 1 asks for them, 0 forces the portable code, -1
 * restores the default. Returns whether they were in use. Process-wide; for tests. */
int mv_sha256_hw(int enable);

/* Hashes the file at path into hex[65]. Returns 0, or -1 (errno set) if it cannot be read. */
int mv_sha256_file(const char *path, char hex[65]);

#endif
