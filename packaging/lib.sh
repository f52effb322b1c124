# Shared by dist.sh and dist-check.sh (sourced, not run): the names and facts of one release build.
#
# Everything that names the artifact is derived here, once, so the builder and the checker can never
# disagree: the version comes from Cargo (the workspace version the extension reports through
# phpversion()), the PHP minor and thread-safety mode from the php-config of the PHP the extension is
# built for (PHP_CONFIG, default `php-config`), exactly as ext-php-rs's build script finds them.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Highest glibc symbol version the extension may need: 2.28 is RHEL/AlmaLinux/CloudLinux 8 and
# Debian 10, the oldest hosts WHMCS providers still run (Ubuntu 20.04 has 2.31).
GLIBC_FLOOR=${GLIBC_FLOOR:-2.28}
RUST_TARGET=x86_64-unknown-linux-gnu
DIST_TARGET_DIR=${DIST_TARGET_DIR:-$ROOT/target/dist}
DIST_DIR=${DIST_DIR:-$ROOT/dist}
PHP_CONFIG=${PHP_CONFIG:-php-config}

die() { echo "dist: $*" >&2; exit 1; }

# ext-php-rs wants paths, not command names.
PHP_CONFIG=$(command -v "$PHP_CONFIG") || die "php-config not found: install the PHP development package (php8.2-dev) or set PHP_CONFIG"
# ext-php-rs's build script reads PHP (the interpreter) and PHP_CONFIG; point both at the same PHP.
PHP=$(command -v "${PHP:-$("$PHP_CONFIG" --php-binary)}") || die "the PHP binary of $PHP_CONFIG was not found"
export PHP PHP_CONFIG

PHP_MINOR=$("$PHP_CONFIG" --version | cut -d. -f1,2)
PHP_API=$("$PHP_CONFIG" --phpapi)
PHP_TS=$("$PHP" -n -r 'echo PHP_ZTS ? "zts" : "nts";')

# The workspace version, from Cargo's own view of the manifest (not a grep of Cargo.toml).
VERSION=$(cd "$ROOT" && cargo metadata --no-deps --format-version 1 --offline 2>/dev/null \
    | "$PHP" -n -r '$m = json_decode(stream_get_contents(STDIN), true);
        foreach ($m["packages"] ?? [] as $p) { if ($p["name"] === "acroniscloud") { echo $p["version"]; } }')
[ -n "$VERSION" ] || die "could not read the acroniscloud version from cargo metadata"

ARTIFACT_NAME=acroniscloud-$VERSION-php$PHP_MINOR-$PHP_TS-x86_64-linux
TARBALL=$DIST_DIR/$ARTIFACT_NAME.tar.gz
# The pre-built binary asset PIE looks for in a release (see docs/install.md, "PIE").
PIE_ASSET=$DIST_DIR/php_acroniscloud-${VERSION}_php$PHP_MINOR-x86_64-linux-glibc-$PHP_TS.tgz
BUILT_SO=$DIST_TARGET_DIR/$RUST_TARGET/release/libacroniscloud.so
