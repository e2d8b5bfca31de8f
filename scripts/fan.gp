# fan.gp - an ensemble's bands over time: median, 50% and 90% bands, one panel per column.
# gnuplot -e "in='out/bands.tsv'; out='fan.png'" scripts/fan.gp   [cols='share_russia n_eff'] [term=...]
#
# Input: the result of `mvsim ensemble` (docs/uncertainty.md): t, then for every column C of the
# runs C_mean, C_sd, C_p05, C_p25, C_p50, C_p75, C_p95. Panels: `cols` (words), else every C of
# the header (those with a C_p50 column), in header order. Each panel: the 90% band (p05 to p95)
# light, the 50% band (p25 to p75) darker, the median line; the colour is the vector whose id
# ends C (as in compare.gp), dark grey otherwise. The title gives the scenario, the number of
# runs and the noise (the '# runs' and '# noise' lines).

kind = "fan"
dirof(s) = strstrt(s, "/") ? s[1:strstrt(s, "/")] . dirof(s[strstrt(s, "/") + 1:]) : ""
load dirof(ARG0) . "common.gp"

# --- the ensemble's own metadata: '# result', '# runs', '# failed', '# noise' ---------------
RESULT = ""; RUNS = ""; FAILED = "0"; NOISE = ""
emeta(s) = (fld(s, 1) eq "# result") ? (RESULT = fld(s, 2), 0) : \
           (fld(s, 1) eq "# runs") ? (RUNS = fld(s, 2), 0) : \
           (fld(s, 1) eq "# failed") ? (FAILED = fld(s, 2), 0) : \
           (fld(s, 1) eq "# noise") ? (NOISE = fld(s, 2) . "\t" . fld(s, 3), 0) : 0
set datafile separator "\001"
set datafile commentschars ""
stats in every ::0::(NMETA - 1) using (emeta(strcol(1))) nooutput
set datafile separator "\t"
set datafile commentschars "#"

# --- panels: the chosen columns, or every C with a C_p50 ------------------------------------
sfx(s, x) = (strlen(s) > strlen(x) && s[strlen(s) - strlen(x) + 1:] eq x)
if (!exists("cols")) {
    cols = ""
    addp(k) = sfx(strcol(k), "_p50") ? (cols = cols . " " . strcol(k)[1:strlen(strcol(k)) - 4], 0) : 0
    stats in every ::0::0 using (sum [k=1:NCOL] addp(k)) nooutput
}
NC = words(cols)
if (NC < 1) {
    exit error in . ": no column ending in _p50: not an 'mvsim ensemble' result (run mvsim ensemble)"
}
do for [c = 1:NC] {
    do for [st in "p05 p25 p50 p75 p95"] {
        C = word(cols, c) . "_" . st
        if (!has(C)) { exit error missing(C) }
    }
}

# Colour and title per column: the vector whose id ends the name (longest match).
array CCOL[NC]; array CTITLE[NC]
do for [c = 1:NC] {
    C = word(cols, c); CCOL[c] = "#444444"; CTITLE[c] = C; best = 0
    do for [i = 1:NV] {
        sx = "_" . VID[i]
        if (sfx(C, sx) && strlen(sx) > best) {
            CCOL[c] = vcolor(i); CTITLE[c] = C . " (" . VNAME[i] . ")"; best = strlen(sx)
        }
    }
}
# Axis label with units, from the column's name (docs/model.md §7).
unit(c) = (c[1:6] eq "share_" || c[1:5] eq "pull_") ? "share" : \
          (c eq "crisis_prob") ? "probability" : (c eq "hazard") ? "hazard (per year)" : \
          (c[1:8] eq "tension_") ? "tension (index)" : (c[1:7] eq "effort_") ? "effort (index)" : \
          (c[1:5] eq "mass_") ? "mass (model units)" : (c eq "n_eff") ? "effective number" : \
          (c eq "entropy") ? "entropy (nats)" : (c eq "tilt_angle") ? "angle (degrees)" : \
          (c eq "hhi") ? "HHI" : "value"

# The extent of each panel's band, before any range is set (stats obeys ranges): a column that
# never moves (a tension that stays 0) gets a range around its value, not an empty one.
array YLO[NC]; array YHI[NC]
do for [c = 1:NC] {
    stats in using (column(word(cols, c) . "_p05")) nooutput; YLO[c] = STATS_min
    stats in using (column(word(cols, c) . "_p95")) nooutput; YHI[c] = STATS_max
}

