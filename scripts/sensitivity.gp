# sensitivity.gp - which parameters drive each metric: Sobol' indices or Morris effects.
# gnuplot -e "in='out/sobol.tsv'; out='sensitivity.png'" scripts/sensitivity.gp   [term=...]
#
# Input: the result of `mvsim sensitivity` (docs/uncertainty.md): '# parameter' and '# metric'
# lines, then one row per (metric, parameter), metric-major, with the columns metric,
# parameter, rank and note and either
#   S1 S1_lo S1_hi ST ST_lo ST_hi  (--method sobol): one panel per metric, a pair of horizontal
#       bars per parameter, S1 (alone) dark and ST (total, with interactions) light, each with
#       its 95% bootstrap interval, parameters sorted by ST (rank 1 on top); a parameter whose
#       interval contains 0 is marked "*";
#   mu mu_star sigma  (--method morris): one panel per metric, mu* against sigma, a point and
#       a label per parameter, and the line sigma = mu* (above it: nonlinear or interacting).
# Parameter names lose their "vectors." prefix. A metric without indices (it does not vary)
# gets a panel that says so.

# This table has no time column, and its first column is text: common.gp (which sizes the
# header from the first data row's numbers and reads the time range of "t") does not apply.
# The part of its set-up used here is repeated below; keep the two in step.
kind = "sensitivity"
if (!exists("in")) {
    exit error "no input: run as gnuplot -e \"in='indices.tsv'; out='fig.png'\" " . ARG0
}
rslash(s) = (strstrt(s, "/") == 0) ? 0 : strstrt(s, "/") + rslash(s[strstrt(s, "/") + 1:])
rdot(s)   = (strstrt(s, ".") == 0) ? 0 : strstrt(s, ".") + rdot(s[strstrt(s, ".") + 1:])
extof(s)  = (rdot(s) > rslash(s)) ? s[rdot(s) + 1:] : ""
stem(s)   = (rdot(s) > rslash(s)) ? s[1:rdot(s) - 1] : s
if (!exists("out")) { out = stem(in) . "-" . kind . ".png" }
if (!exists("term")) {
    term = (extof(out) eq "svg") ? "svg" : (extof(out) eq "pdf") ? "pdfcairo" : "pngcairo"
}
if (term eq "pngcairo") {
    set terminal pngcairo size 1200,800 font "DejaVu Sans,13" linewidth 1.5 noenhanced
} else {
    if (term eq "svg") {
        set terminal svg size 1200,800 dynamic font "DejaVu Sans,13" linewidth 1.5 noenhanced background "white"
    } else {
        if (term eq "pdfcairo") {
            set terminal pdfcairo size 16.6667in,11.1111in font "DejaVu Sans,13" fontscale 1 linewidth 3 noenhanced
        } else {
            exit error "term must be pngcairo, svg or pdfcairo, not '" . term . "'"
        }
    }
}
fld(s, n) = (n <= 1) ? (strstrt(s, "\t") ? s[1:strstrt(s, "\t") - 1] : s) : \
            (strstrt(s, "\t") ? fld(s[strstrt(s, "\t") + 1:], n - 1) : "")

# --- metadata: '# scenario', '# method', '# runs', '# parameter', '# metric' ----------------
MAXK = 64; MAXM = 256
array PKEY[MAXK]; array MNAME[MAXM]; array MFLAT[MAXM]; array MSTAT[MAXM]
K = 0; NM = 0; METHOD = ""; RUNS = ""; SCEN = ""; NMETA = 0; ISMV = 0
addpar(s) = (K < MAXK) ? (K = K + 1, PKEY[K] = fld(s, 2), 0) : 0
# '# metric<TAB>NAME<TAB>mean=M<TAB>sd=S[<TAB>does not vary ...]'
after(s) = strstrt(s, "=") ? s[strstrt(s, "=") + 1:] : s
addmet(s) = (NM < MAXM) ? (NM = NM + 1, MNAME[NM] = fld(s, 2), \
                           MSTAT[NM] = (fld(s, 3) ne "") ? sprintf("mean %.3g, sd %.3g over the runs", \
                               after(fld(s, 3)) + 0.0, after(fld(s, 4)) + 0.0) : "", \
                           MFLAT[NM] = (strstrt(s, "does not vary") > 0), 0) : 0
