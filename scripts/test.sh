#!/usr/bin/env bash
# The whole test suite: lint, unit tests, then integration tests on real Spark and databases.
# PostgreSQL (127.0.0.1:5432) and MariaDB (127.0.0.1:3306) tests skip when those servers are
# absent, except under CI=true, where a missing server fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
.venv/bin/lint-imports --no-cache
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
