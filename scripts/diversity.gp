# diversity.gp - how diversified the alignment is: effective number of vectors and entropy.
# gnuplot -e "in='out/baseline.tsv'; out='diversity.png'" scripts/diversity.gp   [term='svg'|...]
#
# Columns (found by name): t, n_eff (1/HHI of the overall shares), entropy (−Σ share·ln share).
# Reference lines: the ideal of a perfectly balanced policy, n_eff = n and entropy = ln n, with
# n the number of '# vector' lines.

kind = "diversity"
dirof(s) = strstrt(s, "/") ? s[1:strstrt(s, "/")] . dirof(s[strstrt(s, "/") + 1:]) : ""
load dirof(ARG0) . "common.gp"

do for [c in "n_eff entropy"] { if (!has(c)) { exit error missing(c) } }

L = 0.09; R = 0.78; KX = 0.80
set output out
set multiplot title SCEN . ": diversification of alignment" font ",16"
set lmargin at screen L; set rmargin at screen R
set xrange [T0:T1]
set samples 2
BAL = "#7F7F7F"

# --- top: effective number of vectors -------------------------------------------------------
set tmargin at screen 0.90; set bmargin at screen 0.52
set key at screen KX, screen 0.90 left top vertical Left reverse samplen 2 spacing 1.3
set ylabel "effective number of vectors"
set yrange [1:NV + 0.15 * (NV - 1)]
YT = (NV <= 4) ? 0.5 : (NV <= 10) ? 1 : (NV <= 20) ? 2 : 5
set ytics YT
set format y "%g"
set format x ""
unset xlabel
plot NV with lines lc rgb BAL lw 2 dt 2 title sprintf("ideal: n = %d", NV), \
     in using "t":"n_eff" lc rgb "#1b1b1b" lw 2.5 title "n_eff = 1 / HHI"

# --- bottom: entropy ------------------------------------------------------------------------
set tmargin at screen 0.47; set bmargin at screen 0.09
set key at screen KX, screen 0.47 left top vertical Left reverse samplen 2 spacing 1.3
set ylabel "entropy −Σ share·ln share (nats)"
set yrange [0:1.15 * log(NV)]
set ytics autofreq
set format y "%.1f"
set format x "%.0f"
set xlabel "time (years)"
plot log(NV) with lines lc rgb BAL lw 2 dt 2 title sprintf("ideal: ln %d = %.2f", NV, log(NV)), \
     in using "t":"entropy" lc rgb "#1b1b1b" lw 2.5 title "entropy"
unset multiplot
