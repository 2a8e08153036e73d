# dbake: thin wrapper over Meson so the usual verbs work.
#   make            build into ./build
#   make install    docker-dbake into $(DOCKER_CONFIG)/cli-plugins
#                   (default ~/.docker/cli-plugins); PREFIX=/usr/local
#                   installs into /usr/local/lib/docker/cli-plugins
#   make uninstall  remove it again
#   make deps       install what the tests and the demo need (Debian)
#   make check      make deps, then run every test
#   make demo       start a local cluster and build an example with dbake
#   make bench      benchmark dbake against plain bake on a local cluster
#   make fuzz       fuzz every parser dbake owns (FUZZ_SECONDS each)
#   make deb        a Debian package (dbake_VERSION_ARCH.deb)
#   make dist       a source tarball (dbake-VERSION.tar.gz)

BUILD ?= build
ASAN_BUILD ?= build-asan
DOCKER_CONFIG ?= $(HOME)/.docker
ifdef PREFIX
PLUGINDIR := $(PREFIX)/lib/docker/cli-plugins
else
PLUGINDIR := $(DOCKER_CONFIG)/cli-plugins
endif

.PHONY: all install uninstall check check-only unit engine e2e demo deps clean bench fuzz deb dist

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

# a user's build: no system package installed behind their back, no
# cmocka needed, warnings not errors (a newer compiler may add some)
$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dtests=false

# the tests' build: ASan and UBSan, unit tests, warnings are errors
$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debug -Dwerror=true -Dtests=true

install: all
	install -d $(PLUGINDIR)
	install -m 0755 $(BUILD)/docker-dbake $(PLUGINDIR)/docker-dbake
	@echo "installed $(PLUGINDIR)/docker-dbake; try: docker dbake --help"

uninstall:
	rm -f $(PLUGINDIR)/docker-dbake

deb: all
	tools/mkdeb $(BUILD) .

dist:
	tools/mkdist .

# what make check and make demo need (Debian packages, as root or with
# sudo): its own step, never part of make
deps:
	tools/deps test

# Unit tests, engine tests (a fake buildx), then the end-to-end suite on a
# real local cluster, all with the ASan+UBSan build. tests/run prints "N passed, N failed".
check: deps
	$(MAKE) check-only

check-only: $(ASAN_BUILD)/build.ninja all
	ninja -C $(ASAN_BUILD)
	tests/run

unit: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	tests/run --unit

# dbake end to end against the fake buildx of tests/fake: seconds.
engine: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	tests/run --engine

e2e: $(ASAN_BUILD)/build.ninja all
	ninja -C $(ASAN_BUILD)
	tests/run --e2e

demo: deps
	$(MAKE) all
	tools/demo

# Every parser dbake owns under libFuzzer, FUZZ_SECONDS each (make check
# runs them 10 s each).
FUZZ_SECONDS ?= 60
fuzz:
	@tools/deps test >&2
	tests/fuzz/run $(FUZZ_SECONDS)

# Wall times of plain bake, dbake --schedule fifo and dbake on a local
# 4-node cluster of its own (bench/bench.py --help for a subset).
bench: all
	python3 bench/bench.py

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
