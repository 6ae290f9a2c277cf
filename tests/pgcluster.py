"""Throwaway PostgreSQL clusters for the tests: the server binaries installed by
`scripts/install-postgres.sh`, run as the postgres user when the tests run as root (initdb
refuses root)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from pathlib import Path

START_TIMEOUT = 120


def server_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def as_cluster_owner() -> list[str]:
    """The command prefix that runs a server binary as the cluster's owner."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def own(path: Path) -> None:
    """Hands a folder (recursively) to the cluster's owner."""
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:", str(path)], check=True)


class Cluster:
    """A cluster in `data`, listening on 127.0.0.1:`port` with its socket in `socket_dir`."""

    def __init__(self, data: Path, socket_dir: Path, log: Path) -> None:
        initdb, pg_ctl = server_binary("initdb"), server_binary("pg_ctl")
        if initdb is None or pg_ctl is None:
            raise FileNotFoundError(
                "PostgreSQL server binaries not found: run scripts/install-postgres.sh"
            )
        self.initdb, self.pg_ctl = initdb, pg_ctl
        self.data, self.socket_dir, self.log = data, socket_dir, log
        self.port = 0

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*as_cluster_owner(), *command], check=True, capture_output=True, timeout=START_TIMEOUT
        )

    def init(self, superuser: str) -> None:
        self.data.parent.mkdir(parents=True, exist_ok=True)
        own(self.data.parent)
        self._run(
            self.initdb, "-D", str(self.data), "-A", "trust", "-U", superuser, "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip

    def start(self) -> None:
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        own(self.socket_dir)
        self.port = free_port()
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start"
        )

    def stop(self, mode: str = "immediate") -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop")
