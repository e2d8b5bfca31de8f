/* events.h — parameters as piecewise-linear functions of time, state jumps, and the times
 * where the integration must stop (docs/model.md §5). */
#ifndef MVSIM_EVENTS_H
#define MVSIM_EVENTS_H

#include "mvsim/error.h"
#include "mvsim/keys.h"
#include "mvsim/scenario.h"

/* Applies one event to value v at time t (progress f = clamp((t − at)/over, 0, 1), 1 when
 * over = 0): add v += f·x; mul v *= 1 + f·(x − 1); set v += f·(x − v). */
double mv_event_apply(const struct mv_event *e, double v, double t);

/* The value at t of the parameter in slot `slot` with base value `base`: the events on it
 * (ev[0..nev), sorted by at, ties in file order) with at <= t_incl folded in order.
 * t_incl = t gives the value at t; t_incl = a segment's start gives the segment's smooth
 * continuation, which the integrator needs up to the segment's end. */
double mv_events_value_at(const struct mv_event *ev, int nev, int slot, double base,
			  double t, double t_incl);

/* Events grouped by key, for the values of parameters at many times (validation checks every
 * event's start and end): each value costs O(log m) for m events on its key, plus the ramps
 * still under way at that time — instead of a pass over every event. Values are exactly those
 * of mv_events_value_at (the same mv_event_apply, in the same order), over the base values
 * sc->val at creation (or a parameter's data series, which replaces its base value). */
struct mv_event_index;

struct mv_event_index *mv_event_index_create(const struct mv_scenario *sc, struct mv_error *err);
void mv_event_index_free(struct mv_event_index *ix);

/* Number of events on slot. */
int mv_event_index_count(const struct mv_event_index *ix, int slot);

/* The value at t of the parameter in slot: its base (or series) with the events at <= t
 * folded in order. */
double mv_event_index_value(const struct mv_event_index *ix, int slot, double t);

/* A compiled event schedule: which parameters move, when the integration must stop. */
struct mv_schedule;

/* Compiles the events of sc (with key table kt) for a run from time.start to time.end.
 * Returns NULL with err set on allocation failure. */
struct mv_schedule *mv_schedule_create(const struct mv_scenario *sc, const struct mv_keytab *kt,
				       struct mv_error *err);
void mv_schedule_free(struct mv_schedule *s);

/* Boundaries in (start, end]: every `at` and `at + over` of parameter events inside
 * (start, end), every `at` of state events inside (start, end], sorted, merged within
 * 1e-9 years. */
int mv_schedule_nboundaries(const struct mv_schedule *s);
const double *mv_schedule_boundaries(const struct mv_schedule *s);

/* Sets p[] (every slot; from the base values) to the values valid on the segment that starts
 * at t0, and records which parameters ramp during it. */
void mv_schedule_segment(struct mv_schedule *s, double t0, double *p);

/* Recomputes, at t inside the current segment, the parameters that ramp in it.
 * Returns the number updated (0: p is constant on this segment). */
int mv_schedule_update(struct mv_schedule *s, double t, double *p);

/* The key slots of the parameters that mv_schedule_update recomputes on the current segment:
 * writes at most max of them into slots, returns how many there are. */
int mv_schedule_moving(const struct mv_schedule *s, int *slots, int max);

/* Exogenous masses (docs/model.md §10) at t with growth rates from p: sets mexo[i] (and exo[i] = 1
 * when exo is not NULL) for every vector whose mass a series drives. Returns their number. */
int mv_schedule_masses(const struct mv_schedule *s, double t, const double *p, double *mexo,
		       unsigned char *exo);

/* Applies to the state y the jumps of the state events from position `next` (in time order)
 * with at <= t (within 1e-9 years), in order; returns the position of the first event not
 * applied. Start with next = 0. */
int mv_schedule_jumps(const struct mv_schedule *s, double t, int next, double *y);

#endif
