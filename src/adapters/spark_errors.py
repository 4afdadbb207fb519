"""Turns Spark and JDBC driver exceptions into the domain's errors, with one readable line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..domain.errors import ExtractionError, TransientSourceError

# Failures that a retry can cure: the network or the server hiccuped or is restarting, the
# data is fine. Matched against every message of the exception chain, not only the last.
TRANSIENT = re.compile(
    "|".join(
        (
            # any database, any driver
            r"connection reset|broken pipe|timed out|timeout|socketexception|"
            r"connection refused|connection to \S+ refused|connection is closed|\bi/?o error\b",
            # Oracle thin driver and server: network, closed connection, listener and
            # instance restarts (not available, starting, shutting down, no service yet)
            r"ORA-03113|ORA-03114|ORA-03135|ORA-12170|ORA-17002|ORA-17008|ORA-17410|"
            r"ORA-17800|ORA-12514|ORA-12541|ORA-12528|ORA-01033|ORA-01034|ORA-01089|"
            r"closed connection|no more data to read from socket",
            # PostgreSQL: restarts and administrator shutdowns
            r"terminating connection due to administrator command|"
            r"the database system is (?:not yet accepting connections|starting up|"
            r"shutting down|in recovery mode)",
            # SQL Server (mssql-jdbc), MySQL/MariaDB Connector/J
            r"communications link failure|could not create connection|"
            r"socket fail to connect|server has gone away|lost connection to (?:mysql )?server|"
            r"the tcp/ip connection to the host .* has failed",
        )
    ),
    re.IGNORECASE,
)
# SQLSTATE: class 08 (connection exception, incl. MySQL's 08S01) and PostgreSQL's
# admin_shutdown / crash_shutdown / cannot_connect_now.
TRANSIENT_STATES = re.compile(r"^(08...|57P0[123])$")
# Failures no retry cures, even when a connection error wraps them (MySQL's "Could not create
# connection" around "Access denied", 08001 around 28000): credentials, a host name that does
# not resolve, a query the server cancelled for running too long. Anywhere in the chain, they
# win over the transient signs above.
PERMANENT = re.compile(
    r"access denied|authentication failed|login failed|logon denied|ORA-01017|ORA-28000|"
    r"no pg_hba\.conf entry|unknown ?host|name or service not known|unknown database|"
    r"canceling statement due to statement timeout",
    re.IGNORECASE,
)
PERMANENT_STATES = re.compile(r"^(28...|57014)$")
# Python-side lines that are frames or banners, never the reason.
NOISE = ("at ", "JVM stacktrace", "Traceback", "File ", "py4j.protocol.Py4JJavaError")


def java_causes(exc: BaseException) -> Iterator[tuple[str, str | None]]:
    """("Class: message", SQLState or None) for the Java exception and each of its causes."""
    java = getattr(exc, "java_exception", None)
    seen = 0
    while java is not None and seen < 20:  # a cause cycle must not hang us
        seen += 1
        try:
            text = java.getMessage()
            state = java.getSQLState() if _is_sql_exception(java) else None
            yield f"{java.getClass().getSimpleName()}: {text}" if text else "", state
            java = java.getCause()
        except Exception:  # noqa: BLE001 - the JVM may be gone; keep what we have
            return


def _is_sql_exception(java: Any) -> bool:
    """Whether the Java exception is a java.sql.SQLException (only those have a SQLState)."""
    cls = java.getClass()
    while cls is not None:
        if cls.getName() == "java.sql.SQLException":
            return True
        cls = cls.getSuperclass()
    return False


def python_lines(exc: BaseException) -> list[str]:
    """The exception's own text, without stack frames and banners."""
    lines = [line.strip() for line in str(exc).splitlines()]
    return [line for line in lines if line and not line.startswith(NOISE)]


def root_message(exc: BaseException) -> str:
    """The innermost Java cause's message when there is one, else the Python message."""
    messages = [text for text, _ in java_causes(exc) if text]
    if messages:
        return messages[-1]
    lines = python_lines(exc)
    return lines[0] if lines else type(exc).__name__


def is_transient(exc: BaseException) -> bool:
    """Whether the whole exception chain says "try again" and nothing in it says "never"."""
    texts, states = chain_signs(exc)
    if any(PERMANENT.search(t) for t in texts) or any(PERMANENT_STATES.match(s) for s in states):
        return False
    return any(TRANSIENT.search(t) for t in texts) or any(TRANSIENT_STATES.match(s) for s in states)


def chain_signs(exc: BaseException) -> tuple[list[str], list[str]]:
    """Every message and SQLState of the exception, its Java causes and its Python causes."""
    texts: list[str] = []
    states: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += python_lines(current)
        for text, state in java_causes(current):
            texts.append(text)
            if state:
                states.append(state)
        current = current.__cause__ or current.__context__
    return texts, states


def translate(exc: BaseException, what: str) -> ExtractionError:
    """A domain error for a failure while doing `what`, transient or not."""
    if isinstance(exc, ExtractionError):
        # Already ours (a message naming table and column): same kind, same words.
        return type(exc)(str(exc))
    message = f"{what}: {root_message(exc)}"
    if is_transient(exc):
        return TransientSourceError(message)
    return ExtractionError(message)
