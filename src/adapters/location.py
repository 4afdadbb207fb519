"""Output locations: the path Spark should be given for what the user wrote."""

from __future__ import annotations

import os
import re

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def to_spark_path(path: str) -> str:
    """URIs stay as written; /dbfs/... becomes dbfs:/...; local paths become absolute."""
    if path.startswith("/dbfs/"):
        return "dbfs:/" + path[len("/dbfs/") :]
    if SCHEME.match(path):
        return path.rstrip("/") if len(path) > 1 else path
    return os.path.abspath(os.path.expanduser(path))
