#!/bin/bash
# Fails when a release build of the extension contains the test hooks (security finding 6):
# the AcronisCloud\Testing class must not exist and the ACRONISCLOUD_TEST_TODAY override must
# not be compiled in. Usage: php/tools/check-no-test-hooks.sh path/to/acroniscloud.so
# (`make dist` builds without the test-hooks feature; `make build` turns it on for the suites.)
set -euo pipefail
so="${1:?usage: $0 path/to/acroniscloud.so}"
php="${PHP:-php}"
loaded=$("$php" -d "extension=$so" -r 'echo extension_loaded("acroniscloud") ? "yes" : "no";')
[ "$loaded" = yes ] || { echo "$so does not load into $php" >&2; exit 1; }
if [ "$("$php" -d "extension=$so" -r 'echo class_exists("AcronisCloud\\Testing") ? "yes" : "no";')" != no ]; then
    echo "$so contains AcronisCloud\\Testing: build it without --features test-hooks" >&2
    exit 1
fi
if grep -q -a ACRONISCLOUD_TEST_TODAY "$so"; then
    echo "$so contains the ACRONISCLOUD_TEST_TODAY override: build it without --features test-hooks" >&2
    exit 1
fi
echo "$so: no test hooks"
