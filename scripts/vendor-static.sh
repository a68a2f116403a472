#!/usr/bin/env bash
# Copy the front-end files the application serves from the npm packages pinned in package.json
# into cyberplan/static/vendor/, with their licences. Run it by hand after changing a version in
# package.json, then commit package.json, package-lock.json and the copied files together.
# Nothing else needs Node.js: a fresh checkout serves the committed copies.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v npm >/dev/null 2>&1; then
  echo "vendor-static: npm is needed to fetch the packages (Debian: apt-get install npm)." >&2
  exit 1
fi

# The versions package.json pins (the lock file follows it); no package install script runs.
npm install --ignore-scripts --no-audit --no-fund

copy() {  # copy <file in node_modules> <target directory>
  local source="node_modules/$1" target="$2"
  if [ ! -f "$source" ]; then
    echo "vendor-static: $source is missing from the package; has its layout changed?" >&2
    exit 1
  fi
  mkdir -p "$target"
  cp "$source" "$target/"
}

bootstrap="cyberplan/static/vendor/bootstrap"
rm -rf "$bootstrap"
copy bootstrap/dist/css/bootstrap.min.css "$bootstrap"
copy bootstrap/dist/css/bootstrap.min.css.map "$bootstrap"
copy bootstrap/dist/js/bootstrap.bundle.min.js "$bootstrap"
copy bootstrap/dist/js/bootstrap.bundle.min.js.map "$bootstrap"
copy bootstrap/LICENSE "$bootstrap"

version="$(node -p "require('./node_modules/bootstrap/package.json').version")"
echo "vendor-static: Bootstrap $version copied to $bootstrap"

# For the tests only: the crawl runs axe-core on every page (tests/browser/test_crawl.py).
axe="tests/browser/vendor/axe-core"
rm -rf "$axe"
copy axe-core/axe.min.js "$axe"
copy axe-core/LICENSE "$axe"
version="$(node -p "require('./node_modules/axe-core/package.json').version")"
echo "vendor-static: axe-core $version copied to $axe"

# Country outlines of Natural Earth at 1:110m as TopoJSON: the server reads them to draw the regional
# programme's maps (cyberplan/regional/geo.py); the browser never fetches them.
atlas="cyberplan/static/vendor/world-atlas"
rm -rf "$atlas"
copy world-atlas/countries-110m.json "$atlas"
copy world-atlas/LICENSE "$atlas"
version="$(node -p "require('./node_modules/world-atlas/package.json').version")"
echo "vendor-static: world-atlas $version copied to $atlas"
