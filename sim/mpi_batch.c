/* mpi_batch.c — the batch loop over MPI ranks (mpi_batch.h). Built on batch.h's public API
 * only: each rank runs the chunks it is given with mv_batch_exec(first, count, stride); the
 * result callback of that batch packs each result into a record; rank 0 keeps the records
 * of at most a window of runs and delivers them in run order to the caller's callback.
 *
 * The protocol (tags: TAG_W from a worker to rank 0, TAG_M from rank 0 to a worker):
 *   worker -> 0   W_RESULT {chunk c (-1 for the first request), records}: also asks for
 *                 the next chunk; W_ERROR {code, message}: a hook failed, the worker leaves
 *                 the batch; W_BYE: the worker's command ended (mv_mpi_end).
 *   0 -> worker   {c, first run, count, stride}; count 0: leave the batch.
 * Rank 0 runs chunks too, and serves the others between its own runs (in its batch's
 * result callback, which batch.h calls one at a time: MPI_THREAD_SERIALIZED suffices). */
#define _POSIX_C_SOURCE 200809L
#include "mvsim/mpi_batch.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef MV_HAVE_MPI
#include <dlfcn.h>
#include <mpi.h>

/* Open MPI is loaded (dlopen) when a launcher started this process, never linked: linking
 * libmpi and its dependencies costs every mvsim process, MPI or not, about 2 million
 * instructions of symbol relocation at start-up, more than a whole baseline run's
 * integration (docs/cluster.md, "How mvsim finds MPI"). MV_MPI_LIB is the soname of the
 * libmpi that mpicc links (the Makefile reads it); the calls below are this file's only ones.
 * MPI_COMM_WORLD and MPI_BYTE are addresses of the library's predefined objects. */
static struct {
	__typeof__(MPI_Init_thread) *init_thread;
	__typeof__(MPI_Comm_rank) *comm_rank;
	__typeof__(MPI_Comm_size) *comm_size;
	__typeof__(MPI_Finalize) *finalize;
	__typeof__(MPI_Get_count) *get_count;
	__typeof__(MPI_Iprobe) *iprobe;
	__typeof__(MPI_Recv) *recv;
	__typeof__(MPI_Send) *send;
	MPI_Comm world;
	MPI_Datatype byte;
} mpi;
#undef MPI_COMM_WORLD
#undef MPI_BYTE
#define MPI_COMM_WORLD  (mpi.world)
#define MPI_BYTE        (mpi.byte)
#define MPI_Init_thread (*mpi.init_thread)
#define MPI_Comm_rank   (*mpi.comm_rank)
#define MPI_Comm_size   (*mpi.comm_size)
#define MPI_Finalize    (*mpi.finalize)
#define MPI_Get_count   (*mpi.get_count)
#define MPI_Iprobe      (*mpi.iprobe)
#define MPI_Recv        (*mpi.recv)
#define MPI_Send        (*mpi.send)

static int load_mpi(struct mv_error *err)
{
	static const struct {
		const char *name;
		size_t off;
	} sym[] = {
		{"MPI_Init_thread", offsetof(__typeof__(mpi), init_thread)},
		{"MPI_Comm_rank", offsetof(__typeof__(mpi), comm_rank)},
		{"MPI_Comm_size", offsetof(__typeof__(mpi), comm_size)},
		{"MPI_Finalize", offsetof(__typeof__(mpi), finalize)},
		{"MPI_Get_count", offsetof(__typeof__(mpi), get_count)},
		{"MPI_Iprobe", offsetof(__typeof__(mpi), iprobe)},
		{"MPI_Recv", offsetof(__typeof__(mpi), recv)},
		{"MPI_Send", offsetof(__typeof__(mpi), send)},
		{"ompi_mpi_comm_world", offsetof(__typeof__(mpi), world)},
		{"ompi_mpi_byte", offsetof(__typeof__(mpi), byte)},
	};
	/* RTLD_GLOBAL: Open MPI's own components, which it dlopens, resolve against it */
	void *h = dlopen(MV_MPI_LIB, RTLD_NOW | RTLD_GLOBAL);
	if (!h)
		return mv_error_set(err, MV_EXIT_FAIL,
				    "MPI: started by an MPI launcher, but %s cannot be loaded: %s",
				    MV_MPI_LIB, dlerror());
	for (size_t k = 0; k < sizeof sym / sizeof sym[0]; k++) {
		void *p = dlsym(h, sym[k].name);
		if (!p)
			return mv_error_set(err, MV_EXIT_FAIL, "MPI: %s has no symbol %s",
					    MV_MPI_LIB, sym[k].name);
		/* a data address or a function's (POSIX: dlsym's result converts to both) */
		memcpy((char *)&mpi + sym[k].off, &p, sizeof p);
	}
	return 0;
}
#endif

