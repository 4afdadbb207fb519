"""Loads the config layers (container.ini, the user's INI, ${ENV}, flags) and checks every key.

Every problem names its file, line, section and key, says what to write instead, and all
of them are reported together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

import attrs

from ..adapters.catalog_reader import CATALOG_TYPE
from ..adapters.databricks import detect_platform
from ..domain.errors import InputError, Problem
from ..domain.specs import did_you_mean
from .config_checks import database_types, environment_remote, location_problem
from .ini_reader import Layer, Lines, Nested, parse_ini
from .settings import SCHEMA

REQUIRED = {
    ("database", "type"): lambda: f"is required: one of {', '.join(database_types())}",
    ("extraction", "output_base_path"): lambda: (
        "must not be empty: set it to a folder or URI for the output, e.g. ./data or s3a://bucket/x"
    ),
}

# The original tool's keys, accepted as written (in [database] or [extraction]).
LEGACY_KEYS = {
    "oracle_host": ("database", "host"),
    "oracle_port": ("database", "port"),
    "oracle_service": ("database", "service"),
    "oracle_user": ("database", "user"),
    "oracle_password": ("database", "password"),
    "output_base_path": ("extraction", "output_base_path"),
    "max_workers": ("extraction", "max_workers"),
    "default_source": ("extraction", "default_source"),
}

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


@attrs.frozen
class LoadedConfig:
    """The merged config, where each value came from, and every problem found on the way."""

    values: Nested
    places: dict[tuple[str, str], str]
    problems: tuple[Problem, ...]
    readable: bool = True  # False when a file could not be read or parsed at all

    def where(self, section: str, key: str) -> str:
        """'file:line [section]' of the value in effect, for a problem about it."""
        return f"{self.places.get((section, key), 'config')} [{section}]"


def default_config_text() -> str:
    """The packaged container.ini: the wiring defaults."""
    return resources.files("data_extractor").joinpath("container.ini").read_text("utf-8")


def normalise(layer: Layer, environ: Mapping[str, str]) -> tuple[Layer, list[Problem]]:
    """Map legacy keys, reject unknown ones, expand ${VAR}; the layer in target keys, problems."""
    problems: list[Problem] = []
    values: Nested = {}
    lines: Lines = {}
    for section, items in layer.values.items():
        if section not in SCHEMA:
            message = "unknown section" + did_you_mean(section, list(SCHEMA))
            problems.append(Problem(f"{layer.place(section)} [{section}]", None, message))
            continue
        for key, raw in items.items():
            where = f"{layer.place(section, key)} [{section}]"
            target = _target(section, key)
            if target is None:
                known = list(SCHEMA[section]) + list(LEGACY_KEYS)
                problems.append(Problem(where, key, "unknown key" + did_you_mean(key, known)))
                continue
            value, missing = _expand(raw, environ)
            if missing:
                problems.append(Problem(where, key, missing))
                continue
            values.setdefault(target[0], {})[target[1]] = value.strip()
            lines[target] = layer.lines.get((section, key), 0)
            if key.startswith("oracle_") and "type" not in items:
                values["database"].setdefault("type", "oracle")
    return Layer(layer.where, values, lines), problems


def _target(section: str, key: str) -> tuple[str, str] | None:
    if key in SCHEMA[section]:
        return section, key
    if section == "spark" and key.startswith("spark."):
        return section, key
    if key in LEGACY_KEYS and section in ("database", "extraction"):
        return LEGACY_KEYS[key]
    return None


def _expand(raw: str, environ: Mapping[str, str]) -> tuple[str, str | None]:
    """The value with ${VAR} and ${VAR:default} replaced, or a message naming what is missing."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        missing.append(name)
        return ""

    value = ENV_REF.sub(replace, raw)
    if missing:
        names = ", ".join(missing)
        what = "variable {} is" if len(missing) == 1 else "variables {} are"
        return value, (
            f"environment {what.format(names)} not set "
            f"(export it, or write ${{{missing[0]}:default}} to give a default)"
        )
    if "${" in ENV_REF.sub("", raw):
        return value, "a ${...} reference is malformed; write ${NAME} or ${NAME:default}"
    return value, None


def check_values(
    merged: Nested,
    where: Mapping[tuple[str, str], str],
    required: Iterable[tuple[str, str]] = tuple(REQUIRED),
) -> list[Problem]:
    """Type, range and required checks on the merged values, each naming its file and line."""
    problems = []
    for section, values in merged.items():
        for key, value in values.items():
            check = SCHEMA.get(section, {}).get(key)
            message = check(value) if check and value != "" else None
            if message:
                problems.append(
                    Problem(f"{where.get((section, key), 'config')} [{section}]", key, message)
                )
    for section, key in required:
        if not merged.get(section, {}).get(key):
            problems.append(
                Problem(
                    f"{where.get((section, key), 'config')} [{section}]",
                    key,
                    REQUIRED[(section, key)](),
                )
            )
    return problems


def _read_layer(path: Path) -> tuple[str | None, list[Problem]]:
    where = str(path)
    try:
        return path.read_text(encoding="utf-8-sig"), []  # a BOM (Windows editors) is dropped
    except OSError as exc:
        return None, [Problem(where, None, f"cannot read config: {exc.strerror or exc}")]
    except UnicodeDecodeError as exc:
        message = (
            f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start}); "
            "save it as UTF-8"
        )
        return None, [Problem(where, None, message)]


