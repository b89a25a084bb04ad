"""`python app.py`: start everything the LIVE Room needs, keep it running, stop it cleanly.

Processes: the embedded Redis (unless REDIS_URL points elsewhere), the live worker, the web server
(granian, or gunicorn) serving the Dash app and the API, and the live channel (uvicorn, LIVE_PORT)
that pushes every dashboard its changes. A Redis or worker that dies
is restarted; the store is never touched here beyond creating its schema.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request

from data_feeds.access.start import start_links
from data_feeds.runtime.embedded_redis import EmbeddedRedis
from data_feeds.settings import PROJECT_DIR, Settings
from data_feeds.store import Store

log = logging.getLogger("liveroom")


class Supervisor:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.redis: EmbeddedRedis | None = None
        self.worker: subprocess.Popen | None = None
        self.web: subprocess.Popen | None = None
        self.channel: subprocess.Popen | None = None
        self.web_crashes: list[float] = []
        self.stopping = False

    def _env(self) -> dict[str, str]:
        return {**os.environ, **self.settings.to_env(), "PYTHONUNBUFFERED": "1"}

    def _start_worker(self) -> None:
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "data_feeds.runtime.worker"], cwd=PROJECT_DIR, env=self._env()
        )

    def _start_channel(self) -> None:
        self.channel = subprocess.Popen(
            [sys.executable, "-m", "data_feeds.runtime.channel"], cwd=PROJECT_DIR, env=self._env()
        )

    def _web_command(self) -> list[str]:
        """Granian by default: its Rust front reads each request whole before a Python thread sees it, so clients
        that send slowly (or never finish) hold no worker; with gunicorn's gthread workers 40 such sockets held
        /healthz for seconds (bench/slow_clients.py measures both). gunicorn stays selectable (WEB_SERVER)."""
        s = self.settings
        if s.web_server == "gunicorn":
            cmd = [
                sys.executable,
                "-m",
                "gunicorn",
                "--worker-class",
                "gthread",
                "--workers",
                str(s.web_workers),
                "--threads",
                str(s.web_threads),
                "--bind",
                f"{s.host}:{s.port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--keep-alive",
                "5",
                "--log-level",
                "warning",
                "--pid",
                str(s.data_dir / "web.pid"),
                "app:wsgi()",
            ]
            return cmd[:-1] + ["--access-logfile", "-", cmd[-1]] if self.settings.access_log else cmd
        if s.web_server != "granian":
            raise ValueError(f"WEB_SERVER must be granian or gunicorn, not {s.web_server!r}")
        cmd = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--factory",
            "--workers",
            str(s.web_workers),
            "--blocking-threads",
            str(s.web_threads),
            "--host",
            s.host,
            "--port",
            str(s.port),
            "--log-level",
            "warning",
            "--pid-file",
            str(s.data_dir / "web.pid"),
            "--workers-kill-timeout",
            "5",
            # a worker that dies is replaced alone, the other serving meanwhile (without it granian stopped every
            # worker and this supervisor restarted the whole server: 2.2 s with no answer at all)
            "--respawn-failed-workers",
            "--respawn-interval",
            "0.5",
        ]
        return cmd + (["--access-log"] if self.settings.access_log else []) + ["app:wsgi"]

    def _start_web(self) -> None:
        cmd = self._web_command()
        # its own process group, so a crashed master's orphaned workers can be cleared away together
        self.web = subprocess.Popen(cmd, cwd=PROJECT_DIR, env=self._env(), start_new_session=True)

    def start(self) -> None:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.settings.data_dir.chmod(0o700)  # the store, Redis's dump and imported files: for the service's user only
        store = Store(self.settings.database_url)
        store.create_schema()  # before any process writes
        store.dispose()
        if not self.settings.redis_url:
            self.redis = EmbeddedRedis(self.settings.data_dir / "redis")
            self.settings = self.settings.replace(redis_url=self.redis.start())
            log.info("embedded Redis (Valkey) at %s", self.settings.redis_url)
        self._start_worker()
        self._start_channel()
        self._start_web()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """The web server and the live channel both answer."""
        host = self.settings.host if self.settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        waiting = [
            f"http://{host}:{self.settings.port}/healthz",
            f"http://{host}:{self.settings.channel_port}/live/healthz",
        ]
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            if self.web.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(waiting[0], timeout=2) as resp:
                    if resp.status == 200:
                        waiting.pop(0)
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.2)
        return not waiting

    def _restart_web(self) -> bool:
        """A web server that crashed is started again; one that cannot stay up (bad port, broken
        install) is not retried forever. -> False when giving up."""
        now = time.monotonic()
        self.web_crashes = [t for t in self.web_crashes if now - t < 60] + [now]
        if len(self.web_crashes) > 5:
            return False
        try:  # its workers (own process group, orphaned by a dead master) must let go of the port first
            os.killpg(self.web.pid, signal.SIGKILL)
        except OSError:
            pass
        self._start_web()
        return True

    def watch(self) -> int:
        """Keep children alive until asked to stop. -> exit code."""
        while not self.stopping:
            if self.web.poll() is not None:
                log.error("web server exited with %s; restarting it", self.web.returncode)
                if not self._restart_web():
                    log.error("web server keeps exiting; giving up")
                    return self.web.returncode or 1
            if self.redis is not None and not self.redis.alive():
                try:
                    self.redis.restart()
                except Exception:  # noqa: BLE001 - keep trying; the dashboards show the outage
                    log.exception("could not restart embedded Redis")
            if self.worker.poll() is not None:
                log.warning("live worker exited with %s; restarting", self.worker.returncode)
                self._start_worker()
            if self.channel.poll() is not None:
                log.warning("live channel exited with %s; restarting", self.channel.returncode)
                self._start_channel()
            time.sleep(0.5)
        return 0

    def stop(self) -> None:
        self.stopping = True
        procs = (self.web, self.channel, self.worker)
        for proc in procs:
            if proc and proc.poll() is None:
                proc.terminate()
        for proc in procs:
            if proc:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if self.redis:
            self.redis.stop()


def run(settings: Settings) -> int:
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sup = Supervisor(settings)
    signal.signal(signal.SIGTERM, lambda *_: setattr(sup, "stopping", True))
    signal.signal(signal.SIGINT, lambda *_: setattr(sup, "stopping", True))
    try:
        sup.start()
        if not sup.wait_ready():
            log.error("the web server did not come up on %s:%s", settings.host, settings.port)
            return 1
        demo = "demo feed ON (labelled on screen)" if settings.demo else "demo feed off"
        print(f"Tangerang LIVE Room ready: {settings.base_url}/  ({demo}; Ctrl+C to stop)", flush=True)
        if settings.start_links:
            store = Store(settings.database_url)
            links = start_links(store, settings.base_url, settings.demo)
            store.dispose()
            for what, url in links[:-1]:
                print(f"  {what:<34} {url}", flush=True)
            print(f"Sign in with one click as {links[-1][0]} (one use, within 24 h): {links[-1][1]}", flush=True)
        return sup.watch()
    finally:
        sup.stop()
