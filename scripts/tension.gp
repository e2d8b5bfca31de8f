# tension.gp - tension per vector, crisis hazard and cumulative crisis probability, with events.
# gnuplot -e "in='out/baseline.tsv'; out='tension.png'" scripts/tension.gp   [term='svg'|...]
#
# Columns (found by name): t, tension_<v>, hazard, crisis_prob. Events come from the '# event'
# lines; those whose time `at` lies inside the run's time range are drawn: a dotted line (a ramp
# also as a shaded band) and a label (the key when the label is empty) in a strip above the plot.

kind = "tension"
dirof(s) = strstrt(s, "/") ? s[1:strstrt(s, "/")] . dirof(s[strstrt(s, "/") + 1:]) : ""
load dirof(ARG0) . "common.gp"

do for [c in "hazard crisis_prob"] { if (!has(c)) { exit error missing(c) } }
do for [i = 1:NV] { c = "tension_" . VID[i]; if (!has(c)) { exit error missing(c) } }

min(a, b) = (a < b) ? a : b
max(a, b) = (a > b) ? a : b
# Upper ends of the y axes: the largest value plus headroom, so a curve that saturates (hazard
# at hmax, p at 1) is not drawn on the frame; 1 when the column is zero throughout.
ZMAX = 0
do for [i = 1:NV] { stats in using (column("tension_" . VID[i])) nooutput; ZMAX = max(ZMAX, STATS_max) }
stats in using "hazard" nooutput; HMAX = STATS_max
stats in using "crisis_prob" nooutput; PMAX = STATS_max
top(m) = (m > 0) ? 1.08 * m : 1
evtext(k) = (ELABEL[k] ne "") ? ELABEL[k] : (EKEY[k][1:8] eq "vectors.") ? EKEY[k][9:] : EKEY[k]

# Events to draw: inside [T0, T1], sorted by time, an identical label at the same time once.
array EV[MAXE]
NIN = 0
do for [k = 1:NE] {
    dup = 0
    do for [j = 1:NIN] { if (EAT[EV[j]] == EAT[k] && evtext(EV[j]) eq evtext(k)) { dup = 1 } }
    if (EAT[k] >= T0 && EAT[k] <= T1 && !dup) { NIN = NIN + 1; EV[NIN] = k }
}
do for [a = 1:NIN - 1] {
    do for [b = a + 1:NIN] {
        if (EAT[EV[b]] < EAT[EV[a]]) { tmp = EV[a]; EV[a] = EV[b]; EV[b] = tmp }
    }
}

# Layout (screen fractions): event labels in a strip of lanes above the top panel, so they never
# cover a curve; the panels between L and R; the hazard's second axis right of R; legends at KX.
# The legends' column starts at KX, as far right as the longest vector name allows.
KX = 0.99 - KEYW
KX = (KX > 0.845) ? 0.845 : KX
L = 0.10; R = KX - 0.105
NLANE = 6; LANEH = 0.022
# Labels run right from their event on the first lane still free there (greedy, in time order);
# one that would leave the plot on the right runs left instead. Widths are estimated from the
# number of characters (about 8 px at the label font on the 1200 px canvas).
YPX = (T1 - T0) / ((R - L) * 1200.0)
array LANEEND[NLANE]
do for [l = 1:NLANE] { LANEEND[l] = -1e30 }
array EVTXT[MAXE]; array EVLANE[MAXE]; array EVLEFT[MAXE]
do for [j = 1:NIN] {
    k = EV[j]
    txt = evtext(k)
    EVTXT[j] = (strlen(txt) > 40) ? txt[1:39] . "…" : txt
    w = (strlen(EVTXT[j]) * 8 + 10) * YPX
    EVLEFT[j] = (EAT[k] + w > T1) ? 1 : 0
    x0 = EVLEFT[j] ? EAT[k] - w : EAT[k]
    lane = 0
    do for [l = 1:NLANE] { if (lane == 0 && LANEEND[l] < x0) { lane = l } }
    if (lane == 0) {
        lane = 1
        do for [l = 2:NLANE] { if (LANEEND[l] < LANEEND[lane]) { lane = l } }
    }
    EVLANE[j] = lane
    LANEEND[lane] = EVLEFT[j] ? EAT[k] : EAT[k] + w
}
# The strip is as tall as the lanes in use; without events the top panel takes its place.
NUSED = 0
do for [j = 1:NIN] { NUSED = max(NUSED, EVLANE[j]) }
TOP = (NIN > 0) ? 0.91 - NUSED * LANEH : 0.88