static int g_mpi;          /* MPI was started here */
static int g_rank, g_size = 1;
static int g_byes;         /* rank 0: ranks that said goodbye (their command ended) */

int mv_mpi_built(void)
{
#ifdef MV_HAVE_MPI
	return 1;
#else
	return 0;
#endif
}

int mv_mpi_rank(void)
{
	return g_rank;
}

int mv_mpi_size(void)
{
	return g_size;
}

/* Started by an MPI launcher: Open MPI's mpirun, a PMI/PMIx launcher (srun --mpi, hydra). */
static int launched(void)
{
	static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
					   "PMI_SIZE", "MPI_LOCALNRANKS"};
	for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++)
		if (getenv(vars[k]))
			return 1;
	return 0;
}

int mv_mpi_start(struct mv_error *err)
{
	if (g_mpi || !launched())
		return 0;
#ifdef MV_HAVE_MPI
	if (load_mpi(err))
		return -1;
	int provided = 0;
	if (MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
		return mv_error_set(err, MV_EXIT_FAIL, "MPI: MPI_Init_thread failed");
	g_mpi = 1;
	MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
	MPI_Comm_size(MPI_COMM_WORLD, &g_size);
	if (provided < MPI_THREAD_SERIALIZED && g_size > 1)
		return mv_error_set(err, MV_EXIT_FAIL,
				    "MPI: the library provides thread level %d, below "
				    "MPI_THREAD_SERIALIZED (%d) that OpenMP threads in a rank need",
				    provided, MPI_THREAD_SERIALIZED);
	return 0;
#else
	(void)err;
	return 0;
#endif
}

/* ================================================================ without MPI */

struct mv_mpi_batch {
	struct mv_batch *b;
	struct mv_batch_spec spec; /* the caller's: its result callback */
	struct mv_mpi_payload pay;
	int has_pay;
	int dist;                  /* distributed: MPI with more than one rank */
	int np, nm;
	size_t rec;                /* bytes of one result record */
	/* the chunk this rank is running: its records go to cur (room for curmax) */
	unsigned char *cur;
	long ncur, curmax;
	long *cur_ready;           /* rank 0: the ready count of the ring slot being filled */
	struct master *m;          /* rank 0 during an exec */
	struct mv_error cb_err;    /* a failure inside the collecting callback */
};

#ifndef MV_HAVE_MPI
struct master {
	int unused;
};
#endif

static void nap(void)
{
	struct timespec ts = {0, 100000}; /* 0.1 ms: waiting for another rank's message */
	nanosleep(&ts, NULL);
}

/* ---------------------------------------------------------------- records */

struct rec_head {
	long k;
	uint64_t seed;
	int status;
	struct mv_run_stats stats;
	char reason[MV_ERROR_MAX];
};

static size_t rec_size(int np, int nm, size_t pay)
{
	size_t s = sizeof(struct rec_head) + (size_t)(np + nm) * sizeof(double) + pay;
	return (s + 7) & ~(size_t)7;
}

static void rec_pack(const struct mv_mpi_batch *mb, const struct mv_batch_result *res,
		     unsigned char *r)
{
	struct rec_head h;
	memset(&h, 0, sizeof h);
	h.k = res->k;
	h.seed = res->seed;
	h.status = res->status;
	if (res->stats)
		h.stats = *res->stats;
	snprintf(h.reason, sizeof h.reason, "%s", res->reason ? res->reason : "");
	memcpy(r, &h, sizeof h);
	double *x = (double *)(void *)(r + sizeof h);
	if (mb->np > 0)
		memcpy(x, res->x, (size_t)mb->np * sizeof *x);
	if (mb->nm > 0)
		memcpy(x + mb->np, res->metrics, (size_t)mb->nm * sizeof *x);
	if (mb->has_pay && mb->pay.size)
		mb->pay.pack(mb->pay.ctx, res, x + mb->np + mb->nm);
}

/* Delivers record r through the caller's callback. */
static int rec_deliver(struct mv_mpi_batch *mb, const unsigned char *r, struct mv_error *err)
{
	const struct rec_head *h = (const void *)r;
	const double *x = (const double *)(const void *)(r + sizeof *h);
	struct mv_batch_result res = {h->k, h->seed, x, x + mb->np, h->status, h->reason, NULL,
				      &h->stats};

	if (mb->has_pay && mb->pay.size)
		res.payload = mb->pay.unpack(mb->pay.ctx, h->k, x + mb->np + mb->nm);
	return mb->spec.result(mb->spec.result_ctx, &res, err);
}

/* ================================================================ the distributed loop */

#ifdef MV_HAVE_MPI

enum { TAG_W = 7101, TAG_M = 7102 };
enum { W_RESULT = 1, W_ERROR, W_BYE };
enum { WK_BUSY = 0, WK_WAITING, WK_GONE };

struct wmsg {    /* a worker's message header */
	int type;
	int code;    /* W_ERROR: the error's code */
	long c;      /* W_RESULT: the chunk (-1: the first request) */
	long nd;     /* records that follow */
};

struct mmsg {    /* rank 0's answer */
	long c, first, count, stride;
};

struct ring_slot {
	long c;           /* chunk number; -1 free */
	long i0, n;       /* positions [i0, i0 + n) */
	long ready;       /* records received (a prefix) */
	int complete;     /* no more will come (ready < n: the runs after were not run) */
	unsigned char *buf;
};

struct master {
	long first, count, stride;
	long C, W;           /* chunk size, window (positions) */
	long next;           /* next position to hand out */
	long D;              /* positions delivered */
	int nring;
	struct ring_slot *ring;
	int *wk;             /* per rank: WK_* */
	unsigned char *msg;  /* a received message */
	size_t msgsize;
	int failed, stopped;
	struct mv_error err;
};

static int m_stopping(const struct mv_mpi_batch *mb, const struct master *m)
{
	return m->failed || m->stopped || mv_interrupt || (mb->spec.stop && *mb->spec.stop);
}

/* A chunk to hand out now: positions left, not stopping, and its end within the window. */
static int m_can_hand(const struct mv_mpi_batch *mb, const struct master *m)
{
	if (m->next >= m->count || m_stopping(mb, m))
		return 0;
	long end = m->next + m->C < m->count ? m->next + m->C : m->count;
	return end - m->D <= m->W;
}

/* Takes the next chunk into its ring slot; returns the slot. */
static struct ring_slot *m_take(struct master *m)
{
	long c = m->next / m->C;
	struct ring_slot *s = &m->ring[c % m->nring];

	s->c = c;
	s->i0 = m->next;
	s->n = m->next + m->C < m->count ? m->C : m->count - m->next;
	s->ready = 0;
	s->complete = 0;
	m->next += s->n;
	return s;
}

static void m_send(const struct master *m, int rank, const struct ring_slot *s)
{
	struct mmsg a = {-1, 0, 0, m->stride};
	if (s) {
		a.c = s->c;
		a.first = m->first + s->i0 * m->stride;
		a.count = s->n;
	}
	MPI_Send(&a, (int)sizeof a, MPI_BYTE, rank, TAG_M, MPI_COMM_WORLD);
}

/* Delivers what is next in run order. */
static void m_deliver(struct mv_mpi_batch *mb, struct master *m)
{
	while (!m->failed && m->D < m->next) {
		struct ring_slot *s = &m->ring[(m->D / m->C) % m->nring];
		long off = m->D - s->i0;
		if (off < s->ready) {
			if (rec_deliver(mb, s->buf + (size_t)off * mb->rec, &m->err)) {
				m->failed = 1;
				return;
			}
			m->D++;
			if (m->D == s->i0 + s->n)
				s->c = -1;
		} else {
			if (s->complete)
				m->stopped = 1; /* a gap: the runs after it are not delivered */
			return;
		}
	}
}

/* Gives idle ranks a chunk, or releases them when there is nothing more to give. */
static void m_assign(struct mv_mpi_batch *mb, struct master *m)
{
	for (int r = 1; r < g_size; r++) {
		if (m->wk[r] != WK_WAITING)
			continue;
		if (m_can_hand(mb, m)) {
			m_send(m, r, m_take(m));
			m->wk[r] = WK_BUSY;
		} else if (m->next >= m->count || m_stopping(mb, m)) {
			m_send(m, r, NULL);
			m->wk[r] = WK_GONE;
		}
	}
}

/* Receives one message from rank src (already probed, count bytes) and acts on it. */
static void m_receive(struct mv_mpi_batch *mb, struct master *m, int src, int count)
{
	MPI_Recv(m->msg, count, MPI_BYTE, src, TAG_W, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	struct wmsg h;
	memcpy(&h, m->msg, sizeof h);
	if (h.type == W_BYE || h.type == W_ERROR) {
		m->wk[src] = WK_GONE;
		g_byes += h.type == W_BYE;
		if (h.type == W_ERROR && !m->failed) {
			m->failed = 1;
			mv_error_set(&m->err, h.code ? h.code : MV_EXIT_FAIL, "rank %d: %.*s", src,
				     MV_ERROR_MAX - 32, (const char *)m->msg + sizeof h);
		}
		return;
	}
	m->wk[src] = WK_WAITING;
	if (h.c < 0)
		return;
	struct ring_slot *s = &m->ring[h.c % m->nring];
	if (s->c != h.c)
		return; /* a chunk of a batch that stopped: discarded */
	memcpy(s->buf, m->msg + sizeof h, (size_t)h.nd * mb->rec);
	s->ready = h.nd;
	s->complete = 1;
}

/* Serves every message waiting, delivers, assigns. */
static void m_service(struct mv_mpi_batch *mb, struct master *m)
{
	for (;;) {
		int flag = 0, count = 0;
		MPI_Status st;
		MPI_Iprobe(MPI_ANY_SOURCE, TAG_W, MPI_COMM_WORLD, &flag, &st);
		if (!flag)
			break;
		MPI_Get_count(&st, MPI_BYTE, &count);
		m_receive(mb, m, st.MPI_SOURCE, count);
	}
	m_deliver(mb, m);
	m_assign(mb, m);
}

/* The callback of this rank's own batch: the result into the chunk's records; on rank 0
 * the others are served meanwhile. */
static int collect(void *ctx, const struct mv_batch_result *res, struct mv_error *err)
{
	struct mv_mpi_batch *mb = ctx;

	if (mb->ncur >= mb->curmax)
		return mv_error_set(err, MV_EXIT_FAIL, "MPI batch: more results than the chunk holds");
	rec_pack(mb, res, mb->cur + (size_t)mb->ncur * mb->rec);
	mb->ncur++;
	if (mb->m) {
		*mb->cur_ready = mb->ncur;
		m_service(mb, mb->m);
		if (mb->m->failed) { /* stop this rank's batch too */
			*err = mb->m->err;
			return -1;
		}
	}
	return 0;
}

static int master_exec(struct mv_mpi_batch *mb, long first, long count, long stride,
		       long *ndone, struct mv_error *err)
{
	struct master m;
	int rc = -1;

	memset(&m, 0, sizeof m);
	m.first = first;
	m.count = count > 0 ? count : 0;
	m.stride = stride > 0 ? stride : 1;
	m.C = m.count / ((long)g_size * 32);
	m.C = m.C < 1 ? 1 : m.C > 64 ? 64 : m.C;
	m.W = 4 * m.C * g_size + m.C;
	m.nring = (int)(m.W / m.C) + 2;
	m.ring = calloc((size_t)m.nring, sizeof *m.ring);
	m.wk = calloc((size_t)g_size, sizeof *m.wk);
	m.msgsize = sizeof(struct wmsg) + (size_t)m.C * mb->rec + MV_ERROR_MAX;
	m.msg = malloc(m.msgsize);
	mb->cur = NULL;
	if (m.ring == NULL || m.wk == NULL || m.msg == NULL)
		goto oom;
	for (int s = 0; s < m.nring; s++) {
		m.ring[s].c = -1;
		if ((m.ring[s].buf = malloc((size_t)m.C * mb->rec)) == NULL)
			goto oom;
	}
	mb->m = &m;
	while (!m.failed && m.D < m.count) {
		m_service(mb, &m);
		if (m.failed || m.stopped || m.D >= m.count)
			break;
		if (m_stopping(mb, &m)) {
			m.stopped = 1;
			break;
		}
		if (!m_can_hand(mb, &m)) {
			nap();
			continue;
		}
		/* a chunk for this rank */
		struct ring_slot *s = m_take(&m);
		long nd = 0;
		struct mv_error e = {0};
		mb->cur = s->buf;
		mb->ncur = 0;
		mb->curmax = s->n;
		mb->cur_ready = &s->ready;
		int brc = mv_batch_exec(mb->b, m.first + s->i0 * m.stride, s->n, m.stride, &nd, &e);
		s->ready = mb->ncur;
		s->complete = 1;
		mb->cur = NULL;
		mb->cur_ready = NULL;
		if (brc < 0 && !m.failed) {
			m.failed = 1;
			m.err = e;
		}
	}
	m_service(mb, &m);
	/* Every other rank leaves the batch: its chunk in flight is discarded. */
	for (;;) {
		int left = 0;
		for (int r = 1; r < g_size; r++)
			left += m.wk[r] != WK_GONE;
		if (left == 0)
			break;
		m.stopped |= m.D < m.count; /* nothing more is handed out */
		int flag = 0, cnt = 0;
		MPI_Status st;
		MPI_Iprobe(MPI_ANY_SOURCE, TAG_W, MPI_COMM_WORLD, &flag, &st);
		if (flag) {
			MPI_Get_count(&st, MPI_BYTE, &cnt);
			m_receive(mb, &m, st.MPI_SOURCE, cnt);
		}
		for (int r = 1; r < g_size; r++)
			if (m.wk[r] == WK_WAITING) {
				m_send(&m, r, NULL);
				m.wk[r] = WK_GONE;
			}
		if (!flag)
			nap();
	}
	if (ndone)
		*ndone = m.D;
	if (m.failed) {
		*err = m.err;
		if (err->code == 0)
			err->code = MV_EXIT_FAIL;
		rc = -1;
	} else {
		rc = m.D < m.count ? 1 : 0;
	}
	goto out;
oom:
	rc = mv_error_set(err, MV_EXIT_FAIL, "out of memory");
out:
	mb->m = NULL;
	if (m.ring)
		for (int s = 0; s < m.nring; s++)
			free(m.ring[s].buf);
	free(m.ring);
	free(m.wk);
	free(m.msg);
	return rc;
}

/* Waits for rank 0's answer (polling: a blocking receive would spin a core). */
static void w_recv(struct mmsg *a)
{
	for (;;) {
		int flag = 0;
		MPI_Iprobe(0, TAG_M, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
		if (flag)
			break;
		nap();
	}
	MPI_Recv(a, (int)sizeof *a, MPI_BYTE, 0, TAG_M, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

static int worker_exec(struct mv_mpi_batch *mb, struct mv_error *err)
{
	size_t cap = 0;
	unsigned char *msg = NULL;
	struct wmsg h = {W_RESULT, 0, -1, 0};
	struct mmsg a;

	MPI_Send(&h, (int)sizeof h, MPI_BYTE, 0, TAG_W, MPI_COMM_WORLD);
	for (;;) {
		w_recv(&a);
		if (a.count <= 0)
			break;
		size_t need = sizeof h + (size_t)a.count * mb->rec + MV_ERROR_MAX;
		if (need > cap) {
			unsigned char *grown = realloc(msg, need);
			if (grown == NULL) {
				free(msg);
				h = (struct wmsg){W_ERROR, MV_EXIT_FAIL, a.c, 0};
				char e[sizeof h + 16];
				memcpy(e, &h, sizeof h);
				strcpy(e + sizeof h, "out of memory");
				MPI_Send(e, (int)sizeof e, MPI_BYTE, 0, TAG_W, MPI_COMM_WORLD);
				return MV_MPI_WORKER;
			}
			msg = grown;
			cap = need;
		}
		mb->cur = msg + sizeof h;
		mb->ncur = 0;
		mb->curmax = a.count;
		long nd = 0;
		struct mv_error e = {0};
		int brc = mv_batch_exec(mb->b, a.first, a.count, a.stride, &nd, &e);
		mb->cur = NULL;
		if (brc < 0) {
			h = (struct wmsg){W_ERROR, e.code, a.c, 0};
			memcpy(msg, &h, sizeof h);
			size_t len = strlen(e.msg) + 1;
			memcpy(msg + sizeof h, e.msg, len);
			MPI_Send(msg, (int)(sizeof h + len), MPI_BYTE, 0, TAG_W, MPI_COMM_WORLD);
			break; /* rank 0 counts this rank out of the batch */
		}
		h = (struct wmsg){W_RESULT, 0, a.c, mb->ncur};
		memcpy(msg, &h, sizeof h);
		MPI_Send(msg, (int)(sizeof h + (size_t)mb->ncur * mb->rec), MPI_BYTE, 0, TAG_W,
			 MPI_COMM_WORLD);
	}
	free(msg);
	(void)err;
	return MV_MPI_WORKER;
}

void mv_mpi_end(int rc)
{
	(void)rc;
	if (!g_mpi)
		return;
	if (g_rank == 0) {
		/* Ranks still asking for work are told there is none; every rank says goodbye. */
		size_t cap = sizeof(struct wmsg) + MV_ERROR_MAX;
		unsigned char *buf = malloc(cap);
		while (g_byes < g_size - 1 && buf) {
			int flag = 0, cnt = 0;
			MPI_Status st;
			MPI_Iprobe(MPI_ANY_SOURCE, TAG_W, MPI_COMM_WORLD, &flag, &st);
			if (!flag) {
				nap();
				continue;
			}
			MPI_Get_count(&st, MPI_BYTE, &cnt);
			if ((size_t)cnt > cap) {
				unsigned char *grown = realloc(buf, (size_t)cnt);
				if (grown == NULL)
					break;
				buf = grown;
				cap = (size_t)cnt;
			}
			MPI_Recv(buf, cnt, MPI_BYTE, st.MPI_SOURCE, TAG_W, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			struct wmsg h;
			memcpy(&h, buf, sizeof h);
			if (h.type == W_BYE) {
				g_byes++;
			} else if (h.type == W_RESULT) {
				struct mmsg a = {-1, 0, 0, 1};
				MPI_Send(&a, (int)sizeof a, MPI_BYTE, st.MPI_SOURCE, TAG_M, MPI_COMM_WORLD);
			}
		}
		free(buf);
	} else {
		struct wmsg h = {W_BYE, 0, -1, 0};
		MPI_Send(&h, (int)sizeof h, MPI_BYTE, 0, TAG_W, MPI_COMM_WORLD);
	}
	MPI_Finalize();
	g_mpi = 0;
}

#else /* no MPI */

void mv_mpi_end(int rc)
{
	(void)rc;
}

#endif

/* ================================================================ the API */

struct mv_mpi_batch *mv_mpi_batch_create(const struct mv_scenario *sc, const struct mv_keytab *kt,
					 const struct mv_batch_spec *spec,
					 const struct mv_mpi_payload *payload, struct mv_error *err)
{
	struct mv_mpi_batch *mb = calloc(1, sizeof *mb);

	if (mb == NULL) {
		mv_error_set(err, MV_EXIT_FAIL, "out of memory");
		return NULL;
	}
	mb->spec = *spec;
	mb->np = spec->nparams;
	mb->nm = spec->nmetrics;
	if (payload) {
		mb->pay = *payload;
		mb->has_pay = 1;
	}
	mb->dist = g_mpi && g_size > 1;
	mb->rec = rec_size(mb->np, mb->nm, mb->has_pay ? mb->pay.size : 0);
	struct mv_batch_spec s = *spec;
#ifdef MV_HAVE_MPI
	if (mb->dist) {
		s.result = collect;
		s.result_ctx = mb;
	}
#endif
	if ((mb->b = mv_batch_create(sc, kt, &s, err)) == NULL) {
		free(mb);
		return NULL;
	}
	return mb;
}

void mv_mpi_batch_free(struct mv_mpi_batch *mb)
{
	if (mb == NULL)
		return;
	mv_batch_free(mb->b);
	free(mb);
}

int mv_mpi_batch_exec(struct mv_mpi_batch *mb, long first, long count, long stride, long *ndone,
		      struct mv_error *err)
{
	if (!mb->dist)
		return mv_batch_exec(mb->b, first, count, stride, ndone, err);
#ifdef MV_HAVE_MPI
	if (g_rank == 0)
		return master_exec(mb, first, count, stride, ndone, err);
	if (ndone)
		*ndone = 0;
	return worker_exec(mb, err);
#else
	return mv_batch_exec(mb->b, first, count, stride, ndone, err);
#endif
}
