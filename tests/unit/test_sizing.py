"""Cluster-aware sizing: how many tables to read at once, from the cluster's shape."""

from __future__ import annotations

import pytest

from data_extractor.adapters.databricks import (
    DEFAULT_WORKERS,
    is_shared_cluster,
    resolve_max_workers,
    suggest_workers,
)


@pytest.mark.parametrize(
    ("parallelism", "executors", "shared", "workers"),
    [
        (16, 4, False, 8),  # dedicated: half the task slots
        (16, 4, True, 4),  # shared: a quarter, leaving room for other users
        (64, 8, False, 16),  # dedicated cap
        (64, 8, True, 8),  # shared cap
        (256, 32, True, 8),
        (8, 0, False, 4),  # single node: the driver does everything, at most 4
        (2, 0, False, 1),
        (1, 1, False, 1),  # never below one
        (0, 0, True, 1),  # a nonsense reading still gives a usable answer
        (3, 1, True, 1),
    ],
)
def test_suggest_workers(parallelism, executors, shared, workers):
    assert suggest_workers(parallelism, executors, shared) == workers


def test_shared_is_never_more_than_dedicated():
    for parallelism in range(0, 300, 7):
        for executors in (0, 1, 4, 40):
            shared = suggest_workers(parallelism, executors, True)
            assert 1 <= shared <= suggest_workers(parallelism, executors, False)


@pytest.mark.parametrize(
    ("conf", "shared"),
    [
        ({}, False),
        ({"spark.databricks.clusterUsageTags.dataSecurityMode": "SINGLE_USER"}, False),
        ({"spark.databricks.clusterUsageTags.dataSecurityMode": "USER_ISOLATION"}, True),
        (
            {"spark.databricks.clusterUsageTags.dataSecurityMode": "DATA_SECURITY_MODE_STANDARD"},
            True,
        ),
        # a job cluster with no access mode set is the job's alone
        ({"spark.databricks.clusterUsageTags.dataSecurityMode": "NONE"}, False),
        ({"spark.databricks.cluster.profile": "serverless"}, True),  # legacy high concurrency
        ({"spark.databricks.cluster.profile": "singleNode"}, False),
        ({"spark.databricks.acl.dfAclsEnabled": "true"}, True),
    ],
)
def test_is_shared_cluster(conf, shared):
    assert is_shared_cluster(conf.get) is shared


class NoSession:
    """A session provider that must not be asked: an explicit setting needs no cluster."""

    def get(self):
        raise AssertionError("the session was asked for")


def test_explicit_max_workers_wins_everywhere():
    assert resolve_max_workers("7", "databricks", NoSession()) == 7
    assert resolve_max_workers(3, "local", NoSession()) == 3


def test_unset_max_workers_locally_is_the_default():
    assert resolve_max_workers("", "local", NoSession()) == DEFAULT_WORKERS
    assert resolve_max_workers(None, "local", NoSession()) == DEFAULT_WORKERS
