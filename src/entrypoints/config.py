"""Loads the config layers (container.ini, the user's INI, ${ENV}, flags) and checks every key.

Every problem names its file, line, section and key, says what to write instead, and all
of them are reported together.
"""

from __future__ import annotations

import ast
import configparser
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path

import attrs

from ..adapters.databricks import detect_platform
from ..adapters.jdbc import ALIASES, DIALECTS
from ..adapters.location import StorageLocation
from ..domain.errors import InputError, Problem
from ..domain.specs import did_you_mean, parse_byte_size, parse_initial_watermark

Nested = dict[str, dict[str, str]]
Check = Callable[[str], str | None]  # returns a problem message, or None when fine
Lines = dict[tuple[str, str | None], int]  # (section, key; None = its header) -> first line


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


def _initial_watermark(value: str) -> str | None:
    try:
        parse_initial_watermark(value)
    except ValueError:
        return (
            f"{value!r} is not a date (YYYY-MM-DD), a timestamp (YYYY-MM-DD HH:MM:SS, "
            "optionally +HH:MM) or a number"
        )
    return None


def database_types() -> tuple[str, ...]:
    """The [database] types a dialect is registered for."""
    return tuple(sorted(DIALECTS))


def _database_type(value: str) -> str | None:
    name = ALIASES.get(value.lower(), value.lower())
    if name in DIALECTS:
        return None
    known = database_types()
    return f"{value!r} is not a supported database type; use one of {', '.join(known)}" + (
        did_you_mean(value.lower(), [*known, *ALIASES])
    )


def location_problem(value: str, platform: str = "local") -> str | None:
    """Why no storage accepts a path as written on this platform, or None when one does."""
    try:
        location = StorageLocation.parse(value, platform=platform)
    except InputError as exc:
        return getattr(exc, "reason", None) or "; ".join(p.message for p in exc.problems)
    except ValueError as exc:
        return str(exc)
    if location.kind == "dbfs" and platform != "databricks":
        return (
            "DBFS exists only on Databricks, and this run is local; write a local path or an "
            "object-store URI, or run on Databricks (--databricks, [runtime] platform = databricks)"
        )
    return None


def _number_mapping(value: str) -> str | None:
    if re.fullmatch(r"(?i)string|double|decimal\(\s*\d{1,2}\s*,\s*\d{1,2}\s*\)", value.strip()):
        return None
    return f"{value!r} is not a number mapping; use decimal(38,18), decimal(p,s), string or double"


def _byte_size(value: str) -> str | None:
    try:
        parse_byte_size(value)
    except ValueError as exc:
        return str(exc)
    return None


SCHEMA: dict[str, dict[str, Check]] = {
    "database": {
        "type": _database_type,
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
        "number_mapping": _number_mapping,
    },
    "extraction": {
        "output_base_path": _text,  # checked with the platform in mind: see _locations
        "max_workers": _int(1),
        "default_source": _text,
        "state_path": _text,
        "timezone": _timezone,
        "retry_attempts": _int(1),
        "retry_backoff_seconds": _float,
        "retry_backoff_max_seconds": _float,
        "output_format": _choice("parquet", "delta"),
        "rows_per_file": _int(1),
        "bytes_per_file": _byte_size,
        "lock_lease_seconds": _int(10),
        "rows_per_partition": _int(1000),
        "consistent_snapshot": _choice("true", "false"),
        "initial_watermark": _initial_watermark,  # tables without committed state start here
    },
    "spark": {
        "master": _text,
        "app_name": _text,
        "jvm_class_cache": _choice("true", "false"),
        "jvm_class_cache_dir": _text,
    },
    "runtime": {
        "platform": _choice("auto", "local", "databricks"),
        "engine": _choice("spark", "arrow"),  # arrow: no JVM (src/adapters/arrow)
        "log_level": _choice("debug", "info", "warning", "error"),
        "log_format": _choice("text", "json"),
    },
}

