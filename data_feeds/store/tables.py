"""The tables: reports and their event log, the outbox, audit, people, devices, keys, indicator figures.

What every floor above reads and writes; the SQL that speaks of one domain lives with that domain
(reports/repository.py, access/people.py, indicators/series.py)."""

from __future__ import annotations

from datetime import timezone

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(timezone.utc)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(DateTime(timezone=True))


metadata = MetaData()

reports = Table(
    "reports",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("source", String(40), nullable=False),
    Column("source_ref", String(80)),  # the sender's own id: makes a repeated POST idempotent
    Column("human_ref", String(20)),  # without a sender's id: the short one given at intake, LR-2026-000123
    Column("category", String(40), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("kode_kec", String(16)),
    Column("kode_kel", String(20)),
    Column("address", String(300)),
    Column("reported_at", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("reporter_name", String(120)),  # (before sealing: plain; emptied by reports/personal.py at start)
    Column("reporter_phone", String(32)),  # (as reporter_name)
    Column("reporter_sealed", Text),  # personal data, encrypted (reports/personal.py): never on a wall
    Column("reporter_phone_index", String(64)),  # an HMAC of the phone: a subject's reports found without decrypting
    Column("media", JSON, nullable=False, default=list),
    Column("status", String(16), nullable=False),
    Column("opd", String(40)),
    Column("duplicate_of", String(32)),  # for status duplikat: the original report
    Column("due_at", UTCDateTime),  # while open: when its nearest running SLA clock runs out (the queue's order)
    Column("rating", Integer),  # the citizen's score after selesai, 1..5 (the newest), if the source sent one
    Column("assignee", String(60)),  # the person of the agency it is given to (people.username, as audited), if any
    Column("first_response_at", UTCDateTime),
    Column("resolved_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("source", "source_ref", name="uq_reports_source_ref"),
    # a page of one status, newest first, without sorting the million reports that are selesai (and the open ones,
    # few, for the snapshot's counts)
    Index("ix_reports_status_reported_at", "status", "reported_at"),
    Index("ix_reports_source_reported_at", "source", "reported_at"),  # a page of one feed's reports, newest first
    # Covering the snapshot's time-window reads (SLA times per OPD and kecamatan), so a window of
    # weeks never touches the table's rows; at 1M reports that is ~10x faster.
    Index("ix_reports_response_cover", "first_response_at", "reported_at", "kode_kec", "opd"),
    Index("ix_reports_kec_reported_at", "kode_kec", "reported_at"),  # each kecamatan's newest reports
    Index("ix_reports_kel_reported_at", "kode_kel", "reported_at"),  # a kelurahan's reports: its page and its count
    Index("ix_reports_reported_at", "reported_at"),
    Index("ix_reports_opd_reported_at", "opd", "reported_at"),  # an agency's newest reports (its own wall)
    Index("ix_reports_resolved_cover", "resolved_at", "reported_at", "kode_kec", "opd"),
    Index("ix_reports_source_received", "source", "received_at"),
    Index("ix_reports_duplicate_of", "duplicate_of"),  # a report's page lists the reports marked as its duplicates
    Index("ix_reports_phone_index", "reporter_phone_index"),  # privacy export / erase --phone
    Index("uq_reports_human_ref", "human_ref", unique=True),  # LR-2026-000123 -> its report
    Index("ix_reports_due", "due_at", "id"),  # the queue: open reports, nearest due first
    Index("ix_reports_opd_due", "opd", "due_at", "id"),  # an agency's queue
    Index("ix_reports_assignee_due", "assignee", "due_at", "id"),  # a person's own queue
)

report_numbers = Table(
    "report_numbers",
    metadata,  # the last human id given per prefix ("LR-2026" -> 123): reports/repository.py reserves them
    Column("prefix", String(12), primary_key=True),
    Column("last", Integer, nullable=False),
)

report_events = Table(
    "report_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", String(32), ForeignKey("reports.id"), nullable=False),
    Column("kind", String(20), nullable=False),  # created | status | reassigned | reopened | comment
    Column("from_status", String(16)),
    Column("to_status", String(16), nullable=False),
    Column("opd", String(40)),
    Column("actor", String(120)),  # who, as people read it: a source, an agency, a person
    Column("actor_key", String(16)),  # the API key that acted, if one did (never shown publicly)
    Column("note", Text),
    Column("evidence", JSON, nullable=False, default=list),
    Column("at", UTCDateTime, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column(
        "external_id", String(80)
    ),  # the sender's own id for the event (an Open311 update_id): a resend is not a second event
    Index("ix_events_report", "report_id", "id"),
    Index("ix_events_external", "report_id", "external_id"),
    Index("ix_events_recorded_at", "recorded_at"),  # Open311 servicerequestupdates by date
)

outbox = Table(
    "outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, nullable=False),
    Column("report_id", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime),
    Index(
        "ix_outbox_pending",
        "seq",
        sqlite_where=text("published_at IS NULL"),
        postgresql_where=text("published_at IS NULL"),
    ),
)


api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(16), primary_key=True),  # the key's public part: lookup without scanning hashes
    Column("source", String(40), nullable=False),  # the feed this key speaks for ("" for an agency key)
    Column("roles", JSON, nullable=False, default=list),
    Column("opds", JSON),  # an agency key: the OPDs whose reports it acts on, whatever their source
    Column("label", String(200)),
    Column("secret_sha256", String(64), nullable=False),  # never the key itself
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)


indicator_values = Table(
    "indicator_values",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator", String(60), nullable=False),
    Column("place", String(20), nullable=False),  # Kemendagri code: 36.71 (city), 36.71.KK, 36.71.KK.1NNN
    Column("period", String(10), nullable=False, default=""),  # "" for cumulative series; "2023" for per-period ones
    Column("measure", String(10), nullable=False, default="value"),  # value | target
    # within the place: a market tested, a kind of device ("" for the place as a whole); nullable only so an
    # older database gains the column, every write sets it
    Column("subject", String(60), nullable=True, default=""),
    Column("as_of", String(10), nullable=False),  # the date the figure describes (ISO date)
    Column("value", Float, nullable=False),
    Column("source", String(300), nullable=False),
    Column("correction", Integer, nullable=False, default=0),  # 1: knowingly lowers a cumulative series
    Column("demo", Integer, nullable=False, default=0),  # synthesised by the demo feed
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(120)),
    Index("ix_indicator_series", "indicator", "place", "measure", "period", "as_of"),
    # the summary's "newest figures of each series": walked in this order, no sort of the whole table
    Index("ix_indicator_newest", "indicator", "place", "subject", "measure", "period", "as_of", "id"),
)


