# Front door of the project: `make demo`, `make test`, `make bench` (see README.md).
# Every target installs what it needs on a fresh Debian 12 machine (as root).

SHELL := /bin/bash
CARGO ?= cargo
PHP ?= php
EXT := $(CURDIR)/target/release/libacroniscloud.so
SIM := $(CURDIR)/target/release/acronis-sim
PHPX := $(PHP) -d extension=$(EXT)
export ACRONISCLOUD_EXT := $(EXT)
export ACRONIS_SIM_BIN := $(SIM)
# The suites, the demo and the benches use the extension's test hooks (AcronisCloud\Testing,
# the ACRONISCLOUD_TEST_TODAY date override). A release build (`cargo build --release`) leaves
# them out: the feature is off by default.
TEST_FEATURES := --features acroniscloud/test-hooks

DEBIAN_PACKAGES := php8.2-cli php8.2-dev php8.2-sqlite3 php8.2-mbstring php8.2-xml php8.2-curl \
	libclang-dev phpunit php-illuminate-database php-nesbot-carbon smarty3 chromium

.PHONY: all deps build stubs stubs-check lint test test-rust test-php test-browser demo admin-ui bench clean

all: build

## deps: install the Debian packages (skips apt when everything is present)
deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "Rust (cargo) is a prerequisite: https://rustup.rs"; exit 1; }

## build: the extension (target/release/libacroniscloud.so, with the test hooks) and the simulator
build: deps
	$(CARGO) build --release --workspace --locked $(TEST_FEATURES)

## stubs: regenerate php/stubs/acroniscloud.stubs.php from the built extension
stubs: build
	$(PHPX) php/tools/gen-stubs.php php/stubs/acroniscloud.stubs.php

## stubs-check: fail when the committed stubs differ from the built extension
stubs-check: build
	@$(PHPX) php/tools/gen-stubs.php /tmp/acroniscloud.stubs.php
	@diff -u php/stubs/acroniscloud.stubs.php /tmp/acroniscloud.stubs.php \
		|| { echo "php/stubs/acroniscloud.stubs.php is out of date: run 'make stubs'"; exit 1; }

lint: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) clippy -p acroniscloud --all-targets --locked $(TEST_FEATURES) -- -D warnings

test-rust: deps
	$(CARGO) test --locked -p acroniscloud-core -p acronis-sim

test-php: build
	$(PHP) -m | grep -qx pcntl
	$(PHPX) /usr/bin/phpunit -c phpunit.xml.dist

## test-browser: real-browser tests of the WHMCS emulation's browser mode (Debian chromium + playwright-core;
## Node.js >= 20 is a prerequisite; screenshots in tests/artifacts/screenshots/)
test-browser: build
	@node -e 'process.exit(+process.versions.node.split(".")[0] < 20 ? 1 : 0)' 2>/dev/null \
		|| { echo "Node.js >= 20 with npm is a prerequisite for test-browser"; exit 1; }
	cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	node --test tests/browser/

## test: every check CI runs
test: lint build stubs-check test-rust test-php test-browser

## demo: the server lifecycle against the simulator, through the WHMCS module files
demo: build
	@$(PHPX) php/demo/demo.php

## admin-ui: the demo, then keeps the emulated WHMCS admin area served for a browser (Ctrl+C stops)
admin-ui: build
	@$(PHPX) php/demo/demo.php --serve

## bench: speed figures (ratios against a baseline measured in the same run)
bench: build
	@$(PHPX) php/bench/bench.php
	@$(PHPX) php/bench/provisioning.php
	@$(PHPX) php/bench/usage.php

clean:
	$(CARGO) clean
