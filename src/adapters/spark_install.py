"""Whether pyspark can be imported, and what to tell a user when it cannot.

pyspark is an extra, never a hard requirement: on Databricks the runtime brings its own
PySpark, which a pip-installed copy would shadow (and with it `pyspark.dbutils`).
"""

from __future__ import annotations

import importlib.util

from ..domain.errors import DataExtractorError

INSTALL_HINT = (
    "pyspark is not installed: pip install 'data-extractor[spark]' "
    "(or 'data-extractor[connect]' for a Spark Connect client; Databricks runtimes bring their own)"
)


class PySparkMissingError(DataExtractorError):
    """The Spark engine was needed and pyspark cannot be imported."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def require_pyspark() -> None:
    """Raise PySparkMissingError, with the one-line install hint, when pyspark is absent."""
    try:
        found = importlib.util.find_spec("pyspark") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise PySparkMissingError()
