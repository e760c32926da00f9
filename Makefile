# Thin front door over CMake. `make demo` and `make test` are all a user needs
# on a fresh Debian/Ubuntu machine: both install missing packages first.

BUILD ?= build
TYPE  ?= RelWithDebInfo
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
# Tests mostly wait on sockets and timers: run several per core.
TEST_JOBS ?= $(shell echo $$(( $(JOBS) * 4 )))
CMAKE_FLAGS ?=
# The test suite (and Criterion) only for `make test`, `make asan` and CI:
# `make build` and `make demo` need just the build packages.
TESTS ?= OFF
PREFIX ?= /usr/local
DESTDIR ?=
# make test V=1: every test's whole log; by default one line per test, and
# the output of the ones that fail.
CTEST_OUT = $(if $(V),-V,--output-on-failure)

.PHONY: all deps build demo serve test asan fuzz ci bench shots clean format \
	install uninstall

all: build

deps:
	@sh .ci/deps build

# cmake's chatter is kept in $(BUILD)/cmake.log and shown when it fails
# (a missing package is reported on stdout, not stderr).
build: deps
	@mkdir -p $(BUILD)
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(TYPE) -DWSDASH_TESTS=$(TESTS) \
		$(CMAKE_FLAGS) >$(BUILD)/cmake.log 2>&1 || \
		{ cat $(BUILD)/cmake.log >&2; echo "make: cmake failed (log above," \
		"also in $(BUILD)/cmake.log)" >&2; exit 1; }
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	./$(BUILD)/wsdash demo

serve: build
	./$(BUILD)/wsdash serve

test:
	@sh .ci/deps build test
	@$(MAKE) --no-print-directory build TESTS=ON
	@cd $(BUILD) && ctest $(CTEST_OUT) -j$(TEST_JOBS)

asan:
	@sh .ci/deps build test
	@$(MAKE) --no-print-directory build BUILD=build-asan TYPE=Debug TESTS=ON \
		CMAKE_FLAGS=-DWSDASH_SANITIZE=ON
	@cd build-asan && ctest $(CTEST_OUT) -j$(TEST_JOBS)

FUZZ_SECONDS ?= 60

fuzz:
	@sh .ci/deps build fuzz
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
		-DWSDASH_FUZZ=ON -DWSDASH_TESTS=OFF >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# What CI runs: the suite, the suite again under ASan+UBSan, brief fuzzing.
ci: test asan
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30

bench:
	@sh .ci/deps bench
	@$(MAKE) --no-print-directory build TYPE=Release BUILD=build-release
	sh tests/bench/run.sh build-release

shots:
	@sh .ci/deps build shots
	@$(MAKE) --no-print-directory build
	sh tests/screenshots.sh $(BUILD)

# make install [PREFIX=/usr/local] [DESTDIR=staging]: the program, its man
# page and bash/zsh/fish completions. uninstall removes the same files.
INSTALLED = bin/wsdash share/man/man1/wsdash.1 \
	share/bash-completion/completions/wsdash \
	share/zsh/site-functions/_wsdash \
	share/fish/vendor_completions.d/wsdash.fish

install: build
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

uninstall:
	@for f in $(INSTALLED); do \
		if [ -e "$(DESTDIR)$(PREFIX)/$$f" ]; then \
			rm -f "$(DESTDIR)$(PREFIX)/$$f" && \
			echo "-- Removed: $(DESTDIR)$(PREFIX)/$$f"; \
		fi; \
	done

clean:
	rm -rf build build-asan build-release build-fuzz

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
