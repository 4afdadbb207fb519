#!/usr/bin/env bash
# Creates .venv with the tool and its test dependencies, once. Needs Python 3.11+ and Java 17+.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! command -v java >/dev/null 2>&1; then
  echo "Java 17+ is required (Spark runs on the JVM): install a JDK/JRE 17 or newer." >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "Python 3.11+ is required (found $("$PYTHON" --version 2>&1))." >&2; exit 2; }
  "$PYTHON" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  .venv/bin/python -m pip install -q --upgrade pip "setuptools>=77" wheel
  .venv/bin/python -m pip install -q -e ".[spark,test]"
  touch .venv/.installed
fi
