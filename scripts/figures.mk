# figures.mk — `make figures`: the README's figures, docs/img/*.png, drawn from fresh runs.
# Included by the Makefile after MVSIM (the mvsim binary) is defined; see docs/plotting.md.

# The single-result figures drawn for the docs (each a scripts/<kind>.gp), and the columns of
# the baseline-against-what-if comparison.
PLOT_KINDS ?= shares plane tension diversity
PLOT_COMPARE_COLUMNS ?= share_russia share_china share_west crisis_prob
PLOT_WHATIF ?= configs/scenarios/ukraine_style.cfg

FIG_DIR  ?= docs/img
FIG_RUNS ?= $(or $(BUILD),build)/figures
FIGURES  := $(PLOT_KINDS:%=$(FIG_DIR)/%.png) $(FIG_DIR)/compare.png $(FIG_DIR)/backtest.png

# The scripts are taken from this tree, whatever binary MVSIM names (build/mvsim, an ASan build).
PLOT_ENV := MVSIM_SCRIPTS=scripts

.PHONY: figures
figures: $(FIGURES)

$(FIG_RUNS)/baseline.tsv: configs/kazakhstan.cfg $(MVSIM)
	@mkdir -p $(dir $@)
	$(MVSIM) run $< -o $@

# A what-if inherits from the baseline (base = "../kazakhstan.cfg"), so it depends on it too.
$(FIG_RUNS)/whatif.tsv: $(PLOT_WHATIF) configs/kazakhstan.cfg $(MVSIM)
	@mkdir -p $(dir $@)
	$(MVSIM) run $< -o $@

$(FIG_DIR)/compare.png: $(FIG_RUNS)/baseline.tsv $(FIG_RUNS)/whatif.tsv scripts/compare.gp \
		scripts/common.gp $(MVSIM)
	@mkdir -p $(dir $@)
	$(PLOT_ENV) $(MVSIM) plot --compare $(FIG_RUNS)/baseline.tsv $(FIG_RUNS)/whatif.tsv \
		--columns "$(PLOT_COMPARE_COLUMNS)" -o $@

$(FIG_DIR)/%.png: $(FIG_RUNS)/baseline.tsv scripts/%.gp scripts/common.gp $(MVSIM)
	@mkdir -p $(dir $@)
	$(PLOT_ENV) $(MVSIM) plot $< --kind $* -o $@

# The backtest (docs/calibration.md): the rolling-origin fit (origins 2008, 2011, 2014), the run
# of the last origin's fitted scenario, the figure. All ten series in 30 panels do not fit one
# 1200x800 figure, so the figure shows four of them: the report's `scores` and `residuals` rows of
# the other series are dropped (BACKTEST_SERIES; the pooled `all` rows are kept, so panel titles
# and scores are those of the whole fit). The full report is build/figures/backtest-report.tsv.
BACKTEST_SERIES ?= share_economy_russia share_economy_china share_economy_west share_security_russia

$(FIG_RUNS)/backtest-report.tsv: configs/fits/backtest.cfg configs/kazakhstan_history.cfg \
		$(wildcard configs/data/*.tsv) $(MVSIM)
	@mkdir -p $(dir $@)
	$(MVSIM) fit $< -o $(FIG_RUNS)/backtest-fitted.cfg --report $@ --quiet 2>/dev/null

$(FIG_RUNS)/backtest-fitted.tsv: $(FIG_RUNS)/backtest-report.tsv
	$(MVSIM) run $(FIG_RUNS)/backtest-fitted.cfg -o $@

$(FIG_RUNS)/backtest-figure-report.tsv: $(FIG_RUNS)/backtest-report.tsv
	awk -v keep="$(BACKTEST_SERIES) all" 'BEGIN { n = split(keep, k, " "); for (i = 1; i <= n; i++) K[k[i]] = 1 } \
		/^# table: / { t = substr($$0, 10); hdr = 1; print; next } \
		/^#/ || /^$$/ || (t != "scores" && t != "residuals") { print; next } \
		hdr { hdr = 0; print; next } \
		(t == "scores" && ($$2 in K)) || (t == "residuals" && ($$3 in K))' FS='\t' $< > $@

$(FIG_DIR)/backtest.png: $(FIG_RUNS)/backtest-fitted.tsv $(FIG_RUNS)/backtest-figure-report.tsv \
		scripts/fit.gp scripts/common.gp
	@mkdir -p $(dir $@)
	gnuplot -e "in='$<'; report='$(FIG_RUNS)/backtest-figure-report.tsv'; out='$@'" scripts/fit.gp

# Uncertainty (docs/uncertainty.md): the fan chart of an ensemble of the noisy baseline, and the
# Sobol' indices of configs/sweeps/sensitivity.cfg (from russia_pressure.cfg, a what-if of the
# baseline). Explicit rules: they take precedence over the pattern rule above.
FAN_RUNS     ?= 1000
FAN_COLUMNS  ?= share_russia share_china share_west share_south_asia n_eff crisis_prob
SENS_SAMPLES ?= 1024

$(FIG_RUNS)/ensemble.tsv: configs/scenarios/baseline_noisy.cfg configs/kazakhstan.cfg $(MVSIM)
	@mkdir -p $(dir $@)
	$(MVSIM) ensemble $< --runs $(FAN_RUNS) --columns "$(FAN_COLUMNS)" --quiet -o $@

$(FIG_RUNS)/sobol.tsv: configs/sweeps/sensitivity.cfg configs/scenarios/russia_pressure.cfg \
		configs/kazakhstan.cfg $(MVSIM)
	@mkdir -p $(dir $@)
	$(MVSIM) sensitivity $< --method sobol --samples $(SENS_SAMPLES) --quiet -o $@

$(FIG_DIR)/fan.png: $(FIG_RUNS)/ensemble.tsv scripts/fan.gp scripts/common.gp $(MVSIM)
	@mkdir -p $(dir $@)
	$(PLOT_ENV) $(MVSIM) plot $< --kind fan -o $@

$(FIG_DIR)/sensitivity.png: $(FIG_RUNS)/sobol.tsv scripts/sensitivity.gp $(MVSIM)
	@mkdir -p $(dir $@)
	$(PLOT_ENV) $(MVSIM) plot $< --kind sensitivity -o $@

figures: $(FIG_DIR)/fan.png $(FIG_DIR)/sensitivity.png

# The crisis-probability map: Russia's coercion against China's restraint (a 357-run grid).
figures: $(FIG_DIR)/heatmap.png
$(FIG_RUNS)/coercion_restraint.tsv: configs/sweeps/coercion_restraint.cfg configs/kazakhstan.cfg $(MVSIM)
	@mkdir -p $(dir $@)
	$(MVSIM) sweep $< -o $@ --quiet

$(FIG_DIR)/heatmap.png: $(FIG_RUNS)/coercion_restraint.tsv scripts/heatmap.gp $(MVSIM)
	@mkdir -p $(dir $@)
	$(PLOT_ENV) $(MVSIM) plot $< --kind heatmap --x vectors.russia.coercion \
		--y vectors.russia.restraint.china --metric final:crisis_prob -o $@
