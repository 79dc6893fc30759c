#!/usr/bin/env bash
# Installs schemathesis (PyPI) into a venv for test/e2e/schemathesis.test.ts, once per
# requirements.txt (reinstalled when it changes). Prints the binary's path on stdout.
# Usage: test/e2e/schemathesis/install.sh      (venv: ${SCHEMATHESIS_HOME:-~/.cache/almanac-schemathesis}/venv)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${SCHEMATHESIS_HOME:-$HOME/.cache/almanac-schemathesis}/venv"
REQUIREMENTS="$HERE/requirements.txt"
stamp=$(sha256sum "$REQUIREMENTS" | cut -c1-16)
if [ ! -f "$VENV/.req-$stamp" ]; then
  echo "installing schemathesis into $VENV (first run only)..." >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV" || { echo "python3 -m venv failed (apt-get install -y python3-venv)" >&2; exit 1; }
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS" >&2 || { echo "pip install schemathesis failed" >&2; exit 1; }
  touch "$VENV/.req-$stamp"
fi
echo "$VENV/bin/schemathesis"
