"""Which store serves small files (state, lock, manifests, reports) on Databricks."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from ...domain.errors import InputError, Problem
from ..files import FileSystem
from ..fsspec_fs import FsspecFileSystem
from ..location import InvalidLocationError, StorageLocation
from ..routed_fs import Route
from ..session_kind import is_connect
from ..session_provider import BorrowedSessions

log = logging.getLogger(__name__)

FUSE_ROOTS = {"dbfs": "/dbfs", "volume": "/Volumes"}
NO_FUSE_MOUNT = (
    "on a Spark Connect session (standard access mode, serverless) small files (state, lock, "
    "manifests, reports) are written by this process through the {root} FUSE mount, which "
    "this driver does not have; set [extraction] state_path to {instead}"
)
# What to write instead, by the missing mount's kind (serverless has no DBFS root mount).
INSTEAD = {
    "dbfs": "/Volumes/<catalog>/<schema>/<volume>/...",
    "volume": "a location this driver reaches (a cloud URI, with the [cloud] extra)",
}


class DatabricksRouting:
    """The Databricks routing policy, chosen from the borrowed session's kind.

    Driver-local paths (file:/...) always use Python's I/O. On a classic session everything
    else goes through its Hadoop FS, so reads see exactly what writes wrote. A Spark Connect
    session has no JVM in this process: /Volumes/... and DBFS paths go through their FUSE
    mount with Python's I/O, cloud URIs through `remote` (fsspec). Without a session (`plan`
    from a shell) reads use the FUSE mount when it is there and otherwise find nothing (a plan
    then shows every table as never extracted, and says so in one warning); writes need one.
    `fuse_roots` says where the /dbfs and /Volumes mounts are (tests point them elsewhere).
    """

    def __init__(
        self,
        local: FileSystem,
        hadoop: FileSystem,
        sessions: BorrowedSessions,
        fuse_roots: Mapping[str, str] = FUSE_ROOTS,
        remote: FileSystem | None = None,
    ) -> None:
        self._local = local
        self._hadoop = hadoop
        self._remote = remote if remote is not None else FsspecFileSystem()
        self._sessions = sessions
        self._fuse_roots = dict(fuse_roots)
        self._warned = False

    def route(self, path: str, writing: bool) -> Route:
        """Local paths to Python's I/O; else by the session: Connect, classic, or none."""
        try:
            loc: StorageLocation | None = StorageLocation.parse(path, platform="databricks")
        except InvalidLocationError:
            loc = None
        if loc is not None and loc.kind == "local":
            return self._local, loc.local_path or path
        session = self._sessions.active()
        if session is not None and is_connect(session):
            return self._on_connect(loc, path)
        if session is not None or writing:
            return self._hadoop, path  # without a session Hadoop's provider says there is none
        fuse = self._fuse_path(loc)
        if fuse is not None:
            return self._local, fuse
        if not self._warned:
            self._warned = True
            log.warning(
                "no SparkSession and no FUSE mount to read %s: treating it as empty "
                "(a plan made here shows tables as never extracted)",
                path,
            )
        return None, path

    def _on_connect(self, loc: StorageLocation | None, path: str) -> Route:
        if loc is None or loc.kind not in FUSE_ROOTS:
            return self._remote, path  # fsspec: cloud URIs; exit 2 for what it cannot reach
        fuse = self._fuse_path(loc)
        if fuse is None:
            root = self._fuse_roots.get(loc.kind, FUSE_ROOTS[loc.kind])
            why = NO_FUSE_MOUNT.format(root=root, instead=INSTEAD[loc.kind])
            raise InputError([Problem(f"location {path!r}", None, why)])
        return self._local, fuse

    def _fuse_path(self, loc: StorageLocation | None) -> str | None:
        """The FUSE path of a DBFS or volume location when its mount is there, else None."""
        root = self._fuse_roots.get(loc.kind) if loc is not None else None
        if not root or loc is None or not loc.local_path or not os.path.isdir(root):
            return None
        return root + loc.local_path[len(FUSE_ROOTS[loc.kind]) :]
