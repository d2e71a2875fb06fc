#!/usr/bin/env bash
# Re-vendor Salesflow's front-end assets from the npm registry.
#
# The app must run with no internet access, so the few browser libraries it
# uses are copied into salesflow/static/vendor/ and committed. Run this script
# (needs node/npm and network access to the npm registry) to refresh them; bump
# the pinned versions below and update salesflow/static/vendor/README.md too.
#
# Usage: scripts/vendor_assets.sh
set -euo pipefail

BOOTSTRAP_VERSION="5.3.9"
BOOTSTRAP_ICONS_VERSION="1.13.2"
HTMX_VERSION="2.0.11"
ECHARTS_VERSION="5.6.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/salesflow/static/vendor"

command -v npm >/dev/null 2>&1 || { echo "npm is required (apt-get install npm)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Download a package tarball with `npm pack` and unpack it into $WORK/<name>/.
fetch() {
    local spec="$1" name="$2"
    (cd "$WORK" && npm pack --silent "$spec" >"$WORK/$name.tgzname")
    mkdir -p "$WORK/$name"
    tar -xzf "$WORK/$(cat "$WORK/$name.tgzname")" -C "$WORK/$name" --strip-components=1
}

# Remove sourceMappingURL comments (JS `//# ...` and CSS `/*# ... */`) so that
# Django's ManifestStaticFilesStorage (WhiteNoise) does not look for .map files.
strip_sourcemaps() {
    local f="$1"
    sed -i -E \
        -e 's#/\*[#@] sourceMappingURL=[^*]*\*/##g' \
        -e 's#//[#@] sourceMappingURL=.*$##' \
        "$f"
    if grep -q 'sourceMappingURL' "$f"; then
        echo "sourceMappingURL still present in $f" >&2
        exit 1
    fi
}

fetch "bootstrap@$BOOTSTRAP_VERSION" bootstrap
fetch "bootstrap-icons@$BOOTSTRAP_ICONS_VERSION" bootstrap-icons
fetch "htmx.org@$HTMX_VERSION" htmx
fetch "echarts@$ECHARTS_VERSION" echarts

rm -rf "$VENDOR/bootstrap" "$VENDOR/bootstrap-icons" "$VENDOR/htmx" "$VENDOR/echarts"
mkdir -p "$VENDOR/bootstrap" "$VENDOR/bootstrap-icons/fonts" "$VENDOR/htmx" "$VENDOR/echarts"

cp "$WORK/bootstrap/dist/css/bootstrap.min.css" "$VENDOR/bootstrap/"
cp "$WORK/bootstrap/dist/js/bootstrap.bundle.min.js" "$VENDOR/bootstrap/"
cp "$WORK/bootstrap/LICENSE" "$VENDOR/bootstrap/LICENSE"

# bootstrap-icons.min.css refers to fonts/bootstrap-icons.woff2 and .woff.
cp "$WORK/bootstrap-icons/font/bootstrap-icons.min.css" "$VENDOR/bootstrap-icons/"
cp "$WORK"/bootstrap-icons/font/fonts/*.woff2 "$WORK"/bootstrap-icons/font/fonts/*.woff "$VENDOR/bootstrap-icons/fonts/"
cp "$WORK/bootstrap-icons/LICENSE" "$VENDOR/bootstrap-icons/LICENSE"

cp "$WORK/htmx/dist/htmx.min.js" "$VENDOR/htmx/"
cp "$WORK/htmx/LICENSE" "$VENDOR/htmx/LICENSE"

cp "$WORK/echarts/dist/echarts.min.js" "$VENDOR/echarts/"
cp "$WORK/echarts/LICENSE" "$VENDOR/echarts/LICENSE"
[ -f "$WORK/echarts/NOTICE" ] && cp "$WORK/echarts/NOTICE" "$VENDOR/echarts/NOTICE"

for f in "$VENDOR"/bootstrap/*.min.* "$VENDOR"/bootstrap-icons/*.min.css "$VENDOR"/htmx/*.min.js "$VENDOR"/echarts/*.min.js; do
    strip_sourcemaps "$f"
done

echo "Vendored into $VENDOR:"
echo "  bootstrap $BOOTSTRAP_VERSION, bootstrap-icons $BOOTSTRAP_ICONS_VERSION, htmx.org $HTMX_VERSION, echarts $ECHARTS_VERSION"
(cd "$VENDOR" && find . -type f ! -name README.md | sort | xargs ls -l)
