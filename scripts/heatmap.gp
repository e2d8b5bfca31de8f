# heatmap.gp - two parameters of a sweep against one metric, as a colour map.
# gnuplot -e "in='s.tsv'; out='h.png'; x='KEY'; y='KEY'; z='METRIC'" scripts/heatmap.gp
#
# Reads:  in    a summary written by `mvsim sweep` or `mvsim merge` (required)
#         x, y  two parameter columns (keys, e.g. 'vectors.russia.coercion'), z a metric column
#               (e.g. 'final:crisis_prob'); all found by name in the header (required)
#         out   output file (default: `in` without .tsv, then -heatmap.png)
#         term  pngcairo | svg | pdfcairo (default from the extension of `out`)
# A grid summary (x and y with levels, from `steps` or `values`) is drawn as cells centred on
# the grid points; a sampled one (lhs, random, sobol) as coloured points. Runs whose metric is nan
# are grey, with a legend entry below the map: mid grey for a run that succeeded ("never
# crosses" for a `cross:` metric, else "nan"), dark grey for a failed run (`status` not ok);
# a grid cell without a run (another shard's) is left very light grey, also in the legend.
# The map needs one run per (x, y): a sweep of exactly these two parameters. Never prints
# (errors go through `exit error`).

if (!exists("in")) {
    exit error "no input: run as gnuplot -e \"in='summary.tsv'; x='KEY'; y='KEY'; z='METRIC'\" " . ARG0
}
if (!exists("x") || !exists("y") || !exists("z")) {
    exit error "heatmap needs x, y (parameter keys) and z (a metric): -e \"...; x='KEY'; y='KEY'; z='METRIC'\""
}

# Inside `plot`, x is the dummy variable: keep the column names under other names.
XC = x; YC = y; ZC = z

# --- output and terminal (as scripts/common.gp) ----------------------------------------------
rslash(s) = (strstrt(s, "/") == 0) ? 0 : strstrt(s, "/") + rslash(s[strstrt(s, "/") + 1:])
rdot(s)   = (strstrt(s, ".") == 0) ? 0 : strstrt(s, ".") + rdot(s[strstrt(s, ".") + 1:])
extof(s)  = (rdot(s) > rslash(s)) ? s[rdot(s) + 1:] : ""
stem(s)   = (rdot(s) > rslash(s)) ? s[1:rdot(s) - 1] : s
if (!exists("out")) { out = stem(in) . "-heatmap.png" }
if (!exists("term")) {
    term = (extof(out) eq "svg") ? "svg" : (extof(out) eq "pdf") ? "pdfcairo" : "pngcairo"
}
if (term eq "pngcairo") {
    set terminal pngcairo size 1000,800 font "DejaVu Sans,13" noenhanced
} else {
    if (term eq "svg") {
        set terminal svg size 1000,800 dynamic font "DejaVu Sans,13" noenhanced background "white"
    } else {
        if (term eq "pdfcairo") {
            set terminal pdfcairo size 13.8889in,11.1111in font "DejaVu Sans,13" noenhanced
        } else {
            exit error "term must be pngcairo, svg or pdfcairo, not '" . term . "'"
        }
    }
}

# --- metadata: '# mvsim ... sweep summary', '# sweep', '# parameter KEY MIN MAX LEVELS' -------
fld(s, n) = (n <= 1) ? (strstrt(s, "\t") ? s[1:strstrt(s, "\t") - 1] : s) : \
            (strstrt(s, "\t") ? fld(s[strstrt(s, "\t") + 1:], n - 1) : "")
