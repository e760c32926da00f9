# Thin front door over CMake. `make demo` and `make test` are all a user needs
# on a fresh Debian/Ubuntu machine: both install missing packages first.

BUILD ?= build
TYPE  ?= RelWithDebInfo
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build demo serve test asan bench shots clean format

all: build

deps:
	@sh .ci/deps build

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(TYPE) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	./$(BUILD)/wsdash demo

serve: build
	./$(BUILD)/wsdash serve

test:
	@sh .ci/deps build test
	@$(MAKE) --no-print-directory build
	cd $(BUILD) && ctest -V -j$(JOBS)

asan:
	@sh .ci/deps build test
	@$(MAKE) --no-print-directory build BUILD=build-asan TYPE=Debug \
		CMAKE_FLAGS=-DWSDASH_SANITIZE=ON
	cd build-asan && ctest -V -j$(JOBS)

bench:
	@sh .ci/deps bench
	@$(MAKE) --no-print-directory build TYPE=Release BUILD=build-release
	sh tests/bench/run.sh build-release

shots:
	@sh .ci/deps build shots
	@$(MAKE) --no-print-directory build
	sh tests/screenshots.sh $(BUILD)

clean:
	rm -rf build build-asan build-release

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
