#!/usr/bin/env bash
# vendor-hlsjs.sh fetches the pinned hls.js release from the npm registry,
# checks it against the pinned integrity hash (npm's dist.integrity, as a
# package-lock.json records it), and copies its light build and LICENSE
# into examples/web/vendor/, the player the example page loads where the
# browser cannot play HLS through MediaSource itself.
#
#   scripts/vendor-hlsjs.sh          # fetch, check, copy
#   scripts/vendor-hlsjs.sh --check  # fetch, check, and compare with what is committed
#
# Needs npm (the registry's ordinary client), tar and sha256sum. To move to
# another release, change VERSION and INTEGRITY (from
# `npm view hls.js@NEW dist.integrity`), run it, and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=1.7.4
INTEGRITY=sha512-3GlxGdPvT2YHvQYOt+yOzT/DEior/qJVNIylHA77kgeoBTdQQqi70GwefNEUmHQeNGyjC8U62+bruqW/Tpm+tg==
DEST=examples/web/vendor

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

registry=$(npm view "hls.js@$VERSION" dist.integrity)
if [ "$registry" != "$INTEGRITY" ]; then
  echo "vendor-hlsjs: the registry says hls.js@$VERSION has integrity $registry, not the pinned $INTEGRITY" >&2
  exit 1
fi
(cd "$tmp" && npm pack --silent "hls.js@$VERSION" >/dev/null)
tgz="$tmp/hls.js-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
  echo "vendor-hlsjs: the tarball's integrity is $got, not the pinned $INTEGRITY" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$tmp" package/dist/hls.light.min.js package/LICENSE

out="$tmp/out"
mkdir -p "$out"
cp "$tmp/package/dist/hls.light.min.js" "$out/hls.light.min.js"
cp "$tmp/package/LICENSE" "$out/hls.js-LICENSE"
(cd "$out" && sha256sum hls.light.min.js hls.js-LICENSE >SHA256SUMS && echo "hls.js@$VERSION $INTEGRITY" >VERSION)

if [ "${1:-}" = "--check" ]; then
  diff -r "$out" "$DEST" && echo "vendor-hlsjs: $DEST is hls.js@$VERSION, as the registry serves it"
  exit
fi
mkdir -p "$DEST"
cp "$out"/* "$DEST"/
echo "vendor-hlsjs: copied hls.js@$VERSION (light build, $(wc -c <"$DEST/hls.light.min.js") bytes) and its LICENSE into $DEST"
