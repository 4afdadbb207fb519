"""Small file operations through Spark's Hadoop FileSystem, so they work wherever Spark writes."""

from __future__ import annotations

import uuid
from typing import Any

from .files import FileEntry
from .session_provider import SessionProvider


class HadoopFileSystem:
    """Reads and writes small text files (manifests, state, locks) on any Hadoop-supported store."""

    def __init__(self, sessions: SessionProvider) -> None:
        self._sessions = sessions

    def _jvm_path(self, path: str) -> tuple[Any, Any]:
        spark = self._sessions.get()
        jvm = spark._jvm
        hpath = jvm.org.apache.hadoop.fs.Path(path)
        fs = hpath.getFileSystem(spark._jsc.hadoopConfiguration())
        # Local checksum side files (.crc) would only clutter the lake.
        fs.setWriteChecksum(False)
        return fs, hpath

    def exists(self, path: str) -> bool:
        """True when a file or directory is there."""
        fs, hpath = self._jvm_path(path)
        return bool(fs.exists(hpath))

    def read_text(self, path: str) -> str | None:
        """The file's UTF-8 text, or None when it does not exist."""
        fs, hpath = self._jvm_path(path)
        if not fs.exists(hpath):
            return None
        jvm = self._sessions.get()._jvm
        stream = fs.open(hpath)
        try:
            data = jvm.org.apache.commons.io.IOUtils.toByteArray(stream)
        finally:
            stream.close()
        return bytes(data).decode("utf-8")

    def write_text(self, path: str, text: str, overwrite: bool = True) -> bool:
        """Write a whole file; with overwrite=False, False if it already exists."""
        fs, hpath = self._jvm_path(path)
        try:
            stream = fs.create(hpath, overwrite)
        except Exception as exc:  # noqa: BLE001 - FileAlreadyExistsException via py4j
            if not overwrite and "exists" in str(exc).lower():
                return False
            raise
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
        return True

    def replace_text(self, path: str, text: str) -> None:
        """Write to a temporary name, then move it into place (atomic where the store allows)."""
        fs, hpath = self._jvm_path(path)
        tmp = _beside(path)
        self.write_text(tmp, text)
        _, htmp = self._jvm_path(tmp)
        if fs.exists(hpath):
            fs.delete(hpath, False)
        if not fs.rename(htmp, hpath):
            raise OSError(f"could not move {tmp} to {path}")

    def publish_text(self, path: str, text: str) -> bool:
        """Write a hidden temporary file, then rename it to a free name: complete or absent.

        HDFS and ABFS refuse a rename onto an existing file, so two publishers cannot both win;
        S3A checks, then copies (not atomic against a concurrent publisher of the same name).
        """
        tmp = _beside(path)
        self.write_text(tmp, text)
        try:
            return self.rename(tmp, path)
        finally:
            self.delete(tmp)

    def rename(self, source: str, target: str) -> bool:
        """FileSystem.rename to a free name (a rename onto a directory would move into it)."""
        fs, hsource = self._jvm_path(source)
        _, htarget = self._jvm_path(target)
        if fs.exists(htarget):
            return False
        fs.mkdirs(htarget.getParent())
        return bool(fs.rename(hsource, htarget))

    def renames_atomically(self, path: str) -> bool:
        """Taken as yes: FileSystem.rename is atomic on HDFS, ABFS (hierarchical namespace) and
        DBFS; S3A's copy-based rename is the documented exception we keep accepting here."""
        return True

    def modified(self, path: str) -> float | None:
        """The file's modification time, None when missing."""
        fs, hpath = self._jvm_path(path)
        if not fs.exists(hpath):
            return None
        return int(fs.getFileStatus(hpath).getModificationTime()) / 1000

    def delete(self, path: str, recursive: bool = False) -> None:
        """Remove a file (or a tree with recursive=True); missing is fine."""
        fs, hpath = self._jvm_path(path)
        fs.delete(hpath, recursive)

    def list_files(self, path: str) -> list[FileEntry]:
        """Plain files directly under a directory ([] when it does not exist)."""
        fs, hpath = self._jvm_path(path)
        if not fs.exists(hpath):
            return []
        return [
            FileEntry(status.getPath().getName(), int(status.getLen()))
            for status in fs.listStatus(hpath)
            if status.isFile()
        ]

    def list_dirs(self, path: str) -> list[str]:
        """Names of the directories directly under a directory."""
        fs, hpath = self._jvm_path(path)
        if not fs.exists(hpath):
            return []
        return [s.getPath().getName() for s in fs.listStatus(hpath) if s.isDirectory()]


def _beside(path: str) -> str:
    """A hidden temporary name in the same directory (readers and listings skip it)."""
    head, _, name = path.rpartition("/")
    return f"{head}/.{name}.tmp-{uuid.uuid4().hex}"
