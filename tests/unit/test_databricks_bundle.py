"""deploy/databricks: the bundle has the fields Databricks documents, and its files validate."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from data_extractor.entrypoints.cli import run
from data_extractor.entrypoints.config import load_config
from data_extractor.entrypoints.databricks_task import task_arguments
from data_extractor.entrypoints.tables_file import load_tables
from tests.conftest import ROOT

BUNDLE = ROOT / "deploy" / "databricks"


@pytest.fixture(scope="module")
def bundle() -> dict:
    return yaml.safe_load((BUNDLE / "databricks.yml").read_text())


def _tasks(bundle: dict):
    for name, job in bundle["resources"]["jobs"].items():
        for task in job["tasks"]:
            yield name, job, task


def test_bundle_builds_the_wheel(bundle):
    assert bundle["bundle"]["name"] == "data-extractor"
    (artifact,) = bundle["artifacts"].values()
    assert artifact["type"] == "whl"
    assert "wheel" in artifact["build"]
    # the artifact path is the project root, relative to databricks.yml
    assert (BUNDLE / artifact["path"] / "pyproject.toml").resolve() == ROOT / "pyproject.toml"


def test_wheel_task_names_the_real_package_and_entry_point(bundle):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheel_tasks = [t["python_wheel_task"] for _, _, t in _tasks(bundle) if "python_wheel_task" in t]
    assert wheel_tasks
    for task in wheel_tasks:
        # Databricks looks the package up by name; pip normalises - and _ alike.
        assert re.sub(r"[-_.]+", "-", task["package_name"]) == project["project"]["name"]
        assert task["entry_point"] in project["project"]["scripts"]
        assert project["project"]["scripts"][task["entry_point"]].endswith("databricks_task:main")


def test_named_parameters_are_options_the_task_understands(bundle):
    for _, job, task in _tasks(bundle):
        if "python_wheel_task" not in task:
            continue
        params = task["python_wheel_task"]["named_parameters"]
        assert {"config", "tables"} <= set(params)
        argv = [f"--{name}=x-{name}" for name in params]  # placeholders resolved to anything
        args = task_arguments(argv)
        context = run.make_context("data-extractor-task", args)  # click rejects unknown options
        assert context.params["config"] == Path("x-config")
        job_params = {p["name"] for p in job["parameters"]}
        for value in params.values():
            for ref in re.findall(r"\{\{job\.parameters\.(\w+)\}\}", str(value)):
                assert ref in job_params


def test_every_task_installs_the_wheel(bundle):
    for name, job, task in _tasks(bundle):
        if "environment_key" in task:  # serverless: the environment installs it
            (environment,) = [
                e for e in job["environments"] if e["environment_key"] == task["environment_key"]
            ]
            assert environment["spec"]["dependencies"] == ["../../dist/*.whl"], name
            continue
        wheels = [lib["whl"] for lib in task["libraries"] if "whl" in lib]
        assert wheels == ["../../dist/*.whl"], name
    notebook = next(t for _, _, t in _tasks(bundle) if "notebook_task" in t)
    path = BUNDLE / notebook["notebook_task"]["notebook_path"]
    assert path.read_text().startswith("# Databricks notebook source\n")


def test_bundle_config_and_tables_pass_the_tools_validation():
    text = (BUNDLE / "conf" / "config.ini").read_text()
    assert "password = secret://jdbc/" in text
    merged = load_config(BUNDLE / "conf" / "config.ini", {}, environ={})
    assert merged["runtime"]["platform"] == "databricks"
    specs = load_tables(BUNDLE / "conf" / "tables.json", merged["extraction"]["default_source"])
    assert [s.key for s in specs] == ["oracle/CUSTOMERS", "oracle/ORDERS"]


def test_the_serverless_job_has_an_environment_and_no_cluster_or_jar(bundle):
    job = bundle["resources"]["jobs"]["extract_serverless"]
    assert "job_clusters" not in job
    (task,) = job["tasks"]
    assert "libraries" not in task and "job_cluster_key" not in task
    assert "new_cluster" not in task and "existing_cluster_id" not in task
    (environment,) = job["environments"]
    assert environment["environment_key"] == task["environment_key"]
    version = environment["spec"]["environment_version"]
    assert version == "${var.serverless_environment}"
    assert bundle["variables"]["serverless_environment"]["default"] == "4"  # Spark 4.0 client
    assert not any(
        "maven" in str(dep) or dep.endswith(".jar") for dep in environment["spec"]["dependencies"]
    )
    assert task["python_wheel_task"]["entry_point"] == "data-extractor-task"


def test_the_serverless_config_reads_catalog_tables_and_validates():
    merged = load_config(BUNDLE / "conf" / "serverless.ini", {}, environ={})
    assert merged["database"]["type"] == "catalog"
    assert not any(merged["database"].get(k) for k in ("host", "url", "user", "password"))
    assert merged["runtime"]["platform"] == "databricks"
    assert merged["extraction"]["max_workers"]  # serverless has no SparkContext to size from
    specs = load_tables(
        BUNDLE / "conf" / "serverless_tables.json", merged["extraction"]["default_source"]
    )
    assert [(s.schema_name, s.table_name) for s in specs] == [
        ("SALES", "CUSTOMERS"),
        ("SALES", "ORDERS"),
    ]
    assert merged["database"]["catalog"] == "oracle_fed"
    bundle_text = (BUNDLE / "databricks.yml").read_text()
    assert "conf/serverless.ini" in bundle_text and "conf/serverless_tables.json" in bundle_text
