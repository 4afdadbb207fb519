#!/usr/bin/env bash
# A local Spark Connect server from pyspark's own sbin scripts, for the Connect tests and demos.
#   scripts/connect-server.sh start PORT   start one (PostgreSQL and MariaDB jars on its class
#                                          path, bound to 127.0.0.1) and wait until it answers
#   scripts/connect-server.sh stop PORT    stop the one started on PORT
# PYTHON (default .venv/bin/python) picks the pyspark, and so the Spark version, of the server.
# Each port gets its own pid and log folder, so servers of parallel checkouts never collide.
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?usage: connect-server.sh start|stop PORT}
port=${2:?usage: connect-server.sh start|stop PORT}
PYTHON=${PYTHON:-.venv/bin/python}
SPARK_HOME=$("$PYTHON" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
export SPARK_HOME
export SPARK_LOCAL_IP=127.0.0.1
export SPARK_PID_DIR=${TMPDIR:-/tmp}/data-extractor-connect-$port
export SPARK_LOG_DIR=$SPARK_PID_DIR
export SPARK_IDENT_STRING=data-extractor-$port
mkdir -p "$SPARK_PID_DIR"

# pyspark's own start/stop scripts; pip's pyspark 4.0.x ships the server jar but not these two
# scripts, so there the daemon script they wrap is called with the server's class directly.
SERVER_CLASS=org.apache.spark.sql.connect.service.SparkConnectServer
if [ -f "$SPARK_HOME/sbin/start-connect-server.sh" ]; then
  start=(bash "$SPARK_HOME/sbin/start-connect-server.sh")
  stop=(bash "$SPARK_HOME/sbin/stop-connect-server.sh")
else
  export SPARK_CONNECT_MODE=0
  start=(bash "$SPARK_HOME/sbin/spark-daemon.sh" submit "$SERVER_CLASS" 1 --name "Spark Connect server")
  stop=(bash "$SPARK_HOME/sbin/spark-daemon.sh" stop "$SERVER_CLASS" 1)
fi

case $action in
  start)
    jars=()
    # The test suite's jar locations (tests/conftest.py reads the same variables).
    for jar in "${DATA_EXTRACTOR_TEST_PG_JAR:-/usr/share/java/postgresql.jar}" \
      "${DATA_EXTRACTOR_TEST_MARIADB_JAR:-/usr/share/java/mariadb-java-client.jar}"; do
      [ -f "$jar" ] && jars+=("$jar")
    done
    jar_list=$(IFS=,; echo "${jars[*]}")
    # The driver runs in UTC (as a session the tool starts does): zone-less source timestamps
    # keep their wall clock. Spark's own start script daemonizes and logs to SPARK_LOG_DIR.
    "${start[@]}" \
      --master "local[*]" \
      ${jar_list:+--jars "$jar_list"} \
      ${jar_list:+--driver-class-path "${jar_list//,/:}"} \
      --driver-java-options "-Duser.timezone=UTC" \
      --conf spark.connect.grpc.binding.address=127.0.0.1 \
      --conf spark.connect.grpc.binding.port="$port" \
      --conf spark.ui.enabled=false \
      --conf spark.sql.session.timeZone=UTC \
      --conf spark.scheduler.mode=FAIR >/dev/null
    for _ in $(seq 90); do
      if "$PYTHON" - "$port" <<'EOF' >/dev/null 2>&1
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.remote(f"sc://127.0.0.1:{sys.argv[1]}").getOrCreate()
spark.range(1).collect()
EOF
      then
        echo "Spark Connect server answering at sc://127.0.0.1:$port"
        exit 0
      fi
      sleep 1
    done
    echo "the Spark Connect server on port $port did not answer within 90 s; see $SPARK_LOG_DIR" >&2
    "${stop[@]}" >/dev/null 2>&1 || true
    exit 1
    ;;
  stop)
    "${stop[@]}" >/dev/null
    ;;
  *)
    echo "usage: connect-server.sh start|stop PORT" >&2
    exit 2
    ;;
esac
