# mvsim — multi-vector influence balance simulator.
.DEFAULT_GOAL := all
# `make run` and `make test` are all a fresh Debian 12 machine needs (see README.md).

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc

# On a fresh machine the packages must be there before the lines below ask pkg-config and
# look for mpicc (else a first `make test` would build without MPI): for the goals that build,
# the deps step runs once here, while the Makefile is read (its messages on stderr; a failure
# shows again, and stops, at the `deps` prerequisite). Sub-makes (check) do not repeat it.
ifeq ($(MAKELEVEL),0)
ifneq ($(filter run test check valgrind sweep-ci bench discover figures,$(MAKECMDGOALS)),)
DEPS_EARLY := $(shell sh scripts/deps.sh 1>&2 || true)
endif
endif

PKGS     := gsl libconfig
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Fallbacks for a first `make run` on a fresh machine, where deps installs the packages
# after this Makefile was read (Debian's paths are the defaults).
PKG_LIBS   := $(or $(shell pkg-config --libs $(PKGS) 2>/dev/null),-lgsl -lgslcblas -lm -lconfig)
CMOCKA_LIBS := $(or $(shell pkg-config --libs cmocka 2>/dev/null),-lcmocka)

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes
ifneq ($(CI),)
WARN    += -Werror
endif
OPT     ?= -O2 -g
SAN     ?=
OPENMP  ?= -fopenmp
CFLAGS_ALL = -std=c11 $(OPT) $(WARN) $(SAN) $(OPENMP) -MMD -MP -Iinclude $(PKG_CFLAGS) \
	     -DMV_SCRIPTDIR='"$(PREFIX)/share/mvsim/scripts"' \
	     $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm $(OPENMP) $(MPI_LIBS) $(LDLIBS)
# The mvsim executable links GSL and libconfig statically when their archives are installed
# (libgsl-dev and libconfig-dev ship them): resolving their symbols at every start cost each
# process 0.18 M instructions, half of `mvsim --version` (docs/speed.md). libmvsim.so, the
# tests and the examples link them dynamically. `make STATIC_DEPS=` links mvsim dynamically.
# (Recursive variables: read when mvsim is linked, after the deps step installed them.)
STATIC_DEPS ?= 1
static_a = $(filter /%,$(shell $(CC) -print-file-name=$(1)))
STATIC_LIBS = -Wl,-Bstatic -lgsl -lgslcblas -lconfig -Wl,-Bdynamic -lm $(OPENMP) $(LDLIBS)
MVSIM_LIBS = $(if $(and $(STATIC_DEPS),$(call static_a,libgsl.a),$(call static_a,libgslcblas.a),$(call static_a,libconfig.a)),$(STATIC_LIBS),$(LDLIBS_ALL))

