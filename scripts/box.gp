# box.gp - the boxes PRIM chose: each restricted parameter's limits drawn on its initial range
# normalised to [0, 1], with the limits' values and quasi-p-values (as the EMA Workbench's
# inspect(style='graph')). docs/discovery.md says how to read it.
# gnuplot -e "in='d.tsv'; out='b.png'" scripts/box.gp
#
# Reads:  in    the tables written by `mvsim discover` (required): '# case', the boxes table
#               (coverage_all, density_all: the box over all points) and the limits table (box,
#               parameter, min, max, initial_min, initial_max, restricted, qp_min, qp_max)
#         out   output file (default: `in` without .tsv, then -box.png)
#         term  pngcairo | svg | pdfcairo (default from the extension of `out`)
# One row per restricted parameter of each box, most significant (smallest quasi-p-value) first
# within a box; a box without restrictions gets a row saying so. Never prints.

if (!exists("in")) {
    exit error "no input: run as gnuplot -e \"in='discovery.tsv'; out='b.png'\" " . ARG0
}

# --- output and terminal (as scripts/common.gp) ----------------------------------------------
rslash(s) = (strstrt(s, "/") == 0) ? 0 : strstrt(s, "/") + rslash(s[strstrt(s, "/") + 1:])
rdot(s)   = (strstrt(s, ".") == 0) ? 0 : strstrt(s, ".") + rdot(s[strstrt(s, ".") + 1:])
extof(s)  = (rdot(s) > rslash(s)) ? s[rdot(s) + 1:] : ""
stem(s)   = (rdot(s) > rslash(s)) ? s[1:rdot(s) - 1] : s
if (!exists("out")) { out = stem(in) . "-box.png" }
if (!exists("term")) {
    term = (extof(out) eq "svg") ? "svg" : (extof(out) eq "pdf") ? "pdfcairo" : "pngcairo"
}
if (term eq "pngcairo") {
    set terminal pngcairo size 1200,800 font "DejaVu Sans,13" noenhanced
} else {
    if (term eq "svg") {
        set terminal svg size 1200,800 dynamic font "DejaVu Sans,13" noenhanced background "white"
    } else {
        if (term eq "pdfcairo") {
            set terminal pdfcairo size 16.6667in,11.1111in font "DejaVu Sans,13" noenhanced
        } else {
            exit error "term must be pngcairo, svg or pdfcairo, not '" . term . "'"
        }
    }
}

# --- the tables: every line read whole (separator \001 never occurs), split on tabs here -----
fld(s, n) = (n <= 1) ? (strstrt(s, "\t") ? s[1:strstrt(s, "\t") - 1] : s) : \
            (strstrt(s, "\t") ? fld(s[strstrt(s, "\t") + 1:], n - 1) : "")
num(s) = (s eq "nan" || s eq "") ? NaN : s + 0.0
MAXB = 64; MAXL = 4096
array BSTEP[MAXB]; array BCOV[MAXB]; array BDEN[MAXB]; array BMASS[MAXB]; array BNR[MAXB]
array LB[MAXL]; array LPAR[MAXL]; array LMIN[MAXL]; array LMAX[MAXL]; array LI0[MAXL]
array LI1[MAXL]; array LQL[MAXL]; array LQH[MAXL]
ISPRIM = 0; CASE = ""; SOURCE = in; TABLE = ""; HEADER = 0; NB = 0; NL = 0
table(s) = (s[1:9] eq "# table: ") ? (TABLE = s[10:], HEADER = 1, 1) : 0
boxrow(s) = (NB < MAXB) ? (NB = NB + 1, BSTEP[NB] = int(fld(s, 2)), BCOV[NB] = num(fld(s, 13)), \
            BDEN[NB] = num(fld(s, 14)), BMASS[NB] = num(fld(s, 15)), BNR[NB] = 0, 0) : 0
limrow(s) = (int(fld(s, 7)) == 1 && NL < MAXL && int(fld(s, 1)) <= MAXB) ? \
            (NL = NL + 1, LB[NL] = int(fld(s, 1)), LPAR[NL] = fld(s, 2), LMIN[NL] = num(fld(s, 3)), \
             LMAX[NL] = num(fld(s, 4)), LI0[NL] = num(fld(s, 5)), LI1[NL] = num(fld(s, 6)), \
             LQL[NL] = num(fld(s, 8)), LQH[NL] = num(fld(s, 9)), \
             BNR[int(fld(s, 1))] = BNR[int(fld(s, 1))] + 1, 0) : 0
line(s) = (column(0) == 0) ? (ISPRIM = (s[1:7] eq "# mvsim" && strstrt(s, "scenario discovery") > 0), 0) : \
          table(s) ? 0 : \
          (fld(s, 1) eq "# case") ? (CASE = fld(s, 2), 0) : \
          (fld(s, 1) eq "# source") ? (SOURCE = fld(s, 2), 0) : \
          (s[1:1] eq "#" || s eq "") ? 0 : \
          HEADER ? (HEADER = 0, 0) : \
          (TABLE eq "boxes") ? boxrow(s) : (TABLE eq "limits") ? limrow(s) : 0
