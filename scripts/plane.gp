# plane.gp - the alignment plane: each vector an arrow at its angle, the tilt point's trajectory.
# gnuplot -e "in='out/baseline.tsv'; out='plane.png'" scripts/plane.gp   [term='svg'|...]
#
# Columns (found by name): t, tilt_x, tilt_y, share_<v>; angles and names from the '# vector'
# lines. The tilt point is the share-weighted sum of the vectors' unit directions (docs/model.md §7):
# at the centre when the shares balance, towards a vector's arrow when that vector dominates.

kind = "plane"
dirof(s) = strstrt(s, "/") ? s[1:strstrt(s, "/")] . dirof(s[strstrt(s, "/") + 1:]) : ""
load dirof(ARG0) . "common.gp"

do for [c in "tilt_x tilt_y"] { if (!has(c)) { exit error missing(c) } }
do for [i = 1:NV] { c = "share_" . VID[i]; if (!has(c)) { exit error missing(c) } }

# First and last overall share of each vector, first and last tilt point, and the extent.
array S0[NV]; array S1[NV]
do for [i = 1:NV] { S0[i] = NaN }
isnan(x) = (x != x)
keep(i) = (isnan(S0[i]) ? S0[i] = column("share_" . VID[i]) : 0, S1[i] = column("share_" . VID[i]), 0)
X0 = NaN
ends(x, y) = (isnan(X0) ? (X0 = x, Y0 = y) : 0, X1 = x, Y1 = y, 0)
stats in using (sum [i=1:NV] keep(i)):(ends(column("tilt_x"), column("tilt_y"))) nooutput
stats in using "tilt_x":"tilt_y" nooutput
XMIN = STATS_min_x; XMAX = STATS_max_x; YMIN = STATS_min_y; YMAX = STATS_max_y

deg = pi / 180
ux(i) = cos(VANG[i] * deg)
uy(i) = sin(VANG[i] * deg)
STEP = yearstep(T1 - T0)
isyear(t) = abs(t / STEP - floor(t / STEP + 0.5)) < 1e-6
min(a, b) = (a < b) ? a : b
max(a, b) = (a > b) ? a : b
PURPLE = "#3f007d"

set output out
set multiplot title SCEN . ": the alignment plane" font ",16"
set palette defined (0 "#cbc9e2", 0.5 "#8f7dc2", 1 PURPLE)
set cbrange [T0:T1]
unset grid
set border 0
unset xtics; unset ytics
unset key
set samples 2
set clip two
# Two square panels, 500 px on a 1200x800 canvas (the same proportions for svg and pdf).
PW = 500.0 / 1200; PH = 500.0 / 800; PB = 0.19

# --- left: the whole plane, one unit arrow per vector --------------------------------------
set lmargin at screen 0.03; set rmargin at screen 0.03 + PW
set bmargin at screen PB; set tmargin at screen PB + PH
set title sprintf("vectors at their angles, tilt point %.0f–%.0f", T0, T1) offset 0,1
# Half-width H of the square range: room for the labels beside the arrows (about 8 px a
# character at 12 pt, the panel 500 px wide, 20 px of slack past its edge).
H = 270.0 / (270 - 8 * MAXL) * 1.08
H = (H > 1.6) ? H : 1.6
set xrange [-H:H]; set yrange [-H:H]
set object 1 circle at 0,0 size 1 fs empty border lc rgb "#bbbbbb" dt 2 back
set arrow 100 from -1,0 to 1,0 nohead lc rgb "#e0e0e0" back
set arrow 101 from 0,-1 to 0,1 nohead lc rgb "#e0e0e0" back
do for [i = 1:NV] {
    set arrow i from 0,0 to ux(i), uy(i) lc rgb vcolor(i) lw 2.5 filled size 0.06,20 front
    LX = 1.08 * ux(i); LY = 1.08 * uy(i) + ((uy(i) > 0.7) ? 0.12 : (uy(i) < -0.7) ? -0.12 : 0)
    set label i sprintf("%s\n%.0f%% → %.0f%%", KEYNAME(i), 100 * S0[i], 100 * S1[i]) \
        at LX, LY center tc rgb vcolor(i) font ",12" front
    if (ux(i) > 0.3) { set label i left }
    if (ux(i) < -0.3) { set label i right }
}
set label 90 "labels: overall share, first → last" at graph 0, graph -0.02 left tc rgb "#666666" font ",11"
set label 92 "" at X0, Y0 point pt 6 ps 1.4 lc rgb PURPLE front
set label 93 "" at X1, Y1 point pt 7 ps 1.1 lc rgb PURPLE front
unset colorbox
plot in using "tilt_x":"tilt_y":"t" with lines lc palette lw 2.5

