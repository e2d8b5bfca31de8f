# plot_synth.awk - writes a synthetic mvsim result (docs/model.md section 7 columns) for plot tests.
# Shapes only, not the model: smooth share drift, tension bumps, logistic hazard, integrated p.
# It gives tests/test_plot.c what the shipped scenarios lack: an event without a label, one
# near the end, events at the same time, tension in every vector. Regenerate with:
#
#   awk -v vectors="russia:90:Russia,china:0:China,west:180:West,south_asia:270:South Asia" \
#       -v domains="economy:0.4,security:0.3,diplomacy:0.3" -v start=2015 -v end=2040 \
#       -v step=0.25 -v name="Synthetic four-vector test" -v events="EVENTS" \
#       -f plot_synth.awk > plot_synth_four.tsv
#   awk -v vectors="russia:90:Russia,china:210:China,west:330:The West" \
#       -v domains="economy:0.6,security:0.4" -v start=2000 -v end=2012 -v step=0.1 \
#       -v events="2005:0:vectors.russia.tension:Gas dispute" \
#       -v name="Synthetic three-vector test" -f plot_synth.awk > plot_synth_three.tsv
#
# EVENTS: comma-separated at:over:key:label (a label cannot hold ':' or ','); the four-vector
# file's are listed in its '# event' lines. plot_no_tilt.tsv is plot_synth_three.tsv with the
# column tilt_x renamed (the missing-column test).
function clamp(x, lo, hi) { return x < lo ? lo : (x > hi ? hi : x) }
BEGIN {
    OFS = "\t"
    nv = split(vectors, V, ",")
    for (i = 1; i <= nv; i++) { split(V[i], f, ":"); id[i] = f[1]; ang[i] = f[2]; nm[i] = f[3] }
    nd = split(domains, D, ",")
    for (d = 1; d <= nd; d++) { split(D[d], f, ":"); did[d] = f[1]; w[d] = f[2] }
    ne = (events == "") ? 0 : split(events, E, ",")
    print "# mvsim 0.1.0"
    print "# scenario", name
    print "# file", "tests/data/plot_synth.cfg"
    print "# sha256", "0000000000000000000000000000000000000000000000000000000000000000"
    print "# integrator", "rk8pd", "rtol=1e-08", "atol=1e-10"
    print "# seed", "none"
    for (i = 1; i <= nv; i++) print "# vector", id[i], ang[i], nm[i]
    for (d = 1; d <= nd; d++) print "# domain", did[d], w[d], did[d]
    for (k = 1; k <= ne; k++) { split(E[k], f, ":"); print "# event", f[1], f[2], f[3], f[4] }
    h = "t"
    for (i = 1; i <= nv; i++) h = h OFS "share_" id[i]
    for (d = 1; d <= nd; d++) for (i = 1; i <= nv; i++) h = h OFS "share_" did[d] "_" id[i]
    split("pull mass effort tension", grp, " ")
    for (g = 1; g <= 4; g++) for (i = 1; i <= nv; i++) h = h OFS grp[g] "_" id[i]
    print h OFS "hhi" OFS "n_eff" OFS "entropy" OFS "tilt_x" OFS "tilt_y" OFS "tilt" OFS "tilt_angle" OFS "hazard" OFS "crisis_prob"
    pi = atan2(0, -1); p = 0; nstep = int((end - start) / step + 0.5)
    for (k = 0; k <= nstep; k++) {
        t = start + k * step; x = (t - start) / (end - start)
        row = sprintf("%.10g", t)
        # domain shares: softmax of drifting scores, one drift per vector and domain
        for (d = 1; d <= nd; d++) {
            s = 0
            for (i = 1; i <= nv; i++) {
                sc[d, i] = exp(0.9 * sin(2 * pi * x * (0.6 + 0.2 * i) + i * 1.7 + d) + (i == 2 ? 1.2 * x : 0) - (i == 1 ? 0.8 * x : 0))
                s += sc[d, i]
            }
            for (i = 1; i <= nv; i++) a[d, i] = sc[d, i] / s
        }
        sw = 0; for (d = 1; d <= nd; d++) sw += w[d]
        hhi = 0; ent = 0; tx = 0; ty = 0; hz = 0
        for (i = 1; i <= nv; i++) {
            ov[i] = 0; for (d = 1; d <= nd; d++) ov[i] += w[d] / sw * a[d, i]
            hhi += ov[i] * ov[i]; ent -= ov[i] * log(ov[i])
            tx += ov[i] * cos(ang[i] * pi / 180); ty += ov[i] * sin(ang[i] * pi / 180)
            z[i] = clamp(1.4 * exp(-((t - start - 3 - 4 * i) ^ 2) / 6) * (i == 1 ? 1.5 : 0.6), 0, 10)
            hz += 0.3 / (1 + exp(-(z[i] - 1) / 0.15))
        }
        for (i = 1; i <= nv; i++) row = row OFS sprintf("%.10g", ov[i])
        for (d = 1; d <= nd; d++) for (i = 1; i <= nv; i++) row = row OFS sprintf("%.10g", a[d, i])
        for (i = 1; i <= nv; i++) row = row OFS sprintf("%.10g", ov[i] * (1 + 0.1 * sin(t)))
        for (i = 1; i <= nv; i++) row = row OFS sprintf("%.10g", (2 + i) * exp(0.02 * i * (t - start)))
        for (i = 1; i <= nv; i++) row = row OFS sprintf("%.10g", 0.3 * clamp(0.4 - ov[i], 0, 1))
        for (i = 1; i <= nv; i++) row = row OFS sprintf("%.10g", z[i])
        if (k > 0) p = 1 - (1 - p) * exp(-hz * step)
        row = row OFS sprintf("%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g",
                              hhi, 1 / hhi, ent, tx, ty, sqrt(tx * tx + ty * ty),
                              atan2(ty, tx) * 180 / pi, hz, p)
        print row
    }
}