set datafile separator "\001"
set datafile commentschars ""
stats in using (line(strcol(1))) nooutput
if (!ISPRIM) { exit error in . ": not an mvsim scenario discovery (the first line should be '# mvsim ... scenario discovery')" }
if (NB == 0) { exit error in . ": no boxes table" }

# Within each box, the rows by smallest quasi-p-value (NaN last), as mvsim discover's summary.
qmin(i) = (LQL[i] == LQL[i] && (LQH[i] != LQH[i] || LQL[i] <= LQH[i])) ? LQL[i] : \
          (LQH[i] == LQH[i]) ? LQH[i] : 1e300
if (NL > 1) {
    do for [i = 2:NL] {
        j = i
        while (j > 1 && LB[j - 1] == LB[j] && qmin(j - 1) > qmin(j)) {
            tB = LB[j]; LB[j] = LB[j - 1]; LB[j - 1] = tB
            tP = LPAR[j]; LPAR[j] = LPAR[j - 1]; LPAR[j - 1] = tP
            t = LMIN[j]; LMIN[j] = LMIN[j - 1]; LMIN[j - 1] = t
            t = LMAX[j]; LMAX[j] = LMAX[j - 1]; LMAX[j - 1] = t
            t = LI0[j]; LI0[j] = LI0[j - 1]; LI0[j - 1] = t
            t = LI1[j]; LI1[j] = LI1[j - 1]; LI1[j - 1] = t
            t = LQL[j]; LQL[j] = LQL[j - 1]; LQL[j - 1] = t
            t = LQH[j]; LQH[j] = LQH[j - 1]; LQH[j - 1] = t
            j = j - 1
        }
    }
}

# --- the figure: one row per restricted parameter, a header row per box, top to bottom -------
NROWS = 0
do for [b = 1:NB] { NROWS = NROWS + 1 + ((BNR[b] > 0) ? BNR[b] : 1) }
nrm(v, i) = (LI1[i] > LI0[i]) ? (v - LI0[i]) / (LI1[i] - LI0[i]) : 0.5
qtext(q) = (q == q) ? ((q < 0.001) ? "p < 0.001" : sprintf("p = %.3f", q)) : ""
vtext(v) = sprintf("%.3g", v)
set output out
# The title centred on the figure, not on the plot area (which starts at 0.30 for the names).
unset title
set label 999 sprintf("%s: PRIM boxes for %s", SOURCE, CASE) at screen 0.5, screen 0.96 center font ",14"
set xrange [-0.02:1.02]
set yrange [0.4 : NROWS + 0.6]
set xtics ("initial min" 0, "0.25" 0.25, "0.5" 0.5, "0.75" 0.75, "initial max" 1) out nomirror
unset ytics
set border 1
set lmargin at screen 0.30
set rmargin at screen 0.94
set key off
set style fill solid 1.0 noborder
row = NROWS
r = 0
do for [b = 1:NB] {
    set label 1000 + b sprintf("box %d (step %d): coverage %.2f, density %.2f, mass %.2f", b, \
        BSTEP[b], BCOV[b], BDEN[b], BMASS[b]) at graph 0, first row left offset 0, 0 font ",13:Bold"
    row = row - 1
    if (BNR[b] == 0) {
        set label 2000 + b "no restriction: the whole space" at first 0.5, first row center
        row = row - 1
    }
    do for [i = 1:NL] {
        if (LB[i] == b) {
            r = r + 1
            # the initial range (grey), the box's range (blue), the limits' values at its ends
            set object 3 * r rect from 0, row - 0.28 to 1, row + 0.28 fc rgb "#e6e6e6" behind
            set object 3 * r + 1 rect from nrm(LMIN[i], i), row - 0.28 to nrm(LMAX[i], i), row + 0.28 \
                fc rgb "#0072B2" front
            set label 3 * r LPAR[i] at screen 0.295, first row right font ",12"
            # the limits' labels above the bar, each outside the blue part when there is room
            # (so that a narrow box keeps them apart), inside it at the edges of the range
            LT1 = sprintf("%s%s", vtext(LMIN[i]), (LQL[i] == LQL[i]) ? " (" . qtext(LQL[i]) . ")" : "")
            LT2 = sprintf("%s%s", vtext(LMAX[i]), (LQH[i] == LQH[i]) ? " (" . qtext(LQH[i]) . ")" : "")
            if (nrm(LMIN[i], i) > 0.3) {
                set label 3 * r + 1 LT1 at first nrm(LMIN[i], i), first row + 0.42 right font ",11" front
            } else {
                set label 3 * r + 1 LT1 at first nrm(LMIN[i], i), first row + 0.42 left font ",11" front
            }
            if (nrm(LMAX[i], i) < 0.7) {
                set label 3 * r + 2 LT2 at first nrm(LMAX[i], i), first row + 0.42 left font ",11" front
            } else {
                set label 3 * r + 2 LT2 at first nrm(LMAX[i], i), first row + 0.42 right font ",11" front
            }
            row = row - 1
        }
    }
}
set xlabel "limits on each parameter's sampled range (labels: the limit, its quasi-p-value)"
plot -10 notitle
unset output
