# fit.gp - a fit against its data, one panel per series (rows) and origin (columns): the
# observations as points (filled: fitted, open: scored), the model fitted before the origin as a
# line through its values at the observation times (continued over the scored years: the
# forecast), the scored years shaded, and the three yardsticks over them (persistence, the mean
# of the fitted observations, drift). Titles give each panel's scored RMSEs: model, p(ersistence),
# m(ean), d(rift).
# mvsim fit FIT.cfg -o fitted.cfg --report report.tsv && mvsim run fitted.cfg -o fitted.tsv
# gnuplot -e "in='fitted.tsv'; report='report.tsv'; out='fit.png'" scripts/fit.gp \
#         [term='svg'|...] [tmin=2000] [tmax=2025]
#
# in:     a run of the fitted (or the fit's) scenario: the vectors' names and colours.
# report: the fit's report (mvsim fit --report; docs/calibration.md, "Fit file reference"):
#         table 'origins' (index 0: origin, end, status), 'scores' (index 4: origin, series,
#         rmse_scored, rmse_persistence, rmse_mean, rmse_drift) and 'residuals' (index 5:
#         origin, t, column, set, observed, model, persistence, mean, drift).
# tmin, tmax: the time axis (default: the first observation - 1 to the last + 1).

kind = "fit"
dirof(s) = strstrt(s, "/") ? s[1:strstrt(s, "/")] . dirof(s[strstrt(s, "/") + 1:]) : ""
load dirof(ARG0) . "common.gp"

if (!exists("report")) {
    exit error "no report: run as gnuplot -e \"in='fitted.tsv'; report='report.tsv'; out='fit.png'\" " . ARG0
}

# --- the report's metadata: '# name<TAB>value' lines, read whole ------------------------------
set datafile separator "\001"
set datafile commentschars ""
ISREP = 0; STATUS = ""; RSCEN = ""; ORIGINS = ""; NL = 0
rmeta(s) = (NL = NL + 1, NL == 1) ? (ISREP = (s[1:8] eq "# mvsim " && strstrt(s, " fit report") > 0), 0) : \
           (fld(s, 1) eq "# status") ? (STATUS = fld(s, 2), 0) : \
           (fld(s, 1) eq "# scenario_name") ? (RSCEN = fld(s, 2), 0) : \
           (fld(s, 1) eq "# origins") ? (ORIGINS = fld(s, 2), 0) : 0
stats report using (rmeta(strcol(1))) nooutput
if (!ISREP) { exit error report . ": not an mvsim fit report (the first line should be '# mvsim ... fit report')" }

set datafile separator "\t"
set datafile commentschars "#"
# --- the origins (table 'origins', index 0) ---------------------------------------------------
MAXO = 64
array OT[MAXO]; array OE[MAXO]; array OST[MAXO]
NO = 0
# An origin's cell: a time, or "inf" (no origins: every observation fitted).
cnum(s) = (s eq "inf") ? 1e300 : (s eq "nan") ? NaN : s + 0.0
addo(s) = (s ne "origin" && NO < MAXO) ? (NO = NO + 1, OT[NO] = cnum(s), OE[NO] = cnum(strcol("end")), \
          OST[NO] = strcol("status"), 0) : 0
stats report index 0 using (addo(strcol("origin"))) nooutput
if (NO < 1) { exit error report . ": no origins in the origins table" }
oidx(o) = sum [i = 1:NO] ((OT[i] == o) ? i : 0)

# --- the series and their scores (table 'scores', index 4) -----------------------------------
MAXS = 16
array SER[MAXS]
NS = 0; SLIST = "\t"
adds(s) = (s ne "all" && s ne "series" && NS < MAXS && !strstrt(SLIST, "\t" . s . "\t")) ? \
          (NS = NS + 1, SER[NS] = s, SLIST = SLIST . s . "\t", 0) : 0
