# SPDX-License-Identifier: GPL-3.0-or-later
# A thin wrapper around CMake (as neovim's). Everything runs through packaging/hive-env: directly
# on Debian 13 / macOS, inside the Debian 13 build root on Debian 12.
#
#   make build            configure and build into build/ (binaries in build/bin)
#   make test             what CI runs: the format check, the GCC build and a clang build with
#                         warnings as errors, then every test with ctest
#   make check            build, then run every test (the quick loop while working)
#   make check-format     clang-format --dry-run -Werror over every C++ file
#   make build-clang      the same code built with clang into build-clang/ (portability)
#   make run [ARGS=…]     build, then start agenthive (headless when there is no display)
#   make exec CMD='…'     run a command in the same environment
#   make bench            build, then run the benchmarks under tests/bench (bench_chaos among
#                         them: 1,000 tasks while runners, Redis, PostgreSQL and the app are killed)
#   make fuzz [ARGS=…]    build, then fuzz the REST API (tests/bench/fuzz_api; --seed, --requests)
#   make format           clang-format every C++ file

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=
CTEST_FLAGS ?=
ENV := packaging/hive-env
# ccache (when there is one) shares objects between clones at other paths.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

CLANG_BUILD_DIR ?= build-clang
SOURCES_CMD := find app models services widgets tests -name "*.cpp" -o -name "*.h"

.PHONY: all configure build test check check-format build-clang run exec bench fuzz format clean

all: build

configure:
	$(ENV) cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

build: configure
	$(ENV) cmake --build $(BUILD_DIR)

test: check-format
	$(MAKE) build CMAKE_FLAGS="$(CMAKE_FLAGS) -DHIVE_WERROR=ON"
	$(MAKE) build-clang
	$(ENV) ctest --test-dir $(BUILD_DIR) --output-on-failure $(CTEST_FLAGS)

check: build
	$(ENV) ctest --test-dir $(BUILD_DIR) --output-on-failure $(CTEST_FLAGS)

check-format:
	$(ENV) sh -c '$(SOURCES_CMD) | xargs clang-format --dry-run -Werror'

build-clang:
	$(ENV) cmake -S . -B $(CLANG_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
		-DCMAKE_CXX_COMPILER=clang++ -DHIVE_WERROR=ON $(CMAKE_FLAGS)
	$(ENV) cmake --build $(CLANG_BUILD_DIR)

run: build
	$(ENV) $(BUILD_DIR)/bin/agenthive $(ARGS)

exec:
	$(ENV) sh -c "$$CMD"

bench: build
	$(ENV) sh -c 'for b in $(BUILD_DIR)/bin/bench_*; do echo "== $$b"; "$$b" || exit 1; done'

fuzz: build
	$(ENV) $(BUILD_DIR)/bin/fuzz_api $(ARGS)

format:
	$(ENV) sh -c '$(SOURCES_CMD) | xargs clang-format -i'

clean:
	rm -rf $(BUILD_DIR) $(CLANG_BUILD_DIR)