people = Table(
    "people",
    metadata,  # who signs in (data_feeds/access/people.py); devices and keys have their own tables
    Column("id", String(16), primary_key=True),
    Column("username", String(60), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("role", String(20), nullable=False),  # pimpinan | operator | opd | penilai | admin
    Column("opds", JSON, nullable=False, default=list),  # an opd account's agencies
    Column("personal", Integer, nullable=False, default=0),  # 1: may read reporters' contact beyond the role
    Column("password_hash", String(200), nullable=False),  # argon2id, never the password
    Column("failures", Integer, nullable=False, default=0),  # unused since lockouts are per address (signin_failures)
    Column("locked_until", UTCDateTime),  # (unused, as failures)
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime),
)


devices = Table(
    "devices",
    metadata,  # wall screens (data_feeds/access/devices.py): paired once, then trusted until revoked
    Column("id", String(16), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("secret_sha256", String(64)),  # the credential the screen keeps; null until paired
    Column("created_at", UTCDateTime, nullable=False),
    Column("paired_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("last_seen_at", UTCDateTime),
)


sessions = Table(
    "sessions",
    metadata,  # people's signed-in sessions (data_feeds/access/sessions.py): sign-out ends one on the server
    Column("id", String(16), primary_key=True),  # public: named in live tickets and the audit
    Column("person_id", String(16), nullable=False),
    Column("secret_sha256", String(64), nullable=False),  # the cookie holds the secret; the store only its hash
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("ended_why", String(20)),  # signout | disabled | password_reset
    Index("ix_sessions_person", "person_id", "ended_at"),
    Index("ix_sessions_ended", "ended_at"),  # the live worker tells the channel which ended lately
)


signin_failures = Table(
    "signin_failures",
    metadata,  # wrong passwords per account AND address (data_feeds/access/people.py): a guesser locks out only itself
    Column("username", String(60), primary_key=True),
    Column("address", String(64), primary_key=True),
    Column("failures", Integer, nullable=False, default=0),  # wrong passwords in a row from this address
    Column("locked_until", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
)


one_time_tokens = Table(
    "one_time_tokens",
    metadata,  # one-click sign-in links and pairing links (data_feeds/access/tokens.py)
    Column("digest", String(64), primary_key=True),  # SHA-256 of the token: the link itself is never stored
    Column("purpose", String(10), nullable=False),  # signin | pair
    Column("subject", String(16), nullable=False),  # the person's or the device's id
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
)


evidence_files = Table(
    "evidence_files",
    metadata,  # uploaded photos and videos (data_feeds/reports/evidence_store.py): every node reads the same ones
    Column("report_id", String(32), primary_key=True),
    Column("name", String(40), primary_key=True),  # <sha-256 of the upload, 32 hex>.<jpg|mp4|webm>
    Column("kind", String(8), nullable=False),  # photo | video
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),  # re-encoded or remuxed: no metadata of the sender's
    Column("uploaded_by", String(60), nullable=False),  # the person (their id) whose upload it was
    Column("uploaded_at", UTCDateTime, nullable=False),
    Column("event_id", Integer),  # the event that holds it; null while staged (swept when no event adopts it)
    Column("claimed_taken_at", String(19)),  # what the photo's EXIF claims (camera-local time), for later checks
    Column("claimed_lat", Float),
    Column("claimed_lon", Float),
    Index("ix_evidence_uploader", "uploaded_by", "uploaded_at"),  # the per-person upload allowance
    Index("ix_evidence_staged", "event_id", "uploaded_at"),  # the sweep of what no event adopted
)


audit_events = Table(
    "audit_events",
    metadata,  # who read or did what: never shown on a wall, never exported
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_kind", String(10), nullable=False),  # key | person | device | cli (an admin at the command line)
    Column("actor", String(120), nullable=False),  # the key id (or, with sign-in, the person)
    Column("action", String(40), nullable=False),  # personal_read, signin, signin_failed, pair, forward, ...
    Column("outcome", String(10), nullable=False),  # allowed | refused
    Column("report_id", String(32)),
    Column("address", String(64)),  # where the request came from
    Column("detail", String(300)),
    Index("ix_audit_at", "at"),
)


# Figures are checked finite on the way in; one stored before that check (Infinity, NaN) is left out of every
# read rather than break the JSON of every screen and feed that would carry it.
FINITE_FIGURE = indicator_values.c.value.between(-1.0e308, 1.0e308)


EVENTS_REPORT_FK = "report_events_report_id_fkey"  # PostgreSQL's own name for it, as create_all makes it
# Set aside during Store.bulk_load and built at its end: every index that only speeds reads (the unique ones stay:
# they keep a resent report out).
LOAD_DEFERRED_INDEXES = tuple(
    index for table in (reports, report_events) for index in table.indexes if not index.unique
)


class NotFound(Exception):
    pass


PG_TEXT_INDEX = "CREATE INDEX IF NOT EXISTS ix_reports_search ON reports USING gin (search)"


FTS_INSERT_TRIGGER = (
    "CREATE TRIGGER IF NOT EXISTS reports_fts_insert AFTER INSERT ON reports BEGIN "
    "INSERT INTO reports_fts(rowid, source_ref, title, description) "
    "VALUES (new.rowid, new.source_ref, new.title, new.description); END"
)
