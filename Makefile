# Coffer: the two commands of the README are `make install` and `make test`.
PREFIX ?= $(HOME)/.local
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# System packages: libsodium for the build; the rest for the tests that drive real git, composer and curl.
BUILD_PACKAGES := libsodium-dev pkg-config
TEST_PACKAGES := git curl util-linux python3-minimal python3-dotenv composer php-cli php-zip unzip

.PHONY: all build deps test-deps install demo test vectors bench fuzz clean

all: build

## deps: install the Debian packages the build needs, when missing
deps:
	@scripts/apt-ensure $(BUILD_PACKAGES)

test-deps: deps
	@scripts/apt-ensure $(TEST_PACKAGES)

# git runs the helper on every fetch and push, and scripts run coffer as often: fully static executables
# start in less than half the time of ones the dynamic loader must relocate (76,000 relocations for coffer;
# Benchmarks/results).
STATIC_BUILD := .build-static

build: deps
	$(SWIFT) build -c release --scratch-path $(STATIC_BUILD) -Xswiftc -static-executable

## install: build release binaries, install them under $(PREFIX)/bin, the man page and completions under
## $(PREFIX)/share, and run the demo
install: build
	install -d $(PREFIX)/bin
	install -m 0755 "$$($(SWIFT) build -c release --scratch-path $(STATIC_BUILD) --show-bin-path)/coffer" $(PREFIX)/bin/coffer
	install -m 0755 "$$($(SWIFT) build -c release --scratch-path $(STATIC_BUILD) --show-bin-path)/git-credential-coffer" $(PREFIX)/bin/git-credential-coffer
	@echo "installed coffer and git-credential-coffer in $(PREFIX)/bin"
	$(SWIFT) build -c release --scratch-path $(STATIC_BUILD) -Xswiftc -static-executable --product generate-manual
	scripts/install-docs $(PREFIX) $(PREFIX)/bin/coffer "$$($(SWIFT) build -c release --scratch-path $(STATIC_BUILD) --show-bin-path)/generate-manual"
	install -d $(PREFIX)/share/coffer/composer-plugin/src
	install -m 0644 Integrations/composer-plugin/composer.json $(PREFIX)/share/coffer/composer-plugin/composer.json
	install -m 0644 Integrations/composer-plugin/src/Plugin.php $(PREFIX)/share/coffer/composer-plugin/src/Plugin.php
	@echo "installed the composer plugin in $(PREFIX)/share/coffer/composer-plugin ('coffer composer setup' enables it)"
	@scripts/demo "$(PREFIX)/bin/coffer"

demo: build
	@scripts/demo "$$($(SWIFT) build -c release --scratch-path $(STATIC_BUILD) --show-bin-path)/coffer"

## test: the whole test suite (unit, vectors, CLI end to end)
test: test-deps
	scripts/test

## vectors: regenerate Formats/vectors-v4 after a format change (commit them with the spec)
vectors: deps
	COFFER_WRITE_VECTORS=1 $(SWIFT) test --filter VectorGenerator

## fuzz: the libFuzzer targets of Tests/Fuzz, FUZZ_SECONDS each (default 600)
fuzz: deps
	scripts/fuzz $(or $(FUZZ_SECONDS),600)

## bench: every benchmark (Benchmarks/scripts/run); COFFER_BENCH_QUICK=1 for a short run
bench: build
	Benchmarks/scripts/run

clean:
	rm -rf .build $(STATIC_BUILD)
