#!/usr/bin/env python3
"""prim_ref.py -- an independent, deliberately naive PRIM in plain Python (no numpy), written
from the conventions of the EMA Workbench's ema_workbench/analysis/prim.py (Prim._peel,
_real_peel, _paste, _real_paste, the lenient1/lenient2/original objectives, get_quantile,
PrimBox._calculate_quasi_p, covering by removing each box's points) as docs/model.md §12
states them. Every candidate box is found by scanning all points, nothing is sorted
incrementally: it shares no code or shortcut with sim/prim.c, so agreement between the two
checks the C implementation's bookkeeping. It cannot catch a misreading of EMA that both
share; the reading is written out in docs/discovery.md.

Usage: prim_ref.py DATA.tsv [OBJECTIVE] > REF  (DATA: header x0..x{p-1} y status; y 1/0 or nan)
       prim_ref.py --make-data > DATA.tsv    (the dataset committed as ema_case.tsv)
Options are fixed below (OPTS; OBJECTIVE, default lenient1, replaces the objective) and
written into the reference's first line. The committed references:
    prim_ref.py ema_case.tsv > ema_case.ref
    prim_ref.py ema_case.tsv lenient2 > ema_case.lenient2.ref
    prim_ref.py ema_case.tsv original > ema_case.original.ref
"""
import math
import sys
from fractions import Fraction

OPTS = dict(peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05, objective="lenient1", boxes=2)


def quantile(values, q):
    v = sorted(values)
    n = len(v)
    i = (n - 1) * q
    lo, hi = int(math.floor(i)), int(math.ceil(i))
    if q > 0.5:
        while v[lo] == v[hi] and lo > 0:
            lo -= 1
    else:
        while v[lo] == v[hi] and hi < n - 1:
            hi += 1
    return (v[lo] + v[hi]) / 2


def objective(kind, n_old, k_old, n_new, k_new):
    mean_old = k_old / n_old
    mean_new = k_new / n_new if n_new > 0 else 0
    if kind == "original":
        return mean_new if n_new > 0 else -1
    if mean_old == mean_new:
        return 0
    if kind == "lenient2":
        return n_new * (mean_new - mean_old) / abs(n_old - n_new)
    return (mean_new - mean_old) / abs(n_old - n_new)


def binom_sf(h, t, p):
    """P(X >= h), X ~ Bin(t, p), summed exactly in rationals."""
    p = Fraction(p)
    return float(sum(math.comb(t, x) * p ** x * (1 - p) ** (t - x) for x in range(h, t + 1)))


def inside(pt, lo, hi):
    return all(lo[j] <= pt[j] <= hi[j] for j in range(len(lo)))


def nres(lo, hi, ilo, ihi):
    return sum(1 for j in range(len(lo)) if lo[j] != ilo[j] or hi[j] != ihi[j])


