"""The driver JVM's class archive: written when the first session stops, mapped by the next."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

# A fresh process each time: the JVM's class-sharing options apply only when it starts.
SCRIPT = textwrap.dedent(
    """
    import json, sys
    from data_extractor.adapters.spark_session import LocalSparkSessionProvider, SparkSettings
    cache, out, java_options = sys.argv[1], sys.argv[2], sys.argv[3]
    conf = (("spark.driver.extraJavaOptions", java_options),) if java_options else ()
    provider = LocalSparkSessionProvider(
        SparkSettings(master="local[1]", class_cache=cache, conf=conf)
    )
    provider.get().range(100).write.parquet(out)
    provider.stop()
    if java_options:
        print(json.dumps({"rows": 100}))
        sys.exit(0)
    again = LocalSparkSessionProvider(SparkSettings(master="local[1]"))
    rows = again.get().read.parquet(out).count()  # after the JVM wrote it, Spark starts again
    again.stop()
    print(json.dumps({"rows": rows}))
    """
)


def run_session(cache: Path, out: Path, java_options: str = "") -> dict:
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(cache), str(out), java_options],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_first_session_writes_the_archive_and_the_next_maps_it(tmp_path: Path) -> None:
    cache = tmp_path / "jvm"
    assert run_session(cache, tmp_path / "one") == {"rows": 100}
    archives = list(cache.glob("spark-*.jsa"))
    assert len(archives) == 1 and archives[0].stat().st_size > 1_000_000
    assert not list(cache.glob("*.tmp"))

    loaded = tmp_path / "classes.log"
    options = f"-Xlog:class+load=info:file={loaded}"
    assert run_session(cache, tmp_path / "two", options) == {"rows": 100}
    assert (tmp_path / "two").is_dir()
    log = loaded.read_text()
    assert "org.apache.spark.SparkContext source: shared objects file (top)" in log
    assert list(cache.glob("spark-*.jsa")) == archives  # used, not rewritten
