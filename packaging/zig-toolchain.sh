# Sourced by dist.sh: puts zig and cargo-zigbuild on PATH, installing them when missing.
#
# Why zig: the extension must load on glibc 2.28 hosts, but this machine (Debian 12) has glibc 2.36
# and a normal link picks the newest symbol versions (GLIBC_2.34 and up). `cargo zigbuild --target
# x86_64-unknown-linux-gnu.2.28` links against zig's glibc 2.28 stubs instead, with zig cc as the C
# compiler for the bundled SQLite and ring, so no old sysroot or container is needed. Both tools come
# from PyPI as wheels (ziglang ships the zig binary, cargo-zigbuild a prebuilt binary), pinned, in a
# private venv under target/ so nothing touches the system Python (PEP 668 forbids that on Debian 12).
#
# cargo-zigbuild also points bindgen (which reads the PHP headers for ext-php-rs) at zig's headers,
# and those are clang 19's: Debian 12's libclang 14 cannot parse them (_Float16 in emmintrin.h) and
# crashes. So bindgen gets a matching libclang from the `libclang` wheel (LIBCLANG_PATH).

ZIG_VERSION=0.14.1
CARGO_ZIGBUILD_VERSION=0.24.1
LIBCLANG_VERSION=18.1.1
ZIG_VENV=${ZIG_VENV:-$ROOT/target/dist-tools/venv}

zig_toolchain_ready() {
    [ -x "$ZIG_VENV/bin/cargo-zigbuild" ] \
        && [ "$("$ZIG_VENV/bin/cargo-zigbuild" --version 2>/dev/null)" = "cargo-zigbuild $CARGO_ZIGBUILD_VERSION" ] \
        && [ "$("$ZIG_VENV/bin/python3" -m ziglang version 2>/dev/null)" = "$ZIG_VERSION" ] \
        && [ "$("$ZIG_VENV/bin/pip" show libclang 2>/dev/null | sed -n 's/^Version: //p')" = "$LIBCLANG_VERSION" ]
}

if ! zig_toolchain_ready; then
    echo "dist: installing ziglang $ZIG_VERSION, cargo-zigbuild $CARGO_ZIGBUILD_VERSION and libclang $LIBCLANG_VERSION into $ZIG_VENV"
    python3 -m venv "$ZIG_VENV" || die "python3 -m venv failed: install Debian's python3-venv"
    "$ZIG_VENV/bin/pip" install --quiet --disable-pip-version-check \
        "ziglang==$ZIG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION" "libclang==$LIBCLANG_VERSION" \
        || die "could not install ziglang/cargo-zigbuild/libclang from PyPI"
    zig_toolchain_ready || die "zig toolchain still not usable after install"
fi
# cargo-zigbuild finds zig as `python3 -m ziglang`, so the venv's python3 must come first.
export PATH=$ZIG_VENV/bin:$PATH
LIBCLANG_PATH=$(ls -d "$ZIG_VENV"/lib/python3*/site-packages/clang/native 2>/dev/null | head -1)
[ -f "$LIBCLANG_PATH/libclang.so" ] || die "libclang.so not found in the libclang wheel under $ZIG_VENV"
export LIBCLANG_PATH