NMETA = 0; ISSWEEP = 0; SWEEP = in; NPAR = 0; XLEV = -1; YLEV = -1
count(s) = (column(0) == NMETA && s[1:1] eq "#") ? (NMETA = NMETA + 1, 0) : 0
set datafile separator "\001"
set datafile commentschars ""
stats in using (column(0) == 0 ? (ISSWEEP = (strcol(1)[1:7] eq "# mvsim" && strstrt(strcol(1), "sweep summary") > 0), 0) : 0, count(strcol(1))) nooutput
if (!ISSWEEP) { exit error in . ": not an mvsim sweep summary (the first line should be '# mvsim ... sweep summary')" }
lev(s) = (fld(s, 5) eq "continuous") ? 0 : int(word(fld(s, 5), 1))
# The range of a grid parameter from its '# parameter' line (a shard may hold only some levels).
XMIN = NaN; XMAX = NaN; YMIN = NaN; YMAX = NaN
parx(s) = (XLEV = lev(s), XMIN = fld(s, 3) + 0.0, XMAX = fld(s, 4) + 0.0, 0)
pary(s) = (YLEV = lev(s), YMIN = fld(s, 3) + 0.0, YMAX = fld(s, 4) + 0.0, 0)
par(s) = (NPAR = NPAR + 1, (fld(s, 2) eq x) ? parx(s) : 0, (fld(s, 2) eq y) ? pary(s) : 0, 0)
# `mvsim sweep --names safe` writes the header's safe names (docs/reading-results.md) and a
# '# names<TAB>safe' line; the '# parameter' and '# metric' lines, and x, y, z, keep the names as
# written. safe(s) is the mapping of sim/colnames.c: '>' -> _gt_, '<' -> _lt_, any other
# character but a letter, digit or _ -> _.
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
safech(c) = (c eq ">") ? "_gt_" : (c eq "<") ? "_lt_" : (strstrt(ALNUM, c) > 0) ? c : "_"
safe(s) = (strlen(s) == 0) ? "" : safech(s[1:1]) . safe(s[2:])
SAFE = 0
meta(s) = (fld(s, 1) eq "# sweep") ? (SWEEP = fld(s, 2), 0) : (fld(s, 1) eq "# parameter") ? par(s) : \
          (s eq "# names\tsafe") ? (SAFE = 1, 0) : 0
stats in every ::0::(NMETA - 1) using (meta(strcol(1))) nooutput

# --- header ----------------------------------------------------------------------------------
set datafile separator "\t"
set datafile commentschars "#"
stats in every ::1::1 using 1 nooutput
NCOL = STATS_columns
HDR = "\t"
addcol(k) = (HDR = HDR . strcol(k) . "\t", 0)
stats in every ::0::0 using (sum [k=1:NCOL] addcol(k)) nooutput
has(name) = strstrt(HDR, "\t" . name . "\t") > 0
if (SAFE) { XC = safe(x); YC = safe(y); ZC = safe(z) }
do for [c in XC . " " . YC . " " . ZC] { if (!has(c)) { exit error in . ": column '" . c . "' is absent" } }
if (XLEV < 0) { exit error in . ": '" . x . "' is not a parameter of the sweep" }
if (YLEV < 0) { exit error in . ": '" . y . "' is not a parameter of the sweep" }
if (x eq y) { exit error "x and y must be two different parameters" }
if (NPAR != 2) {
    exit error sprintf("%s: a heatmap needs a sweep of exactly the two parameters x and y, this one has %d", in, NPAR)
}

if (!has("status")) { exit error in . ": column 'status' is absent" }
# Runs with a number, runs whose metric is nan (NNAN: the run succeeded; NFAIL: it failed).
NOK = 0; NNAN = 0; NFAIL = 0; NROWS = 0
# A metric is nan where the summary says so in words ("nan"): gnuplot's column() takes such a
# field as invalid, which would drop the row from every plot that reads it. The header line is
# passed through `using` too (its run number is no number) and not counted.
isnan(d) = (strcol(ZC) eq "nan" || strcol(ZC) eq "-nan")
isrun(d) = (column("run") == column("run"))
okcount(d) = !isrun(0) ? 0 : (NROWS = NROWS + 1, !isnan(0) ? (NOK = NOK + 1, 0) : \
             (strcol("status") eq "ok") ? (NNAN = NNAN + 1, 0) : (NFAIL = NFAIL + 1, 0))
stats in using (okcount(0)) nooutput
if (NOK == 0) { exit error in . ": no run has a number for '" . z . "' (every value is nan)" }
stats in using (column(ZC)) nooutput
# A constant metric still gets a colour range (and gnuplot no warning).
pad(v) = (abs(v) > 0) ? abs(v) * 0.01 : 1
if (STATS_max > STATS_min) { set cbrange [*:*] } else { set cbrange [STATS_min - pad(STATS_min) : STATS_max + pad(STATS_max)] }
stats in using (column(XC)):(column(YC)) nooutput
X0 = STATS_min_x; X1 = STATS_max_x; Y0 = STATS_min_y; Y1 = STATS_max_y
# A grid spans its levels' range even when some cells have no run (another shard's).
if (XLEV > 1 && XMAX > XMIN) { X0 = XMIN; X1 = XMAX }
if (YLEV > 1 && YMAX > YMIN) { Y0 = YMIN; Y1 = YMAX }
# Cell size: the grid spacing of evenly spaced levels (`steps`); unevenly spaced `values` get
# equal cells of (max - min)/(levels - 1), which may overlap or leave gaps
DX = (XLEV > 1 && X1 > X0) ? (X1 - X0) / (XLEV - 1) : ((X1 > X0) ? (X1 - X0) / 20 : 1)
DY = (YLEV > 1 && Y1 > Y0) ? (Y1 - Y0) / (YLEV - 1) : ((Y1 > Y0) ? (Y1 - Y0) / 20 : 1)
GRID = (XLEV > 0 && YLEV > 0)
# Grid cells without a run: a shard's summary holds only its own runs.
NMISS = GRID ? XLEV * YLEV - NROWS : 0
NMISS = (NMISS > 0) ? NMISS : 0
# The greys of the legend (keep them in step with docs/plotting.md).
GREY_NAN = "#a6a6a6"; GREY_FAIL = "#525252"; GREY_MISS = "#ececec"
NANTITLE = (z[1:6] eq "cross:") ? "never crosses (nan)" : "nan"
NLEG = (NNAN > 0) + (NFAIL > 0) + (NMISS > 0)

