# common.gp - set-up shared by the mvsim figure scripts: input checks, terminal, metadata, colours.
# Loaded by every scripts/<kind>.gp (which sets `kind` first); keep it beside them.
#
# Reads:   in    result TSV written by `mvsim run` (required)
#          out   output file (default: `in` without .tsv, then -<kind>.png)
#          term  pngcairo | svg | pdfcairo (default from the extension of `out`)
# Defines: SCEN (scenario name), NV, VID[i], VANG[i], VNAME[i] (vectors in column order),
#          ND, DID[d], DW[d], DNAME[d] (domains), NE, EAT[k], EOVER[k], EKEY[k], ELABEL[k] (events),
#          HDR (header as "\tname\t...\t"), T0, T1 (time range), has(name), missing(name),
#          vcolor(i) (the colour of vector i, the same in every figure), yearstep(span).
# Never `print`s: gnuplot prints to stderr, and `mvsim plot` treats anything there as failure.

if (!exists("in")) {
    exit error "no input: run as gnuplot -e \"in='run.tsv'; out='fig.png'\" " . ARG0
}
if (!exists("kind")) { kind = "figure" }

# --- output and terminal -------------------------------------------------------------------
rslash(s) = (strstrt(s, "/") == 0) ? 0 : strstrt(s, "/") + rslash(s[strstrt(s, "/") + 1:])
rdot(s)   = (strstrt(s, ".") == 0) ? 0 : strstrt(s, ".") + rdot(s[strstrt(s, ".") + 1:])
extof(s)  = (rdot(s) > rslash(s)) ? s[rdot(s) + 1:] : ""
stem(s)   = (rdot(s) > rslash(s)) ? s[1:rdot(s) - 1] : s
if (!exists("out")) { out = stem(in) . "-" . kind . ".png" }
if (!exists("term")) {
    term = (extof(out) eq "svg") ? "svg" : (extof(out) eq "pdf") ? "pdfcairo" : "pngcairo"
}
# Sizes: 1200x800 pixels for png and svg, 1200x800 points for pdf: one layout for all three.
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

# --- metadata: the '#' lines before the header ---------------------------------------------
# Each metadata line is read whole (separator \001, which never occurs) and split on tabs here:
# gnuplot 5.4's strcol() returns stale text for an empty last field (an event without a label).
MAXV = 32; MAXD = 8; MAXE = 4096
array VID[MAXV]; array VANG[MAXV]; array VNAME[MAXV]
array DID[MAXD]; array DW[MAXD]; array DNAME[MAXD]
array EAT[MAXE]; array EOVER[MAXE]; array EKEY[MAXE]; array ELABEL[MAXE]
NV = 0; ND = 0; NE = 0; SCEN = ""; NMETA = 0
# A number from a metadata field; an empty field is NaN rather than an error.
num(s) = (s eq "") ? NaN : s + 0.0
# Field n (from 1) of a tab-separated line; "" past the last.
fld(s, n) = (n <= 1) ? (strstrt(s, "\t") ? s[1:strstrt(s, "\t") - 1] : s) : \
            (strstrt(s, "\t") ? fld(s[strstrt(s, "\t") + 1:], n - 1) : "")
addv(s) = (NV < MAXV) ? (NV = NV + 1, VID[NV] = fld(s, 2), VANG[NV] = num(fld(s, 3)), \
                         VNAME[NV] = fld(s, 4), 0) : 0
addd(s) = (ND < MAXD) ? (ND = ND + 1, DID[ND] = fld(s, 2), DW[ND] = num(fld(s, 3)), \
                         DNAME[ND] = fld(s, 4), 0) : 0
adde(s) = (NE < MAXE) ? (NE = NE + 1, EAT[NE] = num(fld(s, 2)), EOVER[NE] = num(fld(s, 3)), \
                         EKEY[NE] = fld(s, 4), ELABEL[NE] = fld(s, 5), 0) : 0
