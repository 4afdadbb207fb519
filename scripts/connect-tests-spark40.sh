#!/usr/bin/env bash
# The Spark Connect tests with pyspark 4.0.x as client AND server (Databricks 17.3 LTS carries
# Spark 4.0), so a call to an API newer than Spark 4.0 fails. .ci/run runs it after the main
# suite (about 1.5 minutes once .venv40 exists: a second virtualenv, a second server).
#   scripts/connect-tests-spark40.sh [PORT]     default port 15003; PYSPARK40 picks the release
# Needs pyspark==$PYSPARK40 on the package index pip uses.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${PYSPARK40:-4.0.1}
port=${1:-15003}
if [ ! -x .venv40/bin/python ]; then
  python3 -m venv .venv40
fi
if ! .venv40/bin/python -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$version')" 2>/dev/null; then
  .venv40/bin/python -m pip install -q --upgrade pip "setuptools>=77" wheel
  # pandas 3 postdates pyspark 4.0, which warns about it: keep the client on pandas 2.
  .venv40/bin/python -m pip install -q "pyspark[connect]==$version" "pandas<3" -e ".[test]"
fi
export SPARK_LOCAL_IP=127.0.0.1
trap 'PYTHON=.venv40/bin/python bash scripts/connect-server.sh stop "$port" || true' EXIT
PYTHON=.venv40/bin/python bash scripts/connect-server.sh start "$port"
DX_TEST_SPARK_REMOTE=sc://127.0.0.1:$port .venv40/bin/python -m pytest -q \
  tests/integration/test_spark_connect.py tests/integration/test_connect_adapters.py \
  tests/integration/test_databricks_connect_sim.py \
  tests/unit/test_fsspec_fs.py
