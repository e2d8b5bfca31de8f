# scatter.gp - one metric of a sweep against each parameter: one panel per parameter.
# gnuplot -e "in='s.tsv'; out='s.png'; z='METRIC'" scripts/scatter.gp
#
# Reads:  in    a summary written by `mvsim sweep` or `mvsim merge` (required)
#         z     the metric column (e.g. 'min:n_eff'), found by name in the header (required)
#         out   output file (default: `in` without .tsv, then -scatter.png)
#         term  pngcairo | svg | pdfcairo (default from the extension of `out`)
# The parameters come from the summary's '# parameter' lines, in their order; runs whose metric
# is nan (failed, or a `cross:` that never happens) are left out, and their number is shown.
# Never prints (errors go through `exit error`).

if (!exists("in")) {
    exit error "no input: run as gnuplot -e \"in='summary.tsv'; z='METRIC'\" " . ARG0
}
if (!exists("z")) { exit error "scatter needs z (a metric): -e \"...; z='METRIC'\"" }

# --- output and terminal (as scripts/common.gp) ----------------------------------------------
rslash(s) = (strstrt(s, "/") == 0) ? 0 : strstrt(s, "/") + rslash(s[strstrt(s, "/") + 1:])
rdot(s)   = (strstrt(s, ".") == 0) ? 0 : strstrt(s, ".") + rdot(s[strstrt(s, ".") + 1:])
extof(s)  = (rdot(s) > rslash(s)) ? s[rdot(s) + 1:] : ""
stem(s)   = (rdot(s) > rslash(s)) ? s[1:rdot(s) - 1] : s
if (!exists("out")) { out = stem(in) . "-scatter.png" }
if (!exists("term")) {
    term = (extof(out) eq "svg") ? "svg" : (extof(out) eq "pdf") ? "pdfcairo" : "pngcairo"
}
if (term eq "pngcairo") {
    set terminal pngcairo size 1200,800 font "DejaVu Sans,12" noenhanced
} else {
    if (term eq "svg") {
        set terminal svg size 1200,800 dynamic font "DejaVu Sans,12" noenhanced background "white"
    } else {
        if (term eq "pdfcairo") {
            set terminal pdfcairo size 16.6667in,11.1111in font "DejaVu Sans,12" noenhanced
        } else {
            exit error "term must be pngcairo, svg or pdfcairo, not '" . term . "'"
        }
    }
}

# --- metadata --------------------------------------------------------------------------------
fld(s, n) = (n <= 1) ? (strstrt(s, "\t") ? s[1:strstrt(s, "\t") - 1] : s) : \
            (strstrt(s, "\t") ? fld(s[strstrt(s, "\t") + 1:], n - 1) : "")
MAXP = 64
array PAR[MAXP]
NMETA = 0; ISSWEEP = 0; SWEEP = in; NPAR = 0
count(s) = (column(0) == NMETA && s[1:1] eq "#") ? (NMETA = NMETA + 1, 0) : 0
set datafile separator "\001"
set datafile commentschars ""
stats in using (column(0) == 0 ? (ISSWEEP = (strcol(1)[1:7] eq "# mvsim" && strstrt(strcol(1), "sweep summary") > 0), 0) : 0, count(strcol(1))) nooutput
if (!ISSWEEP) { exit error in . ": not an mvsim sweep summary (the first line should be '# mvsim ... sweep summary')" }
par(s) = (NPAR < MAXP) ? (NPAR = NPAR + 1, PAR[NPAR] = fld(s, 2), 0) : 0
# `mvsim sweep --names safe` writes the header's safe names (docs/reading-results.md) and a
# '# names<TAB>safe' line; the '# parameter' and '# metric' lines, and z, keep the names as
# written. safe(s) is the mapping of sim/colnames.c: '>' -> _gt_, '<' -> _lt_, any other
# character but a letter, digit or _ -> _.
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
safech(c) = (c eq ">") ? "_gt_" : (c eq "<") ? "_lt_" : (strstrt(ALNUM, c) > 0) ? c : "_"
safe(s) = (strlen(s) == 0) ? "" : safech(s[1:1]) . safe(s[2:])
SAFE = 0
meta(s) = (fld(s, 1) eq "# sweep") ? (SWEEP = fld(s, 2), 0) : (fld(s, 1) eq "# parameter") ? par(s) : \
          (s eq "# names\tsafe") ? (SAFE = 1, 0) : 0
