"""JvmClassCache: a class-data-sharing archive of the driver JVM, so later start-ups are faster.

Starting Spark spends most of its time loading and verifying some 15,000 classes. A JDK 13+
dynamic CDS archive (`-XX:ArchiveClassesAtExit`) records the classes one run loaded; later
JVMs map it (`-XX:SharedArchiveFile`) and skip that work. Measured on a 2-core machine: a
one-table run took 15.1 s without it and 9.3 s with it; writing the archive costs the first
run 10-20 s, once per JDK, pyspark and jar set.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

import attrs

# Class-sharing warnings go to the JVM's stdout; a mismatched archive is simply not used.
QUIET = "-Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off"
STALE_SECONDS = 3600
KEEP_ARCHIVES = 4  # ~180 MB each; older JDK or jar sets are dropped


@attrs.frozen
class ClassCachePlan:
    """What one JVM start does with the cache: map an archive, or write one at exit."""

    java_options: str
    archive: Path
    pending: Path | None = None  # the file the JVM writes at exit, renamed once complete


class JvmClassCache:
    """Archives of loaded classes in a folder, one per JDK, pyspark version and jar set."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def key(self, jars: tuple[str, ...], packages: tuple[str, ...]) -> str:
        """What the archive depends on: the JDK binary, pyspark and the driver classpath."""
        # Spark's jars are on the JVM's class path from pyspark's folder: a second
        # installation (another virtualenv) needs its own archive.
        parts = [sys.version, *_pyspark_facts(), *_file_facts(_java_binary())]
        for jar in jars:
            parts += _file_facts(os.path.abspath(jar))
        parts += sorted(packages)
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def plan(self, jars: tuple[str, ...], packages: tuple[str, ...]) -> ClassCachePlan:
        """Use the archive when it exists; otherwise have this JVM write it when it exits."""
        archive = self._folder / f"spark-{self.key(jars, packages)}.jsa"
        if archive.is_file() and archive.stat().st_size > 0:
            return ClassCachePlan(f"-XX:SharedArchiveFile={archive} {QUIET}", archive)
        self._folder.mkdir(parents=True, exist_ok=True)
        self._remove_stale()
        pending = archive.with_name(f"{archive.name}.{os.getpid()}.tmp")
        return ClassCachePlan(f"-XX:ArchiveClassesAtExit={pending} {QUIET}", archive, pending)

    def commit(self, plan: ClassCachePlan) -> bool:
        """Move a fully written archive into place (atomically); False if there is none."""
        if plan.pending is None:
            return False
        if not plan.pending.is_file() or plan.pending.stat().st_size == 0:
            plan.pending.unlink(missing_ok=True)
            return False
        os.replace(plan.pending, plan.archive)
        self._prune()
        return True

    def discard(self, plan: ClassCachePlan) -> None:
        """Drop a partly written archive (the JVM did not exit cleanly)."""
        if plan.pending is not None:
            plan.pending.unlink(missing_ok=True)

    def _prune(self) -> None:
        archives = sorted(
            self._folder.glob("spark-*.jsa"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in archives[KEEP_ARCHIVES:]:
            old.unlink(missing_ok=True)

    def _remove_stale(self) -> None:
        # Left by runs that were killed while the JVM wrote its archive.
        cutoff = time.time() - STALE_SECONDS
        for leftover in self._folder.glob("*.tmp"):
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
            except OSError:
                pass


def default_folder(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    """`$XDG_CACHE_HOME/data-extractor/jvm`, else `~/.cache/data-extractor/jvm`."""
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "data-extractor" / "jvm"


def _java_binary() -> str:
    home = os.environ.get("JAVA_HOME")
    found = os.path.join(home, "bin", "java") if home else shutil.which("java")
    return os.path.realpath(found) if found else "java"


def _pyspark_facts() -> list[str]:
    """pyspark's version and where it is installed."""
    from importlib.metadata import PackageNotFoundError, version
    from importlib.util import find_spec

    spec = find_spec("pyspark")
    try:
        found = version("pyspark")
    except PackageNotFoundError:  # a source checkout of pyspark has no metadata
        found = "unknown"
    return [found, os.path.realpath(spec.origin) if spec and spec.origin else ""]


def _file_facts(path: str) -> list[str]:
    """Path, size and modification time: a replaced file gives a new key."""
    try:
        stat = os.stat(path)
    except OSError:
        return [path]
    return [path, str(stat.st_size), str(stat.st_mtime_ns)]