# MPI (docs/cluster.md): sim/mpi_batch.c is built against Open MPI when its compiler wrapper
# mpicc is present (Debian's libopenmpi-dev; scripts/deps.sh installs it), otherwise without:
# everything else builds and runs alike. `make MPI=` builds without MPI on purpose.
MPI     ?= $(shell command -v mpicc 2>/dev/null)
ifneq ($(MPI),)
# libmpi is loaded at run time, only under an MPI launcher (sim/mpi_batch.c says why): the
# build needs mpi.h and the soname of the libmpi that mpicc links, nothing is linked.
MPI_LIBDIR := $(firstword $(shell $(MPI) --showme:libdirs 2>/dev/null))
MPI_SONAME := $(shell readelf -d $(MPI_LIBDIR)/libmpi.so 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
MPI_CFLAGS := $(shell $(MPI) --showme:compile 2>/dev/null) -DMV_HAVE_MPI \
	-DMV_MPI_LIB='"$(or $(MPI_SONAME),libmpi.so)"'
MPI_LIBS   :=
endif

# sim/*.c is the library (libmvsim.a); sim/cli/*.c is the mvsim executable (git's builtin/):
# main.c plus the commands and their kit, archived apart (libmvsim-cli.a, never installed) so
# the tests can call a command in-process.
LIB_SRC := $(wildcard sim/*.c)
LIB_OBJ := $(LIB_SRC:sim/%.c=$(BUILD)/obj/%.o)
CLI_SRC := $(filter-out sim/cli/main.c,$(wildcard sim/cli/*.c))
CLI_OBJ := $(CLI_SRC:sim/cli/%.c=$(BUILD)/obj/cli/%.o)
CLI_LIB := $(BUILD)/libmvsim-cli.a
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
MVSIM   := $(BUILD)/mvsim

.PHONY: all deps run test check valgrind sweep-ci bench install uninstall clean refs figures help \
	discover

# `make figures`: docs/img/*.png for the README, from fresh runs (needs MVSIM above).
include scripts/figures.mk

all: $(MVSIM) $(BUILD)/libmvsim.a

help:
	@echo "targets: all run test check bench install clean refs figures deps discover"

# Packages: installed through apt-get when run as root, otherwise the exact command.
deps:
	@sh scripts/deps.sh

$(BUILD)/obj/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/obj/mpi_batch.o $(BUILD)/pic/mpi_batch.o: CFLAGS_ALL += $(MPI_CFLAGS)

$(BUILD)/obj/cli/%.o: sim/cli/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/libmvsim.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(CLI_LIB): $(CLI_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(MVSIM): $(BUILD)/obj/cli/main.o $(CLI_LIB) $(BUILD)/libmvsim.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(MVSIM_LIBS)

# Tests see the CLI's private header as "cli/cli.h" (-Isim) and may call commands in-process.
$(BUILD)/tests/%: tests/%.c $(CLI_LIB) $(BUILD)/libmvsim.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isim -o $@ $< $(CLI_LIB) $(BUILD)/libmvsim.a $(LDLIBS_ALL) $(CMOCKA_LIBS)

$(BUILD)/bench: tests/bench.c $(BUILD)/libmvsim.a
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libmvsim.a $(LDLIBS_ALL)

# The baseline scenario into out/, then its figures.
run: deps all
	@mkdir -p out
	$(MVSIM) run configs/kazakhstan.cfg -o out/baseline.tsv
	@if $(MVSIM) help plot >/dev/null 2>&1; then $(MVSIM) plot out/baseline.tsv --kind all; fi
	@echo "results: out/baseline.tsv"; ls out/

# Every test binary, from the repository root; MVSIM names the binary under test. First the
# one grep that keeps the library from printing or exiting (tests/lint_library.sh).
test: deps all $(TEST_BIN)
	@fail=0; sh tests/lint_library.sh || fail=1; for t in $(TEST_BIN); do \
		echo "== $$t"; MVSIM=$(MVSIM) $$t || fail=1; \
	done; \
	if [ $$fail -ne 0 ]; then echo "make test: FAILED"; exit 1; fi; echo "make test: all passed"

# The CI gate: the article's claims checked over a Latin hypercube around the baseline.
sweep-ci: deps all
	@mkdir -p out
	$(MVSIM) sweep configs/sweeps/ci.cfg -o out/sweep-ci.tsv --junit out/sweep-ci.xml --quiet

# The article's question by scenario discovery (README, docs/discovery.md): the deep
# uncertainties and the policy lever swept (5000 runs), PRIM's box for a crisis more likely
# than not by 2040, the box that explains at least 60% of those runs, and both figures.
DISCOVER_OUT := out/ukraine_question.tsv
discover: deps all
	@mkdir -p out
	$(MVSIM) discover configs/sweeps/ukraine_question.cfg --metric final:crisis_prob \
		--above 0.5 --min-coverage 0.6 --jobs 2 -o $(DISCOVER_OUT)
	$(MVSIM) plot $(DISCOVER_OUT)

# The tests again under AddressSanitizer + UBSan, in their own build tree.
# (test_fmt compares 10^6 numbers with printf there instead of 10^7: MV_FMT_TEST_COUNT.)
check: deps
	MV_FMT_TEST_COUNT=1000000 $(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" test

# The tests under valgrind memcheck: every test binary, and every mvsim they start
# (test_fmt compares 10^5 numbers with printf there: the 10^7 of make test would take
# minutes under memcheck; MV_FMT_TEST_COUNT).
VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
# VALGRIND_MVSIM is the mvsim the tests start: by default mvsim under memcheck too; .ci/run
# passes build/mvsim (the test binaries, with the library and the commands they run in-process,
# under memcheck; the started processes are checked by make check's ASan/LSan build), which
# keeps CI's valgrind step to minutes instead of half an hour. MV_UNDER_VALGRIND (the tests'
# "every mvsim is slow" switch) is set only when the mvsim they start runs under memcheck.
VALGRIND_MVSIM ?= build/valgrind/mvsim
valgrind: deps all $(TEST_BIN)
	@sh scripts/deps.sh valgrind
	@mkdir -p build/valgrind && ln -sf ../../scripts/valgrind-mvsim build/valgrind/mvsim
	@fail=0; for t in $(TEST_BIN); do \
		echo "== valgrind $$t"; MVSIM=$(VALGRIND_MVSIM) $(if $(findstring valgrind,$(VALGRIND_MVSIM)),MV_UNDER_VALGRIND=1) MV_FMT_TEST_COUNT=100000 $(VALGRIND) ./$$t || fail=1; \
	done; \
	if [ $$fail -ne 0 ]; then echo "make valgrind: FAILED"; exit 1; fi; echo "make valgrind: all passed"

$(BUILD)/bench_%: tests/bench_%.c $(CLI_LIB) $(BUILD)/libmvsim.a
	$(CC) $(CFLAGS_ALL) -Isim -o $@ $< $(CLI_LIB) $(BUILD)/libmvsim.a $(LDLIBS_ALL)

# `make bench` measures this tree against BENCH_BASE (a commit, built once under
# $(BUILD)/bench-base/<commit> from `git archive`): the same tests/bench.c is compiled
# against both libraries, and the first table gives every figure as a ratio of one run.
BENCH_BASE ?= 46312d7
BASE_DIR := $(BUILD)/bench-base/$(BENCH_BASE)
$(BASE_DIR)/.built:
	rm -rf $(BASE_DIR) && mkdir -p $(BASE_DIR)/src
	git archive $(BENCH_BASE) | tar -x -C $(BASE_DIR)/src
	$(MAKE) -C $(BASE_DIR)/src BUILD=build CI= OPT="$(OPT)" all
	touch $@
$(BASE_DIR)/bench: tests/bench.c $(BASE_DIR)/.built
	$(CC) -std=c11 $(OPT) $(OPENMP) -I$(BASE_DIR)/src/include $(PKG_CFLAGS) -o $@ tests/bench.c \
		$(BASE_DIR)/src/build/libmvsim.a $(LDLIBS_ALL)

BENCH_BIN := $(patsubst tests/%.c,$(BUILD)/%,$(wildcard tests/bench_*.c))
bench: deps all $(BUILD)/bench $(BENCH_BIN) $(BASE_DIR)/bench
	$(BUILD)/bench --base $(BASE_DIR)/bench --base-mvsim $(BASE_DIR)/src/build/mvsim \
		--mvsim $(MVSIM)
	@for b in $(BENCH_BIN); do echo; $$b || exit 1; done
	@echo; MVSIM=$(MVSIM) BUILD=$(BUILD) sh tests/bench_mpi.sh

# Regenerates the committed reference outputs of the regression test: a decision, not a fix.
refs: all
	@mkdir -p tests/data/ref
	@for f in configs/kazakhstan.cfg configs/scenarios/*.cfg; do \
		b=$$(basename $$f .cfg); \
		$(MVSIM) run $$f -o tests/data/ref/$$b.tsv || exit 1; echo "tests/data/ref/$$b.tsv"; \
	done

# ---------------------------------------------------------------- the installed library
# libmvsim.so (soname libmvsim.so.MAJOR) beside libmvsim.a, from the same sources compiled
# -fPIC into $(BUILD)/pic; mvsim.pc; man pages; bash completion; `make install` / `uninstall`.
# The version comes from include/mvsim/version.h only.
VERSION_PART = $(shell sed -n 's/^\#define MVSIM_VERSION_$(1) *\([0-9][0-9]*\).*/\1/p' include/mvsim/version.h)
VERSION_MAJOR := $(call VERSION_PART,MAJOR)
VERSION := $(VERSION_MAJOR).$(call VERSION_PART,MINOR).$(call VERSION_PART,PATCH)
SONAME  := libmvsim.so.$(VERSION_MAJOR)
SO_REAL := libmvsim.so.$(VERSION)
SO_OBJ  := $(LIB_SRC:sim/%.c=$(BUILD)/pic/%.o)

BINDIR  = $(PREFIX)/bin
LIBDIR  = $(PREFIX)/lib
INCDIR  = $(PREFIX)/include/mvsim
PCDIR   = $(LIBDIR)/pkgconfig
DATADIR = $(PREFIX)/share/mvsim
MANDIR  = $(PREFIX)/share/man/man1
COMPDIR = $(PREFIX)/share/bash-completion/completions
DOCDIR  = $(PREFIX)/share/doc/mvsim
MAN_SRC := $(wildcard man/*.1)

# Where the installed files are is compiled in (MV_SCRIPTDIR, MV_DOCDIR: `mvsim help` names
# the docs): every object depends on a stamp holding PREFIX and DOCDIR, rewritten only when
# they change, so `make install PREFIX=/opt/x` rebuilds what was built for another prefix.
CFLAGS_ALL += -DMV_DOCDIR='"$(DOCDIR)"'
PREFIX_STAMP := $(BUILD)/prefix.stamp
PREFIX_LINE  := $(PREFIX) $(DOCDIR) mpi=$(MPI)
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(PREFIX_STAMP) 2>/dev/null)" = '$(PREFIX_LINE)' ] || \
	printf '%s\n' '$(PREFIX_LINE)' > $(PREFIX_STAMP); })
$(LIB_OBJ) $(SO_OBJ) $(BUILD)/obj/main.o $(shell find $(BUILD) -name '*.o' 2>/dev/null): $(PREFIX_STAMP)

.PHONY: shared test-pkg
all: shared $(BUILD)/mvsim.pc
shared: $(BUILD)/$(SO_REAL)

$(BUILD)/pic/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fPIC -c $< -o $@

# Only mv_* symbols are exported (libmvsim.map); the links are those ldconfig and -lmvsim use.
$(BUILD)/$(SO_REAL): $(SO_OBJ) libmvsim.map
	$(CC) $(CFLAGS_ALL) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=libmvsim.map \
		-Wl,--no-undefined -o $@ $(SO_OBJ) $(LDLIBS_ALL)
	ln -sf $(SO_REAL) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libmvsim.so

# -fopenmp adds libgomp to a static link; a shared one records it itself.
$(BUILD)/mvsim.pc: mvsim.pc.in include/mvsim/version.h $(PREFIX_STAMP)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@PKGS@|$(PKGS)|g' -e 's|@LIBS_PRIVATE@|-lm $(OPENMP) $(MPI_LIBS)|g' mvsim.pc.in > $@

-include $(wildcard $(BUILD)/pic/*.d)

# The packaging tests: a staged install (its file list, the example built with pkg-config
# against it and compared with `mvsim run`), the man pages, the bash completion, the docs'
# section numbers.
test: test-pkg
test-pkg: all
	@sh scripts/deps.sh man
	MAKE="$(MAKE)" BUILD=$(BUILD) CC="$(CC)" SAN="$(SAN)" PREFIX="$(PREFIX)" sh tests/test_install.sh
	BUILD=$(BUILD) sh tests/test_man.sh
	MVSIM=$(MVSIM) BUILD=$(BUILD) bash tests/test_completion.sh
	sh tests/test_docs.sh

# The batch commands under mpirun with 1, 2 and 3 ranks (tests/test_mpi.sh; docs/cluster.md).
.PHONY: test-mpi test-slurm
test: test-mpi
test-mpi: all
	MVSIM=$(MVSIM) BUILD=$(BUILD) sh tests/test_mpi.sh

# A real single-node Slurm (root: starts munged, slurmctld and slurmd on localhost, runs the
# job-array script of docs/cluster.md, stops them). .ci/run calls it; not part of make test.
test-slurm: all
	@sh scripts/deps.sh slurm
	MVSIM=$(CURDIR)/$(MVSIM) BUILD=$(BUILD) sh tests/slurm/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PCDIR) $(DESTDIR)$(INCDIR) \
		$(DESTDIR)$(MANDIR) $(DESTDIR)$(COMPDIR) $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(DATADIR)/scripts $(DESTDIR)$(DATADIR)/configs
	install -m 755 $(MVSIM) $(DESTDIR)$(BINDIR)/mvsim
	install -m 644 $(BUILD)/libmvsim.a $(DESTDIR)$(LIBDIR)/libmvsim.a
	install -m 755 $(BUILD)/$(SO_REAL) $(DESTDIR)$(LIBDIR)/$(SO_REAL)
	ln -sf $(SO_REAL) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libmvsim.so
	install -m 644 $(BUILD)/mvsim.pc $(DESTDIR)$(PCDIR)/mvsim.pc
	install -m 644 include/mvsim/*.h $(DESTDIR)$(INCDIR)/
	install -m 644 $(MAN_SRC) $(DESTDIR)$(MANDIR)/
	install -m 644 scripts/mvsim-completion.bash $(DESTDIR)$(COMPDIR)/mvsim
	find configs -type f ! -name '*.tmp.*' | sort | while read -r f; do \
		install -D -m 644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; done
	install -m 644 scripts/*.gp $(DESTDIR)$(DATADIR)/scripts/
	install -m 644 README.md docs/*.md $(DESTDIR)$(DOCDIR)/
	if [ -d docs/img ]; then install -d $(DESTDIR)$(DOCDIR)/img && \
		install -m 644 docs/img/* $(DESTDIR)$(DOCDIR)/img/; fi
	ln -sfn . $(DESTDIR)$(DOCDIR)/docs # README.md's links (docs/model.md) work installed
	install -m 644 examples/*.c examples/*.cfg examples/Makefile $(DESTDIR)$(DOCDIR)/examples/
	@if [ -z "$(DESTDIR)" ]; then ldconfig 2>/dev/null || echo "install: run ldconfig as root"; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mvsim $(DESTDIR)$(LIBDIR)/libmvsim.a \
		$(DESTDIR)$(LIBDIR)/$(SO_REAL) $(DESTDIR)$(LIBDIR)/$(SONAME) \
		$(DESTDIR)$(LIBDIR)/libmvsim.so $(DESTDIR)$(PCDIR)/mvsim.pc \
		$(DESTDIR)$(COMPDIR)/mvsim $(MAN_SRC:man/%=$(DESTDIR)$(MANDIR)/%)
	rm -rf $(DESTDIR)$(INCDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build out

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/cli/*.d $(BUILD)/tests/*.d)

# Fuzzing (clang's libFuzzer): `make fuzz FUZZ_SECONDS=N` runs each target N seconds from a
# corpus seeded with the shipped scenarios and test data. Crashes land in build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Iinclude $(PKG_CFLAGS)
.PHONY: fuzz
fuzz: all
	@sh scripts/deps.sh fuzz
	@mkdir -p build/fuzz
	@for t in $(FUZZ_TARGETS); do \
		clang $(FUZZ_CFLAGS) -o build/fuzz/$$t tests/fuzz/$$t.c $(LIB_SRC) $(PKG_LIBS) -lm || exit 1; \
		mkdir -p build/fuzz/corpus-$$t; \
		case $$t in \
		fuzz_scenario) cp configs/*.cfg configs/scenarios/*.cfg tests/data/config/*.cfg \
			tests/data/config/bad/*.cfg tests/data/hostile/*.cfg build/fuzz/corpus-$$t/ ;; \
		fuzz_summary) cp tests/fuzz/seeds/summary/* build/fuzz/corpus-$$t/ ;; \
		fuzz_keys) for k in $$(build/mvsim keys configs/kazakhstan.cfg 2>/dev/null | awk 'NR>1{print $$1}' | head -50); do \
			printf '%s=1.5' "$$k" > build/fuzz/corpus-$$t/$$(echo $$k | tr . _); done ;; \
		fuzz_sweep) for f in configs/sweeps/*.cfg tests/data/sweep/*.cfg; do \
			sed "s|^scenario = \".*\";|scenario = \"$(CURDIR)/configs/kazakhstan.cfg\";|" $$f \
				> build/fuzz/corpus-$$t/$$(basename $$f); done ;; \
		esac; \
		echo "== $$t for $(FUZZ_SECONDS) s"; \
		LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
			-artifact_prefix=build/fuzz/$$t- -print_final_stats=1 build/fuzz/corpus-$$t \
			2>build/fuzz/$$t.log || { tail -40 build/fuzz/$$t.log; exit 1; }; \
		grep -a -E "stat::number_of_executed_units|cov:" build/fuzz/$$t.log | tail -2; \
	done
