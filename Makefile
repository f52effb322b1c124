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

DEBIAN_PACKAGES := php8.2-cli php8.2-dev php8.2-sqlite3 php8.2-mysql php8.2-mbstring php8.2-xml php8.2-curl \
	libclang-dev phpunit php-illuminate-database php-nesbot-carbon smarty3 chromium
# What `make dist` needs on a build host (zig, cargo-zigbuild and libclang come from PyPI, see packaging/).
DIST_DEBIAN_PACKAGES := php8.2-cli php8.2-dev binutils python3-venv git

.PHONY: all deps dist-deps node build stubs stubs-check lint test test-rust test-php test-php-mariadb test-browser \
	dist dist-check demo admin-ui bench clean mariadb-start mariadb-stop soak soak-smoke

# The private MariaDB server of the emulation and the suites (php/dev/mariadb.sh; target/mariadb, 127.0.0.1:33306).
MARIADB := $(CURDIR)/php/dev/mariadb.sh
# The PHPUnit suites that use the WHMCS database run a second time with WHMCS_DB_DSN pointing at MariaDB (a fresh
# database per test root); `extension` does not use it; `mariadb` runs only there (users, two nodes, backups).
MARIADB_SUITES ?= mariadb,host,admin,provisioning,usage,migration,client,server,logging

all: build

# apt_install: installs those of the given Debian packages that are missing (no apt run when all are there)
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@command -v $(CARGO) >/dev/null || { echo "Rust (cargo) is a prerequisite: https://rustup.rs"; exit 1; }
endef

## deps: install the Debian packages (skips apt when everything is present)
deps:
	$(call apt_install,$(DEBIAN_PACKAGES))

dist-deps:
	$(call apt_install,$(DIST_DEBIAN_PACKAGES))

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

## check-layers: the core's dependency direction alone (features -> rules -> platform -> infra; also run by test-rust)
check-layers:
	$(CARGO) test --locked -p acroniscloud-core --test layers

## test-php: every PHPUnit suite on SQLite (the WHMCS_DB_* variables are ignored here)
test-php: build
	$(PHP) -m | grep -qx pcntl
	env -u WHMCS_DB_DSN -u WHMCS_DB_ADMIN_DSN $(PHPX) /usr/bin/phpunit -c phpunit.xml.dist --exclude-group mysql

## mariadb-start / mariadb-stop: the private MariaDB server (installs mariadb-server, mariadb-client, php8.2-mysql)
mariadb-start:
	@$(MARIADB) start
	@$(MARIADB) status

mariadb-stop:
	@$(MARIADB) stop

## test-php-mariadb: the WHMCS-database suites (MARIADB_SUITES) on the private MariaDB server (stopped afterwards
## when this target started it), or on the server of WHMCS_DB_DSN + WHMCS_DB_ADMIN_DSN when both are set
test-php-mariadb: build
	@if [ -n "$$WHMCS_DB_DSN" ] && [ -n "$$WHMCS_DB_ADMIN_DSN" ]; then \
		$(PHPX) /usr/bin/phpunit -c phpunit.xml.dist --testsuite $(MARIADB_SUITES); \
	else \
		was_running=0; $(MARIADB) status >/dev/null 2>&1 && was_running=1; \
		[ $$was_running = 1 ] || trap '$(MARIADB) stop' EXIT; \
		$(MARIADB) start && set -a && eval "$$($(MARIADB) env)" && set +a && \
		$(PHPX) /usr/bin/phpunit -c phpunit.xml.dist --testsuite $(MARIADB_SUITES); \
	fi

## node: Node.js >= 18 with npm for the browser tests; installs Debian 12's nodejs and npm (18.x) when
## the machine has no node (a newer Node.js already installed is used as it is)
node:
	@if ! command -v node >/dev/null; then \
		echo "Installing Debian's nodejs and npm"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; \
	fi
	@command -v npm >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends npm >/dev/null; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] < 18 ? 1 : 0)' \
		|| { echo "Node.js >= 18 is needed for test-browser (found $$(node --version))"; exit 1; }

## test-browser: real-browser tests of the WHMCS emulation's browser mode (Debian chromium + playwright-core,
## on Node.js 18 or newer; screenshots in tests/artifacts/screenshots/). The test files are named one by one:
## from Node.js 21 on, `node --test DIR` reads DIR as a glob and finds no test.
test-browser: build node
	cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	node --test tests/browser/*.test.mjs

## dist: the release providers install, built against glibc 2.28 with zig (see docs/install.md):
## dist/acroniscloud-<version>-php<minor>-<nts|zts>-x86_64-linux.tar.gz and PIE's asset, each with a .sha256.
## PHP_CONFIG=/path/to/php-config selects another PHP (minor, ZTS).
dist: dist-deps
	packaging/dist.sh

## dist-check: the artifact's checksums and contents, its glibc symbol versions (<= 2.28), and that the
## local PHP loads it and passes a functional smoke (with a TLS round trip to the simulator)
## (`build` provides the simulator: building it alone would unify features differently and recompile.)
dist-check: dist build
	packaging/dist-check.sh

## test: every check CI runs; MariaDB is started before the PHP suites and stopped afterwards, also on failure
test: lint build stubs-check test-rust
	@trap '$(MARIADB) stop' EXIT; $(MARIADB) start && \
		$(MAKE) --no-print-directory test-php test-php-mariadb test-browser dist-check

## demo: the server lifecycle against the simulator, through the WHMCS module files (SQLite; or the WHMCS tables
## in the MySQL/MariaDB database of WHMCS_DB_DSN=mysql://USER:PASS@HOST:PORT/DBNAME)
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
	@was_running=0; $(MARIADB) status >/dev/null 2>&1 && was_running=1; \
	[ $$was_running = 1 ] || trap '$(MARIADB) stop' EXIT; \
	$(MARIADB) start && $(PHPX) php/bench/storage.php

## soak: an operational check, not part of `make test` (docs/soak.md): nginx + php-fpm + MariaDB + the simulator
## on loopback, >= 10,000 requests for about 3 minutes with faults and a php-fpm reload midway; the last line
## sums it up and the exit status says whether the goals were met. SOAK_SECONDS / SOAK_REQUESTS / SOAK_CLIENTS /
## SOAK_WORKERS change it; MARIADB_PORT (33311) and SOAK_DIR (target/soak) keep it apart from the test server.
soak: build
	@php/soak/run.sh

## soak-smoke: the same, short (30 s, 1,000 requests)
soak-smoke: build
	@SOAK_SECONDS=$${SOAK_SECONDS:-30} SOAK_REQUESTS=$${SOAK_REQUESTS:-1000} php/soak/run.sh

clean:
	$(CARGO) clean
	rm -rf dist
