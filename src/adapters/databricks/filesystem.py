"""Small files (state, lock, manifests, reports) on Databricks storage."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from ..files import FileEntry, FileSystem
from ..location import InvalidLocationError, StorageLocation
from ..session_provider import BorrowedSessions

log = logging.getLogger(__name__)

FUSE_ROOTS = {"dbfs": "/dbfs", "volume": "/Volumes"}


class DatabricksFileSystem:
    """Small files on Databricks: through the session's Hadoop FS, or the FUSE mount without one.

    With a session (every run) everything but driver-local paths goes through Hadoop, so reads
    see exactly what writes wrote. Without one (`plan` from a shell) reads use the /dbfs or
    /Volumes FUSE mount when it is there, and otherwise find nothing: a plan then shows every
    table as never extracted, and says so in a warning. Writes always need the session.
    """

    def __init__(
        self,
        local: FileSystem,
        hadoop: FileSystem,
        sessions: BorrowedSessions,
        fuse_roots: Mapping[str, str] = FUSE_ROOTS,
    ) -> None:
        self._local = local
        self._hadoop = hadoop
        self._sessions = sessions
        self._fuse_roots = dict(fuse_roots)
        self._warned = False

    def _location(self, path: str) -> StorageLocation | None:
        try:
            return StorageLocation.parse(path, platform="databricks")
        except InvalidLocationError:
            return None

    def _reader(self, path: str) -> tuple[FileSystem | None, str]:
        loc = self._location(path)
        if loc is not None and loc.kind == "local":
            return self._local, loc.local_path or path
        if self._sessions.active() is not None:
            return self._hadoop, path
        root = self._fuse_roots.get(loc.kind) if loc is not None else None
        if root and loc is not None and loc.local_path and os.path.isdir(root):
            default_root = FUSE_ROOTS[loc.kind]
            return self._local, root + loc.local_path[len(default_root) :]
        if not self._warned:
            self._warned = True
            log.warning(
                "no SparkSession and no FUSE mount to read %s: treating it as empty "
                "(a plan made here shows tables as never extracted)",
                path,
            )
        return None, path

    def _writer(self, path: str) -> tuple[FileSystem, str]:
        loc = self._location(path)
        if loc is not None and loc.kind == "local":
            return self._local, loc.local_path or path
        return self._hadoop, path

    def exists(self, path: str) -> bool:
        """True when a file or directory is there."""
        fs, where = self._reader(path)
        return fs.exists(where) if fs else False

    def read_text(self, path: str) -> str | None:
        """The file's text, or None when missing (or unreadable without a session)."""
        fs, where = self._reader(path)
        return fs.read_text(where) if fs else None

    def list_files(self, path: str) -> list[FileEntry]:
        """Plain files directly under a directory."""
        fs, where = self._reader(path)
        return fs.list_files(where) if fs else []

    def list_dirs(self, path: str) -> list[str]:
        """Directories directly under a directory."""
        fs, where = self._reader(path)
        return fs.list_dirs(where) if fs else []

    def write_text(self, path: str, text: str, overwrite: bool = True) -> bool:
        """Write a file; exclusive when overwrite=False."""
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
        """Move to a free name; False when it is taken."""
        fs, where = self._writer(source)
        return fs.rename(where, self._writer(target)[1])

    def modified(self, path: str) -> float | None:
        """The file's last change, None when missing (or unreadable without a session)."""
        fs, where = self._reader(path)
        return fs.modified(where) if fs else None

    def delete(self, path: str, recursive: bool = False) -> None:
        """Remove a file or tree."""
        fs, where = self._writer(path)
        fs.delete(where, recursive)