# Keys a run cannot do without, and what to write when one is empty.
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
SECTION_LINE = re.compile(r"^\[(?P<name>.+)\]")
KEY_LINE = re.compile(r"^(?P<key>[^=:]*?)\s*[=:]")
NO_DEFAULT_SECTION = "\0"  # so a [DEFAULT] section is reported like any unknown one
# `;` or `#` after whitespace starts a comment anywhere on a line, as configparser's
# inline_comment_prefixes reads it (so `url = jdbc:...;db=x` keeps its semicolons).
INLINE_COMMENT_PREFIXES = (";", "#")
INLINE_COMMENT = re.compile(r"\s[;#].*$")
BOM = "\ufeff"


@attrs.frozen
class Layer:
    """One config source: where it is, its values, and the line of every section and key."""

    where: str
    values: Nested
    lines: Lines = attrs.field(factory=dict)

    def place(self, section: str, key: str | None = None) -> str:
        """'file:line' of a key (or of its section's header), or just the file."""
        line = self.lines.get((section, key)) or self.lines.get((section, None))
        return f"{self.where}:{line}" if line else self.where


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


def ini_lines(text: str) -> tuple[Lines, list[tuple[str, str | None, int, int]]]:
    """Lines of section headers (first) and keys (last); repeats as (section, key, line, first)."""
    lines: Lines = {}
    firsts: Lines = {}
    repeats: list[tuple[str, str | None, int, int]] = []
    section: str | None = None
    in_value = False
    for number, raw in enumerate(text.removeprefix(BOM).splitlines(), start=1):
        stripped = INLINE_COMMENT.sub("", raw).strip()
        if not stripped or stripped[0] in "#;" or (in_value and raw[0].isspace()):
            continue
        header = SECTION_LINE.match(stripped)
        key = None if header else KEY_LINE.match(stripped)
        if header:
            section, name = header.group("name"), None
        elif key and section is not None:
            name = key.group("key")
        else:
            in_value = False
            continue
        in_value = name is not None
        first = firsts.setdefault((section, name), number)
        if first != number:
            repeats.append((section, name, number, first))
        if name is not None or first == number:  # a key's value in effect is its last one
            lines[(section, name)] = number
    return lines, repeats


def parse_ini(text: str, where: str) -> tuple[Layer, list[Problem]]:
    """Parse INI text (no interpolation: that is ours); what could be read, and its problems."""
    lines, repeats = ini_lines(text)
    problems = [_repeat_problem(where, *repeat) for repeat in repeats]
    parser = configparser.ConfigParser(
        interpolation=None,
        strict=not repeats,
        default_section=NO_DEFAULT_SECTION,
        inline_comment_prefixes=INLINE_COMMENT_PREFIXES,
    )
    parser.optionxform = str  # keys keep their case, so a misspelling can be reported as written
    try:
        parser.read_string(text.removeprefix(BOM), source=where)
    except configparser.MissingSectionHeaderError as exc:
        line = exc.line.strip()
        problems.append(
            Problem(
                f"{where}:{exc.lineno}",
                None,
                f"{line!r} comes before any section header; "
                "start the file with a header such as [database]",
            )
        )
        return Layer(where, {}, lines), problems
    except configparser.ParsingError as exc:
        problems += [_syntax_problem(where, number, line) for number, line in exc.errors]
    except configparser.Error as exc:  # a repeat the line scan missed
        message = " ".join(str(exc).split())
        problems.append(Problem(where, None, f"not a valid INI file: {message}"))
        return Layer(where, {}, lines), problems
    values = {section: dict(parser[section]) for section in parser.sections()}
    return Layer(where, values, lines), problems


def _repeat_problem(where: str, section: str, key: str | None, line: int, first: int) -> Problem:
    if key is None:
        return Problem(
            f"{where}:{line} [{section}]",
            None,
            f"section appears twice (first on line {first}); merge the two into one",
        )
    return Problem(
        f"{where}:{line} [{section}]",
        key,
        f"is set twice (first on line {first}); keep only one of them",
    )


def _syntax_problem(where: str, number: int, line: str) -> Problem:
    try:
        text = str(ast.literal_eval(line)).strip()  # configparser gives the line's repr()
    except (ValueError, SyntaxError):
        text = line
    return Problem(
        f"{where}:{number}",
        None,
        f"cannot read {text!r}: write 'key = value', a [section] header or a # comment",
    )


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
            value, message = _expand(raw, environ)
            if message:
                problems.append(Problem(where, key, message))
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
    return LoadedConfig(merged, places, tuple(problems), readable)


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