set output out
set multiplot title SCEN . ": tension and crisis risk" font ",16"
set lmargin at screen L; set rmargin at screen R
set xrange [T0:T1]

# Event markers in both panels: a dotted line at each event, a light band over a ramp.
do for [j = 1:NIN] {
    k = EV[j]
    set arrow 100 + j from EAT[k], graph 0 to EAT[k], graph 1 nohead lc rgb "#999999" dt 3 back
    if (EOVER[k] > 0) {
        set object 100 + j rect from EAT[k], graph 0 to min(EAT[k] + EOVER[k], T1), graph 1 \
            fc rgb "#f0f0f0" fs solid noborder behind
    }
}

# --- top: tension per vector, event labels above it ----------------------------------------
# Labels on an opaque white box, so the dotted leader lines of later events pass behind them.
set style textbox opaque fillcolor rgb "white" noborder margins 1,1
set tmargin at screen TOP; set bmargin at screen 0.47
# The legend: a line and a name per vector, in one column at KX.
unset key
set label 200 "tension of" at screen KX, screen TOP - 0.5 * KEYH left font KEYFONT
do for [i = 1:NV] {
    Y = TOP - (i + 0.5) * KEYH
    set arrow 200 + i from screen KX, screen Y to screen KX + 0.03, screen Y nohead \
        lc rgb vcolor(i) lw 2 front
    set label 200 + i KEYNAME(i) at screen KX + 0.04, screen Y left font KEYFONT
}
set ylabel "tension z (index)"
set yrange [0:top(ZMAX)]
set format x ""
unset xlabel
do for [j = 1:NIN] {
    k = EV[j]
    Y = TOP + 0.01 + (EVLANE[j] - 0.5) * LANEH
    set arrow 300 + j from EAT[k], graph 1 to EAT[k], screen Y nohead lc rgb "#999999" dt 3
    set label 300 + j EVTXT[j] at EAT[k], screen Y left offset char 0.3,0 \
        tc rgb "#444444" font ",11" front boxed
    if (EVLEFT[j]) { set label 300 + j right offset char -0.3,0 }
    set label 500 + j "" at EAT[k], screen Y point pt 7 ps 0.4 lc rgb "#666666"
}
if (NIN > 0) {
    set label 99 "events" at screen L, screen TOP + 0.01 + 0.5 * LANEH right \
        offset char -1,0 tc rgb "#777777" font ",11"
}
plot for [i = 1:NV] in using "t":(column("tension_" . VID[i])) lc rgb vcolor(i) lw 2 notitle

# --- bottom: hazard (per year) and cumulative crisis probability ---------------------------
unset for [j = 1:NIN] label 300 + j
unset for [j = 1:NIN] label 500 + j
unset for [j = 1:NIN] arrow 300 + j
unset label 99
set tmargin at screen 0.44; set bmargin at screen 0.09
unset label 200
unset for [i = 1:NV] label 200 + i
unset for [i = 1:NV] arrow 200 + i
# The crisis legend beside the bottom panel, or below the vectors' legend if that reaches down.
KY = TOP - (NV + 1.5) * KEYH
KY = (KY < 0.44) ? KY : 0.44
set key at screen KX, screen KY left top vertical Left reverse samplen 2.5 spacing 1.3 \
    title "crisis" left
set format x "%.0f"
set xlabel "time (years)"
set ylabel "hazard h (per year)"
set y2label "crisis probability p (cumulative)"
set yrange [0:top(HMAX)]
set y2range [0:top(PMAX)]
set ytics nomirror
set y2tics
set format y2 "%.2g"
plot in using "t":"hazard" axes x1y1 lc rgb "#444444" lw 2 title "hazard h", \
     in using "t":"crisis_prob" axes x1y2 lc rgb "#B2182B" lw 2.5 dt 2 title "probability p"
unset multiplot
