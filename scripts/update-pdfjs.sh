#!/usr/bin/env bash
# Refresh the vendored pdf.js (npm package pdfjs-dist) to the pinned version.
# Usage: scripts/update-pdfjs.sh [VERSION]   (default: the pin below)
# Only what the reading-copy viewer needs is copied: the library, its worker, the
# viewer component and its CSS/images, the image-decoder wasm, and the licences.
set -euo pipefail
VERSION="${1:-6.5.438}"
cd "$(dirname "$0")/.."
DEST=portal/static/vendor/pdfjs
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "pdfjs-dist@${VERSION}" >/dev/null && tar xzf "pdfjs-dist-${VERSION}.tgz")
SRC="$WORK/package"
rm -rf "$DEST"
mkdir -p "$DEST/build" "$DEST/web" "$DEST/wasm"
cp "$SRC/LICENSE" "$DEST/LICENSE"
cp "$SRC/build/pdf.min.mjs" "$SRC/build/pdf.worker.min.mjs" "$DEST/build/"
cp "$SRC/web/pdf_viewer.mjs" "$DEST/web/"
# The viewer shows image pages only (no text layer, annotations or editor): of pdf_viewer.css it needs
# the page rules at its end, from its last ":root {" block on (about 6 KB of 170 KB; a first-time
# reader on mobile data fetches 2 KB instead of 25 KB compressed). The licence header is kept.
{ sed -n '1,/^ \*\/$/p' "$SRC/web/pdf_viewer.css"
  awk '/^:root \{$/ { start = NR } { line[NR] = $0 } END { for (i = start; i <= NR; i++) print line[i] }' \
    "$SRC/web/pdf_viewer.css"; } > "$DEST/web/pdf_viewer.pages.css"
grep -q '^\.pdfViewer \.page {' "$DEST/web/pdf_viewer.pages.css" || { echo "pdf_viewer.css: page rules not found" >&2; exit 1; }
cp -r "$SRC/web/images" "$DEST/web/images"
for f in openjpeg.wasm qcms_bg.wasm jbig2.wasm LICENSE_OPENJPEG LICENSE_PDFJS_OPENJPEG LICENSE_QCMS \
         LICENSE_PDFJS_QCMS LICENSE_JBIG2 LICENSE_PDFJS_JBIG2; do
  cp "$SRC/wasm/$f" "$DEST/wasm/"
done
echo "$VERSION" > "$DEST/VERSION"
echo "pdfjs-dist $VERSION vendored into $DEST"
