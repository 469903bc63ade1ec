# Kiln's top-level commands. The build itself is CMake's, in build/.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr/local

.PHONY: all deps build test test-cross demo sanitize bench install clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Every suite, the aarch64 cross run included (skipped, saying which
# packages are missing, where the arm64 libraries are not installed).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Only the cross run: libkiln cross-built for aarch64 Linux, its patch tests
# run under qemu-aarch64 on patches from the host's kiln compile.
test-cross: build
	cd $(BUILD) && ctest --output-on-failure -L cross

demo: build
	scripts/demo.sh $(BUILD)

# ASan+UBSan build of the unit and language tests, in build-asan/.
sanitize: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKILN_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -j $(JOBS) -L sanitize

bench: build
	bench/run.sh $(BUILD)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) build-asan
