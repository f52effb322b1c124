#!/usr/bin/env bash
# `make dist-check` (part of `make test`): checks the artifact `make dist` wrote, as a provider gets it:
#  1. both archives match their .sha256 files, and every file in the tarball matches SHA256SUMS;
#  2. the tarball holds the extension, the WHMCS files, config.yaml.sample, the stubs and INSTALL,
#     PIE's asset holds the same acroniscloud.so, and composer.json points PIE at that asset;
#  3. the .so references no versioned glibc symbol above GLIBC_FLOOR (objdump -T) and needs no
#     library beyond glibc's and libgcc_s;
#  4. the local PHP loads it and a functional smoke passes (packaging/smoke.php, which also makes a
#     TLS round trip to the Acronis simulator, ACRONIS_SIM_BIN).
# Its last line: `dist-check: <artifact>, <bytes> bytes, highest GLIBC_<x.y>: ok`.
source "$(dirname "$0")/lib.sh"

fail() { echo "dist-check: FAIL: $*" >&2; exit 1; }

check_checksums() {
    [ -f "$TARBALL" ] || fail "$TARBALL is missing: run make dist"
    [ -f "$PIE_ASSET" ] || fail "$PIE_ASSET is missing: run make dist"
    (cd "$DIST_DIR" && sha256sum --quiet -c "$(basename "$TARBALL").sha256" "$(basename "$PIE_ASSET").sha256") \
        || fail "archive checksum mismatch"
    (cd "$1/$ARTIFACT_NAME" && sha256sum --quiet --strict -c SHA256SUMS) || fail "SHA256SUMS inside the tarball do not match"
    echo "ok   checksums"
}

check_contents() {
    local top=$1/$ARTIFACT_NAME f
    for f in acroniscloud.so INSTALL SHA256SUMS config.yaml.sample stubs/acroniscloud.stubs.php \
        whmcs/modules/servers/acroniscloud/acroniscloud.php whmcs/modules/addons/acroniscloud/acroniscloud.php \
        whmcs/includes/hooks/acroniscloud.php whmcs/includes/acroniscloud/bootstrap.php \
        whmcs/includes/acroniscloud/config.yaml.sample whmcs/manage.php; do
        [ -s "$top/$f" ] || fail "$f is missing from $(basename "$TARBALL")"
    done
    [ "$(tar -tzf "$TARBALL" | grep -v "^$ARTIFACT_NAME/" | wc -l)" -eq 0 ] || fail "tarball has entries outside $ARTIFACT_NAME/"
    grep -q "acroniscloud extension $VERSION\." "$top/stubs/acroniscloud.stubs.php" || fail "stubs are not from version $VERSION"
    tar -xzf "$PIE_ASSET" -C "$1/pie"
    cmp -s "$1/pie/acroniscloud.so" "$top/acroniscloud.so" || fail "PIE asset's acroniscloud.so differs from the tarball's"
    echo "ok   contents"
}

# Writes the highest GLIBC_x.y the .so references to <work>/highest-glibc; fails above the floor or
# on a library a host may lack.
check_symbols() {
    local so=$1 highest needed
    objdump -T "$so" > "$2/dynsym.txt" || fail "objdump -T failed on $so"
    highest=$(grep -o 'GLIBC_[0-9][0-9.]*' "$2/dynsym.txt" | sed 's/GLIBC_//' | sort -uV | tail -1)
    [ -n "$highest" ] || fail "no GLIBC symbol versions found (not a glibc-linked .so?)"
    if [ "$(printf '%s\n%s\n' "$highest" "$GLIBC_FLOOR" | sort -V | tail -1)" != "$GLIBC_FLOOR" ]; then
        grep -E "GLIBC_($highest)[^0-9.]" "$2/dynsym.txt" | head -5 >&2
        fail "the .so needs GLIBC_$highest, above the GLIBC_$GLIBC_FLOOR floor"
    fi
    needed=$(objdump -p "$so" | awk '/NEEDED/ {print $2}' | sort | tr '\n' ' ')
    for lib in $needed; do
        case $lib in
            libc.so.6|libm.so.6|libpthread.so.0|libdl.so.2|librt.so.1|libgcc_s.so.1|ld-linux-x86-64.so.2) ;;
            *) fail "the .so needs $lib, which a provider's host may not have" ;;
        esac
    done
    echo "$highest" > "$2/highest-glibc"
    echo "ok   glibc symbols: highest GLIBC_$highest (floor $GLIBC_FLOOR); needs: $needed"
}

# composer.json is what `pie install` reads: it must name this extension and point PIE at the
# pre-built asset dist.sh writes (PIE has no source build for a Rust extension).
check_pie_metadata() {
    "$PHP" -n -r '$c = json_decode((string) file_get_contents($argv[1]), true);
        $ok = is_array($c) && ($c["type"] ?? "") === "php-ext"
            && ($c["php-ext"]["extension-name"] ?? "") === "acroniscloud"
            && in_array("pre-packaged-binary", (array) ($c["php-ext"]["download-url-method"] ?? []), true);
        exit($ok ? 0 : 1);' "$ROOT/composer.json" || fail "composer.json is not a php-ext package for acroniscloud with pre-packaged-binary"
    echo "ok   composer.json (PIE)"
}

check_loads() {
    local so=$1 top=$2/$ARTIFACT_NAME
    export ACRONIS_SIM_BIN=${ACRONIS_SIM_BIN:-$ROOT/target/release/acronis-sim}
    [ -x "$ACRONIS_SIM_BIN" ] || fail "the smoke's TLS round trip needs the simulator at $ACRONIS_SIM_BIN (cargo build --release -p acronis-sim)"
    "$PHP" -n -d extension="$so" -r 'exit(extension_loaded("acroniscloud") ? 0 : 1);' \
        || fail "PHP $PHP_MINOR ($PHP) does not load $so"
    "$PHP" -n -d extension=pdo -d extension=pdo_sqlite -d extension="$so" "$ROOT/packaging/smoke.php" "$VERSION" "$top/config.yaml.sample" \
        || fail "functional smoke failed"
}

main() {
    local so
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/pie"
    tar -xzf "$TARBALL" -C "$work" 2>/dev/null || fail "cannot extract $TARBALL (run make dist)"
    check_checksums "$work"
    check_contents "$work"
    check_pie_metadata
    so=$work/$ARTIFACT_NAME/acroniscloud.so
    check_symbols "$so" "$work"
    check_loads "$so" "$work"
    echo "dist-check: $(basename "$TARBALL"), $(stat -c %s "$TARBALL") bytes, highest GLIBC_$(cat "$work/highest-glibc"): ok"
}

main "$@"