stats report index 4 using (adds(strcol("series"))) nooutput
if (NS < 1) { exit error report . ": no series in the scores table" }
do for [k = 1:NS] { if (!has(SER[k])) { exit error missing(SER[k]) } }
sidx(s) = sum [k = 1:NS] ((SER[k] eq s) ? k : 0)
array RM[MAXO * MAXS]; array RP[MAXO * MAXS]; array RMN[MAXO * MAXS]; array RD[MAXO * MAXS]
sc(o, s) = (o eq "all" || s eq "all" || s eq "series") ? 0 : \
           (I = (oidx(cnum(o)) - 1) * NS + sidx(s), RM[I] = column("rmse_scored"), \
            RP[I] = column("rmse_persistence"), RMN[I] = column("rmse_mean"), RD[I] = column("rmse_drift"), 0)
stats report index 4 using (sc(strcol("origin"), strcol("series"))) nooutput

# --- time axis: around the observations ------------------------------------------------------
stats report index 5 using "t" nooutput
OT0 = STATS_min; OT1 = STATS_max
if (!exists("tmin")) { tmin = floor(OT0) - 1 }
if (!exists("tmax")) { tmax = ceil(OT1) + 1 }

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
# A series' domain, for the panel title: the word between "share_" and "_<vector id>" of its
# column (share_security_russia -> "security"), so a vector's panels in two domains differ.
array SDOM[NS]
do for [k = 1:NS] {
    C = SER[k]; SDOM[k] = ""
    do for [i = 1:NV] {
        sfx = "_" . VID[i]
        if (SNAME[k] eq VNAME[i] && C[1:6] eq "share_" && strlen(C) > 6 + strlen(sfx)) {
            SDOM[k] = C[7:strlen(C) - strlen(sfx)]
        }
    }
}
# A y tick step per series giving at most 4 labels over its observed and modelled range: the
# panels are short, and gnuplot's automatic step (a label every 0.05) made the labels overlap.
array YSTEP[NS]
ystep(span) = (span <= 0) ? 0.1 : (10.0 ** floor(log10(span / 4))) * \
              ((span / 4 / 10.0 ** floor(log10(span / 4)) <= 1) ? 1 : \
               (span / 4 / 10.0 ** floor(log10(span / 4)) <= 2) ? 2 : \
               (span / 4 / 10.0 ** floor(log10(span / 4)) <= 5) ? 5 : 10)
do for [k = 1:NS] {
    stats report index 5 using ((strcol("column") eq SER[k]) ? column("observed") : NaN) nooutput
    Y0 = STATS_min; Y1 = STATS_max
    stats report index 5 using ((strcol("column") eq SER[k]) ? column("model") : NaN) nooutput
    Y0 = (STATS_min < Y0) ? STATS_min : Y0; Y1 = (STATS_max > Y1) ? STATS_max : Y1
    YSTEP[k] = ystep(Y1 - Y0)
}
num3(x) = (x == x) ? sprintf("%.3f", x) : "-"
otitle(i) = (OT[i] > 1e299) ? "all fitted" : sprintf((ORIGINS eq "holdout") ? "holdout %g" : "origin %g", OT[i])
# Residual rows of origin i and series k (column values, NaN elsewhere).
this(i, k) = (cnum(strcol("origin")) == OT[i] && strcol("column") eq SER[k])

set output out
TITLE = ((RSCEN ne "") ? RSCEN : SCEN) . ((NO > 1) ? ": forecasts from each origin" : (OT[1] > 1e299) ? ": fit" : ": fit and forecast") . \
        ((STATUS ne "converged") ? "  (NOT CONVERGED)" : "")
