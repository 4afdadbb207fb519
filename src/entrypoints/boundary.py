"""The commands' error boundary: every failure becomes a message and an exit code.

0 all good, 1 a runtime fault (one line; details at debug level), 2 bad input (every
problem named; nothing read or written). Never a traceback on the console.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from ..adapters.secrets import Redactor
from ..adapters.spark_errors import root_message
from ..domain.errors import DataExtractorError, InputError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
log = logging.getLogger("data_extractor.cli")


def guarded(command: Callable[..., int]) -> Callable[..., None]:
    """Run a command with a fresh Redactor; turn whatever it raises into a message and a code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        redactor = Redactor()
        kwargs["redactor"] = redactor
        try:
            code = command(*args, **kwargs)
        except InputError as exc:
            for problem in exc.problems:
                click.echo(f"error: {redactor.redact(str(problem))}", err=True)
            click.echo("nothing was read or written.", err=True)
            code = EXIT_BAD_INPUT
        except DataExtractorError as exc:  # a run lock held, a table's fault, ...: exit 1
            click.echo(f"error: {redactor.redact(str(exc))}", err=True)
            code = EXIT_FAILED
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise  # click prints these itself
        except Exception as exc:  # noqa: BLE001 - a runtime fault: one line, details at debug
            log.debug("%s failed", command.__name__, exc_info=True)
            click.echo(f"error: {redactor.redact(one_line_of(exc))}", err=True)
            code = EXIT_FAILED
        sys.exit(code)

    return wrapper


def one_line_of(exc: BaseException) -> str:
    """The exception's kind and first line: `OSError: [Errno 28] No space left on device`;
    for a JVM error, its innermost Java cause (py4j's own first line names no reason)."""
    if getattr(exc, "java_exception", None) is not None:
        return root_message(exc)
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
