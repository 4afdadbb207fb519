"""The small file interface that manifests, state and locks need, whatever the store."""

from __future__ import annotations

from typing import Protocol

import attrs


@attrs.frozen
class FileEntry:
    """A file under a directory: its name and size in bytes."""

    name: str
    size: int


class FileSystem(Protocol):
    """Whole-file text operations; LocalFileSystem and HadoopFileSystem implement it."""

    def exists(self, path: str) -> bool:
        """True when a file or directory is there."""

    def read_text(self, path: str) -> str | None:
        """The file's text, or None when missing."""

    def write_text(self, path: str, text: str, overwrite: bool = True) -> bool:
        """Write a file; exclusive (False when it exists) with overwrite=False."""

    def replace_text(self, path: str, text: str) -> None:
        """Replace a file's content, atomically where the store allows."""

    def publish_text(self, path: str, text: str) -> bool:
        """Create a file complete or not at all; False (nothing written) when it exists."""

    def rename(self, source: str, target: str) -> bool:
        """Move a file or directory to a name that must be free; False when it is taken."""

    def renames_atomically(self, path: str) -> bool:
        """True when rename moves a directory at path in one atomic step."""

    def modified(self, path: str) -> float | None:
        """When the file last changed (seconds since the epoch), None when missing."""

    def delete(self, path: str, recursive: bool = False) -> None:
        """Remove a file or tree; missing is fine."""

    def list_files(self, path: str) -> list[FileEntry]:
        """Plain files directly under a directory."""

    def list_dirs(self, path: str) -> list[str]:
        """Directories directly under a directory."""


class WriteByPublishOrReplace:
    """write_text for stores whose publish_text and replace_text are their own primitives."""

    def publish_text(self, path: str, text: str) -> bool:  # pragma: no cover - overridden
        """Create a file complete or not at all."""
        raise NotImplementedError

    def replace_text(self, path: str, text: str) -> None:  # pragma: no cover - overridden
        """Replace a file's content."""
        raise NotImplementedError

    def write_text(self, path: str, text: str, overwrite: bool = True) -> bool:
        """Write a file; with overwrite=False the create is exclusive and complete (publish)."""
        if not overwrite:
            return self.publish_text(path, text)
        self.replace_text(path, text)
        return True
