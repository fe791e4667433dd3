# SPDX-License-Identifier: GPL-3.0-or-later
# A thin wrapper around CMake (as neovim's). Everything runs through packaging/hive-env: directly
# on Debian 13 / macOS, inside the Debian 13 build root on Debian 12.
#
#   make build            configure and build into build/ (binaries in build/bin)
#   make test             build, then run every test with ctest
#   make run [ARGS=…]     build, then start agenthive (headless when there is no display)
#   make exec CMD='…'     run a command in the same environment
#   make bench            build, then run the benchmarks under tests/bench
#   make format           clang-format every C++ file

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=
CTEST_FLAGS ?=
ENV := packaging/hive-env

.PHONY: all configure build test run exec bench format clean

all: build

configure:
	$(ENV) cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

build: configure
	$(ENV) cmake --build $(BUILD_DIR)

test: build
	$(ENV) ctest --test-dir $(BUILD_DIR) --output-on-failure $(CTEST_FLAGS)

run: build
	$(ENV) $(BUILD_DIR)/bin/agenthive $(ARGS)

exec:
	$(ENV) sh -c "$$CMD"

bench: build
	$(ENV) sh -c 'for b in $(BUILD_DIR)/bin/bench_*; do echo "== $$b"; "$$b" || exit 1; done'

format:
	$(ENV) sh -c 'find app models services widgets tests -name "*.cpp" -o -name "*.h" | xargs clang-format -i'

clean:
	rm -rf $(BUILD_DIR)
