"""Settings from the environment, with embedded defaults that need no server installed by hand."""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from data_feeds.validation import truthy

PROJECT_DIR = Path(__file__).resolve().parents[1]


def _origin_or_root(url: str) -> str:
    """LIVE_URL without a trailing slash, except "/" itself (the page's own origin)."""
    url = url.strip()
    return url if url == "/" else url.rstrip("/")


# A flag as people write it: 1/0, true/false, yes/no, ya/tidak, on/off.
Flag = Annotated[bool, BeforeValidator(lambda v: truthy(v) if isinstance(v, str) else v)]


def _env(name: str, default, description: str, **extra):
    """A setting read from the environment variable `name` (its one declaration)."""
    return Field(default, validation_alias=name, description=description, **extra)


class Settings(BaseSettings):
    """Every setting, each from one environment variable with its type, default and what it does; an empty
    variable is the same as none. `make docs` writes the manual's configuration table from this class."""

    model_config = SettingsConfigDict(frozen=True, env_ignore_empty=True, populate_by_name=True, extra="ignore")

    data_dir: Path = _env("DATA_DIR", PROJECT_DIR / "var", "where the SQLite file, the embedded Redis and uploads live")
    database_url: str = _env(
        "DATABASE_URL",
        "",
        "any SQLAlchemy URL (`postgresql+psycopg://user:pw@host/db`); empty: `sqlite:///$DATA_DIR/liveroom.db`",
        validate_default=True,
    )
    redis_url: str | None = _env(
        "REDIS_URL",
        None,
        "`redis://host:6379/0` for an external Redis or Valkey; empty: an embedded Valkey on loopback",
    )
    demo: Flag = _env("DEMO", True, "the demo feed (its reports marked DEMO everywhere); `0` = none, as `--no-demo`")
    demo_interval_s: float = _env(
        "DEMO_INTERVAL_S",
        3600.0,
        "the demo's mean seconds between reports: the city's scale by default (about 24 a day, thousands a year, as "
        "LAKSA receives); 300 or less for a load demo",
    )
    host: str = _env("HOST", "127.0.0.1", "the address the web server listens on")
    port: int = _env("PORT", 8050, "the web server's port")
    web_server: str = _env("WEB_SERVER", "granian", "`granian` (holds slow clients) or `gunicorn` (gthread)")
    web_workers: int = _env("WEB_WORKERS", 2, "web worker processes")
    web_threads: int = _env("WEB_THREADS", 16, "Python threads per web worker")
    live_port: int = _env("LIVE_PORT", 0, "the live channel's port; 0: PORT + 1")
    live_url: str = _env(
        "LIVE_URL",
        "",
        "where browsers reach the live channel: `/` behind a proxy routing /live/, or an origin; empty: this host",
        validate_default=True,
    )
    max_body_bytes: int = _env("API_MAX_BODY_BYTES", 64 * 1024, "the largest API request body")
    live_head_s: float = _env(
        "LIVE_HEAD_S", 5.0, "the live channel closes a connection whose request head is this late"
    )
    live_per_address: int = _env("LIVE_PER_ADDRESS", 2000, "live channel connections one address may hold")
    live_marker_limit: int = _env("LIVE_MARKER_LIMIT", 5000, "most markers on the wall's map (it says when capped)")
    map_tile_url: str = _env("MAP_TILE_URL", "", "an XYZ tile URL; empty: the map's own vector layers, offline")
    boundary_tolerance_m: float | None = _env(
        "BOUNDARY_TOLERANCE_M", None, "metres outside the outline a point may lie; empty: 750 schematic, 30 official"
    )
    key_prefix: str = _env("REDIS_KEY_PREFIX", "liveroom", "the prefix of every Redis key")
    rate_limit_per_key: str = _env("RATE_LIMIT_PER_KEY", "30/second;1200/minute", "one feed key's limits")
    rate_limit_per_address: str = _env(
        "RATE_LIMIT_PER_ADDRESS", "60/second;2400/minute", "every write or keyed request from one address"
    )
    proxy_hops: int = _env("PROXY_HOPS", 0, "reverse proxies in front that set X-Forwarded-For (trusted, no more)")
    secret_key: str = _env(
        "SECRET_KEY",
        "",
        "signs sessions and live tickets; empty: made once in DATA_DIR/secret_key (give every node one)",
    )
    personal_data_key: str = _env(
        "PERSONAL_DATA_KEY",
        "",
        "encrypts reporters' names and phones at rest; empty: made once in DATA_DIR/personal_data_key",
    )
    personal_data_days: int = _env(
        "PERSONAL_DATA_DAYS", 730, "a reporter's name and phone are erased this many days after the report closed"
    )
    session_hours: float = _env("SESSION_HOURS", 12.0, "a session ends this long after sign-in")
    cookie_secure: Flag = _env("COOKIE_SECURE", False, "cookies only over HTTPS: set behind TLS")
    public_url: str = _env(
        "PUBLIC_URL",
        "",
        "the address printed in sign-in and pairing links; empty: http://HOST:PORT",
        validate_default=True,
    )
    evidence_max_bytes: int = _env("EVIDENCE_MAX_BYTES", 25 * 1024 * 1024, "the largest uploaded photo or video")
    evidence_hourly_files: int = _env("EVIDENCE_HOURLY_FILES", 60, "photos and videos one person may upload an hour")
    evidence_hourly_bytes: int = _env(
        "EVIDENCE_HOURLY_BYTES",
        500 * 1024 * 1024,
        "bytes of evidence one person may upload an hour (after re-encoding)",
    )
    start_links: Flag = _env("START_LINKS", True, "print one-click sign-in links at start-up")
    open311_public_source: str = _env(
        "OPEN311_PUBLIC_SOURCE",
        "",
        "Open311 reads without a key for this source's requests (e.g. laksa): what a citizen may see; empty: off",
    )
    backup_at: str = _env("BACKUP_AT", "02:00", "the live worker's daily backup, WIB (empty: none)")
    backup_keep: int = _env("BACKUP_KEEP", 7, "daily backups kept (older ones are removed)")
    backup_dir: Path | None = _env("BACKUP_DIR", None, "where backups are written; empty: DATA_DIR/backups")
    screen_limit: str = _env(
        "SCREEN_LIMIT", "30/second;1200/minute", "one wall screen's callbacks and reads (a wall makes a few a minute)"
    )
    screen_page_limit: str = _env(
        "SCREEN_PAGE_LIMIT", "4/second;60/minute", "one wall screen's page loads (its page and layout: one per load)"
    )
    signin_limit: str = _env("SIGNIN_LIMIT", "10/minute;100/hour", "password attempts from one address")
    wall_reload_at: str = _env("WALL_RELOAD_AT", "03:30", "a kiosk wall's daily reload, WIB (empty: never)")
    wall_heap_mb: int = _env("WALL_HEAP_MB", 512, "a kiosk wall reloads itself past this JS heap")
    briefing_at: str = _env("BRIEFING_AT", "07:00", "the morning briefing of the day before, WIB (empty: none)")
    briefing_to: str = _env("BRIEFING_TO", "", "the mayor's briefing to these addresses, comma-separated")
    briefing_opd_to: str = _env("BRIEFING_OPD_TO", "", "each agency's: `dpupr=a@x.go.id,b@x.go.id;dlh=c@x.go.id`")
    smtp_host: str = _env("SMTP_HOST", "", "the mail server for the briefing (empty: written and listed, not mailed)")
    smtp_port: int = _env("SMTP_PORT", 587, "the mail server's port")
    smtp_user: str = _env("SMTP_USER", "", "the mail server's user")
    smtp_password: str = _env("SMTP_PASSWORD", "", "the mail server's password")
    smtp_from: str = _env("SMTP_FROM", "liveroom@localhost", "the briefing's sender")
    smtp_starttls: Flag = _env("SMTP_STARTTLS", True, "STARTTLS to the mail server")
    node_name: str = _env("NODE_NAME", "", "names this node's live worker in the lease and heartbeat; empty: host name")
    log_level: str = _env("LOG_LEVEL", "INFO", "the processes' log level")
    access_log: Flag = _env("ACCESS_LOG", False, "the web server logs every request")
    build: str = _env("BUILD_ID", "", "the release's name (a git commit); empty: a digest of the code and assets")

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.resolve()

    @field_validator("database_url")
    @classmethod
    def _sqlite_by_default(cls, value: str, info: ValidationInfo) -> str:
        return value or f"sqlite:///{info.data['data_dir'] / 'liveroom.db'}"

    @field_validator("live_url")
    @classmethod
    def _live_url(cls, value: str) -> str:
        return _origin_or_root(value)

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        return value.rstrip("/")

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """The environment's settings; `overrides` (by field name) win."""
        return cls(**overrides)

    def replace(self, **changes) -> Settings:
        """The same settings with `changes` (by field name)."""
        return self.model_copy(update=changes)

    def to_env(self) -> dict[str, str]:
        """The same settings as environment variables, for the processes app.py starts (an unset one is left out)."""
        env = {}
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if value is None or (value == "" and name in ("secret_key", "smtp_password", "personal_data_key")):
                continue
            env[field.validation_alias] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return env

    @property
    def backups(self) -> Path:
        """Where the daily backups go (BACKUP_DIR, or DATA_DIR/backups)."""
        return self.backup_dir or self.data_dir / "backups"

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
        return self.secret_key or self._made_once("secret_key")

    def personal_data_secret(self) -> str:
        """What reporters' names and phones are encrypted with: PERSONAL_DATA_KEY, or one made once per data folder
        (0600). Never in the database or a backup: a copied database file or backup reveals no phone number. Several
        nodes: give every node the same PERSONAL_DATA_KEY, and keep it where the backups are not."""
        return self.personal_data_key or self._made_once("personal_data_key")

    def _made_once(self, name: str) -> str:
        path = self.data_dir / name
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
    named = Settings.from_env().build
    if named:
        return named[:40]
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
