"""A borrowed session is never reconfigured: the tool warns when it would write INT96."""

from __future__ import annotations

import logging

import pytest

from data_extractor.adapters.spark_session import (
    TIMESTAMP_TYPE_KEY,
    LocalSparkSessionProvider,
    SparkSettings,
)

pytestmark = pytest.mark.integration


def test_a_borrowed_int96_session_is_left_alone_and_named_in_a_warning(spark, caplog):
    assert spark.conf.get(TIMESTAMP_TYPE_KEY) == "TIMESTAMP_MICROS"  # the tool's own build
    spark.conf.set(TIMESTAMP_TYPE_KEY, "INT96")  # as a notebook's or cluster's session has it
    try:
        with caplog.at_level(logging.WARNING):
            borrowed = LocalSparkSessionProvider(SparkSettings()).get()
        assert borrowed is spark
        assert spark.conf.get(TIMESTAMP_TYPE_KEY) == "INT96"
        assert any(
            "INT96" in r.getMessage() and TIMESTAMP_TYPE_KEY in r.getMessage()
            for r in caplog.records
        )
        caplog.clear()
        spark.conf.set(TIMESTAMP_TYPE_KEY, "TIMESTAMP_MICROS")
        with caplog.at_level(logging.WARNING):
            LocalSparkSessionProvider(SparkSettings()).get()
        assert not any(TIMESTAMP_TYPE_KEY in r.getMessage() for r in caplog.records)
    finally:
        spark.conf.set(TIMESTAMP_TYPE_KEY, "TIMESTAMP_MICROS")
