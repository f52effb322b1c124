#!/usr/bin/env bash
# `make dist`: builds the release extension against glibc 2.28 with zig and writes
#   dist/acroniscloud-<version>-php<minor>-<nts|zts>-x86_64-linux.tar.gz   (+ .sha256)
#   dist/php_acroniscloud-<version>_php<minor>-x86_64-linux-glibc-<nts|zts>.tgz   (PIE's asset, + .sha256)
# The build uses the crate's default features (no test hooks) and its own target directory
# (target/dist), so it never invalidates the normal target/release build the tests use.
source "$(dirname "$0")/lib.sh"
source "$ROOT/packaging/zig-toolchain.sh"

# Cargo runs from the (empty) target directory, not the repository root: zig reports its library
# directory relative to the working directory when it lies below it, and cargo-zigbuild hands that
# relative path to bindgen, which runs elsewhere and then finds no libc headers.
build_extension() {
    echo "dist: building acroniscloud $VERSION for PHP $PHP_MINOR $PHP_TS, glibc >= $GLIBC_FLOOR"
    mkdir -p "$DIST_TARGET_DIR"
    case $ZIG_VENV/ in "$DIST_TARGET_DIR"/*) die "ZIG_VENV must not lie inside $DIST_TARGET_DIR" ;; esac
    (cd "$DIST_TARGET_DIR" && cargo zigbuild --release --locked --manifest-path "$ROOT/Cargo.toml" -p acroniscloud \
        --target "$RUST_TARGET.$GLIBC_FLOOR" --target-dir "$DIST_TARGET_DIR")
    [ -f "$BUILT_SO" ] || die "the build produced no $BUILT_SO"
}

# The WHMCS files as committed (git ls-files), so a local config.yaml or editor debris never ships.
copy_whmcs_files() {
    local dest=$1
    git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 || die "make dist needs a git checkout: it ships the committed WHMCS files"
    (cd "$ROOT" && git ls-files -z -- modules includes manage.php) \
        | (cd "$ROOT" && xargs -0 cp --parents -t "$dest")
    [ -f "$dest/modules/servers/acroniscloud/acroniscloud.php" ] || die "WHMCS files missing from the stage"
}

stage_release() {
    local stage=$1
    mkdir -p "$stage/whmcs" "$stage/stubs"
    # The release profile carries no debug info today; stripping it anyway keeps a profile change
    # from bloating the download. The dynamic symbols PHP needs (get_module) stay.
    strip --strip-debug -o "$stage/acroniscloud.so" "$BUILT_SO"
    copy_whmcs_files "$stage/whmcs"
    cp "$ROOT/includes/acroniscloud/config.yaml.sample" "$stage/config.yaml.sample"
    # Stubs from the very binary that ships, so they list exactly its classes.
    "$PHP" -n -d extension="$stage/acroniscloud.so" "$ROOT/php/tools/gen-stubs.php" "$stage/stubs/acroniscloud.stubs.php" >/dev/null
    sed -e "s/@VERSION@/$VERSION/g" -e "s/@PHP_MINOR@/$PHP_MINOR/g" -e "s/@PHP_MINOR_NODOT@/${PHP_MINOR/./}/g" \
        -e "s/@PHP_API@/$PHP_API/g" -e "s/@GLIBC_FLOOR@/$GLIBC_FLOOR/g" \
        -e "s/@TS_LONG@/$([ "$PHP_TS" = zts ] && echo 'thread-safe (ZTS)' || echo 'non-thread-safe (NTS)')/g" \
        "$ROOT/packaging/INSTALL.in" > "$stage/INSTALL"
    (cd "$stage" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
}

# Reproducible archives: sorted names, fixed owner, file times of the last commit, no gzip timestamp.
pack() {
    local dir=$1 out=$2; shift 2
    local epoch
    epoch=$(cd "$ROOT" && git log -1 --format=%ct 2>/dev/null || date +%s)
    tar -C "$dir" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$@" | gzip -9n > "$out"
    (cd "$(dirname "$out")" && sha256sum "$(basename "$out")" > "$(basename "$out").sha256")
}

main() {
    build_extension
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    stage_release "$work/$ARTIFACT_NAME"
    mkdir -p "$DIST_DIR"
    rm -f "$TARBALL" "$TARBALL.sha256" "$PIE_ASSET" "$PIE_ASSET.sha256"
    pack "$work" "$TARBALL" "$ARTIFACT_NAME"
    # PIE extracts the asset and installs the acroniscloud.so it finds at the top.
    pack "$work/$ARTIFACT_NAME" "$PIE_ASSET" acroniscloud.so
    echo "dist: wrote $TARBALL ($(stat -c %s "$TARBALL") bytes)"
    echo "dist: wrote $PIE_ASSET ($(stat -c %s "$PIE_ASSET") bytes)"
}

main "$@"
