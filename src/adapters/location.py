"""Storage locations: what the user wrote, the path Spark gets, and the local (FUSE) path if any."""

from __future__ import annotations

import os
import posixpath
import re

import attrs

from ..domain.errors import InputError, Problem

SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", re.DOTALL)
# Azure Data Lake Gen2: container@account.dfs.core.<cloud suffix> (public, China, US Gov).
ABFSS_AUTHORITY = re.compile(r"^[^@/\s]+@[A-Za-z0-9-]+\.dfs\.core\.[A-Za-z0-9.]+$")
BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
OBJECT_STORES = {"s3": "s3", "s3a": "s3", "gs": "gs", "abfss": "abfss", "abfs": "abfss"}
KNOWN_FORMS = (
    "a local path, file:/..., dbfs:/..., /dbfs/..., /Volumes/<catalog>/<schema>/<volume>/..., "
    "s3://bucket/..., s3a://bucket/..., gs://bucket/..., "
    "abfss://container@account.dfs.core.windows.net/... or hdfs://..."
)


class InvalidLocationError(InputError, ValueError):
    """A storage location that cannot be used as written (bad input: exit code 2)."""

    def __init__(self, text: str, message: str) -> None:
        self.text = text
        self.reason = message
        super().__init__([Problem(f"location {text!r}", None, message)])


@attrs.frozen
class StorageLocation:
    """One place to read or write: `spark_path` for Spark, `local_path` for Python's file APIs."""

    kind: str  # local | dbfs | volume | s3 | gs | abfss | hdfs
    spark_path: str
    local_path: str | None = None

    @classmethod
    def parse(cls, text: str, platform: str = "local", cwd: str | None = None) -> StorageLocation:
        """Parse and normalise what a user wrote; raise InvalidLocationError when it is wrong."""
        raw = (text or "").strip()
        if not raw:
            raise InvalidLocationError(text, f"is empty; write {KNOWN_FORMS}")
        match = SCHEME.match(raw)
        if match and len(match.group(1)) > 1:
            return _uri(raw, match.group(1).lower(), match.group(2))
        if match:
            raise InvalidLocationError(
                raw, "Windows drive paths are not supported; use a POSIX path"
            )
        if raw.startswith("/dbfs/") or raw == "/dbfs":
            return _dbfs(raw, raw[len("/dbfs") :])
        if raw.startswith("/Volumes/") or raw == "/Volumes":
            return _volume(raw, raw)
        if platform == "databricks":
            return _databricks_bare(raw)
        return _local(raw, cwd)

    def join(self, *parts: str) -> StorageLocation:
        """A location below this one (parts are plain path segments)."""
        tail = "/".join(p.strip("/") for p in parts if p.strip("/"))
        if not tail:
            return self
        local = f"{self.local_path.rstrip('/')}/{tail}" if self.local_path else None
        return attrs.evolve(
            self, spark_path=f"{self.spark_path.rstrip('/')}/{tail}", local_path=local
        )

    def __str__(self) -> str:
        return self.spark_path


def to_spark_path(path: str) -> str:
    """The path Spark should be given for what the user wrote (kept for existing callers)."""
    return StorageLocation.parse(path).spark_path


def _clean(path: str) -> str:
    """Collapse // and . segments; '..' is resolved like the shell would."""
    cleaned = posixpath.normpath("/" + path.lstrip("/"))
    # normpath keeps a leading '//' (POSIX allows it to mean something else); we never want it.
    return "/" + cleaned.lstrip("/")


def _local(raw: str, cwd: str | None) -> StorageLocation:
    expanded = os.path.expanduser(raw)
    absolute = expanded if expanded.startswith("/") else os.path.join(cwd or os.getcwd(), expanded)
    path = _clean(absolute)
    return StorageLocation("local", path, path)


def _databricks_bare(raw: str) -> StorageLocation:
    # On Databricks, Spark resolves a bare absolute path against DBFS while Python's open()
    # would use the driver's disk; we side with Spark (as the original tool did) so both agree.
    if not raw.startswith("/"):
        raise InvalidLocationError(
            raw,
            "a relative path has no meaning on a Databricks cluster; write dbfs:/..., "
            "/Volumes/<catalog>/<schema>/<volume>/... or file:/... for the driver's own disk",
        )
    if raw == "/Workspace" or raw.startswith("/Workspace/"):
        raise InvalidLocationError(
            raw, "workspace files are not a data location; write /Volumes/... or dbfs:/..."
        )
    return _dbfs(raw, raw)