# --- right: close-up of the trajectory, the origin kept in view ----------------------------
unset object 1
unset for [i = 1:NV] label i
unset for [i = 1:NV] arrow i
unset label 90
unset arrow 100; unset arrow 101
set lmargin at screen 0.97 - PW; set rmargin at screen 0.97
set title "close-up: tilt point (tilt_x, tilt_y), dashed: vector directions" offset 0,1
# Range: the trajectory and the origin, padded, equal in x and y.
CX = (min(XMIN, 0) + max(XMAX, 0)) / 2; CY = (min(YMIN, 0) + max(YMAX, 0)) / 2
HW = 0.6 * max(max(max(XMAX, 0) - min(XMIN, 0), max(YMAX, 0) - min(YMIN, 0)), 0.02)
set xrange [CX - HW:CX + HW]; set yrange [CY - HW:CY + HW]
set border 15 lc rgb "#999999"
set xtics autofreq out nomirror font ",11" tc rgb "black"; set ytics autofreq out nomirror font ",11" tc rgb "black"
set format x "%.2f"; set format y "%.2f"
set xlabel "tilt_x = Σ share · cos(angle)" font ",12"
set ylabel "tilt_y = Σ share · sin(angle)" font ",12"
set grid lc rgb "#eeeeee"
set label 91 "+" at 0,0 center tc rgb "#666666" front
set colorbox horizontal user origin screen 0.97 - PW, screen 0.045 size screen PW, screen 0.025
set cbtics yearstep(T1 - T0) format "%.0f" tc rgb "black" font ",11"
set label 94 "time (years)" at screen 0.96 - PW, screen 0.058 right font ",12"
# A dot every STEP years; a year label only where it keeps clear of the previous one (the
# point moves slowly near an equilibrium and the labels would pile up).
LXP = 1e30; LYP = 1e30; MIND = 0.09 * 2 * HW
# The last point is always labelled; the others keep clear of it too.
far(x, y) = sqrt((x - LXP)**2 + (y - LYP)**2) > MIND && sqrt((x - X1)**2 + (y - Y1)**2) > MIND
lab(x, y, t) = (isyear(t) && t < T1 && far(x, y)) ? (LXP = x, LYP = y, x) : NaN
# The last year's label goes on the far side of the end point from the start point.
set label 95 sprintf(abs(T1 - floor(T1 + 0.5)) < 1e-6 ? "%.0f" : "%.2f", T1) at X1, Y1 \
    offset char ((X1 >= X0) ? 0.6 : -0.6), ((Y1 >= Y0) ? 0.6 : -0.9) font ",11" front
if (X1 >= X0) { set label 95 left } else { set label 95 right }
plot for [i = 1:NV] "+" using ($0 * 4 * HW * ux(i)):($0 * 4 * HW * uy(i)) \
        with lines lc rgb vcolor(i) lw 1.5 dt 2, \
     in using "tilt_x":"tilt_y":"t" with lines lc palette lw 3, \
     "" using (isyear(column("t")) ? column("tilt_x") : NaN):"tilt_y" \
        with points pt 7 ps 0.8 lc rgb PURPLE, \
     "" using (lab(column("tilt_x"), column("tilt_y"), column("t"))):"tilt_y":(sprintf("%.0f", column("t"))) \
        with labels offset char 0.6,0.6 left font ",11"
unset multiplot
