"""The project's exceptions; each message tells a user what to change."""

from __future__ import annotations

from collections.abc import Iterable

import attrs


@attrs.frozen
class Problem:
    """One thing wrong with the user's input: where it is and what to do."""

    where: str
    key: str | None
    message: str

    def __str__(self) -> str:
        key = f" [{self.key}]" if self.key else ""
        return f"{self.where}{key}: {self.message}"


class DataExtractorError(Exception):
    """Base of every error this tool raises on purpose."""


class InputError(DataExtractorError):
    """The config or tables file is wrong; nothing was read or written (exit code 2)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ExtractionError(DataExtractorError):
    """One table could not be extracted; other tables go on."""


class TransientSourceError(ExtractionError):
    """A failure worth retrying: a dropped connection, a timeout."""


class RunLockedError(DataExtractorError):
    """Another run holds the lock on the same state location."""
