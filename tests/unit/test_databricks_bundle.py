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
    for name, _, task in _tasks(bundle):
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
