"""How many partitions a read gets: enough to keep every core busy, never empty slivers."""

from __future__ import annotations

import math

DEFAULT_ROWS_PER_PARTITION = 250_000
# More partitions than cores lets a FAIR scheduler interleave tables, but each partition is
# a separate query on the source: beyond a few per core the database pays more than Spark gains.
PARTITIONS_PER_CORE = 4


def partition_count(
    rows: int | None,
    parallelism: int,
    rows_per_partition: int = DEFAULT_ROWS_PER_PARTITION,
    requested: int | None = None,
) -> int:
    """Partitions for a table of `rows`: one for small tables, capped by the cluster's cores."""
    if requested is not None:
        return max(1, requested)
    if not rows or rows <= rows_per_partition:
        return 1
    wanted = math.ceil(rows / rows_per_partition)
    return max(1, min(wanted, max(1, parallelism) * PARTITIONS_PER_CORE))