def collect_config(
    user_file: Path | None,
    overrides: Mapping[str, Mapping[str, str]],
    environ: Mapping[str, str],
) -> LoadedConfig:
    """container.ini, overlaid by the user's file, then flags; every problem collected."""
    texts = [(default_config_text(), "container.ini")]
    problems: list[Problem] = []
    if user_file is not None:
        text, found = _read_layer(user_file)
        problems += found
        if text is not None:
            texts.append((text, str(user_file)))
    merged: Nested = {}
    places: dict[tuple[str, str], str] = {}
    readable = not problems
    for text, where in texts:
        raw, found = parse_ini(text, where)
        readable = readable and (bool(raw.values) or not raw.lines)  # read, or truly empty
        layer, more = normalise(raw, environ)
        problems += found + more
        _overlay(merged, places, layer)
    _overlay(merged, places, Layer("command line", {s: dict(v) for s, v in overrides.items()}))
    problems += check_values(merged, places, _required(places, user_file, readable))
    problems += _locations(merged, places, environ)
    problems += source_combination(merged, places)
    problems += engine_combination(merged, places)
    problems += environment_remote(merged.get("spark", {}).get("remote"), environ)
    return LoadedConfig(merged, places, tuple(problems), readable)


# Keys that say where the source is and how to log in: a catalog table or a Unity Catalog
# connection already knows both, so a value here would be silently ignored.
CONNECTION_KEYS = ("host", "port", "database", "service", "sid", "tns", "url", "user", "password")


def source_combination(merged: Nested, places: Mapping) -> list[Problem]:
    """[database] keys that contradict `type = catalog`, `catalog` or `connection = NAME`."""
    database = merged.get("database", {})
    keys: tuple[str, ...]
    if (database.get("type") or "").lower() == CATALOG_TYPE:
        why = "type = catalog reads tables the session's catalog names"
        keys = (*CONNECTION_KEYS, "connection", "driver", "driver_jars", "driver_packages")
    elif database.get("catalog"):
        why, keys = "catalog names where type = catalog finds its tables", ("catalog",)
    elif database.get("connection"):
        why = "connection = NAME takes the URL and credentials from Unity Catalog"
        keys = CONNECTION_KEYS
    else:
        return []
    return [
        Problem(f"{places.get(('database', key), 'config')} [database]", key, f"{why}; remove it")
        for key in keys
        if database.get(key)
    ]


def engine_combination(merged: Nested, places: Mapping) -> list[Problem]:
    """Settings `engine = arrow` cannot serve: it reads with its own drivers, never Spark."""
    if (merged.get("runtime", {}).get("engine") or "").lower() != "arrow":
        return []
    database, spark = merged.get("database", {}), merged.get("spark", {})
    found = []
    if (database.get("type") or "").lower() == CATALOG_TYPE:
        found.append(("database", "type", "type = catalog reads through a Spark session"))
    if database.get("connection"):
        found.append(("database", "connection", "a Unity Catalog connection is read by Spark"))
    if spark.get("remote"):
        found.append(("spark", "remote", "a Spark Connect server is not used by this engine"))
    engine = places.get(("runtime", "engine"), "the command line")
    return [
        Problem(
            f"{places.get((section, key), 'config')} [{section}]",
            key,
            f"{why}; engine = arrow (set in {engine}) needs a JDBC type with host/url, "
            "or use engine = spark",
        )
        for section, key, why in found
    ]


def _locations(merged: Nested, places: Mapping, environ: Mapping[str, str]) -> list[Problem]:
    """Output and state paths that no storage accepts on the platform this run will use."""
    platform = detect_platform(merged.get("runtime", {}).get("platform"), environ)
    problems = []
    for key in ("output_base_path", "state_path"):
        value = merged.get("extraction", {}).get(key)
        message = location_problem(value, platform) if value else None
        place = places.get(("extraction", key), "config")
        if message and not place.startswith("container.ini"):  # a default the unread file sets
            problems.append(Problem(f"{place} [extraction]", key, f"{value!r}: {message}"))
    return problems


def _required(places: dict[tuple[str, str], str], user_file: Path | None, readable: bool) -> list:
    """Required keys to check; one left at its default is the user's file's to set."""
    keys = []
    for key in REQUIRED:
        if places.get(key, "container.ini").startswith("container.ini"):
            if not readable:  # the file we could not read may well set it: do not ask twice
                continue
            places[key] = str(user_file) if user_file else "config (no --config given)"
        keys.append(key)
    return keys


def load_config(
    user_file: Path | None,
    overrides: Mapping[str, Mapping[str, str]],
    environ: Mapping[str, str],
) -> Nested:
    """container.ini, overlaid by the user's file, then flags; every problem raised at once."""
    loaded = collect_config(user_file, overrides, environ)
    if loaded.problems:
        raise InputError(loaded.problems)
    return loaded.values


def _overlay(merged: Nested, places: dict, layer: Layer) -> None:
    for section, values in layer.values.items():
        for key, value in values.items():
            merged.setdefault(section, {})[key] = value
            places[(section, key)] = layer.place(section, key)


def flag_overrides(output: str | None, max_workers: int | None, databricks: bool) -> dict:
    """Command-line flags as a config layer (they win over every file)."""
    flags: dict[str, dict[str, str]] = {}
    if output:
        flags.setdefault("extraction", {})["output_base_path"] = output
    if max_workers is not None:
        flags.setdefault("extraction", {})["max_workers"] = str(max_workers)
    if databricks:
        flags.setdefault("runtime", {})["platform"] = "databricks"
    return flags
