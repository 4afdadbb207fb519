"""Secret references (`env:NAME`, `secret://scope/key`, `file:/path`) and their redaction."""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path

from ..domain.errors import InputError, Problem

REFERENCE = re.compile(r"^(env:|secret://|file:)")
# Credentials that may sit inside URLs or driver messages even when we never put them there.
URL_CREDENTIALS = [
    (
        re.compile(
            # (?!//) keeps `secret://scope/key` references readable: they name, not hold.
            r"(?i)((?:password|passwd|pwd|secret|token|accesskey|secretkey)\s*[=:]\s*)"
            r"(?!//)([^;&\s,'\")]+)"
        ),
        r"\1***",
    ),
    (re.compile(r"(?i)(//[^/:@\s]+:)([^@/\s]+)(@)"), r"\1***\3"),
    (re.compile(r"(?i)(/[^/@\s]+/)([^@/\s]+)(@)(?=[\w.-]+:\d+)"), r"\1***\3"),
]


def is_reference(value: str) -> bool:
    """True when a config value names a secret rather than being one."""
    return bool(REFERENCE.match(value))


def env_name_for(scope: str, key: str) -> str:
    """`secret://scope/key` read from the environment as SCOPE_KEY (non-alphanumerics -> _)."""
    return re.sub(r"[^A-Za-z0-9]", "_", f"{scope}_{key}").upper()


class Redactor:
    """Knows every secret value the run resolved and scrubs them from any text."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str | None) -> None:
        """Remember a secret value (short values would redact ordinary words: skip them)."""
        if value and len(value) >= 3:
            with self._lock:
                self._values.add(value)

    def redact(self, text: str) -> str:
        """The text with every known secret and URL credential replaced by ***."""
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            text = text.replace(value, "***")
        for pattern, replacement in URL_CREDENTIALS:
            text = pattern.sub(replacement, text)
        return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record before any handler sees it."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message now, redacted, and drop the arguments."""
        record.msg = self._redactor.redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self._redactor.redact(
                logging.Formatter().formatException(record.exc_info)
            )
            record.exc_info = None
        return True


class EnvSecretStore:
    """Resolves references from environment variables and files (laptops, CI, clusters)."""

    def __init__(self, redactor: Redactor, environ: dict[str, str] | None = None) -> None:
        self._redactor = redactor
        self._environ = environ if environ is not None else os.environ

    def resolve(self, value: str | None, where: str, key: str) -> str | None:
        """The secret a config value names (or the value itself when it is no reference)."""
        if value is None or not is_reference(value):
            self._redactor.add(value)
            return value
        secret = self._lookup(value, where, key)
        self._redactor.add(secret)
        return secret

    def _lookup(self, ref: str, where: str, key: str) -> str:
        if ref.startswith("env:"):
            return self._env(ref[4:], ref, where, key)
        if ref.startswith("file:"):
            path = Path(ref[5:])
            try:
                return path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise InputError(
                    [Problem(where, key, f"cannot read secret file {path}: {exc.strerror}")]
                ) from None
        scope, _, name = ref[len("secret://") :].partition("/")
        if not scope or not name:
            raise InputError([Problem(where, key, f"{ref!r} must look like secret://scope/key")])
        return self.scope_secret(scope, name, ref, where, key)

    def scope_secret(self, scope: str, name: str, ref: str, where: str, key: str) -> str:
        """A `secret://scope/key` value; locally it comes from the environment."""
        return self._env(env_name_for(scope, name), ref, where, key)

    def _env(self, name: str, ref: str, where: str, key: str) -> str:
        if name not in self._environ:
            raise InputError(
                [Problem(where, key, f"secret {ref} is not set; export {name} in the environment")]
            )
        return self._environ[name]