smeta(s) = (fld(s, 1) eq "# parameter") ? addpar(s) : (fld(s, 1) eq "# metric") ? addmet(s) : \
           (fld(s, 1) eq "# scenario") ? (SCEN = fld(s, 2), 0) : \
           (fld(s, 1) eq "# method") ? (METHOD = fld(s, 2), 0) : \
           (fld(s, 1) eq "# runs") ? (RUNS = fld(s, 2), 0) : 0
# Each metadata line whole (separator \001, which never occurs), as common.gp reads them.
count(s) = (column(0) == NMETA && s[1:1] eq "#") ? (NMETA = NMETA + 1, 0) : 0
set datafile separator "\001"
set datafile commentschars ""
stats in using (column(0) == 0 ? (ISMV = (strcol(1)[1:7] eq "# mvsim"), 0) : 0, count(strcol(1))) nooutput
if (!ISMV) { exit error in . ": not an mvsim result (the first line should start with '# mvsim')" }
stats in every ::0::(NMETA - 1) using (smeta(strcol(1))) nooutput
if (SCEN eq "") { SCEN = in }
# The header, as "\tname\t...\t": the line after the metadata.
HDR = "\t"
stats in every ::NMETA::NMETA using (HDR = HDR . strcol(1) . "\t", 0) nooutput
HDR = (strstrt(HDR, "\n")) ? HDR[1:strstrt(HDR, "\n") - 1] : HDR
has(name) = strstrt(HDR, "\t" . name . "\t") > 0
missing(name) = in . ": column '" . name . "' is absent"
set datafile separator "\t"
set datafile commentschars "#"
# common.gp's palette, as numbers for `lc rgb variable` (parameters take it in file order).
array PALI[12] = [0x0072B2, 0xD55E00, 0x009E73, 0xE69F00, 0xCC79A7, 0x56B4E9, 0x8C564B, \
                  0x000000, 0xB8B000, 0x7F7F7F, 0x17BECF, 0x9467BD]
set style data lines

SOBOL = has("S1") && has("ST")
MORRIS = has("mu_star") && has("sigma")
if (!SOBOL && !MORRIS) {
    exit error in . ": neither S1 and ST nor mu_star and sigma: not an 'mvsim sensitivity' result"
}
do for [c in "metric parameter rank note"] { if (!has(c)) { exit error missing(c) } }
if (SOBOL) { do for [c in "S1_lo S1_hi ST_lo ST_hi"] { if (!has(c)) { exit error missing(c) } } }
if (MORRIS) { if (!has("mu")) { exit error missing("mu") } }
if (K < 1 || NM < 1) { exit error in . ": no '# parameter' or '# metric' lines in the metadata" }

# (a parameter's key without "vectors."; "vectors_" in a result of --names safe)
short(s) = (s[1:8] eq "vectors." || s[1:8] eq "vectors_") ? s[9:] : s
max(a, b) = (a > b) ? a : b
min(a, b) = (a < b) ? a : b

# Rows of metric m are data rows (m-1)K .. mK-1: `every ::a::b` counts them after the header.
first(m) = (m - 1) * K
last(m) = m * K - 1

# --- layout: one panel per metric; up to 3 stacked, else two columns -------------------------
PC = (NM <= 3) ? 1 : 2
PR = int((NM + PC - 1) / PC)
TITLE = SCEN . ": " . (SOBOL ? "Sobol' indices" : "Morris screening") . \
        ((RUNS ne "") ? " (" . RUNS . " runs)" : "")
