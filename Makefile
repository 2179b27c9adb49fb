# vpnlab — build, test, run.
#
#   make run     deps + release build + the main job
#   make test    deps + sanitizer build (ASan+UBSan) + every test
#   make deps    install missing Debian packages (root); a no-op when all present
#   make bench   release build + all benchmarks
#   make fuzz    libFuzzer targets for FUZZ_SECONDS each (default 60)
#
# One non-recursive Makefile. Sources are found by wildcard, so a new .c file
# in a module folder, a new tests/unit/test_*.c or tests/fuzz/fuzz_*.c needs
# no edit here. Objects go to build/$(VARIANT)/; VARIANT is rel (-O2), san
# (ASan+UBSan, what the tests run) or fuzz (clang + libFuzzer).

VARIANT ?= rel
B := build/$(VARIANT)

# ---------------------------------------------------------------- packages
DEB_PKGS := gcc g++ make libc6-dev libssl-dev libcmocka-dev libpcap-dev \
	libns3-dev gnuplot-nox tshark clang libclang-rt-14-dev libxml2-utils \
	iproute2 python3 procps \
	strongswan-swanctl charon-systemd libcharon-extra-plugins strongswan-pki \
	ike-scan iperf3 iputils-ping nftables tcpdump

# ---------------------------------------------------------------- flags
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter
CSTD := -std=c11 -D_GNU_SOURCE
INC := -I.
NS3_LIBS := -lns3-core -lns3-network -lns3-internet -lns3-point-to-point \
	-lns3-virtual-net-device -lns3-applications -lns3-traffic-control \
	-lns3-bridge
LIBS := -lssl -lcrypto -lpcap -lm

ifeq ($(VARIANT),rel)
CC := gcc
CXX := g++
OPT := -O2 -g
SAN :=
else ifeq ($(VARIANT),san)
CC := gcc
CXX := g++
OPT := -O1 -g -fno-omit-frame-pointer
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(VARIANT),fuzz)
CC := clang
CXX := clang++
OPT := -O1 -g -fno-omit-frame-pointer
SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
else
$(error VARIANT must be rel, san or fuzz, not '$(VARIANT)')
endif

CFLAGS := $(CSTD) $(OPT) $(SAN) $(WARN) $(INC) -MMD -MP
CXXFLAGS := -std=c++17 $(OPT) $(SAN) -Wall -Wextra -Werror -Wno-unused-parameter \
	$(INC) -MMD -MP
LDFLAGS := $(SAN) -Wl,--as-needed

