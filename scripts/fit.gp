# fit.gp - a fit against its data: observations as points (filled: fitted, open: holdout), the
# fitted model as lines, the holdout period shaded, persistence (the last fitted observation
# carried forward) as a dashed line over the holdout.
# mvsim fit FIT.cfg -o fitted.cfg --report report.tsv && mvsim run fitted.cfg -o fitted.tsv
# gnuplot -e "in='fitted.tsv'; report='report.tsv'; out='fit.png'" scripts/fit.gp \
#         [term='svg'|...] [tmin=2000] [tmax=2025]
#
# in:     a run of the fitted scenario (mvsim run fitted.cfg): the model's lines.
# report: the fit's report (mvsim fit --report): the observations (table 'residuals', index 3),
#         the series and their scores (table 'scores', index 2), the holdout (the '# holdout' line).
# Columns are found by name: t and every observed column in `in`; t, column, observed, set in
# the residuals, series, rmse_fit, rmse_holdout, rmse_persistence, persistence in the scores.
# tmin, tmax: the time axis (default: the first observation - 1 to the last + 1).

kind = "fit"
dirof(s) = strstrt(s, "/") ? s[1:strstrt(s, "/")] . dirof(s[strstrt(s, "/") + 1:]) : ""
load dirof(ARG0) . "common.gp"

if (!exists("report")) {
    exit error "no report: run as gnuplot -e \"in='fitted.tsv'; report='report.tsv'; out='fit.png'\" " . ARG0
}

# --- the report's metadata: '# name<TAB>value' lines before the first table, read whole --------
set datafile separator "\001"
set datafile commentschars ""
# (column(0) restarts in every block, so the first line is found by a count of our own.)
ISREP = 0; HOLD = NaN; STATUS = ""; FITNAME = ""; RSCEN = ""; NL = 0
rmeta(s) = (NL = NL + 1, NL == 1) ? (ISREP = (s[1:8] eq "# mvsim " && strstrt(s, " fit report") > 0), 0) : \
           (fld(s, 1) eq "# holdout") ? (HOLD = num(fld(s, 2)), 0) : \
           (fld(s, 1) eq "# status") ? (STATUS = fld(s, 2), 0) : \
           (fld(s, 1) eq "# fit") ? (FITNAME = fld(s, 2), 0) : \
           (fld(s, 1) eq "# scenario_name") ? (RSCEN = fld(s, 2), 0) : 0
stats report using (rmeta(strcol(1))) nooutput
if (!ISREP) { exit error report . ": not an mvsim fit report (the first line should be '# mvsim ... fit report')" }

# --- the series: the rows of the scores table but "all" (and the header, which stats also reads) --
set datafile separator "\t"
set datafile commentschars "#"
MAXS = 64
array SER[MAXS]; array RF[MAXS]; array RH[MAXS]; array RP[MAXS]; array PV[MAXS]
NS = 0
adds(s) = (s ne "all" && s ne "series" && NS < MAXS) ? (NS = NS + 1, SER[NS] = s, RF[NS] = column("rmse_fit"), \
          RH[NS] = column("rmse_holdout"), RP[NS] = column("rmse_persistence"), \
          PV[NS] = column("persistence"), 0) : 0
stats report index 2 using (adds(strcol("series"))) nooutput
if (NS < 1) { exit error report . ": no series in the scores table" }
do for [k = 1:NS] { if (!has(SER[k])) { exit error missing(SER[k]) } }

# --- time axis: around the observations ------------------------------------------------------
stats report index 3 using "t" nooutput
OT0 = STATS_min; OT1 = STATS_max
if (!exists("tmin")) { tmin = floor(OT0) - 1 }
if (!exists("tmax")) { tmax = ceil(OT1) + 1 }
if (tmin < T0) { tmin = T0 }
if (tmax > T1) { tmax = T1 }

# Colour of a series: the vector whose id ends its name (longest match), else dark grey.
array SCOL[NS]; array SNAME[NS]
do for [k = 1:NS] {
    C = SER[k]; SCOL[k] = "#333333"; SNAME[k] = C; best = 0
    do for [i = 1:NV] {
        sfx = "_" . VID[i]
        if (strlen(C) > strlen(sfx) && C[strlen(C) - strlen(sfx) + 1:] eq sfx && strlen(sfx) > best) {
            SCOL[k] = vcolor(i); SNAME[k] = VNAME[i]; best = strlen(sfx)
        }
    }
}

set output out
set xrange [tmin:tmax]
set xtics nicestep(tmax - tmin, 12)
set yrange [0:*]
# Headroom above the highest line for the period labels (they sit at the top of the plot).
set offsets 0, 0, graph 0.08, 0
set format y "%.2f"
set xlabel "time (years)"
set ylabel "share"
# The legend goes under the plot as a table: a row per kind (model, fitted observations, holdout
# observations, persistence), a column per series; the margin makes room for its four rows.
set lmargin at screen 0.08; set rmargin at screen 0.97
set tmargin at screen 0.91; set bmargin at screen 0.27
TITLE = ((RSCEN ne "") ? RSCEN : SCEN) . ((HOLD == HOLD) ? sprintf(": fitted before %g, scored after", HOLD) : ": fit") . \
        ((STATUS ne "converged") ? "  (NOT CONVERGED)" : "")
set title TITLE font ",16"

# The holdout, shaded, with a label; the fitted period labelled too.
if (HOLD == HOLD && HOLD < tmax) {
    set object 1 rect from HOLD, graph 0 to tmax, graph 1 behind fc rgb "#e8e8e8" fs solid 1.0 noborder
    set label 1 "holdout (scored, not fitted)" at HOLD + 0.3, graph 0.97 left font ",12" tc rgb "#555555"
    set label 2 "fitted period" at HOLD - 0.3, graph 0.97 right font ",12" tc rgb "#555555"
    set arrow 1 from HOLD, graph 0 to HOLD, graph 1 nohead lc rgb "#999999" dt 2 lw 1
}

set key at screen 0.5, screen 0.015 center bottom horizontal maxcols NS Left reverse width 3 font ",12" samplen 3 spacing 1.15
num3(x) = (x == x) ? sprintf("%.3f", x) : "-"
HASH = (HOLD == HOLD && HOLD < tmax)
plot for [k = 1:NS] in using "t":(column(SER[k])) with lines lw 2.5 lc rgb SCOL[k] \
         title SNAME[k] . " model (RMSE fit " . num3(RF[k]) . ", holdout " . num3(RH[k]) . ")", \
     for [k = 1:NS] report index 3 using "t":((strcol("column") eq SER[k] && strcol("set") eq "fit") ? column("observed") : NaN) \
         with points pt 7 ps 1.4 lc rgb SCOL[k] title SNAME[k] . " observed (fitted)", \
     for [k = 1:NS] report index 3 using "t":((strcol("column") eq SER[k] && strcol("set") eq "holdout") ? column("observed") : NaN) \
         with points pt 6 ps 1.4 lw 2 lc rgb SCOL[k] title SNAME[k] . " observed (holdout)", \
     for [k = 1:NS] (HASH && x >= HOLD && PV[k] == PV[k]) ? PV[k] : NaN with lines dt (8, 6) lw 2 lc rgb SCOL[k] \
         title SNAME[k] . " persistence (RMSE " . num3(RP[k]) . ")"
unset output