if (strlen(TITLE) > 95) { TITLE = TITLE[1:94] . "…" }
set output out
set multiplot title TITLE font ",16"
# Panels by hand: the left margin leaves room for the parameter names.
LW = 0.24; TOPY = 0.80; BOTY = 0.08; GAPY = 0.14; GAPX = 0.06
PW = (0.97 - GAPX * (PC - 1)) / PC
PH = (TOPY - BOTY - GAPY * (PR - 1)) / PR
unset key
set grid x back lc rgb "#dddddd" lw 0.5
set grid noy
set xtics autofreq
set mxtics default
set format x "%g"
set border 3 back
set tics nomirror out

# Per metric, before any range is set (stats obeys them): the extent of the values drawn.
array XLO[NM]; array XHI[NM]; array YHI[NM]
do for [m = 1:NM] {
    XLO[m] = 0; XHI[m] = 0; YHI[m] = 0
    if (!MFLAT[m] && SOBOL) {
        stats in every ::first(m)::last(m) using "S1_lo" nooutput; XLO[m] = STATS_min
        stats in every ::first(m)::last(m) using "ST_hi" nooutput; XHI[m] = STATS_max
        stats in every ::first(m)::last(m) using "S1_hi" nooutput; XHI[m] = max(XHI[m], STATS_max)
        stats in every ::first(m)::last(m) using "ST" nooutput; XHI[m] = max(XHI[m], STATS_max)
    }
    if (!MFLAT[m] && MORRIS) {
        stats in every ::first(m)::last(m) using "mu_star" nooutput; XHI[m] = STATS_max
        stats in every ::first(m)::last(m) using "sigma" nooutput; YHI[m] = STATS_max
    }
}

XLOALL = 0; XHIALL = 0
do for [m = 1:NM] { XLOALL = min(XLOALL, XLO[m]); XHIALL = max(XHIALL, XHI[m]) }

if (SOBOL) {
    C1 = "#0072B2"; CT = "#9ECAE1"
    do for [m = 1:NM] {
        col = (m - 1) % PC; row = int((m - 1) / PC)
        X0 = col * (PW + GAPX); Y1 = TOPY - row * (PH + GAPY)
        set lmargin at screen X0 + LW; set rmargin at screen X0 + PW
        set tmargin at screen Y1; set bmargin at screen Y1 - PH
        set title MNAME[m] . ((MSTAT[m] ne "") ? " (" . MSTAT[m] . ")" : "")
        set xlabel "share of the variance of " . MNAME[m] offset 0,0.4
        set yrange [K + 0.6:0.4]
        set ytics scale 0 font ",12"
        if (MFLAT[m]) {
            set xrange [0:1]
            set label 10 "does not vary over the design: no index" at graph 0.5, graph 0.5 center \
                tc rgb "#666666"
            plot in every ::first(m)::last(m) using (NaN):(column(0) + 1):ytic(short(strcol("parameter"))) notitle
            unset label 10
            continue
        }
        # One x range for every panel (all are shares of a variance): from just left of 0 (or
        # the lowest interval end) to the highest value, with room.
        set xrange [min(-0.02, XLOALL - 0.02):max(0.1, 1.08 * XHIALL)]
        set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb "#666666" lw 1 back
        lab(p, n) = short(p) . ((n ne "-") ? " *" : "")
        plot in every ::first(m)::last(m) \
                using (0):(column("rank")):(0):(column("ST")):(column("rank") + 0.02):(column("rank") + 0.36):\
                ytic(lab(strcol("parameter"), strcol("note"))) \
                with boxxyerror fs solid 1.0 noborder fc rgb CT notitle, \
             '' every ::first(m)::last(m) \
                using (0):(column("rank")):(0):(column("S1")):(column("rank") - 0.36):(column("rank") - 0.02) \
                with boxxyerror fs solid 1.0 noborder fc rgb C1 notitle, \
             '' every ::first(m)::last(m) \
                using (column("ST")):(column("rank") + 0.19):(column("ST_lo")):(column("ST_hi")) \
                with xerrorbars pt -1 lc rgb "#333333" lw 1.2 notitle, \
             '' every ::first(m)::last(m) \
                using (column("S1")):(column("rank") - 0.19):(column("S1_lo")):(column("S1_hi")) \
                with xerrorbars pt -1 lc rgb "#333333" lw 1.2 notitle
        unset arrow 1
    }
    # The legend, in one row under the title.
    set lmargin at screen 0.03; set rmargin at screen 0.97
    set tmargin at screen 0.935; set bmargin at screen 0.895
    unset title; unset xlabel; unset ylabel; unset tics; unset grid; set border 0
    set xrange [0:1]; set yrange [0:1]
    set key center center horizontal Left reverse samplen 2 width 2 maxrows 1
    set label 11 "* a parameter with an interval that contains 0: not distinguishable from no effect at this N" \
        at screen 0.5, screen 0.872 center font ",11" tc rgb "#555555"
    plot 2 notitle, \
         keyentry with boxes fs solid 1.0 noborder fc rgb C1 title "S1: alone", \
         keyentry with boxes fs solid 1.0 noborder fc rgb CT title "ST: total, with interactions", \
         keyentry with xerrorbars pt -1 lc rgb "#333333" lw 1.2 title "95% bootstrap interval"
}