def _dbfs(raw: str, path: str) -> StorageLocation:
    path = _clean(path)
    if path.startswith("/dbfs:") or path.startswith("/dbfs/dbfs:"):
        tail = path.split("dbfs:", 1)[1]
        raise InvalidLocationError(
            raw, f"is a mangled DBFS path (the original tool's bug); write dbfs:{_clean(tail)}"
        )
    if path == "/dbfs" or path.startswith("/dbfs/"):
        rest = path[len("/dbfs") :] or "/"
        raise InvalidLocationError(
            raw, f"mixes the dbfs:/ and /dbfs/ forms; write dbfs:{rest} or /dbfs{rest.rstrip('/')}"
        )
    if path == "/Volumes" or path.startswith("/Volumes/"):
        if raw.startswith("/dbfs"):
            raise InvalidLocationError(
                raw, f"Unity Catalog volumes are not under /dbfs; write {path}"
            )
        return _volume(raw, path)
    spark = "dbfs:" + path
    local = "/dbfs" + (path if path != "/" else "")
    return StorageLocation("dbfs", spark, local)


def _volume(raw: str, path: str) -> StorageLocation:
    path = _clean(path)
    names = [p for p in path.split("/")[2:] if p]
    if len(names) < 3:
        raise InvalidLocationError(
            raw,
            "a Unity Catalog volume path is /Volumes/<catalog>/<schema>/<volume>/...; "
            f"this one names only {len(names)} of the 3",
        )
    # Volumes are FUSE-mounted at the same path on the driver, so both forms are equal.
    return StorageLocation("volume", path, path)


def _uri(raw: str, scheme: str, rest: str) -> StorageLocation:
    if scheme == "file":
        return _file_uri(raw, rest)
    if scheme == "dbfs":
        if not rest.startswith("/") or (rest.startswith("//") and not rest.startswith("///")):
            raise InvalidLocationError(raw, "write DBFS URIs as dbfs:/path (no host)")
        return _dbfs(raw, rest)
    if scheme in OBJECT_STORES:
        return _object_store(raw, scheme, rest)
    if scheme == "hdfs":
        if not rest.startswith("//"):
            raise InvalidLocationError(raw, "write hdfs://namenode:port/path or hdfs:///path")
        authority, path = _split_authority(rest)
        return StorageLocation("hdfs", f"hdfs://{authority}{_clean(path).rstrip('/') or '/'}")
    hint = " (did you mean s3a?)" if scheme == "s3n" else ""
    raise InvalidLocationError(raw, f"unknown scheme '{scheme}:'{hint}; write {KNOWN_FORMS}")


def _file_uri(raw: str, rest: str) -> StorageLocation:
    if rest.startswith("//"):
        authority, path = _split_authority(rest)
        if authority not in ("", "localhost"):
            raise InvalidLocationError(raw, "file: URIs must name this machine: file:/path")
        rest = path
    if not rest.startswith("/"):
        raise InvalidLocationError(raw, "a file: URI needs an absolute path: file:/path")
    path = _clean(rest)
    return StorageLocation("local", "file:" + path, path)


def _object_store(raw: str, scheme: str, rest: str) -> StorageLocation:
    kind = OBJECT_STORES[scheme]
    if not rest.startswith("//"):
        target = "<container>@<account>.dfs.core.windows.net" if kind == "abfss" else "<bucket>"
        raise InvalidLocationError(raw, f"write {scheme}://{target}/path")
    authority, path = _split_authority(rest)
    if kind == "abfss":
        if not ABFSS_AUTHORITY.match(authority):
            raise InvalidLocationError(
                raw,
                f"write {scheme}://<container>@<account>.dfs.core.windows.net/path "
                "(the dfs endpoint, not blob)",
            )
    elif not BUCKET.match(authority):
        raise InvalidLocationError(raw, f"{scheme}:// needs a bucket name: {scheme}://bucket/path")
    tail = _clean(path).rstrip("/")
    return StorageLocation(kind, f"{scheme}://{authority}{tail}")


def _split_authority(rest: str) -> tuple[str, str]:
    """'//host/a/b' -> ('host', '/a/b')."""
    body = rest[2:]
    authority, slash, path = body.partition("/")
    return authority, slash + path
