# Databricks notebook source
# MAGIC %md
# MAGIC # Extract tables with data-extractor
# MAGIC
# MAGIC Copies the tables listed in a tables file (or the list below) to Parquet, full or
# MAGIC incremental, using this cluster's Spark session. Credentials are read from a secret
# MAGIC scope and never printed. Widgets (or a job's parameters of the same names) override
# MAGIC the config: `output_base_path`, `max_workers`, `output_format`, `run_id`.
# MAGIC
# MAGIC The wheel must be installed on the cluster: the bundle's job does it, or run once
# MAGIC `%pip install /Volumes/<catalog>/<schema>/<volume>/data_extractor-<version>-py3-none-any.whl`.

# COMMAND ----------

dbutils.widgets.text("config", "", "Config INI (optional)")
dbutils.widgets.text("tables", "", "Tables file, JSON (optional)")
dbutils.widgets.text("output_base_path", "/Volumes/main/raw/landing", "Output")
dbutils.widgets.text("max_workers", "", "Tables at once (empty: from the cluster)")
dbutils.widgets.text("run_id", "", "Run id (empty: a timestamp)")

# COMMAND ----------

import json
from pathlib import Path

from data_extractor.databricks import DatabricksDataExtractor

config = dbutils.widgets.get("config") or None
extractor = DatabricksDataExtractor(
    # Without a config file these say where the source is; with one, they override it.
    oracle_service=None if config else "ORCLPDB1",
    oracle_host=None if config else "oracle.example.internal",
    # secret://scope/key is read with dbutils.secrets.get and redacted from every log line.
    oracle_user="secret://jdbc/oracle-username",
    oracle_password="secret://jdbc/oracle-password",
    config_path=config,
)  # output_base_path and max_workers come from the widgets of the same names

# COMMAND ----------

tables_file = dbutils.widgets.get("tables")
if tables_file:
    table_configs = json.loads(Path(tables_file).read_text())["tables"]
else:
    table_configs = [
        {"source_name": "oracle", "table_name": "CUSTOMERS", "schema_name": "SALES",
         "is_full_extract": True},
        {"source_name": "oracle", "table_name": "ORDERS", "schema_name": "SALES",
         "incremental_column": "UPDATED_AT", "primary_key": "ORDER_ID"},
    ]

results = extractor.extract_tables_parallel(
    table_configs, run_id=dbutils.widgets.get("run_id") or None
)
print(f"{sum(results.values())}/{len(results)} tables succeeded")
for result in extractor.last_report.results:
    print(result.table, result.status.value, result.output_path or "", result.error or "")

# COMMAND ----------

failed = sorted(name for name, ok in results.items() if not ok)
if failed:
    # Fails the job's task, so a schedule shows the run as failed.
    raise RuntimeError(f"tables failed: {', '.join(failed)}; see the run report above")
