"""A line-aware INI reader: values, plus the line of every section and key for problems."""

from __future__ import annotations

import ast
import configparser
import re

import attrs

from ..domain.errors import Problem

Nested = dict[str, dict[str, str]]
Lines = dict[tuple[str, str | None], int]  # (section, key; None = its header) -> first line

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
    # Keys keep their case, so a misspelling can be reported as written. Assigning the hook on
    # the instance is how configparser documents it; typeshed declares it a method.
    parser.optionxform = str  # type: ignore[assignment,method-assign]
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
