"""JvmClassCache: which archive a JVM start maps or writes, and how a written one lands."""

from __future__ import annotations

import os
import time
from pathlib import Path

from data_extractor.adapters import jvm_class_cache
from data_extractor.adapters.jvm_class_cache import JvmClassCache, default_folder
from data_extractor.adapters.spark_session import LocalSparkSessionProvider, SparkSettings
from data_extractor.entrypoints.container import class_cache_folder
from data_extractor.entrypoints.settings import build_settings


def test_first_start_writes_an_archive_at_exit_to_a_private_file(tmp_path: Path) -> None:
    plan = JvmClassCache(tmp_path / "jvm").plan((), ())
    assert plan.pending is not None
    assert plan.pending.parent == plan.archive.parent == tmp_path / "jvm"
    assert str(os.getpid()) in plan.pending.name
    assert f"-XX:ArchiveClassesAtExit={plan.pending}" in plan.java_options
    assert "-Xshare:auto" in plan.java_options  # a bad archive never stops a run


def test_a_committed_archive_is_mapped_by_later_starts(tmp_path: Path) -> None:
    cache = JvmClassCache(tmp_path)
    first = cache.plan((), ())
    assert first.pending is not None
    first.pending.write_bytes(b"archive")
    assert cache.commit(first)
    assert not first.pending.exists()
    later = cache.plan((), ())
    assert later.pending is None
    assert later.archive == first.archive
    assert f"-XX:SharedArchiveFile={first.archive}" in later.java_options
    assert "ArchiveClassesAtExit" not in later.java_options


def test_an_empty_or_missing_archive_is_not_committed(tmp_path: Path) -> None:
    cache = JvmClassCache(tmp_path)
    plan = cache.plan((), ())
    assert not cache.commit(plan)  # the JVM wrote nothing
    assert plan.pending is not None
    plan.pending.write_bytes(b"")
    assert not cache.commit(plan)
    assert not plan.archive.exists() and not plan.pending.exists()


def test_discard_drops_a_partly_written_archive(tmp_path: Path) -> None:
    cache = JvmClassCache(tmp_path)
    plan = cache.plan((), ())
    assert plan.pending is not None
    plan.pending.write_bytes(b"half")
    cache.discard(plan)
    assert not plan.pending.exists() and not plan.archive.exists()


def test_the_key_follows_the_jars_and_packages(tmp_path: Path) -> None:
    jar = tmp_path / "driver.jar"
    jar.write_bytes(b"v1")
    cache = JvmClassCache(tmp_path / "jvm")
    base = cache.key((str(jar),), ())
    assert cache.key((str(jar),), ()) == base
    assert cache.key((), ()) != base
    assert cache.key((str(jar),), ("org.postgresql:postgresql:42.7.4",)) != base
    jar.write_bytes(b"version 2")  # replaced in place: another size and mtime
    assert cache.key((str(jar),), ()) != base


def test_leftovers_of_killed_runs_are_removed_once_stale(tmp_path: Path) -> None:
    stale = tmp_path / "spark-old.jsa.123.tmp"
    fresh = tmp_path / "spark-new.jsa.456.tmp"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    hours_ago = time.time() - 2 * jvm_class_cache.STALE_SECONDS
    os.utime(stale, (hours_ago, hours_ago))
    JvmClassCache(tmp_path).plan((), ())
    assert not stale.exists()
    assert fresh.exists()  # may belong to a run still writing it


def test_only_the_newest_archives_are_kept(tmp_path: Path) -> None:
    keep = jvm_class_cache.KEEP_ARCHIVES
    for i in range(keep + 2):
        old = tmp_path / f"spark-{i:016d}.jsa"
        old.write_bytes(b"x")
        os.utime(old, (1000 + i, 1000 + i))
    cache = JvmClassCache(tmp_path)
    plan = cache.plan((), ())
    assert plan.pending is not None
    plan.pending.write_bytes(b"new")
    assert cache.commit(plan)
    left = sorted(p.name for p in tmp_path.glob("spark-*.jsa"))
    assert len(left) == keep
    assert plan.archive.name in left
    assert "spark-0000000000000000.jsa" not in left


def test_default_folder_is_the_user_cache() -> None:
    assert default_folder({"XDG_CACHE_HOME": "/c"}) == Path("/c/data-extractor/jvm")
    home = Path(os.path.expanduser("~"))
    assert default_folder({}) == home / ".cache" / "data-extractor" / "jvm"


def _folder(spark: dict[str, str]) -> str | None:
    """The class cache folder of a [spark] section, through the typed settings."""
    return class_cache_folder(build_settings({"spark": spark}, "local").spark)


def test_config_turns_the_cache_off_or_moves_it() -> None:
    assert _folder({"jvm_class_cache": "false"}) is None
    assert _folder({"jvm_class_cache": "FALSE"}) is None
    assert _folder({"jvm_class_cache_dir": "/x/jvm"}) == "/x/jvm"
    assert _folder({"jvm_class_cache_dir": "~/jvm"}) == os.path.expanduser("~/jvm")
    assert _folder({}) == str(default_folder())


def test_user_java_options_are_appended_to_the_tools_own() -> None:
    user = (("spark.driver.extraJavaOptions", "-Dmine=1"), ("spark.executor.memory", "2g"))
    conf = LocalSparkSessionProvider(SparkSettings(conf=user)).conf()
    driver = conf["spark.driver.extraJavaOptions"]
    assert driver.startswith("-Duser.timezone=UTC")  # still in UTC, still quiet
    assert "-Dlog4j2.configurationFile=" in driver
    assert driver.endswith("-Dmine=1")
    assert conf["spark.executor.extraJavaOptions"].startswith("-Duser.timezone=UTC")
    assert "-Dmine=1" not in conf["spark.executor.extraJavaOptions"]
    assert conf["spark.executor.memory"] == "2g"


def test_another_pyspark_installation_gets_its_own_archive(tmp_path: Path, monkeypatch) -> None:
    cache = JvmClassCache(tmp_path)
    here = cache.key((), ())
    # Spark's jars come from pyspark's folder: another virtualenv is another class path.
    monkeypatch.setattr(jvm_class_cache, "_pyspark_facts", lambda: ["4.3.0", "/other/venv"])
    assert cache.key((), ()) != here
