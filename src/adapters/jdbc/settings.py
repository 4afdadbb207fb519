"""Typed connection settings for a JDBC source, built once from the config."""

from __future__ import annotations

import attrs


@attrs.frozen
class JdbcSettings:
    """Where the source database is and how to log in (the password never prints)."""

    type: str
    host: str | None = None
    port: int | None = None
    database: str | None = None
    service: str | None = None
    sid: str | None = None
    tns: str | None = None
    tns_admin: str | None = None
    user: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    url: str | None = attrs.field(default=None, repr=False)
    connection: str | None = None  # a Unity Catalog JDBC connection's name (Databricks)
    driver: str | None = None
    driver_jars: tuple[str, ...] = ()
    driver_packages: tuple[str, ...] = ()
    fetch_size: int | None = None
    init_statement: str | None = None
