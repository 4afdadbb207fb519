"""Loads the config layers (container.ini, the user's INI, ${ENV}, flags) and checks every key."""

from __future__ import annotations

import configparser
import re
import zoneinfo
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path

from ..domain.errors import InputError, Problem
from ..domain.specs import did_you_mean

Nested = dict[str, dict[str, str]]
Check = Callable[[str], str | None]  # returns a problem message, or None when fine


def _int(minimum: int) -> Check:
    def check(value: str) -> str | None:
        try:
            number = int(value)
        except ValueError:
            return f"expected a whole number, got {value!r}"
        return None if number >= minimum else f"must be at least {minimum}, got {number}"

    return check


def _float(value: str) -> str | None:
    try:
        return None if float(value) >= 0 else f"must not be negative, got {value}"
    except ValueError:
        return f"expected a number, got {value!r}"


def _choice(*choices: str) -> Check:
    def check(value: str) -> str | None:
        if value.lower() in choices:
            return None
        return f"{value!r} is not one of {', '.join(choices)}" + did_you_mean(value, choices)

    return check


def _timezone(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r}; use an IANA name such as UTC or Europe/Paris"
    return None


def _text(value: str) -> str | None:
    return None


DATABASE_TYPES = ("oracle", "postgresql", "postgres", "sqlserver", "mysql", "mariadb", "derby")

SCHEMA: dict[str, dict[str, Check]] = {
    "database": {
        "type": _choice(*DATABASE_TYPES),
        "host": _text,
        "port": _int(1),
        "database": _text,
        "service": _text,
        "sid": _text,
        "tns": _text,
        "tns_admin": _text,
        "user": _text,
        "password": _text,
        "url": _text,
        "driver": _text,
        "driver_jars": _text,
        "driver_packages": _text,
        "fetch_size": _int(1),
        "init_statement": _text,
    },
    "extraction": {
        "output_base_path": _text,
        "max_workers": _int(1),
        "default_source": _text,
        "state_path": _text,
        "timezone": _timezone,
        "retry_attempts": _int(1),
        "retry_backoff_seconds": _float,
        "output_format": _choice("parquet", "delta"),
        "rows_per_file": _int(1),
        "lock_lease_seconds": _int(10),
    },
    "spark": {"master": _text, "app_name": _text},
    "runtime": {
        "platform": _choice("auto", "local", "databricks"),
        "log_level": _choice("debug", "info", "warning", "error"),
    },
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


def default_config_text() -> str:
    """The packaged container.ini: the wiring defaults."""
    return resources.files("data_extractor").joinpath("container.ini").read_text("utf-8")


def read_ini(text: str, where: str) -> Nested:
    """Parse INI text (no interpolation: that is ours) or raise InputError naming the file."""
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys keep their case, so a misspelling can be reported as written
    try:
        parser.read_string(text, source=where)
    except configparser.Error as exc:
        message = " ".join(str(exc).split())
        raise InputError([Problem(where, None, f"not a valid INI file: {message}")]) from None
    return {section: dict(parser[section]) for section in parser.sections()}


def normalise(
    layer: Nested, where: str, environ: Mapping[str, str]
) -> tuple[Nested, list[Problem]]:
    """Map legacy keys, reject unknown ones, expand ${VAR}; returns the layer and its problems."""
    problems: list[Problem] = []
    out: Nested = {}
    for section, values in layer.items():
        if section not in SCHEMA:
            problems.append(
                Problem(
                    where, f"[{section}]", "unknown section" + did_you_mean(section, list(SCHEMA))
                )
            )
            continue
        for key, raw in values.items():
            target = _target(section, key)
            if target is None:
                known = list(SCHEMA[section]) + list(LEGACY_KEYS)
                problems.append(
                    Problem(f"{where} [{section}]", key, "unknown key" + did_you_mean(key, known))
                )
                continue
            value, missing = _expand(raw, environ)
            if missing:
                problems.append(
                    Problem(
                        f"{where} [{section}]",
                        key,
                        f"environment variable {missing} is not set (export it, "
                        f"or write ${{{missing}:default}})",
                    )
                )
                continue
            out.setdefault(target[0], {})[target[1]] = value.strip()
            if key.startswith("oracle_") and "type" not in values:
                out["database"].setdefault("type", "oracle")
    return out, problems


def _target(section: str, key: str) -> tuple[str, str] | None:
    if key in SCHEMA[section]:
        return section, key
    if section == "spark" and key.startswith("spark."):
        return section, key
    if key in LEGACY_KEYS and section in ("database", "extraction"):
        return LEGACY_KEYS[key]
    return None


def _expand(raw: str, environ: Mapping[str, str]) -> tuple[str, str | None]:
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
    return value, (missing[0] if missing else None)


def check_values(merged: Nested, where: Mapping[tuple[str, str], str]) -> list[Problem]:
    """Type and range checks on the merged values, each problem naming its file."""
    problems = []
    for section, values in merged.items():
        for key, value in values.items():
            check = SCHEMA.get(section, {}).get(key)
            message = check(value) if check and value != "" else None
            if message:
                problems.append(
                    Problem(f"{where.get((section, key), 'config')} [{section}]", key, message)
                )
    if not merged.get("database", {}).get("type"):
        problems.append(
            Problem("config [database]", "type", f"is required: one of {', '.join(DATABASE_TYPES)}")
        )
    return problems


def load_config(
    user_file: Path | None,
    overrides: Mapping[str, Mapping[str, str]],
    environ: Mapping[str, str],
) -> Nested:
    """container.ini, overlaid by the user's file, then flags; every problem raised at once."""
    layers = [(default_config_text(), "container.ini")]
    if user_file is not None:
        try:
            layers.append((user_file.read_text(encoding="utf-8"), str(user_file)))
        except OSError as exc:
            raise InputError(
                [Problem(str(user_file), None, f"cannot read config: {exc.strerror}")]
            ) from None
    merged: Nested = {}
    origin: dict[tuple[str, str], str] = {}
    problems: list[Problem] = []
    for text, where in layers:
        layer, found = normalise(read_ini(text, where), where, environ)
        problems.extend(found)
        _overlay(merged, origin, layer, where)
    _overlay(merged, origin, {s: dict(v) for s, v in overrides.items()}, "command line")
    problems.extend(check_values(merged, origin))
    if problems:
        raise InputError(problems)
    return merged


def _overlay(
    merged: Nested, origin: dict, layer: Mapping[str, Mapping[str, str]], where: str
) -> None:
    for section, values in layer.items():
        for key, value in values.items():
            merged.setdefault(section, {})[key] = value
            origin[(section, key)] = where
