"""dbutils on Databricks: where to find it, secret scopes through it, widgets as overrides."""

from __future__ import annotations

import threading
from typing import Any

from ...domain.errors import InputError, Problem
from ...domain.reasons import one_line
from ..secrets import EnvSecretStore, Redactor, env_name_for
from ..session_provider import SessionProvider
from .session import notebook_global


def sdk_runtime_dbutils() -> Any:
    """`databricks.sdk.runtime.dbutils` where the Databricks SDK is installed, else None."""
    try:
        from databricks.sdk.runtime import dbutils  # type: ignore[import-not-found]
    except Exception:  # noqa: BLE001 - absent, or present but not configured for this host
        return None
    return dbutils


class DbutilsLocator:
    """Finds dbutils the way Databricks documents for library code, once.

    A dbutils handed over by the caller (the Python API's `dbutils=` argument) wins; then
    `pyspark.dbutils.DBUtils(spark)` (classic and Connect runtimes), then the Databricks SDK's
    `databricks.sdk.runtime.dbutils`, then the notebook's global `dbutils`.
    """

    def __init__(self, sessions: SessionProvider, given: Any = None) -> None:
        self._sessions = sessions
        self._lock = threading.Lock()
        self._resolved = given is not None
        self._dbutils: Any = given

    def get(self) -> Any:
        """The dbutils to use, or None where there is none."""
        with self._lock:
            if not self._resolved:
                self._dbutils = self._find()
                self._resolved = True
            return self._dbutils

    def _find(self) -> Any:
        try:
            from pyspark.dbutils import DBUtils  # type: ignore[import-not-found]
        except ImportError:
            # pyspark.dbutils exists only on Databricks runtimes.
            return sdk_runtime_dbutils() or notebook_global("dbutils")
        try:
            return DBUtils(self._sessions.get())
        except Exception:
            # Some access modes refuse DBUtils(spark) in library code; a notebook's works.
            fallback = sdk_runtime_dbutils() or notebook_global("dbutils")
            if fallback is None:
                raise
            return fallback


class DatabricksSecretStore(EnvSecretStore):
    """`secret://scope/key` read from Databricks secret scopes; env: and file: as everywhere."""

    def __init__(
        self, redactor: Redactor, dbutils: DbutilsLocator, environ: dict[str, str] | None = None
    ) -> None:
        super().__init__(redactor, environ)
        self._locator = dbutils

    def scope_secret(self, scope: str, name: str, ref: str, where: str, key: str) -> str:
        """dbutils.secrets.get(scope, key); the SCOPE_KEY variable only where dbutils is absent."""
        dbutils = self._locator.get()
        if dbutils is None:
            if env_name_for(scope, name) in self._environ:
                return super().scope_secret(scope, name, ref, where, key)
            raise InputError(
                [
                    Problem(
                        where,
                        key,
                        f"key {name!r} of secret scope {scope!r} needs Databricks, but "
                        f"dbutils is not available here; run on Databricks, or export "
                        f"{env_name_for(scope, name)} in the environment",
                    )
                ]
            )
        try:
            return str(dbutils.secrets.get(scope=scope, key=name))
        except Exception as exc:  # noqa: BLE001 - py4j and dbutils raise many types
            raise InputError(
                [
                    Problem(
                        where,
                        key,
                        # Named by scope and key: the redactor scrubs "secret:" references.
                        f"cannot read key {name!r} of Databricks secret scope {scope!r} "
                        f"({one_line(exc)}); check `databricks secrets list-secrets {scope}` "
                        "and that the job's identity may READ the scope",
                    )
                ]
            ) from None


# Widgets (and notebook-task job parameters, which arrive as widgets) that override config.
WIDGET_KEYS: dict[str, tuple[str, str]] = {
    "output_base_path": ("extraction", "output_base_path"),
    "state_path": ("extraction", "state_path"),
    "max_workers": ("extraction", "max_workers"),
    "output_format": ("extraction", "output_format"),
    "default_source": ("extraction", "default_source"),
    "timezone": ("extraction", "timezone"),
    "log_level": ("runtime", "log_level"),
}


def widget_value(dbutils: Any, name: str) -> str | None:
    """A widget's value; None when the widget is not defined or is empty."""
    if dbutils is None:
        return None
    try:
        value = dbutils.widgets.get(name)
    except Exception:  # noqa: BLE001 - an undefined widget raises (InputWidgetNotDefined)
        return None
    value = str(value).strip() if value is not None else ""
    return value or None


def widget_overrides(dbutils: Any) -> dict[str, dict[str, str]]:
    """Config overrides from the notebook's widgets, as {section: {key: value}}."""
    out: dict[str, dict[str, str]] = {}
    for name, (section, key) in WIDGET_KEYS.items():
        value = widget_value(dbutils, name)
        if value is not None:
            out.setdefault(section, {})[key] = value
    return out
