# shares.gp - alignment shares over time: overall shares as a stacked area, one panel per domain.
# gnuplot -e "in='out/baseline.tsv'; out='shares.png'" scripts/shares.gp   [term='svg'|...]
#
# Columns (found by name): t, share_<v>, share_<d>_<v> for every vector v and domain d listed in
# the '# vector' and '# domain' lines. Colours follow the vector order (scripts/common.gp).

kind = "shares"
dirof(s) = strstrt(s, "/") ? s[1:strstrt(s, "/")] . dirof(s[strstrt(s, "/") + 1:]) : ""
load dirof(ARG0) . "common.gp"

do for [i = 1:NV] {
    c = "share_" . VID[i]; if (!has(c)) { exit error missing(c) }
    do for [d = 1:ND] {
        c = "share_" . DID[d] . "_" . VID[i]; if (!has(c)) { exit error missing(c) }
    }
}

# Upper edge of vector i's band: the sum of the shares of vectors 1..i (prefix p of the column).
cum(p, i) = (i < 1) ? 0 : sum [j=1:i] column(p . VID[j])

set output out
set multiplot title SCEN . ": alignment shares" font ",16"

# Panel layout in screen coordinates: the overall panel on top, the domain panels beneath,
# all between L and R, the legend to the right of R where it covers nothing.
L = 0.08; R = 0.97 - KEYW - 0.02; GAP = 0.05
R = (R > 0.80) ? 0.80 : R
set style fill solid 0.85 border lc rgb "white"
set yrange [0:1]
set xrange [T0:T1]
set ytics 0.2
set format y "%.1f"

# With more than four domains their panels take two rows, and the overall panel gives way.
PCOLS = (ND <= 4) ? ND : int((ND + 1) / 2)
PROWS = (ND <= 4) ? 1 : 2
BT = (PROWS == 1) ? 0.36 : 0.46
set tmargin at screen 0.90; set bmargin at screen BT + 0.16
set lmargin at screen L; set rmargin at screen R
# The legend: a colour box and a name per vector, in one column right of R.
unset key
set label 200 "vector" at screen R + 0.02, screen 0.90 left font KEYFONT
do for [i = 1:NV] {
    Y = 0.90 - i * KEYH
    set object 200 + i rect from screen R + 0.02, screen Y - 0.35 * KEYH \
        to screen R + 0.045, screen Y + 0.35 * KEYH fc rgb vcolor(i) fs solid 0.85 noborder
    set label 200 + i KEYNAME(i) at screen R + 0.055, screen Y left font KEYFONT
}
set xlabel "time (years)" offset 0,0.3
set ylabel "overall share"
set title "overall (domains weighted)"
plot for [i=1:NV] in using "t":(cum("share_", i - 1)):(cum("share_", i)) \
     with filledcurves lc rgb vcolor(i) notitle

unset label 200
unset for [i = 1:NV] label 200 + i
unset for [i = 1:NV] object 200 + i
set ytics 0.25
set format y "%.2g"
# The domain panels (in rows from BT down to 0.09): up to four in a row, two rows beyond that;
# year ticks as many as fit, about 60 px a label.
PW = (R - L - (PCOLS - 1) * GAP) / PCOLS
PH = (BT - 0.09 - (PROWS - 1) * 0.08) / PROWS
# The first label stays clear of the left end, where it would meet the last of the panel before.
STEPD = nicestep(T1 - T0, int(PW * 1200 / 60))
set xtics STEPD * ceil((T0 + 0.05 * (T1 - T0)) / STEPD), STEPD
do for [d = 1:ND] {
    col = (d - 1) % PCOLS; row = int((d - 1) / PCOLS)
    set lmargin at screen L + col * (PW + GAP)
    set rmargin at screen L + col * (PW + GAP) + PW
    set tmargin at screen BT - row * (PH + 0.08)
    set bmargin at screen BT - row * (PH + 0.08) - PH
    set title sprintf("%s (weight %.2f)", DNAME[d], DW[d]) font ",12"
    if (col == 0) { set ylabel "share"; set format y "%.2g" } else { unset ylabel; set format y "" }
    if (d + PCOLS > ND) { set xlabel "time (years)"; set format x "%.0f" } else {
        unset xlabel; set format x ""
    }
    p = "share_" . DID[d] . "_"
    plot for [i=1:NV] in using "t":(cum(p, i - 1)):(cum(p, i)) \
         with filledcurves lc rgb vcolor(i) notitle
}
unset multiplot