if (MORRIS) {
    LW = 0.09
    do for [m = 1:NM] {
        col = (m - 1) % PC; row = int((m - 1) / PC)
        X0 = col * (PW + GAPX); Y1 = TOPY - row * (PH + GAPY)
        set lmargin at screen X0 + LW; set rmargin at screen X0 + PW - 0.02
        set tmargin at screen Y1; set bmargin at screen Y1 - PH
        set title MNAME[m] . ((MSTAT[m] ne "") ? " (" . MSTAT[m] . ")" : "")
        set xlabel "μ* (mean |elementary effect|, per unit of the normalised range)" offset 0,0.4
        set ylabel "σ (s.d. of the effects)"
        set ytics autofreq font ",13"
        set format y "%g"
        set grid y back lc rgb "#dddddd" lw 0.5
        if (MFLAT[m]) {
            set xrange [0:1]; set yrange [0:1]
            set label 10 "does not vary over the design: no effect" at graph 0.5, graph 0.5 center \
                tc rgb "#666666"
            plot NaN notitle
            unset label 10
            continue
        }
        XM = (XHI[m] > 0) ? 1.3 * XHI[m] : 1; YM = (YHI[m] > 0) ? 1.15 * YHI[m] : 1
        set xrange [0:XM]; set yrange [0:YM]
        # Labels alternate a little above and below their point, so neighbours overlap less.
        plot x with lines lc rgb "#999999" dt 2 lw 1.5 notitle, \
             in every ::first(m)::last(m) using "mu_star":"sigma":(PALI[int(column(0)) % 12 + 1]) \
                with points pt 7 ps 1.6 lc rgb variable notitle, \
             '' every ::first(m)::last(m) \
                using "mu_star":(column("sigma") + (int(column(0)) % 2 ? -0.025 : 0.025) * YM):(short(strcol("parameter"))) \
                with labels left offset char 1,0 font ",11" notitle
    }
    set lmargin at screen 0.03; set rmargin at screen 0.97
    set tmargin at screen 0.935; set bmargin at screen 0.895
    unset title; unset xlabel; unset ylabel; unset tics; unset grid; set border 0
    set xrange [0:1]; set yrange [0:1]
    set key center center horizontal Left reverse samplen 2 width 2
    plot 2 notitle, \
         keyentry with lines lc rgb "#999999" dt 2 lw 1.5 title "σ = μ*: above it, the effect is nonlinear or interacts"
}
unset multiplot
