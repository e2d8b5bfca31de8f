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
LANEH = 0.022
# Widths are estimated from the number of characters: about 8 px a character at the label font
# on the 1200 px canvas (generous: DejaVu Sans 11 averages nearer 7), YPX years a pixel.
YPX = (T1 - T0) / ((R - L) * 1200.0)
wid(txt) = (strlen(txt) * 8 + 10) * YPX
# Two ways to show the events, chosen here (ELABELS 1 or 0):
# - labels: each label (up to LABMAX characters, whole) runs right from its event on the first
#   of NLANE lanes still free there (greedy, in time order); one that would leave the plot on
#   the right runs left instead. Used when every label fits so: none overlaps another, none
#   leaves [T0, T1] (so none is cut off), none is shortened.
# - numbered markers: otherwise. Event j (in time order) gets the number j on a marker in one of
#   MLANE lanes above the plot; events too close for a marker of their own share the previous
#   one ("3-5"); a key below the plot lists every number with its time and label (KEYMAXROWS
#   rows in two columns, or one for labels over KEYLAB2 characters; beyond that a last line
#   counts the events left out).
LABMAX = 60; NLANE = 6
array LANEEND[NLANE]
do for [l = 1:NLANE] { LANEEND[l] = -1e30 }
array EVTXT[MAXE]; array EVLANE[MAXE]; array EVLEFT[MAXE]
ELABELS = 1
do for [j = 1:NIN] {
    k = EV[j]
    EVTXT[j] = evtext(k)
    w = wid(EVTXT[j])
    EVLEFT[j] = (EAT[k] + w > T1) ? 1 : 0
    x0 = EVLEFT[j] ? EAT[k] - w : EAT[k]
    lane = 0
    do for [l = 1:NLANE] { if (lane == 0 && LANEEND[l] < x0) { lane = l } }
    if (lane == 0 || strlen(EVTXT[j]) > LABMAX || x0 < T0) { ELABELS = 0; lane = 1 }
    EVLANE[j] = lane
    LANEEND[lane] = EVLEFT[j] ? EAT[k] : EAT[k] + w
}
# Numbered markers: marker m at event MFIRST[m] (its first), numbers MFIRST[m]..MLAST[m].
MLANE = 3
array MFIRST[MAXE]; array MLAST[MAXE]; array MLN[MAXE]; array MLEFT[MAXE]
NMARK = 0
mtext(m) = (MLAST[m] > MFIRST[m]) ? sprintf("%d-%d", MFIRST[m], MLAST[m]) : sprintf("%d", MFIRST[m])
if (!ELABELS) {
    do for [l = 1:NLANE] { LANEEND[l] = -1e30 }
    do for [j = 1:NIN] {
        k = EV[j]
        w = wid(sprintf("%d", j))
        left = (EAT[k] + w > T1) ? 1 : 0
        x0 = left ? EAT[k] - w : EAT[k]
        lane = 0
        do for [l = 1:MLANE] { if (lane == 0 && LANEEND[l] < x0) { lane = l } }
        if (lane == 0) {
            # no room: event j joins the last marker (the one just left of it, in its lane;
            # nothing has been placed to its right there yet)
            MLAST[NMARK] = j
            m = NMARK
            x1 = MLEFT[m] ? EAT[EV[MFIRST[m]]] : EAT[EV[MFIRST[m]]] + wid(mtext(m))
            LANEEND[MLN[m]] = x1
        } else {
            NMARK = NMARK + 1
            MFIRST[NMARK] = j; MLAST[NMARK] = j; MLN[NMARK] = lane; MLEFT[NMARK] = left
            LANEEND[lane] = left ? EAT[k] : EAT[k] + w
        }
    }
}
# The strip is as tall as the lanes in use; without events the top panel takes its place.
NUSED = 0
if (ELABELS) { do for [j = 1:NIN] { NUSED = max(NUSED, EVLANE[j]) } } else { do for [m = 1:NMARK] { NUSED = max(NUSED, MLN[m]) } }
TOP = (NIN > 0) ? 0.91 - NUSED * LANEH : 0.88
# The key of numbered markers below the plot: rows of KEYROWH, in KEYCOLS columns from L: three
# when every label has at most KEYLAB3 characters, two up to KEYLAB2, else one (labels cut at
# KEYLAB1); at most KEYMAXROWS rows, the last line counting the events left out if they do not
# fit. An entry is "number  time  label", at font 10 (about 6.5 px a character).
KEYLAB3 = 30; KEYLAB2 = 62; KEYLAB1 = 130; KEYMAXROWS = 10; KEYROWH = 0.022
LONGEST = 0
do for [j = 1:NIN] { LONGEST = max(LONGEST, strlen(evtext(EV[j]))) }
KEYCOLS = (LONGEST <= KEYLAB3) ? 3 : (LONGEST <= KEYLAB2) ? 2 : 1
KEYLABMAX = (KEYCOLS == 3) ? KEYLAB3 : (KEYCOLS == 2) ? KEYLAB2 : KEYLAB1
NSHOW = (NIN <= KEYCOLS * KEYMAXROWS) ? NIN : KEYCOLS * KEYMAXROWS - 1
KEYROWS = ELABELS ? 0 : int(ceil((NSHOW + (NSHOW < NIN)) / (KEYCOLS * 1.0)))
keytext(j) = sprintf("%d  %.2f  %s", j, EAT[EV[j]], \
    (strlen(evtext(EV[j])) > KEYLABMAX) ? evtext(EV[j])[1:KEYLABMAX - 1] . "…" : evtext(EV[j]))
