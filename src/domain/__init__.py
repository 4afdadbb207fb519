"""Pure extraction logic: value objects, planning, ports and the run service (no Spark, no I/O)."""
