"""Local-disk file operations with Python's own I/O: atomic renames, exclusive creates, no JVM."""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from pathlib import Path

from .files import FileEntry, WriteByPublishOrReplace


def _local(path: str) -> Path:
    return Path(path[len("file:") :] if path.startswith("file:") else path)


def _written_beside(target: Path, text: str) -> Path:
    """A hidden temporary file next to target holding text, flushed to disk."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex}")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


# Filesystems without hard links (some FUSE mounts, FAT) answer os.link with these.
NO_HARD_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS)


def _create_exclusive(target: Path, text: str) -> bool:
    """O_EXCL create then write: exclusive, but a crash can leave the file short."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return True


class LocalFileSystem(WriteByPublishOrReplace):
    """The same operations as HadoopFileSystem, for paths on this machine (and /dbfs FUSE)."""

    def exists(self, path: str) -> bool:
        """True when a file or directory is there."""
        return _local(path).exists()

    def read_text(self, path: str) -> str | None:
        """The file's text, or None when missing."""
        try:
            return _local(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def replace_text(self, path: str, text: str) -> None:
        """Write beside the target, fsync, then os.replace: readers never see half a file."""
        target = _local(path)
        tmp = _written_beside(target, text)
        try:
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def publish_text(self, path: str, text: str) -> bool:
        """Write beside the target, fsync, then os.link: the name appears complete, never twice."""
        target = _local(path)
        tmp = _written_beside(target, text)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in NO_HARD_LINKS:
                raise
            return _create_exclusive(target, text)
        finally:
            tmp.unlink(missing_ok=True)
        return True

    def rename(self, source: str, target: str) -> bool:
        """os.rename to a free name (the caller holds the run lock, so nobody races for it)."""
        dst = _local(target)
        if dst.exists():
            return False
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.rename(_local(source), dst)
        return True

    def renames_atomically(self, path: str) -> bool:
        """Always: os.rename of a directory is one step on a POSIX file system."""
        return True

    def modified(self, path: str) -> float | None:
        """The file's mtime, None when missing."""
        try:
            return _local(path).stat().st_mtime
        except FileNotFoundError:
            return None

    def delete(self, path: str, recursive: bool = False) -> None:
        """Remove a file, or a tree with recursive=True; missing is fine."""
        target = _local(path)
        if target.is_dir() and recursive:
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)

    def list_files(self, path: str) -> list[FileEntry]:
        """Plain files directly under a directory."""
        target = _local(path)
        if not target.is_dir():
            return []
        entries = []
        for entry in os.scandir(target):
            try:
                if entry.is_file():
                    entries.append(FileEntry(entry.name, entry.stat().st_size))
            except FileNotFoundError:  # a temporary file published or removed meanwhile
                continue
        return entries

    def list_dirs(self, path: str) -> list[str]:
        """Directories directly under a directory."""
        target = _local(path)
        return [p.name for p in target.iterdir() if p.is_dir()] if target.is_dir() else []