# ---------------------------------------------------------------- sources
REF_SRC := $(sort $(wildcard ref/*/*.c ref/*.c))
SIM_SRC := $(sort $(wildcard sim/*.c sim/*/*.c))
SIM_CXX := $(sort $(wildcard sim/*.cc))
CONF_SRC := $(sort $(wildcard conformance/*.c conformance/*/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
TESTLIB_SRC := $(sort $(wildcard tests/lib/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

obj = $(patsubst %.c,$(B)/%.o,$(filter %.c,$(1))) $(patsubst %.cc,$(B)/%.o,$(filter %.cc,$(1)))

LIBREF := $(B)/libref.a
LIBSIM := $(B)/libsim.a
LIBCONF := $(B)/libconf.a
LIBTEST := $(B)/libtest.a
# sim may use conformance (pcap metrics); conformance and sim use ref.
ALL_LIBS := $(LIBSIM) $(LIBCONF) $(LIBREF)
VPNLAB := $(B)/vpnlab
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))

# ns-3 is linked only when the shim exists.
ifneq ($(SIM_CXX),)
LINK_NS3 := $(NS3_LIBS) -lstdc++
endif

.PHONY: all build run test deps bench fuzz fuzz-build tests-build clean help \
	warnings-clang
.DEFAULT_GOAL := help
# Keep test and fuzz objects (make would delete them as intermediates).
.SECONDARY:

help:
	@echo "make run    install missing packages, build, run the main job"
	@echo "make test   install missing packages, build under ASan+UBSan, run all tests"
	@echo "make deps   install missing Debian packages (as root)"
	@echo "make build  release build of build/rel/vpnlab"
	@echo "make bench  release build + benchmarks"
	@echo "make fuzz   run each libFuzzer target for FUZZ_SECONDS (default 60)"
	@echo "make clean  remove build/"

all build: $(VPNLAB)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(LIBREF): $(call obj,$(REF_SRC))
$(LIBSIM): $(call obj,$(SIM_SRC) $(SIM_CXX))
$(LIBCONF): $(call obj,$(CONF_SRC))
$(LIBTEST): $(call obj,$(TESTLIB_SRC))
$(LIBREF) $(LIBSIM) $(LIBCONF) $(LIBTEST):
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

$(VPNLAB): $(call obj,$(CLI_SRC)) $(ALL_LIBS)
	$(CC) $(LDFLAGS) -o $@ $(call obj,$(CLI_SRC)) $(ALL_LIBS) $(LINK_NS3) $(LIBS)

$(B)/tests/%: $(B)/tests/unit/%.o $(LIBTEST) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBTEST) $(ALL_LIBS) $(LINK_NS3) $(LIBS) -lcmocka

$(B)/fuzz/%: $(B)/tests/fuzz/%.o $(LIBSIM) $(LIBCONF) $(LIBREF)
	@mkdir -p $(dir $@)
	$(CC) $(OPT) -fsanitize=fuzzer,address,undefined -o $@ $< $(LIBSIM) $(LIBCONF) $(LIBREF) $(LIBS)

tests-build: $(VPNLAB) $(UNIT_BINS)
fuzz-build: $(FUZZ_BINS)

# ---------------------------------------------------------------- top-level jobs
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all $(words $(DEB_PKGS)) packages present"; exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "deps: missing Debian packages:$$missing" >&2; \
	  echo "deps: installing them needs root; run 'sudo make deps' (or make as root)" >&2; exit 1; fi; \
	echo "deps: installing$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null \
	  || { echo "deps: apt-get install failed for:$$missing" >&2; exit 1; }; \
	echo "deps: installed$$missing"

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SUBMAKE := $(MAKE) --no-print-directory -j$(JOBS)

run: deps
	@$(SUBMAKE) VARIANT=rel build
	build/rel/vpnlab suite scenarios --quiet

bench: deps
	@$(SUBMAKE) VARIANT=rel build
	build/rel/vpnlab bench esp

# The release build is part of the tests: -O2 finds warnings -O1 does not,
# and it is the binary `make run` uses.
test: deps
	@$(SUBMAKE) VARIANT=rel build
	@$(SUBMAKE) VARIANT=san tests-build
	@$(SUBMAKE) VARIANT=fuzz fuzz-build
	@$(SUBMAKE) warnings-clang
	@tests/run-tests.sh build/san build/fuzz

# Everything must also be warnings-clean under clang (the san build is gcc).
warnings-clang:
	@for f in $(REF_SRC) $(SIM_SRC) $(CONF_SRC) $(CLI_SRC) $(UNIT_SRC) $(TESTLIB_SRC) $(FUZZ_SRC); do \
	  clang $(CSTD) $(WARN) $(INC) -fsyntax-only $$f || exit 1; done
	@echo "warnings-clang: $(words $(REF_SRC) $(SIM_SRC) $(CONF_SRC) $(CLI_SRC) $(UNIT_SRC) $(TESTLIB_SRC) $(FUZZ_SRC)) files clean"

# Interop with real peers (strongSwan, ike-scan) in network namespaces: needs
# root and the packages listed in tests/interop/matrix.sh. The ike-scan row
# runs the ASan gateway.
.PHONY: interop
interop:
	@$(SUBMAKE) VARIANT=rel build
	@$(SUBMAKE) VARIANT=san build
	VPNLAB=$(CURDIR)/build/rel/vpnlab VPNLAB_SCAN=$(CURDIR)/build/san/vpnlab tests/interop/matrix.sh

FUZZ_SECONDS ?= 60
fuzz: deps
	@$(SUBMAKE) VARIANT=fuzz fuzz-build
	@for f in $(FUZZ_BINS:build/rel/%=build/fuzz/%); do \
	  n=$$(basename $$f); mkdir -p build/fuzz/corpus/$$n; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 build/fuzz/corpus/$$n tests/fuzz/corpus/$$n || exit 1; \
	done

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
