"""Small files on object stores through fsspec: what a Spark Connect client uses instead of the
Hadoop FileSystem it has no JVM for (s3fs, adlfs and gcsfs come with the `cloud` extra).

Each small file is one object PUT: complete or absent. `publish_text` is fsspec's exclusive
write (`pipe_file(mode="create")`), which the stores turn into a conditional put (S3
`If-None-Match: *`, GCS `ifGenerationMatch=0`, Azure `If-None-Match: *`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from ..domain.errors import InputError, Problem
from .files import FileEntry, WriteByPublishOrReplace

# Our URI schemes -> fsspec protocols, and the package that implements each.
PROTOCOLS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "abfss": "abfs", "abfs": "abfs"}
PACKAGES = {"s3": "s3fs", "gcs": "gcsfs", "abfs": "adlfs"}
# Stores only a JVM reaches (HDFS's native client, DBFS outside Databricks' FUSE mount).
JVM_ONLY = ("hdfs", "dbfs")
NEEDS_VOLUME = (
    "on a Spark Connect session small files (state, lock, manifests, reports) are written "
    "by this process, not by Spark; {why}. Install the object-store support "
    "(pip install 'data-extractor[cloud]') or set [extraction] state_path to a local or "
    "/Volumes/<catalog>/<schema>/<volume>/... path"
)

CANNOT_OPEN = (
    "the {protocol}:// store cannot be opened: {why}. Give it its account and credentials the "
    "way the fsspec library reads them (abfss://container@ACCOUNT.dfs.core.windows.net/..., "
    "AZURE_STORAGE_* or AWS_* variables, a service account) or set [extraction] state_path "
    "to a local or /Volumes/... path"
)


def protocol_of(path: str) -> str | None:
    """The fsspec protocol for an object-store URI (None for anything else)."""
    scheme, sep, _ = path.partition("://")
    return PROTOCOLS.get(scheme.lower()) if sep else None


class FsspecFileSystem(WriteByPublishOrReplace):
    """The FileSystem port over fsspec; one fsspec file system per protocol, made on first use."""

    def __init__(self, storage_options: dict[str, Any] | None = None) -> None:
        self._options = storage_options or {}
        self._stores: dict[str, Any] = {}

    def _store(self, path: str) -> tuple[Any, str]:
        scheme = path.partition("://")[0].lower()
        protocol = protocol_of(path) or scheme
        options = store_options(path, protocol, self._options)
        key = f"{protocol}:{options.get('account_name', '')}"  # one Azure store per account
        if key not in self._stores:
            self._stores[key] = _open_store(path, protocol, options)
        # fsspec paths keep their scheme; Hadoop's s3a:// is fsspec's s3://.
        return self._stores[key], path.replace(f"{scheme}://", f"{protocol}://", 1)

    def exists(self, path: str) -> bool:
        """True when a file or directory is there."""
        fs, target = self._store(path)
        return bool(fs.exists(target))

    def read_text(self, path: str) -> str | None:
        """The file's text, or None when missing."""
        fs, target = self._store(path)
        try:
            return fs.cat_file(target).decode("utf-8")
        except FileNotFoundError:
            return None

    def replace_text(self, path: str, text: str) -> None:
        """One PUT of the whole object: readers see the old content or the new."""
        fs, target = self._store(path)
        fs.pipe_file(target, text.encode("utf-8"))

    def publish_text(self, path: str, text: str) -> bool:
        """One conditional PUT that only creates: False (nothing written) when the file exists."""
        fs, target = self._store(path)
        try:
            fs.pipe_file(target, text.encode("utf-8"), mode="create")
        except FileExistsError:
            return False
        fs.invalidate_cache(target)
        return True

    def rename(self, source: str, target: str) -> bool:
        """Move a file or tree to a free name (on object stores: copy, then delete, per file)."""
        fs, src = self._store(source)
        _, dst = self._store(target)
        if fs.exists(dst):
            return False
        fs.mv(src, dst, recursive=True)
        return True

    def renames_atomically(self, path: str) -> bool:
        """Never: fsspec's mv copies each object, then deletes it (a crash leaves both halves)."""
        return False

    def modified(self, path: str) -> float | None:
        """The file's last change, None when missing."""
        fs, target = self._store(path)
        try:
            stamp = fs.modified(target)
        except FileNotFoundError:
            return None
        if stamp.tzinfo is None:  # fsspec's local and memory stores give naive UTC or local
            stamp = stamp.astimezone()
        return stamp.astimezone(dt.UTC).timestamp()

    def delete(self, path: str, recursive: bool = False) -> None:
        """Remove a file or tree; missing is fine."""
        fs, target = self._store(path)
        with contextlib.suppress(FileNotFoundError):
            fs.rm(target, recursive=recursive)

    def list_files(self, path: str) -> list[FileEntry]:
        """Plain files directly under a directory ([] when it does not exist)."""
        return [
            FileEntry(_name(entry["name"]), int(entry.get("size") or 0))
            for entry in self._entries(path)
            if entry.get("type") == "file"
        ]

    def list_dirs(self, path: str) -> list[str]:
        """Directories directly under a directory."""
        return [_name(e["name"]) for e in self._entries(path) if e.get("type") == "directory"]

    def _entries(self, path: str) -> list[dict[str, Any]]:
        fs, target = self._store(path)
        fs.invalidate_cache(target)
        try:
            return list(fs.ls(target, detail=True))
        except FileNotFoundError:
            return []


def _name(full: str) -> str:
    return full.rstrip("/").rpartition("/")[2]


def store_options(path: str, protocol: str, options: dict[str, Any]) -> dict[str, Any]:
    """The storage options for a path: an abfss:// URI names its account in the host
    (container@ACCOUNT.dfs.core.windows.net), which fsspec.filesystem("abfs") is not told."""
    if protocol != "abfs" or "account_name" in options or "connection_string" in options:
        return options
    host = path.partition("://")[2].partition("/")[0].rpartition("@")[2]
    account = host.partition(".")[0] if "." in host else ""
    return {**options, "account_name": account} if account else options


def _open_store(path: str, protocol: str, options: dict[str, Any]) -> Any:
    """fsspec's file system for a protocol, or exit 2 saying what to install or change."""
    if protocol in JVM_ONLY:
        why = f"{protocol}:// is reached only through Spark's Hadoop FileSystem"
        raise InputError([Problem(f"location {path!r}", None, NEEDS_VOLUME.format(why=why))])
    try:
        import fsspec

        store_class = fsspec.get_filesystem_class(protocol)
    except (ImportError, ValueError) as exc:  # no fsspec, no such protocol, or its package
        package = PACKAGES.get(protocol, f"an fsspec implementation of {protocol}://")
        why = f"{package} is not installed ({exc})" if isinstance(exc, ImportError) else str(exc)
        raise InputError(
            [Problem(f"location {path!r}", None, NEEDS_VOLUME.format(why=why))]
        ) from None
    try:
        return store_class(**options)
    except ValueError as exc:  # installed, but refused what it was given (account, credentials)
        message = CANNOT_OPEN.format(protocol=protocol, why=str(exc).strip())
        raise InputError([Problem(f"location {path!r}", None, message)]) from None