# --- layout: up to 3 columns of panels, the legend in one row under the title --------------
PC = (NC <= 1) ? 1 : (NC <= 4) ? 2 : 3
PR = int((NC + PC - 1) / PC)
# The noise as "sigma=0.25<TAB>correlation=3" (or "off ..."): σ and θ for the title.
after(s) = strstrt(s, "=") ? s[strstrt(s, "=") + 1:] : ""
NOISETXT = (NOISE[1:6] eq "sigma=") ? "σ = " . after(fld(NOISE, 1)) . ", θ = " . after(fld(NOISE, 2)) . " yr" : \
           (NOISE[1:3] eq "off") ? "noise off" : ""
TITLE = SCEN . ": ensemble" . ((RUNS ne "") ? " of " . RUNS . " runs" : "") . \
        ((NOISETXT ne "") ? " (" . NOISETXT . ")" : "")
if (FAILED ne "0" && FAILED ne "") { TITLE = TITLE . ", " . fld(FAILED, 1) . " failed runs left out" }
if (strlen(TITLE) > 95) { TITLE = TITLE[1:94] . "…" }
set output out
set multiplot layout PR, PC title TITLE font ",16" margins 0.08, 0.97, 0.09, 0.82 \
    spacing ((PC > 2) ? 0.11 : 0.09), 0.12
# A tick step that gives about four labels over span: 1, 2 or 5 times a power of ten (panels
# are short when there are many).
nice1(m) = (m <= 1.5) ? 1 : (m <= 3.5) ? 2 : (m <= 7.5) ? 5 : 10
nicestepy(x) = 10**floor(log10(x)) * nice1(x / 10**floor(log10(x)))
set xrange [T0:T1]
set xtics yearstep(T1 - T0) * ((PC > 2) ? 2 : 1)
unset key
set style fill transparent solid 1.0 noborder
do for [c = 1:NC] {
    C = word(cols, c)
    set title CTITLE[c]
    set ylabel unit(C)
    if (c + PC > NC) { set xlabel "time (years)" offset 0,0.3 } else { unset xlabel }
    # Shares and probabilities from 0; others autoscaled around the band; a flat band centred.
    PAD = (YLO[c] == 0) ? 1 : 0.1 * abs(YLO[c])
    FROM0 = (unit(C) eq "share" || unit(C) eq "probability")
    SPAN = FROM0 ? YHI[c] : YHI[c] - YLO[c]
    if (SPAN > 0) { set ytics nicestepy(SPAN / 4.0) } else { set ytics autofreq }
    if (YHI[c] > YLO[c]) {
        if (unit(C) eq "share" || unit(C) eq "probability") { set yrange [0:*] } else { set yrange [*:*] }
    } else {
        if (YLO[c] >= 0 && (unit(C) eq "share" || unit(C) eq "probability" || YLO[c] == 0)) {
            set yrange [0:(YLO[c] > 0) ? 2 * YLO[c] : 1]
        } else {
            set yrange [YLO[c] - PAD:YLO[c] + PAD]
        }
    }
    plot in using "t":(column(C . "_p05")):(column(C . "_p95")) with filledcurves \
             fc rgb CCOL[c] fs transparent solid 0.18 noborder notitle, \
         '' using "t":(column(C . "_p25")):(column(C . "_p75")) with filledcurves \
             fc rgb CCOL[c] fs transparent solid 0.40 noborder notitle, \
         '' using "t":(column(C . "_p50")) with lines lc rgb CCOL[c] lw 2.5 notitle
}
# The legend: an empty plot as wide as the page under the title (as compare.gp).
set lmargin at screen 0.03; set rmargin at screen 0.97
set tmargin at screen 0.93; set bmargin at screen 0.86
unset title; unset xlabel; unset ylabel; unset tics; unset grid; set border 0
set xrange [0:1]; set yrange [0:1]
set key center center horizontal Left reverse samplen 3 width 3
plot 2 notitle, \
     keyentry with lines lc rgb "#444444" lw 2.5 title "median", \
     keyentry with filledcurves fc rgb "#444444" fs transparent solid 0.40 noborder title "50% of runs (p25-p75)", \
     keyentry with filledcurves fc rgb "#444444" fs transparent solid 0.18 noborder title "90% of runs (p05-p95)"
unset multiplot