# Panels: the top one from TOP down to PT, the bottom one from PB down to BM. Without a key the
# fixed split of the figure; with one the space above it shared half and half.
BM = 0.09 + KEYROWS * KEYROWH + (KEYROWS > 0 ? 0.03 : 0)
PT = 0.47; PB = 0.44
if (KEYROWS > 0) { PT = TOP - (TOP - BM - 0.03) / 2; PB = PT - 0.03 }

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
set tmargin at screen TOP; set bmargin at screen PT
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
if (ELABELS) {
    do for [j = 1:NIN] {
        k = EV[j]
        Y = TOP + 0.01 + (EVLANE[j] - 0.5) * LANEH
        set arrow 300 + j from EAT[k], graph 1 to EAT[k], screen Y nohead lc rgb "#999999" dt 3
        set label 300 + j EVTXT[j] at EAT[k], screen Y left offset char 0.3,0 \
            tc rgb "#444444" font ",11" front boxed
        if (EVLEFT[j]) { set label 300 + j right offset char -0.3,0 }
        set label 500 + j "" at EAT[k], screen Y point pt 7 ps 0.4 lc rgb "#666666"
    }
} else {
    # numbered markers: a leader from every event of the marker up to its lane
    do for [m = 1:NMARK] {
        Y = TOP + 0.01 + (MLN[m] - 0.5) * LANEH
        do for [j = MFIRST[m]:MLAST[m]] {
            set arrow 300 + j from EAT[EV[j]], graph 1 to EAT[EV[j]], screen Y nohead lc rgb "#999999" dt 3
        }
        k = EV[MFIRST[m]]
        set label 300 + m mtext(m) at EAT[k], screen Y left offset char 0.3,0 \
            tc rgb "#222222" font ",11" front boxed
        if (MLEFT[m]) { set label 300 + m right offset char -0.3,0 }
        set label 500 + m "" at EAT[k], screen Y point pt 7 ps 0.4 lc rgb "#666666"
    }
    # the key below the plot, in columns, in time order
    KCW = (0.99 - L) / KEYCOLS
    do for [j = 1:NSHOW] {
        col = int((j - 1) / KEYROWS); row = (j - 1) % KEYROWS
        set label 1000 + j keytext(j) at screen L + col * KCW, screen BM - 0.095 - row * KEYROWH \
            left tc rgb "#444444" font ",10" front
    }
    if (NSHOW < NIN) {
        j = NSHOW + 1
        col = int((j - 1) / KEYROWS); row = (j - 1) % KEYROWS
        set label 1000 + j sprintf("... and %d more (mvsim check lists every event)", NIN - NSHOW) \
            at screen L + col * KCW, screen BM - 0.095 - row * KEYROWH left tc rgb "#444444" font ",10" front
    }
}
if (NIN > 0) {
    set label 99 "events" at screen L, screen TOP + 0.01 + 0.5 * LANEH right \
        offset char -1,0 tc rgb "#777777" font ",11"
}
plot for [i = 1:NV] in using "t":(column("tension_" . VID[i])) lc rgb vcolor(i) lw 2 notitle

# --- bottom: hazard (per year) and cumulative crisis probability ---------------------------
unset for [j = 1:NIN] label 300 + j
unset for [j = 1:NIN] label 500 + j
unset for [j = 1:NIN + 1] label 1000 + j
unset for [j = 1:NIN] arrow 300 + j
unset label 99
set tmargin at screen PB; set bmargin at screen BM
unset label 200
unset for [i = 1:NV] label 200 + i
unset for [i = 1:NV] arrow 200 + i
# The crisis legend beside the bottom panel, or below the vectors' legend if that reaches down.
KY = TOP - (NV + 1.5) * KEYH
KY = (KY < PB) ? KY : PB
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
