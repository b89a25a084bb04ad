"""Start the whole product the way a user does (`python app.py`) in a temporary data folder.

Used by the stack tests and by the benchmarks, so both measure the real thing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import requests

from data_feeds.runtime.embedded_redis import free_port
from data_feeds.settings import PROJECT_DIR


class LiveStack:
    def __init__(self, data_dir: Path, demo: bool, env: dict | None = None):
        extra = dict(env or {})
        self.data_dir = data_dir
        self.port = free_port()
        self.live_port = int(extra.get("LIVE_PORT") or free_port())
        self.url = f"http://127.0.0.1:{self.port}"
        self.channel_url = f"http://127.0.0.1:{self.live_port}"
        self.log = open(data_dir / "app.log", "wb")
        # bursts no feed would send (outage tests, benches): the rate limits are tested apart, with their own limits
        env = {
            **os.environ,
            "DATA_DIR": str(data_dir),
            "WEB_WORKERS": "2",
            "RATE_LIMIT_PER_KEY": "100000/second",
            "RATE_LIMIT_PER_ADDRESS": "100000/second",
            "SCREEN_LIMIT": "100000/second",
            "BACKUP_AT": "",  # (a stack's first backup, 30 s in, would weigh on what the tests and benches measure)
            "SCREEN_PAGE_LIMIT": "100000/second",
            "SIGNIN_LIMIT": "100000/second",
            "LIVE_PORT": str(self.live_port),
            **extra,
        }
        # its own SQLite and embedded Redis, unless the caller names shared ones (several nodes:
        # tests/test_scale_out.py)
        for name in ("DATABASE_URL", "REDIS_URL"):
            if name not in extra:
                env.pop(name, None)
        self.database_url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'liveroom.db'}"
        # a feed key, made the way an operator makes one (its last output line is the key)
        made = subprocess.run(
            [
                sys.executable,
                "-m",
                "data_feeds",
                "keys",
                "create",
                "laksa",
                "--role",
                "report",
                "--role",
                "workflow",
                "--role",
                "personal",
                "--role",
                "indicators",
                "--label",
                "test stack",
            ],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        self.key = made.stdout.strip().splitlines()[-1]
        self.headers = {"X-API-Key": self.key}
        args = [sys.executable, "app.py", "--port", str(self.port)] + ([] if demo else ["--no-demo"])
        self.proc = subprocess.Popen(
            args, cwd=PROJECT_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"app.py exited: {(self.data_dir / 'app.log').read_text()[-3000:]}")
            try:
                if (
                    requests.get(self.url + "/healthz", timeout=2).json()["live"]["version"]
                    and requests.get(self.channel_url + "/live/healthz", timeout=2).json()["version"]
                ):
                    return self
            except (requests.RequestException, ValueError, KeyError):
                pass
            time.sleep(0.3)
        self.stop()  # nothing left running behind a failed start
        raise RuntimeError(f"app.py not ready: {(self.data_dir / 'app.log').read_text()[-3000:]}")

    def person(self, role: str, opds=(), personal: bool = False, name: str = ""):
        """A new account in the stack's store, as `users add` makes one. -> (Person, password)."""
        import uuid

        from data_feeds.access.people import People
        from data_feeds.store import Store

        store = Store(self.database_url)
        try:
            return People(store).add(f"{role}-{uuid.uuid4().hex[:6]}", role, name=name, opds=opds, personal=personal)
        finally:
            store.dispose()

    def enter(self, role: str = "pimpinan", opds=(), personal: bool = False, next_path: str = "/") -> str:
        """A one-time sign-in link for a new person of `role`: opening it signs a browser in and lands on next_path."""
        from data_feeds.access.tokens import SIGNIN_TTL, OneTimeTokens
        from data_feeds.store import Store

        person, _ = self.person(role, opds, personal)
        store = Store(self.database_url)
        try:
            token = OneTimeTokens(store).issue("signin", person.id, SIGNIN_TTL)
        finally:
            store.dispose()
        return f"{self.url}/masuk/{token}?next={quote(next_path, safe='/')}"

    def pairing_link(self, name: str) -> str:
        """A wall screen's pairing link, as `devices add` prints it."""
        from data_feeds.access.devices import Devices
        from data_feeds.store import Store

        store = Store(self.database_url)
        try:
            _device, token = Devices(store).add(name)
        finally:
            store.dispose()
        return f"{self.url}/pasang/{token}"

    def session(self, role: str = "pimpinan", **kwargs) -> requests.Session:
        """A requests session signed in as a new person of `role`, sending the CSRF header Dash's renderer sends."""
        http = requests.Session()
        http.get(self.enter(role, **kwargs), timeout=30).raise_for_status()
        http.headers["X-CSRFToken"] = http.cookies["_csrf_token"]
        return http

    def redis_pid(self) -> int:
        """The embedded Valkey server started by app.py (it writes its pidfile in our data dir)."""
        return int((self.data_dir / "redis" / "valkey.pid").read_text().strip())

    def redis_url(self) -> str:
        """The embedded server's URL, as app.py logged it when it started it."""
        import re

        return re.search(r"embedded Redis \(Valkey\) at (\S+)", (self.data_dir / "app.log").read_text()).group(1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


class ChannelFollower:
    """A dashboard following one node's live channel (as live_link.js does): the report ids it has been sent."""

    def __init__(self, node: LiveStack):
        http = requests.Session()
        http.get(node.enter("pimpinan"), timeout=30).raise_for_status()
        self.ticket = http.get(node.url + "/_liveroom/ticket", timeout=10).json()["t"]
        self.node, self.seen, self.seen_at, self.stop = node, set(), {}, threading.Event()
        threading.Thread(target=self._follow, daemon=True).start()

    def _follow(self):
        last = None
        while not self.stop.is_set():
            try:
                headers = {"Last-Event-ID": last} if last else {}
                with requests.get(
                    self.node.channel_url + "/live/events",
                    params={"t": self.ticket},
                    headers=headers,
                    stream=True,
                    timeout=(5, 30),
                ) as resp:
                    for line in resp.iter_lines(decode_unicode=True):
                        if self.stop.is_set():
                            return
                        if not line.startswith("data: ") or '"v"' not in line:
                            continue
                        message = json.loads(line[6:])
                        last = message["v"]
                        got = [f["id"] for f in message.get("up", [])]
                        if message.get("reset"):
                            whole = requests.get(
                                self.node.channel_url + "/live/view", params={"t": self.ticket}, timeout=10
                            )
                            got += [f["id"] for f in whole.json()["markers"]["features"]]
                        now = time.time()
                        for rid in got:
                            self.seen_at.setdefault(rid, now)
                        self.seen |= set(got)
            except requests.RequestException:
                time.sleep(0.5)
