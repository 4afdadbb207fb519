"""The house rules of DESIGN.md, checked on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
FORBIDDEN = {
    "domain": (
        "pyspark",
        "py4j",
        "dependency_injector",
        "click",
        "data_extractor.adapters",
        "data_extractor.entrypoints",
        "data_extractor.usecases",
        "..adapters",
        "..entrypoints",
        "..usecases",
    ),
    # Use cases import only the domain: they run against fakes as they run against Spark.
    "usecases": (
        "pyspark",
        "py4j",
        "dependency_injector",
        "click",
        "data_extractor.adapters",
        "data_extractor.entrypoints",
        "..adapters",
        "..entrypoints",
    ),
    "adapters": (
        "data_extractor.entrypoints",
        "..entrypoints",
        "data_extractor.usecases",
        "..usecases",
        "dependency_injector",
        "click",
    ),
}


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports, relative imports written with their dots."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names


def violates(name: str, forbidden: tuple[str, ...]) -> bool:
    """True when an imported module is, or is inside, a forbidden one."""
    return any(name == bad or name.startswith(bad + ".") for bad in forbidden)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_from_outer_layers(layer):
    offenders = [
        f"{path.relative_to(SRC)}: {name}"
        for path in (SRC / layer).rglob("*.py")
        for name in imported_modules(path)
        if violates(name, FORBIDDEN[layer])
    ]
    assert offenders == []


def test_the_check_sees_a_violation(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("from ..adapters.storage import X\nimport pyspark.sql\n")
    names = imported_modules(bad)
    assert names == ["..adapters.storage", "pyspark.sql"]
    assert all(violates(n, FORBIDDEN["domain"]) for n in names)
