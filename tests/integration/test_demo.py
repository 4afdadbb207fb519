"""`data-extractor demo`: the real command, real Derby and real Spark, through the bootstrap."""

from __future__ import annotations

import pytest

from tests.helpers import committed_outputs, read_rows, run_cli

pytestmark = pytest.mark.integration


def test_demo_extracts_in_full_then_only_the_new_orders(spark, tmp_path):
    output = tmp_path / "demo"

    result = run_cli("demo", "--output", str(output))

    assert result.exit_code == 0, result.output
    assert "run 1: no committed state yet" in result.output
    assert "run 2: 1500 new orders arrived" in result.output
    lake = output / "lake"
    orders = committed_outputs(lake, "demo", "ORDERS")
    assert len(orders) == 2
    assert len(read_rows(orders[1:])) == 1500, "the second run read only the new window"
    assert (output / "demo-config.ini").exists() and (output / "demo-tables.json").exists()
    assert spark.range(1).count() == 1, "the borrowed test session keeps running"