def find_box(X, c, rem, ilo, ihi, N, K, o):
    p = len(ilo)
    lo, hi = list(ilo), list(ihi)
    box = [i for i in rem]
    traj = [("initial", list(lo), list(hi), list(box))]
    # peeling
    while True:
        best = None
        nb, kb = len(box), sum(c[i] for i in box)
        for j in range(p):
            xs = [X[i][j] for i in box]
            for upper in (1, 0):
                if upper:
                    q = quantile(xs, 1 - o["peel_alpha"])
                    new = [i for i in box if X[i][j] <= q]
                    nlo, nhi = list(lo), list(hi)
                    nhi[j] = q
                else:
                    q = quantile(xs, o["peel_alpha"])
                    new = [i for i in box if X[i][j] >= q]
                    nlo, nhi = list(lo), list(hi)
                    nlo[j] = q
                obj = objective(o["objective"], nb, kb, len(new), sum(c[i] for i in new))
                key = (obj, p - nres(nlo, nhi, ilo, ihi))
                if best is None or key > best[0]:
                    best = (key, nlo, nhi, new)
        (obj, _), nlo, nhi, new = best
        if len(new) / N >= o["mass_min"] and len(new) / N < nb / N and obj > 0:
            lo, hi, box = nlo, nhi, new
            traj.append(("peel", list(lo), list(hi), list(box)))
        else:
            break
    # pasting, over the remaining points
    while True:
        rd = [j for j in range(p) if lo[j] != ilo[j] or hi[j] != ihi[j]]
        if not rd:
            break
        nb, kb = len(box), sum(c[i] for i in box)
        best = None
        for u in rd:
            for upper in (0, 1):
                if not upper:
                    data = [X[i][u] for i in rem if ilo[u] <= X[i][u] <= lo[u]
                            and all(lo[v] <= X[i][v] <= hi[v] for v in rd if v != u)]
                    pv = quantile(data, 1 - o["paste_alpha"]) if data else ilo[u]
                    nlo, nhi = list(lo), list(hi)
                    nlo[u] = pv
                else:
                    data = [X[i][u] for i in rem if hi[u] <= X[i][u] <= ihi[u]
                            and all(lo[v] <= X[i][v] <= hi[v] for v in rd if v != u)]
                    pv = quantile(data, o["paste_alpha"]) if data else ihi[u]
                    nlo, nhi = list(lo), list(hi)
                    nhi[u] = pv
                new = [i for i in rem if inside(X[i], nlo, nhi)]
                obj = objective(o["objective"], nb, kb, len(new), sum(c[i] for i in new))
                key = (obj, p - nres(nlo, nhi, ilo, ihi))
                if best is None or key > best[0]:
                    best = (key, nlo, nhi, new)
        (obj, _), nlo, nhi, new = best
        kn = sum(c[i] for i in new)
        if (len(new) / N >= o["mass_min"] and len(new) / N > nb / N and obj > 0
                and kn / len(new) > kb / nb):
            lo, hi, box = nlo, nhi, new
            traj.append(("paste", list(lo), list(hi), list(box)))
        else:
            break
    # the last step is chosen; its quasi-p-values over the remaining points
    _, lo, hi, box = traj[-1]
    H, T = sum(c[i] for i in box), len(box)
    qp = []
    for j in range(p):
        pair = []
        for side in (0, 1):
            lim, init = (lo[j], ilo[j]) if side == 0 else (hi[j], ihi[j])
            if lim == init:
                pair.append(float("nan"))
                continue
            l2, h2 = list(lo), list(hi)
            (l2 if side == 0 else h2)[j] = init
            inb = [i for i in rem if inside(X[i], l2, h2)]
            pair.append(binom_sf(H, T, Fraction(sum(c[i] for i in inb), len(inb))))
        qp.append(pair)
    return traj, qp


def make_data():
    # A fixed linear congruential stream (Numerical Recipes' constants): no library RNG.
    s = 12345

    def u():
        nonlocal s
        s = (1664525 * s + 1013904223) % 2 ** 32
        return s / 2 ** 32

    print("x0\tx1\tx2\ty\tstatus")
    for r in range(300):
        x0, x1 = round(u(), 4), round(u(), 4)
        x2 = float(int(u() * 5))        # five levels: ties for the quantile rule
        y = 1 if (x0 > 0.55 or (x2 == 0 and x1 > 0.7)) else 0
        if u() < 0.1:
            y = 1 - y                    # 10% label noise
        status, yt = "ok", str(y)
        if r == 17:
            yt = "nan"
        if r == 42:
            status, yt = "failed", "nan"
        print(f"{x0!r}\t{x1!r}\t{x2!r}\t{yt}\t{status}")


def main():
    if sys.argv[1:] == ["--make-data"]:
        make_data()
        return
    rows = [ln.rstrip("\n").split("\t") for ln in open(sys.argv[1]) if not ln.startswith("#")]
    hdr, rows = rows[0], rows[1:]
    p = hdr.index("y")
    X, c = [], []
    for f in rows:
        if f[hdr.index("status")] != "ok" or f[p] == "nan":
            continue
        X.append([float(v) for v in f[:p]])
        c.append(1 if float(f[p]) > 0.5 else 0)
    N, K = len(X), sum(c)
    ilo = [min(x[j] for x in X) for j in range(p)]
    ihi = [max(x[j] for x in X) for j in range(p)]
    o = dict(OPTS)
    if len(sys.argv) > 2:
        o["objective"] = sys.argv[2]
    print("# prim_ref.py reference (y > 0.5)", " ".join(f"{k}={v}" for k, v in o.items()))
    print(f"# counts\t{N}\t{K}")
    rem = list(range(N))
    for b in range(o["boxes"]):
        if not rem or sum(c[i] for i in rem) == 0:
            break
        traj, qp = find_box(X, c, rem, ilo, ihi, N, K, o)
        for s, (ph, lo, hi, box) in enumerate(traj):
            k = sum(c[i] for i in box)
            cols = [b + 1, s, ph, len(box), k, repr(k / K), repr(k / len(box)),
                    repr(len(box) / N), nres(lo, hi, ilo, ihi)]
            for j in range(p):
                cols += [repr(lo[j]), repr(hi[j])]
            print("step\t" + "\t".join(str(v) for v in cols))
        for j in range(p):
            print(f"qp\t{b + 1}\t{j}\t{qp[j][0]!r}\t{qp[j][1]!r}")
        _, lo, hi, box = traj[-1]
        rem = [i for i in rem if not inside(X[i], lo, hi)]


if __name__ == "__main__":
    main()
