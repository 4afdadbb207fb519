"""data-extractor: copy relational tables into a data lake with Apache Spark."""

__version__ = "0.1.0"