set multiplot layout NS, NO title TITLE font ",15" margins 0.07, 0.98, 0.12, 0.88 spacing 0.06, 0.13
set xrange [tmin:tmax]
set xtics nicestep(tmax - tmin, (NO > 2) ? 4 : 8)
set format y "%.2f"
set yrange [*:*]
set offsets 0, 0, graph 0.05, graph 0.05
do for [k = 1:NS] {
    do for [i = 1:NO] {
        P = (i - 1) * NS + k
        unset object 1
        unset arrow 1
        if (OT[i] < 1e299) {
            SEND = (OE[i] < 1e299) ? OE[i] : tmax
            set object 1 rect from OT[i], graph 0 to SEND, graph 1 behind fc rgb "#ececec" fs solid 1.0 noborder
            set arrow 1 from OT[i], graph 0 to OT[i], graph 1 nohead lc rgb "#999999" dt 2 lw 1
        }
        set ytics YSTEP[k]
        set title SNAME[k] . ((SDOM[k] ne "") ? " (" . SDOM[k] . ")" : "") . ", " . otitle(i) . ((OT[i] < 1e299) ? \
            "\nRMSE model " . num3(RM[P]) . ", p " . num3(RP[P]) . ", m " . num3(RMN[P]) . ", d " . num3(RD[P]) : "") \
            font ",11"
        set ylabel (i == 1) ? "share" : ""
        set xlabel (k == NS) ? "time (years)" : ""
        unset key
        if (k == NS && i == NO) {
            # The legend, drawn by hand in the bottom margin (one row; a multiplot panel's key
            # cannot leave its panel): the model in the series' colours, then the yardsticks.
            LY = 0.025; LC = "#555555"
            set arrow 11 from screen 0.05, screen LY to screen 0.08, screen LY nohead lw 2.5 lc rgb LC
            set label 11 "model (fitted, then forecast)" at screen 0.085, screen LY left font ",11"
            set label 12 "" at screen 0.30, screen LY point pt 7 ps 1.0 lc rgb LC
            set label 13 "observed, fitted" at screen 0.31, screen LY left font ",11"
            set label 14 "" at screen 0.44, screen LY point pt 6 ps 1.0 lw 1.5 lc rgb LC
            set label 15 "observed, scored" at screen 0.45, screen LY left font ",11"
            set arrow 12 from screen 0.59, screen LY to screen 0.62, screen LY nohead lw 1.8 dt (8, 5) lc rgb "#000000"
            set label 16 "persistence (p)" at screen 0.625, screen LY left font ",11"
            set arrow 13 from screen 0.74, screen LY to screen 0.77, screen LY nohead lw 1.8 dt (2, 4) lc rgb "#7f7f7f"
            set label 17 "mean (m)" at screen 0.775, screen LY left font ",11"
            set arrow 14 from screen 0.85, screen LY to screen 0.88, screen LY nohead lw 1.8 dt (10, 4, 2, 4) lc rgb "#9467BD"
            set label 18 "drift (d)" at screen 0.885, screen LY left font ",11"
        }
        plot report index 5 using "t":(this(i, k) ? column("model") : NaN) \
                 with lines lw 2.5 lc rgb SCOL[k] notitle, \
             report index 5 using "t":(this(i, k) ? column("persistence") : NaN) \
                 with lines lw 1.8 dt (8, 5) lc rgb "#000000" notitle, \
             report index 5 using "t":(this(i, k) ? column("mean") : NaN) \
                 with lines lw 1.8 dt (2, 4) lc rgb "#7f7f7f" notitle, \
             report index 5 using "t":(this(i, k) ? column("drift") : NaN) \
                 with lines lw 1.8 dt (10, 4, 2, 4) lc rgb "#9467BD" notitle, \
             report index 5 using "t":(this(i, k) && strcol("set") eq "fit" ? column("observed") : NaN) \
                 with points pt 7 ps 1.0 lc rgb SCOL[k] notitle, \
             report index 5 using "t":(this(i, k) && strcol("set") eq "scored" ? column("observed") : NaN) \
                 with points pt 6 ps 1.0 lw 1.5 lc rgb SCOL[k] notitle
    }
}
unset multiplot
unset output