# --- the map ---------------------------------------------------------------------------------
set output out
set title SWEEP . ": " . z font ",15"
set xlabel x
set ylabel y
set cblabel z
# Room for the colour bar's tic labels and its label (gnuplot leaves too little for labels
# such as 2027.5 and cuts the bar's label off).
set rmargin 14
set xrange [X0 - DX / 2 : X1 + DX / 2]
set yrange [Y0 - DY / 2 : Y1 + DY / 2]
set tics out nomirror
# A grid of few levels gets its tics on the levels, so each cell is labelled with its value.
if (GRID && XLEV > 1 && XLEV <= 11 && X1 > X0) { set xtics X0, DX, X1 + DX / 2 }
if (GRID && YLEV > 1 && YLEV <= 11 && Y1 > Y0) { set ytics Y0, DY, Y1 + DY / 2 }
set border back
# viridis: perceptually uniform, colour-blind safe, readable in greyscale
set palette defined (0 "#440154", 0.25 "#3b528b", 0.5 "#21918c", 0.75 "#5ec962", 1 "#fde725")
# The background shows through where a grid has no run (another shard's cells).
set object 1 rectangle from graph 0, 0 to graph 1, 1 behind fillcolor rgb GREY_MISS fillstyle solid noborder
# nan cells are drawn in grey by plots of their own: with `linecolor palette` gnuplot would
# draw them white. NANOK(v) and NANFAIL(v) keep a coordinate of a row whose metric is nan (of a
# run that succeeded, or failed), FIN(v) of a row with a number (NaN drops the row).
NANOK(v) = (isnan(0) && strcol("status") eq "ok") ? v : NaN
NANFAIL(v) = (isnan(0) && strcol("status") ne "ok") ? v : NaN
FIN(v) = isnan(0) ? NaN : v
# The legend of the greys, in one row below the map (under the axis label); none when every
# run has a number. An entry is shown only for a grey that occurs (an empty title hides one).
if (NLEG > 0) {
    set bmargin 6
    set key at screen 0.5, screen 0.015 center bottom horizontal reverse Left samplen 1.5 \
        width 3 font ",12"
} else {
    set key off
}
TNAN = (NNAN > 0) ? NANTITLE : ""
TFAIL = (NFAIL > 0) ? "failed run" : ""
TMISS = (NMISS > 0) ? "no run (another shard)" : ""
if (GRID) {
    plot in using (FIN(column(XC))):(column(YC)):(column(XC) - DX / 2):(column(XC) + DX / 2): \
                  (column(YC) - DY / 2):(column(YC) + DY / 2):(column(ZC)) \
         with boxxyerror fillstyle solid 1.0 noborder linecolor palette notitle, \
         in using (NANOK(column(XC))):(column(YC)):(column(XC) - DX / 2):(column(XC) + DX / 2): \
                  (column(YC) - DY / 2):(column(YC) + DY / 2) \
         with boxxyerror fillstyle solid 1.0 noborder linecolor rgb GREY_NAN title TNAN, \
         in using (NANFAIL(column(XC))):(column(YC)):(column(XC) - DX / 2):(column(XC) + DX / 2): \
                  (column(YC) - DY / 2):(column(YC) + DY / 2) \
         with boxxyerror fillstyle solid 1.0 noborder linecolor rgb GREY_FAIL title TFAIL, \
         NaN with boxes fillstyle solid 1.0 border lc rgb "#999999" linecolor rgb GREY_MISS title TMISS
} else {
    plot in using (FIN(column(XC))):(column(YC)):(column(ZC)) \
             with points pointtype 7 pointsize 1.2 linecolor palette notitle, \
         in using (NANOK(column(XC))):(column(YC)) \
             with points pointtype 7 pointsize 1.2 linecolor rgb GREY_NAN title TNAN, \
         in using (NANFAIL(column(XC))):(column(YC)) \
             with points pointtype 7 pointsize 1.2 linecolor rgb GREY_FAIL title TFAIL
}
unset output
