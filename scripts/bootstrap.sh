#!/usr/bin/env bash
# Prepare a fresh clone: Debian packages the project needs, the virtual environment, the Python
# dependencies from uv.lock, and the compiled Spanish catalogue. Safe to run again: it only does
# what is missing.
#
#   scripts/bootstrap.sh            runtime (make demo)
#   scripts/bootstrap.sh --test     runtime plus what the tests need (make test)
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.8"
want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

# Debian packages: gettext compiles the catalogues; fonts and Pango let WeasyPrint render reports;
# chromium drives browser tests; a Java runtime runs Spark in local mode for the engine parity tests.
debs=(gettext fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0)
((want_test)) && debs+=(chromium openjdk-17-jre-headless)
missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# uv, in a small tools environment of its own, pinned.
if [[ ! -x .cache/tools/bin/uv ]] || [[ "$(.cache/tools/bin/uv --version 2>/dev/null)" != "uv ${UV_VERSION}"* ]]; then
  echo "bootstrap: installing uv ${UV_VERSION}"
  python3 -m venv .cache/tools
  .cache/tools/bin/pip install --quiet --disable-pip-version-check "uv==${UV_VERSION}"
fi

export UV_PYTHON_DOWNLOADS=never UV_CACHE_DIR="${UV_CACHE_DIR:-$PWD/.cache/uv}"
if ((want_test)); then
  .cache/tools/bin/uv sync --frozen --python python3 --quiet
else
  .cache/tools/bin/uv sync --frozen --python python3 --no-dev --quiet
fi

shopt -s nullglob
# The Spanish catalogue, compiled when the source changed.
for po in cyberplan/locale/*/LC_MESSAGES/django.po; do
  mo="${po%.po}.mo"
  if [[ ! -f "$mo" || "$po" -nt "$mo" ]]; then
    msgfmt --check -o "$mo" "$po"
  fi
done
