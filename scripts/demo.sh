#!/usr/bin/env bash
# The demo: an embedded Derby database extracted to Parquet twice (full, then incremental).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}
exec .venv/bin/data-extractor demo "$@"
