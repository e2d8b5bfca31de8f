# tradeoff.gp - PRIM's peeling trajectory: coverage against density at every step, coloured by
# the number of restricted dimensions, the chosen step of each box marked (as the EMA
# Workbench's show_tradeoff). docs/discovery.md says how to read it.
# gnuplot -e "in='d.tsv'; out='t.png'" scripts/tradeoff.gp
#
# Reads:  in    the tables written by `mvsim discover` (required): '# case' (the title), the
#               trajectory table (box, step, phase, coverage, density, ..., restricted) and the
#               boxes table (box, step: the chosen step)
#         out   output file (default: `in` without .tsv, then -tradeoff.png)
#         term  pngcairo | svg | pdfcairo (default from the extension of `out`)
# Never prints (errors go through `exit error`).

if (!exists("in")) {
    exit error "no input: run as gnuplot -e \"in='discovery.tsv'; out='t.png'\" " . ARG0
}

# --- output and terminal (as scripts/common.gp) ----------------------------------------------
rslash(s) = (strstrt(s, "/") == 0) ? 0 : strstrt(s, "/") + rslash(s[strstrt(s, "/") + 1:])
rdot(s)   = (strstrt(s, ".") == 0) ? 0 : strstrt(s, ".") + rdot(s[strstrt(s, ".") + 1:])
extof(s)  = (rdot(s) > rslash(s)) ? s[rdot(s) + 1:] : ""
stem(s)   = (rdot(s) > rslash(s)) ? s[1:rdot(s) - 1] : s
if (!exists("out")) { out = stem(in) . "-tradeoff.png" }
if (!exists("term")) {
    term = (extof(out) eq "svg") ? "svg" : (extof(out) eq "pdf") ? "pdfcairo" : "pngcairo"
}
if (term eq "pngcairo") {
    set terminal pngcairo size 1200,800 font "DejaVu Sans,13" noenhanced
} else {
    if (term eq "svg") {
        set terminal svg size 1200,800 dynamic font "DejaVu Sans,13" noenhanced background "white"
    } else {
        if (term eq "pdfcairo") {
            set terminal pdfcairo size 16.6667in,11.1111in font "DejaVu Sans,13" noenhanced
        } else {
            exit error "term must be pngcairo, svg or pdfcairo, not '" . term . "'"
        }
    }
}

# --- the tables: every line read whole (separator \001 never occurs), split on tabs here -----
fld(s, n) = (n <= 1) ? (strstrt(s, "\t") ? s[1:strstrt(s, "\t") - 1] : s) : \
            (strstrt(s, "\t") ? fld(s[strstrt(s, "\t") + 1:], n - 1) : "")
MAXB = 64
array CHOSEN[MAXB]; array CCOV[MAXB]; array CDEN[MAXB]; array CRES[MAXB]
ISPRIM = 0; CASE = ""; SOURCE = in; TABLE = ""; HEADER = 0; NB = 0; MAXR = 0; NSTEPS = 0
table(s) = (s[1:9] eq "# table: ") ? (TABLE = s[10:], HEADER = 1, 1) : 0
boxrow(s) = (NB < MAXB) ? (NB = NB + 1, CHOSEN[NB] = int(fld(s, 2)), 0) : 0
step(s) = (NSTEPS = NSTEPS + 1, MAXR = (int(fld(s, 7)) > MAXR) ? int(fld(s, 7)) : MAXR, 0)
line(s) = (column(0) == 0) ? (ISPRIM = (s[1:7] eq "# mvsim" && strstrt(s, "scenario discovery") > 0), 0) : \
          table(s) ? 0 : \
          (fld(s, 1) eq "# case") ? (CASE = fld(s, 2), 0) : \
          (fld(s, 1) eq "# source") ? (SOURCE = fld(s, 2), 0) : \
          (s[1:1] eq "#" || s eq "") ? 0 : \
          HEADER ? (HEADER = 0, 0) : \
          (TABLE eq "boxes") ? boxrow(s) : (TABLE eq "trajectory") ? step(s) : 0
set datafile separator "\001"
set datafile commentschars ""
stats in using (line(strcol(1))) nooutput
if (!ISPRIM) { exit error in . ": not an mvsim scenario discovery (the first line should be '# mvsim ... scenario discovery')" }
if (NSTEPS == 0) { exit error in . ": no trajectory table" }
if (NB == 0) { exit error in . ": no boxes table" }
# The chosen steps' points (a second pass: the boxes table comes after the trajectory).
mark(s) = (TABLE eq "trajectory" && !HEADER && s[1:1] ne "#" && int(fld(s, 1)) <= NB && \
           int(fld(s, 2)) == CHOSEN[int(fld(s, 1))]) ? \
          (CCOV[int(fld(s, 1))] = fld(s, 4) + 0.0, CDEN[int(fld(s, 1))] = fld(s, 5) + 0.0, \
           CRES[int(fld(s, 1))] = int(fld(s, 7)), 0) : 0
line2(s) = table(s) ? 0 : (s[1:1] eq "#" || s eq "") ? 0 : HEADER ? (HEADER = 0, 0) : mark(s)
TABLE = ""; HEADER = 0
stats in using (line2(strcol(1))) nooutput

# --- the figure ------------------------------------------------------------------------------
# Trajectory rows are those whose third field is a phase; every other line is skipped.
set datafile separator "\t"
set datafile commentschars "#"
istraj(p) = (p eq "initial" || p eq "peel" || p eq "paste")
set output out
set title sprintf("%s: PRIM trade-off for %s (%d box%s)", SOURCE, CASE, NB, NB > 1 ? "es" : "")
set xlabel "coverage (share of all cases of interest inside the box)"
set ylabel "density (share of the box's runs that are cases of interest)"
set xrange [0:1.02]
set yrange [0:1.02]
set grid back lc rgb "#dddddd" lw 0.5
set border 3 back
set tics out nomirror
set key bottom left box opaque
# One colour per number of restricted dimensions (viridis-like, discrete).
set palette defined (0 "#440154", 1 "#3b528b", 2 "#21908d", 3 "#5dc963", 4 "#fde725")
set palette maxcolors (MAXR + 1)
set cbrange [-0.5 : MAXR + 0.5]
set cbtics 1
set cblabel "restricted dimensions"
set mcbtics 1
do for [b = 1:NB] {
    set label b sprintf(" box %d, step %d: coverage %.2f, density %.2f, %d restricted", b, \
        CHOSEN[b], CCOV[b], CDEN[b], CRES[b]) at CCOV[b], CDEN[b] front font ",12"
    # to the left of the mark when it is on the right half, so the text stays inside; later
    # boxes (often close together near the origin) one line apart
    if (CCOV[b] > 0.5) { set label b right offset -2, -1.2 * b } else { set label b left offset 2, 1.2 * (b - 1) }
}
PT(b) = (b == 1) ? 7 : (b == 2) ? 9 : (b == 3) ? 5 : (b == 4) ? 11 : 13
plot for [b = 1:NB] in using ((istraj(strcol(3)) && column(1) == b) ? column(4) : NaN):5:7 \
        with points pointtype PT(b) pointsize 1.1 lc palette title sprintf("box %d: steps", b), \
     for [b = 1:NB] '+' using (CCOV[b]):(CDEN[b]) every ::0::0 with points pointtype 6 \
        pointsize 3.5 lw 2 lc rgb "#d62728" title (b == 1 ? "chosen step" : "")
unset output
