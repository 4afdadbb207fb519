"""One FileSystem over several stores: a routing policy per platform picks the store per path.

The delegation of every FileSystem method is written here once; what differs by platform
(which store serves a path, and under which name) is a small policy with one method.
"""

from __future__ import annotations

from typing import Protocol

from ..domain.errors import DataExtractorError
from .files import FileEntry, FileSystem
from .session_kind import is_connect
from .session_provider import SessionProvider

# The store for a path and the path as that store names it; no store: nothing can be read there.
Route = tuple[FileSystem | None, str]


class RoutingPolicy(Protocol):
    """Picks the store that serves a path, for reading or for writing."""

    def route(self, path: str, writing: bool) -> Route:
        """The store and its name for path; (None, path) when nothing can serve a read."""


class RoutedFileSystem:
    """The FileSystem port over the stores a policy picks: reads of an unreachable store find
    nothing, writes always go where the policy says (the store raises if it cannot)."""

    def __init__(self, policy: RoutingPolicy) -> None:
        self.policy = policy

    def _writer(self, path: str) -> tuple[FileSystem, str]:
        fs, where = self.policy.route(path, writing=True)
        if fs is None:  # a policy bug, not a user error: policies always name a store to write
            raise DataExtractorError(f"no store can write {path}")
        return fs, where

    def exists(self, path: str) -> bool:
        """True when a file or directory is there."""
        fs, where = self.policy.route(path, writing=False)
        return fs.exists(where) if fs else False

    def read_text(self, path: str) -> str | None:
        """The file's text, or None when missing (or unreachable)."""
        fs, where = self.policy.route(path, writing=False)
        return fs.read_text(where) if fs else None

    def modified(self, path: str) -> float | None:
        """The file's last change, None when missing (or unreachable)."""
        fs, where = self.policy.route(path, writing=False)
        return fs.modified(where) if fs else None

    def list_files(self, path: str) -> list[FileEntry]:
        """Plain files directly under a directory."""
        fs, where = self.policy.route(path, writing=False)
        return fs.list_files(where) if fs else []

    def list_dirs(self, path: str) -> list[str]:
        """Directories directly under a directory."""
        fs, where = self.policy.route(path, writing=False)
        return fs.list_dirs(where) if fs else []

    def write_text(self, path: str, text: str, overwrite: bool = True) -> bool:
        """Write a file; exclusive (False when it exists) with overwrite=False."""
        fs, where = self._writer(path)
        return fs.write_text(where, text, overwrite)

    def replace_text(self, path: str, text: str) -> None:
        """Replace a file's content, atomically where the store allows."""
        fs, where = self._writer(path)
        fs.replace_text(where, text)

    def publish_text(self, path: str, text: str) -> bool:
        """Create a file complete or not at all; False when it exists."""
        fs, where = self._writer(path)
        return fs.publish_text(where, text)

    def rename(self, source: str, target: str) -> bool:
        """Move to a free name; source and target are translated by the same policy."""
        fs, where = self._writer(source)
        return fs.rename(where, self._writer(target)[1])

    def renames_atomically(self, path: str) -> bool:
        """Whether the store that writes path renames a directory in one step."""
        fs, where = self._writer(path)
        return fs.renames_atomically(where)

    def delete(self, path: str, recursive: bool = False) -> None:
        """Remove a file or tree; missing is fine."""
        fs, where = self._writer(path)
        fs.delete(where, recursive)


def is_local(path: str) -> bool:
    """True for absolute local paths and file: URIs (a /Volumes/... path is a volume)."""
    return path.startswith(("/", "file:")) and not path.startswith("/Volumes/")


class LocalRouting:
    """Off Databricks: local paths to Python's I/O, everything else (dbfs:/, s3a://...) to
    Hadoop. On a Spark Connect session there is no Hadoop FileSystem in this process: POSIX
    paths (/Volumes/... too, a FUSE mount where it exists) use Python's I/O and URIs go to
    `remote` (fsspec), which says what to install when it cannot serve a store."""

    def __init__(
        self,
        local: FileSystem,
        hadoop: FileSystem,
        remote: FileSystem | None = None,
        sessions: SessionProvider | None = None,
    ) -> None:
        self._local = local
        self._hadoop = hadoop
        self._remote = remote
        self._sessions = sessions

    def route(self, path: str, writing: bool) -> Route:
        """The same store for reads and writes: local, Hadoop, or on Connect local or fsspec."""
        if is_local(path):
            return self._local, path
        if self._remote is None or self._sessions is None or not is_connect(self._sessions.get()):
            return self._hadoop, path
        return (self._local if path.startswith("/") else self._remote), path
