"""Entry points: the CLI, the Databricks wheel task and the wiring container."""
