# compare.gp - two or more runs overlaid, one panel per column, one line style per run.
# gnuplot -e "files='out/baseline.tsv out/ukraine_style.tsv'; cols='share_china share_west'; \
#             out='compare.png'" scripts/compare.gp   [titles='a b'] [term='svg'|...]
#
# files: result TSVs separated by spaces (names with spaces: quote them, 'a "my run.tsv"');
#        or nfiles=N with file1='...', ..., fileN='...'.
# cols:  columns to compare, found by name in every file (default: share_<v> for each vector of
#        the first file, then crisis_prob). titles: legend entries (default: the scenario names,
#        or the file names when those are not distinct). Colours follow the vectors of the first
#        file, line styles the runs: solid, dashed, dotted, dash-dot, ...

kind = "compare"
# The runs: `files` (words), or nfiles with file1, file2, ... (what `mvsim plot` passes, so any
# file name works). RUN(f) is the name of run f.
if (exists("nfiles")) {
    NF = nfiles
    RUN(f) = value(sprintf("file%d", f))
} else {
    if (!exists("files")) { exit error "no input: run as gnuplot -e \"files='a.tsv b.tsv'; out='c.png'\" " . ARG0 }
    NF = words(files)
    RUN(f) = word(files, f)
}
if (NF < 1) { exit error "no files to compare" }
in = RUN(1)
if (!exists("out")) { out = "compare.png" }
dirof(s) = strstrt(s, "/") ? s[1:strstrt(s, "/")] . dirof(s[strstrt(s, "/") + 1:]) : ""
load dirof(ARG0) . "common.gp"

if (!exists("cols")) {
    cols = ""
    do for [i = 1:NV] { cols = cols . " share_" . VID[i] }
    cols = cols . " crisis_prob"
}
NC = words(cols)
if (NC < 1) { exit error "cols is empty" }

# Per run: check it is an mvsim result holding every column; note its scenario and time range.
array RSCEN[NF]; array RTITLE[NF]; array RFILE[NF]
rscen = ""; rismv = 0
rmeta(s) = (column(0) == 0 && s[1:7] eq "# mvsim") ? (rismv = 1, 0) : \
           (s eq "# scenario") ? (rscen = strcol(2), 0) : 0
radd(k) = (RH = RH . strcol(k) . "\t", 0)
base(s) = stem(s[rslash(s) + 1:])
do for [f = 1:NF] {
    F = RUN(f); RFILE[f] = F
    rscen = ""; rismv = 0
    set datafile commentschars ""
    stats F using (rmeta(strcol(1))) nooutput
    if (!rismv) { exit error F . ": not an mvsim result (the first line should start with '# mvsim')" }
    set datafile commentschars "#"
    stats F every ::1::1 using 1 nooutput
    RNC = STATS_columns
    RH = "\t"
    stats F every ::0::0 using (sum [k=1:RNC] radd(k)) nooutput
    do for [c = 1:NC] {
        if (strstrt(RH, "\t" . word(cols, c) . "\t") == 0) {
            exit error F . ": column '" . word(cols, c) . "' is absent"
        }
    }
    stats F using "t" nooutput
    T0 = (STATS_min < T0) ? STATS_min : T0
    T1 = (STATS_max > T1) ? STATS_max : T1
    RSCEN[f] = (rscen ne "") ? rscen : base(F)
}
# Legend entries: explicit titles, else scenario names if they tell the runs apart, else files.
distinct = 1
do for [f = 2:NF] { do for [g = 1:f - 1] { if (RSCEN[f] eq RSCEN[g]) { distinct = 0 } } }
do for [f = 1:NF] {
    RTITLE[f] = exists("titles") ? word(titles, f) : distinct ? RSCEN[f] : base(RFILE[f])
}

# Column colour: the vector whose id ends the name (longest match), else dark grey; the panel
# title adds that vector's display name.
array CCOL[NC]; array CTITLE[NC]
do for [c = 1:NC] {
    C = word(cols, c); CCOL[c] = "#333333"; CTITLE[c] = C; best = 0
    do for [i = 1:NV] {
        sfx = "_" . VID[i]
        if (strlen(C) > strlen(sfx) && C[strlen(C) - strlen(sfx) + 1:] eq sfx && strlen(sfx) > best) {
            CCOL[c] = vcolor(i); CTITLE[c] = C . " (" . VNAME[i] . ")"; best = strlen(sfx)
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

# Layout: up to 3 columns of panels; the runs' legend in one row under the title.
PC = (NC <= 1) ? 1 : (NC <= 4) ? 2 : 3
PR = int((NC + PC - 1) / PC)
set xrange [T0:T1]
set output out
# Title: the distinct scenario names ("A vs B"), or one name and the number of runs.
TITLE = RSCEN[1]
do for [f = 2:NF] {
    seen = 0
    do for [g = 1:f - 1] { if (RSCEN[f] eq RSCEN[g]) { seen = 1 } }
    if (!seen) { TITLE = TITLE . " vs " . RSCEN[f] }
}
if (TITLE eq RSCEN[1] && NF > 1) { TITLE = sprintf("%s: %d runs compared", RSCEN[1], NF) }
if (strlen(TITLE) > 90) { TITLE = TITLE[1:89] . "…" }
set multiplot layout PR, PC title TITLE font ",16" \
    margins 0.08, 0.97, 0.09, 0.80 spacing 0.09, 0.12
set xtics yearstep(T1 - T0) * ((PC > 2) ? 2 : 1)
unset key
do for [c = 1:NC] {
    C = word(cols, c)
    set title CTITLE[c]
    set ylabel unit(C)
    # Only the bottom panel of each column says what x is; above, it would meet a title.
    if (c + PC > NC) { set xlabel "time (years)" offset 0,0.3 } else { unset xlabel }
    # Probabilities and shares start at 0; others are autoscaled.
    if (unit(C) eq "share" || unit(C) eq "probability") { set yrange [0:*] } else { set yrange [*:*] }
    plot for [f = 1:NF] RFILE[f] using "t":(column(C)) lc rgb CCOL[c] lw 2.5 dt f notitle
}
# The runs' legend: an empty plot as wide as the page under the title, so the key has the room.
set lmargin at screen 0.03; set rmargin at screen 0.97
set tmargin at screen 0.93; set bmargin at screen 0.85
unset title; unset xlabel; unset ylabel; unset tics; unset grid; set border 0
set xrange [0:1]; set yrange [0:1]
set key center center horizontal Left reverse samplen 4 width 2
plot 2 notitle, for [f = 1:NF] keyentry with lines lc rgb "#333333" lw 2.5 dt f title RTITLE[f]
unset multiplot