stats in every ::0::(NMETA - 1) using (meta(strcol(1))) nooutput
if (NPAR < 1) { exit error in . ": no '# parameter' lines in the metadata" }

# --- header ----------------------------------------------------------------------------------
set datafile separator "\t"
set datafile commentschars "#"
stats in every ::1::1 using 1 nooutput
NCOL = STATS_columns
HDR = "\t"
addcol(k) = (HDR = HDR . strcol(k) . "\t", 0)
stats in every ::0::0 using (sum [k=1:NCOL] addcol(k)) nooutput
has(name) = strstrt(HDR, "\t" . name . "\t") > 0
# The columns: as named, or their safe forms (--names safe).
ZC = SAFE ? safe(z) : z
array PARC[MAXP]
do for [j = 1:NPAR] { PARC[j] = SAFE ? safe(PAR[j]) : PAR[j] }
if (!has(ZC)) { exit error in . ": column '" . ZC . "' is absent" }

# Runs, and runs with a number for z (nan is skipped by stats as an invalid value).
stats in using (column("run")) nooutput
NRUNS = STATS_records
NOK = 0
okcount(v) = (v == v) ? (NOK = NOK + 1, 0) : 0
stats in using (okcount(column(ZC))) nooutput
MISSING = NRUNS - NOK
if (NOK == 0) { exit error in . ": no run has a number for '" . z . "' (every value is nan)" }
# A constant metric or parameter still gets a visible range (and gnuplot no warning).
pad(v) = (abs(v) > 0) ? abs(v) * 0.01 : 1
stats in using (column(ZC)) nooutput
ZLO = STATS_min; ZHI = STATS_max

# --- panels ----------------------------------------------------------------------------------
COLS = (NPAR <= 3) ? NPAR : (NPAR <= 4) ? 2 : (NPAR <= 9) ? 3 : 4
ROWS = int((NPAR + COLS - 1) / COLS)
set output out
TITLE = sprintf("%s: %s against each parameter (%d runs%s)", SWEEP, z, NRUNS, \
                MISSING > 0 ? sprintf(", %d nan not shown", MISSING) : "")
set multiplot layout ROWS, COLS title TITLE font ",14"
set key off
set tics out nomirror
set border 3 back
# Points on the edge of the data stay whole: a margin of 3% around them, not stretched to the
# next tic (autoscaled axes only; a crisis probability of 1 keeps its axis near 1).
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set autoscale noextend
set grid back lc rgb "#dddddd" lw 0.5
PS = (NRUNS > 20000) ? 0.15 : (NRUNS > 2000) ? 0.3 : 0.6
# A tick step giving about four labels over span: 1, 2 or 5 times a power of ten.
tp(span) = 10.0**floor(log10(span / 4))
tm(span) = span / 4 / tp(span)
nice(span) = (span <= 0) ? 1 : tp(span) * ((tm(span) < 1.5) ? 1 : (tm(span) < 3.5) ? 2 : (tm(span) < 7.5) ? 5 : 10)
do for [j = 1:NPAR] {
    set xrange [*:*]
    set yrange [*:*]
    stats in using (column(PARC[j])) nooutput
    set xtics nice(STATS_max - STATS_min)
    if (STATS_max <= STATS_min) { set xrange [STATS_min - pad(STATS_min) : STATS_max + pad(STATS_max)] }
    if (ZHI <= ZLO) { set yrange [ZLO - pad(ZLO) : ZHI + pad(ZHI)] }
    set xlabel PAR[j]
    set ylabel (j - 1) % COLS == 0 ? z : ""
    plot in using (column(PARC[j])):(column(ZC)) with points pointtype 7 pointsize PS lc rgb "#0072B2"
}
unset multiplot
unset output
