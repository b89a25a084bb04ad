"""Settings from the environment, with embedded defaults that need no server installed by hand."""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from data_feeds.validation import truthy

PROJECT_DIR = Path(__file__).resolve().parents[1]


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else truthy(value)


def _origin_or_root(url: str) -> str:
    """LIVE_URL without a trailing slash, except "/" itself (the page's own origin)."""
    url = url.strip()
    return url if url == "/" else url.rstrip("/")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None  # None: app.py starts an embedded Valkey server and fills this in
    demo: bool = True
    demo_interval_s: float = 300.0  # the demo's mean time between reports (reports/demo.py: the day's shape around it)
    host: str = "127.0.0.1"
    port: int = 8050
    web_server: str = "granian"  # granian | gunicorn (see supervisor.py: why granian)
    web_workers: int = 2
    web_threads: int = 16
    live_poll_ms: int = 500  # the report table's refresh; the wall is pushed (live channel)
    live_port: int = 0  # the live channel's port; 0 -> PORT + 1
    live_url: str = ""  # where browsers reach the live channel, e.g. "/live" behind a proxy; "" -> this host, LIVE_PORT
    max_body_bytes: int = 64 * 1024
    live_marker_limit: int = 5000
    map_tile_url: str = ""
    boundary_tolerance_m: float | None = None  # None: chosen by boundary kind (schematic vs official)
    key_prefix: str = "liveroom"
    rate_limit_per_key: str = "30/second;1200/minute"  # one feed's key: bursts, not floods
    rate_limit_per_address: str = "60/second;2400/minute"  # every write or keyed request from one address
    proxy_hops: int = 0  # reverse proxies in front that set X-Forwarded-For (their count: trust no more than that)
    secret_key: str = ""  # signs sessions; "" -> made once and kept in DATA_DIR/secret_key (give one to every node)
    session_hours: float = 12.0  # a session ends this long after sign-in
    cookie_secure: bool = False  # cookies only over HTTPS: set behind TLS (a plain-HTTP LAN wall cannot)
    public_url: str = ""  # the address people open, for printed links; "" -> http://HOST:PORT
    evidence_max_bytes: int = 25 * 1024 * 1024  # one uploaded photo or video
    start_links: bool = True  # print one-click sign-in links at start-up (as Jupyter does)
    signin_limit: str = "10/minute;100/hour"  # password attempts from one address, whatever the account
    wall_reload_at: str = "03:30"  # a kiosk wall reloads itself once a day at this WIB time ("" : never)
    wall_heap_mb: int = 512  # a kiosk wall reloads itself when its JS heap passes this
    briefing_at: str = "07:00"  # the morning briefing of the day before, WIB ("" : none)
    briefing_to: str = ""  # the mayor's briefing to these addresses (comma-separated), when SMTP_HOST is set
    briefing_opd_to: str = ""  # each agency's: "dpupr=a@x.go.id,b@x.go.id;dlh=c@x.go.id"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "liveroom@localhost"
    smtp_starttls: bool = True

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        data_dir = Path(os.environ.get("DATA_DIR", PROJECT_DIR / "var")).resolve()
        values = dict(
            data_dir=data_dir,
            database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'liveroom.db'}",
            redis_url=os.environ.get("REDIS_URL") or None,
            demo=_flag("DEMO", True),
            demo_interval_s=float(os.environ.get("DEMO_INTERVAL_S", "300")),
            host=os.environ.get("HOST", "127.0.0.1"),
            port=int(os.environ.get("PORT", "8050")),
            web_server=os.environ.get("WEB_SERVER", "granian"),
            web_workers=int(os.environ.get("WEB_WORKERS", "2")),
            web_threads=int(os.environ.get("WEB_THREADS", "16")),
            live_poll_ms=int(os.environ.get("LIVE_POLL_MS", "500")),
            live_port=int(os.environ.get("LIVE_PORT", "0")),
            live_url=_origin_or_root(os.environ.get("LIVE_URL", "")),
            max_body_bytes=int(os.environ.get("API_MAX_BODY_BYTES", str(64 * 1024))),
            live_marker_limit=int(os.environ.get("LIVE_MARKER_LIMIT", "5000")),
            map_tile_url=os.environ.get("MAP_TILE_URL", ""),
            boundary_tolerance_m=float(os.environ["BOUNDARY_TOLERANCE_M"])
            if os.environ.get("BOUNDARY_TOLERANCE_M")
            else None,
            key_prefix=os.environ.get("REDIS_KEY_PREFIX", "liveroom"),
            rate_limit_per_key=os.environ.get("RATE_LIMIT_PER_KEY", "30/second;1200/minute"),
            rate_limit_per_address=os.environ.get("RATE_LIMIT_PER_ADDRESS", "60/second;2400/minute"),
            proxy_hops=int(os.environ.get("PROXY_HOPS", "0")),
            secret_key=os.environ.get("SECRET_KEY", ""),
            session_hours=float(os.environ.get("SESSION_HOURS", "12")),
            cookie_secure=_flag("COOKIE_SECURE", False),
            public_url=os.environ.get("PUBLIC_URL", "").rstrip("/"),
            evidence_max_bytes=int(os.environ.get("EVIDENCE_MAX_BYTES", str(25 * 1024 * 1024))),
            start_links=_flag("START_LINKS", True),
            signin_limit=os.environ.get("SIGNIN_LIMIT", "10/minute;100/hour"),
            wall_reload_at=os.environ.get("WALL_RELOAD_AT", "03:30"),
            wall_heap_mb=int(os.environ.get("WALL_HEAP_MB", "512")),
            briefing_at=os.environ.get("BRIEFING_AT", "07:00"),
            briefing_to=os.environ.get("BRIEFING_TO", ""),
            briefing_opd_to=os.environ.get("BRIEFING_OPD_TO", ""),
            smtp_host=os.environ.get("SMTP_HOST", ""),
            smtp_port=int(os.environ.get("SMTP_PORT", "587")),
            smtp_user=os.environ.get("SMTP_USER", ""),
            smtp_password=os.environ.get("SMTP_PASSWORD", ""),
            smtp_from=os.environ.get("SMTP_FROM", "liveroom@localhost"),
            smtp_starttls=_flag("SMTP_STARTTLS", True),
        )
        values.update(overrides)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The same settings as environment variables, for the processes app.py starts."""
        env = {
            "DATA_DIR": str(self.data_dir),
            "DATABASE_URL": self.database_url,
            "DEMO": "1" if self.demo else "0",
            "DEMO_INTERVAL_S": str(self.demo_interval_s),
            "HOST": self.host,
            "PORT": str(self.port),
            "WEB_SERVER": self.web_server,
            "WEB_WORKERS": str(self.web_workers),
            "WEB_THREADS": str(self.web_threads),
            "LIVE_POLL_MS": str(self.live_poll_ms),
            "LIVE_PORT": str(self.live_port),
            "LIVE_URL": self.live_url,
            "API_MAX_BODY_BYTES": str(self.max_body_bytes),
            "LIVE_MARKER_LIMIT": str(self.live_marker_limit),
            "MAP_TILE_URL": self.map_tile_url,
            "REDIS_KEY_PREFIX": self.key_prefix,
            "RATE_LIMIT_PER_KEY": self.rate_limit_per_key,
            "RATE_LIMIT_PER_ADDRESS": self.rate_limit_per_address,
            "PROXY_HOPS": str(self.proxy_hops),
            "SESSION_HOURS": str(self.session_hours),
            "COOKIE_SECURE": "1" if self.cookie_secure else "0",
            "PUBLIC_URL": self.public_url,
            "EVIDENCE_MAX_BYTES": str(self.evidence_max_bytes),
            "START_LINKS": "1" if self.start_links else "0",
            "SIGNIN_LIMIT": self.signin_limit,
            "WALL_RELOAD_AT": self.wall_reload_at,
            "WALL_HEAP_MB": str(self.wall_heap_mb),
            "BRIEFING_AT": self.briefing_at,
            "BRIEFING_TO": self.briefing_to,
            "BRIEFING_OPD_TO": self.briefing_opd_to,
            "SMTP_HOST": self.smtp_host,
            "SMTP_PORT": str(self.smtp_port),
            "SMTP_USER": self.smtp_user,
            "SMTP_FROM": self.smtp_from,
            "SMTP_STARTTLS": "1" if self.smtp_starttls else "0",
        }
        if self.secret_key:
            env["SECRET_KEY"] = self.secret_key
        if self.smtp_password:
            env["SMTP_PASSWORD"] = self.smtp_password
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        if self.boundary_tolerance_m is not None:
            env["BOUNDARY_TOLERANCE_M"] = str(self.boundary_tolerance_m)
        return env

    @property
    def channel_port(self) -> int:
        """The live channel's port: LIVE_PORT, or the one after the dashboard's."""
        return self.live_port or self.port + 1

    @property
    def base_url(self) -> str:
        """Where people reach the dashboard, for the links the command line prints."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return self.public_url or f"http://{host}:{self.port}"

    def signing_secret(self) -> str:
        """What signs sessions and live tickets: SECRET_KEY, or one made once per data folder (0600) so restarts,
        workers and the live channel agree (several machines: give every node the same SECRET_KEY)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                with open(path, "x", opener=lambda p, f: os.open(p, f, 0o600)) as out:
                    out.write(secrets.token_urlsafe(48))
            except FileExistsError:
                pass  # another process made it first
        return path.read_text().strip()

    @property
    def official_boundaries_path(self) -> Path:
        return self.data_dir / "boundaries" / "official_kelurahan.geojson"


# Which release this process runs: BUILD_ID when the deploy names it (a git commit, a tag), else a digest of the
# project's code and assets; the same in every process and on every node of one release. The live channel says it in
# each beat and /healthz says it too; a kiosk wall whose page came from another release reloads itself
# (assets/healing.js), so a deploy reaches the walls nobody touches.
SOURCES = ("app.py", "layouts", "callbacks", "data_feeds", "geodata", "assets")
KINDS = {".py", ".js", ".css", ".toml", ".csv", ".json"}


@functools.cache
def build_id() -> str:
    if os.environ.get("BUILD_ID"):
        return os.environ["BUILD_ID"][:40]
    digest = hashlib.blake2b(digest_size=6)
    for top in SOURCES:
        base = PROJECT_DIR / top
        files = (
            [base]
            if base.is_file()
            else sorted(p for p in base.rglob("*") if p.suffix in KINDS and "__pycache__" not in p.parts)
        )
        for path in files:
            digest.update(str(path.relative_to(PROJECT_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