meta(s) = (fld(s, 1) eq "# scenario") ? (SCEN = fld(s, 2), 0) : \
          (fld(s, 1) eq "# vector") ? addv(s) : (fld(s, 1) eq "# domain") ? addd(s) : \
          (fld(s, 1) eq "# event") ? adde(s) : 0
count(s) = (column(0) == NMETA && s[1:1] eq "#") ? (NMETA = NMETA + 1, 0) : 0
set datafile separator "\t"
set datafile commentschars ""
ISMV = 0
stats in using (column(0) == 0 ? (ISMV = (strcol(1)[1:7] eq "# mvsim"), 0) : 0, count(strcol(1))) nooutput
if (!ISMV) { exit error in . ": not an mvsim result (the first line should start with '# mvsim')" }
set datafile separator "\001"
stats in every ::0::(NMETA - 1) using (meta(strcol(1))) nooutput
if (NV < 1) { exit error in . ": no '# vector' lines in the metadata" }
if (SCEN eq "") { SCEN = in }

# --- header: the first line that is not a comment ------------------------------------------
set datafile separator "\t"
set datafile commentschars "#"
stats in every ::1::1 using 1 nooutput
NCOL = STATS_columns
HDR = "\t"
addcol(k) = (HDR = HDR . strcol(k) . "\t", 0)
stats in every ::0::0 using (sum [k=1:NCOL] addcol(k)) nooutput
has(name) = strstrt(HDR, "\t" . name . "\t") > 0
# A script checks a column with `if (!has(c)) { exit error missing(c) }`.
missing(name) = in . ": column '" . name . "' is absent"
if (!has("t")) { exit error missing("t") }

stats in using "t" nooutput
T0 = STATS_min; T1 = STATS_max

# --- shared look ---------------------------------------------------------------------------
# Colour of vector i, by its position in the '# vector' lines (Okabe-Ito, then Tableau extras):
# colour-blind safe for the first eight, distinct enough after; cycles past twelve.
PALETTE = "#0072B2 #D55E00 #009E73 #E69F00 #CC79A7 #56B4E9 #8C564B #000000 #B8B000 #7F7F7F #17BECF #9467BD"
vcolor(i) = word(PALETTE, (i - 1) % words(PALETTE) + 1)
# A tick step that gives five to ten labels over `span` years.
yearstep(span) = (span <= 10) ? 1 : (span <= 20) ? 2 : (span <= 50) ? 5 : (span <= 100) ? 10 : 25
# The smallest of 1, 2, 5, 10, 20, 25, 50, 100, ... years that gives at most n labels over span.
nicestep(span, n) = (span / n <= 1) ? 1 : (span / n <= 2) ? 2 : (span / n <= 5) ? 5 : \
                    (span / n <= 10) ? 10 : (span / n <= 20) ? 20 : (span / n <= 25) ? 25 : \
                    (span / n <= 50) ? 50 : 100 * ceil(span / n / 100)
# Vector legends are drawn by hand, one column of NV entries (gnuplot's key wraps into columns
# when a panel is short): KEYH is an entry's height (screen fraction) at font KEYFONT, and
# KEYNAME(i) the name shown, cut at 20 characters; MAXL the longest shown, in characters.
KEYFONT = (NV > 14) ? ",10" : ",13"
KEYH = (NV > 14) ? 14.0 / 800 : 21.0 / 800
KEYNAME(i) = (strlen(VNAME[i]) > 20) ? VNAME[i][1:19] . "…" : VNAME[i]
MAXL = 0
do for [i = 1:NV] { MAXL = (strlen(KEYNAME(i)) > MAXL) ? strlen(KEYNAME(i)) : MAXL }
# The legend's width (screen fraction): a sample, a gap and MAXL characters of about 9 px.
KEYW = (MAXL * ((NV > 14) ? 7.0 : 9.0) + 70) / 1200.0
set datafile separator "\t"
set style data lines
set grid back lc rgb "#dddddd" lw 0.5
set border 3 back
set tics nomirror out
set xtics yearstep(T1 - T0)
set mxtics 1
set format x "%.0f"
