/* version.h — the version of mvsim, in one place: the library, the `mvsim` command, the
 * metadata of every output file, the shared library's file name and mvsim.pc all read it here. */
#ifndef MVSIM_VERSION_H
#define MVSIM_VERSION_H

/* Semantic versioning: MAJOR changes break the API or ABI (and the soname libmvsim.so.MAJOR),
 * MINOR adds to them, PATCH fixes without changing them. The Makefile reads these three
 * lines (keep the form `#define MVSIM_VERSION_X N`). */
#define MVSIM_VERSION_MAJOR 0
#define MVSIM_VERSION_MINOR 1
#define MVSIM_VERSION_PATCH 0

#define MVSIM_VERSION_STR_(x) #x
#define MVSIM_VERSION_STR(x) MVSIM_VERSION_STR_(x)

/* "MAJOR.MINOR.PATCH", for the headers an embedder compiled against. */
#define MVSIM_VERSION                                                                   \
	MVSIM_VERSION_STR(MVSIM_VERSION_MAJOR) "." MVSIM_VERSION_STR(MVSIM_VERSION_MINOR) "." \
		MVSIM_VERSION_STR(MVSIM_VERSION_PATCH)

/* One number that grows with every release: MAJOR·10000 + MINOR·100 + PATCH, for #if. */
#define MVSIM_VERSION_NUMBER \
	(MVSIM_VERSION_MAJOR * 10000 + MVSIM_VERSION_MINOR * 100 + MVSIM_VERSION_PATCH)

/* The name the library's own code uses for the version string (metadata lines). */
#define MV_VERSION MVSIM_VERSION

/* The version of the library actually linked ("0.1.0"): differs from MVSIM_VERSION when a
 * program built against one release runs with the shared library of another. Static storage;
 * never NULL. */
const char *mv_version(void);

/* The same as MVSIM_VERSION_NUMBER, of the linked library. */
int mv_version_number(void);

#endif
