"""The demo feed: a believable day of LAKSA traffic, so a fresh install moves as a city would.

Every demo report has source "demo", so it is labelled on screen and can be told apart from citizens' reports.
What it simulates (README "The demo"):
- arrivals follow the day in WIB: quiet at night, a morning peak (07-10), a long afternoon; on average one report
  every DEMO_INTERVAL_S seconds (300: about 290 a day; 4 for a busy stress test);
- rain: some afternoons and evenings it rains for one to four hours, and floods, fallen trees and broken roads
  come in several times as often;
- each report's first response and resolution come at times drawn from its category's SLA (a log-normal around
  half the SLA: most within it, some late, a few very late), so the medians sit inside the SLAs: minutes to hours
  to respond, hours to days to resolve;
- an empty store first gets the past week of that traffic with its history, so the first screen is a city's.
A report's times follow from its id and the weather from the date and hour, so every process and every restart
tells the same story. The worker's demo job moves each report when its time comes (with that time on the event).
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from data_feeds.clock import WIB
from data_feeds.refusal import Refusal
from data_feeds.store import reports

from . import lifecycle
from .service import ReportService

log = logging.getLogger(__name__)

TITLES = {
    "jalan_rusak": [
        "Jalan berlubang membahayakan pengendara",
        "Aspal amblas di depan sekolah",
        "Jalan rusak parah setelah hujan",
    ],
    "banjir": ["Genangan air setinggi 30 cm", "Saluran tersumbat, air meluap ke jalan", "Banjir di permukiman warga"],
    "sampah": ["Tumpukan sampah belum diangkut", "TPS liar di pinggir jalan", "Sampah menyumbat saluran air"],
    "pju_mati": [
        "Lampu jalan mati sepanjang 200 m",
        "PJU padam di dekat perempatan",
        "Lampu penerangan jalan berkedip",
    ],
    "pohon_tumbang": ["Pohon tumbang menutup jalan", "Dahan besar patah menimpa kabel", "Pohon miring rawan tumbang"],
    "kesehatan": ["Antrean panjang di puskesmas", "Permintaan fogging demam berdarah", "Ambulans lambat datang"],
    "pendidikan": ["Atap kelas bocor", "Pertanyaan zonasi PPDB", "Fasilitas toilet sekolah rusak"],
    "adminduk": ["KTP-el belum jadi", "Antrean layanan KK di kelurahan", "Akta kelahiran belum terbit"],
    "ketertiban": ["Parkir liar di trotoar", "PKL menutup jalan", "Balap liar malam hari"],
    "lainnya": ["Saran untuk taman kota", "Pertanyaan layanan Tangerang LIVE", "Keluhan kebisingan"],
    "orang_terlantar": [
        "Orang terlantar tidur di halte",
        "Lansia terlantar di pinggir jalan",
        "Anak jalanan di lampu merah",
    ],
    "odgj": ["ODGJ berkeliaran di pasar", "Warga dengan gangguan jiwa butuh penanganan", "ODGJ mengamuk di permukiman"],
    "pelayanan_kantor": [
        "Antrean lama di kantor kelurahan",
        "Petugas loket tidak ada di tempat",
        "Layanan surat lambat",
    ],
}
WEIGHTS = {
    "jalan_rusak": 5,
    "banjir": 1,
    "sampah": 5,
    "pju_mati": 4,
    "pohon_tumbang": 1,
    "kesehatan": 2,
    "pendidikan": 1,
    "adminduk": 2,
    "ketertiban": 3,
    "lainnya": 1,
    "orang_terlantar": 0.5,
    "odgj": 0.5,
    "pelayanan_kantor": 1,
}
RAIN_WEIGHTS = {"banjir": 12, "pohon_tumbang": 4, "jalan_rusak": 8}  # in the rain, instead of the dry weights above
# reports per hour of the WIB day, relative to the day's mean (sums to 24): night, the morning peak, the afternoon
DAY_SHAPE = (
    0.2,
    0.12,
    0.1,
    0.1,
    0.2,
    0.5,
    1.1,
    2.0,
    2.3,
    2.1,
    1.7,
    1.5,
    1.3,
    1.4,
    1.4,
    1.3,
    1.3,
    1.2,
    1.0,
    0.9,
    0.8,
    0.6,
    0.4,
    0.28,
)
RAIN_START = {h: 0.12 if 13 <= h <= 20 else 0.02 for h in range(24)}  # chance that rain begins in that WIB hour
HISTORY_DAYS = 30  # the league's window: the wall opens on a month of the city's traffic
HISTORY_MAX = 3000  # a busy demo (a small DEMO_INTERVAL_S) gets fewer days of history, not a heavier first start


def _rng(*key) -> random.Random:
    """A generator seeded by `key`: the same story in every process and after every restart."""
    return random.Random(int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=8).digest(), "big"))


def raining(at: datetime) -> bool:
    """Does it rain in Tangerang at `at` (the demo's weather)? A shower begins in a WIB hour with RAIN_START's
    chance and lasts one to four hours."""
    hour = at.astimezone(WIB).replace(minute=0, second=0, microsecond=0)
    for back in range(4):
        start = hour - timedelta(hours=back)
        rng = _rng("rain", start.isoformat())
        if rng.random() < RAIN_START[start.hour] and back < rng.randint(1, 4):
            return True
    return False


def rate_per_s(at: datetime, mean_interval_s: float) -> float:
    """Reports per second at `at`: the day's shape around the mean, a third more in the rain."""
    return DAY_SHAPE[at.astimezone(WIB).hour] / mean_interval_s * (1.3 if raining(at) else 1.0)


@dataclass(frozen=True)
class Plan:
    """When staff answer a report and when they resolve it (a few are never resolved in the demo's month)."""

    respond_at: datetime
    resolve_at: datetime | None


def plan(report_id: str, reported_at: datetime, sla_response_hours: float, sla_resolution_hours: float) -> Plan:
    """Its times, from its id: a log-normal around half of each SLA (median 0.5 of the response SLA, 0.45 of the
    resolution SLA; about one in five late)."""
    rng = _rng("plan", report_id)
    respond = reported_at + timedelta(hours=sla_response_hours * rng.lognormvariate(-0.7, 0.9))
    resolve = reported_at + timedelta(hours=sla_resolution_hours * rng.lognormvariate(-0.8, 0.7))
    stuck = rng.random() < 0.03
    return Plan(respond, None if stuck else max(resolve, respond + timedelta(minutes=10)))


class DemoFeed:
    def __init__(self, service: ReportService, seed: int | None = None, mean_interval_s: float = 300.0):
        self.service = service
        self.rng = random.Random(seed)
        self.mean_interval_s = mean_interval_s
        self.kelurahan = list(service.gazetteer.kelurahan.values())

    def _point(self):
        kel = self.rng.choice(self.kelurahan)
        spread = (kel.area_km2**0.5) / 111.0 / 3  # degrees, about a third of the kelurahan's width
        for _ in range(10):
            lat, lon = kel.lat + self.rng.gauss(0, spread), kel.lon + self.rng.gauss(0, spread)
            where = self.service.locator.locate(lon, lat)
            if where.inside and where.distance_outside_m == 0:
                return where.kelurahan, lat, lon  # the name of where it landed, as a citizen would write
        return kel.name, kel.lat, kel.lon

    def _payload(self, reported_at: datetime) -> dict:
        weights = {**WEIGHTS, **RAIN_WEIGHTS} if raining(reported_at) else WEIGHTS
        category = self.rng.choices(list(weights), weights=list(weights.values()))[0]
        place, lat, lon = self._point()
        return {
            "source": "demo",
            "category": category,
            "title": f"{self.rng.choice(TITLES[category])} ({place})",
            "description": "Laporan simulasi untuk demo LIVE Room.",
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "reported_at": reported_at.isoformat(),
        }

    def file_report(self, reported_at: datetime | None = None) -> dict:
        report, _ = self.service.submit(self._payload(reported_at or datetime.now(timezone.utc)))
        return report

    def _plan(self, report_id: str, category: str, reported_at: datetime) -> Plan:
        cat = self.service.routing.categories[category]
        return plan(report_id, reported_at, cat.sla_response_hours, cat.sla_resolution_hours)

    @staticmethod
    def _changes(report_id: str, p: Plan, status: str, now: datetime) -> list[dict]:
        """The status changes due by `now` for a report in `status`, each at its planned time."""
        out = []
        if status == "baru" and p.respond_at <= now:
            out.append(
                {
                    "status": "diproses",
                    "actor": "demo",
                    "note": "Diteruskan ke OPD (demo)",
                    "at": p.respond_at.isoformat(),
                }
            )
            status = "diproses"
        if status == "diproses" and p.resolve_at is not None and p.resolve_at <= now:
            out.append(
                {
                    "status": "selesai",
                    "actor": "demo",
                    "note": "Selesai ditangani (demo)",
                    "at": p.resolve_at.isoformat(),
                    "evidence": [{"url": f"https://demo.invalid/bukti/{report_id}.jpg", "type": "photo"}],
                }
            )
        return out

    def progress(self, now: datetime) -> int:
        """Move every open demo report whose planned time has come, as OPD staff would. -> changes made."""
        r = reports.c
        with self.service.store.read() as conn:
            rows = conn.execute(
                select(r.id, r.status, r.category, r.reported_at).where(
                    r.source == "demo", r.status.in_(lifecycle.OPEN)
                )
            ).all()
        moved = 0
        for report_id, status, category, reported_at in rows:
            for change in self._changes(report_id, self._plan(report_id, category, reported_at), status, now):
                try:
                    self.service.change_status(report_id, change)
                    moved += 1
                except Refusal as exc:  # someone else moved it first (a person on the wall): fine
                    log.debug("demo: %s", exc.errors)
                    break
        return moved

    def arrivals(self, start: datetime, end: datetime) -> list[datetime]:
        """When reports come in between start and end: the day's shape and the rain, hour by hour."""
        out, at = [], start
        while at < end:
            at += timedelta(seconds=self.rng.expovariate(rate_per_s(at, self.mean_interval_s)))
            if at < end:
                out.append(at)
        return out

    def backfill(self, now: datetime, days: float = HISTORY_DAYS) -> int:
        """The past `days` of the same traffic with its history (fewer days where that would pass HISTORY_MAX
        reports), on an empty store, so the first screen is a city's: stored in batches, like an import.
        -> reports stored."""
        days = min(days, HISTORY_MAX * self.mean_interval_s / 86400)
        items = []
        for reported in self.arrivals(now - timedelta(days=days), now):
            row, created = self.service.prepare(self._payload(reported), now)
            changes = self._changes(row["id"], self._plan(row["id"], row["category"], reported), "baru", now)
            items.append(self.service.replay(row, [created], changes, now))
        for k in range(0, len(items), 2000):
            self.service.repository.insert_batch(items[k : k + 2000], now)
        return len(items)

    def run(self, stop: threading.Event) -> None:
        try:
            now = datetime.now(timezone.utc)
            r = reports.c
            with self.service.store.read() as conn:
                has_recent = conn.execute(
                    select(r.id).where(r.source == "demo", r.received_at >= now - timedelta(hours=6)).limit(1)
                ).first()
            if not has_recent:
                self.backfill(now)
        except Exception:
            log.exception("demo: backfill failed")
        next_report = datetime.now(timezone.utc)
        while not stop.wait(
            5.0
            if next_report > datetime.now(timezone.utc) + timedelta(seconds=5)
            else max(0.0, (next_report - datetime.now(timezone.utc)).total_seconds())
        ):
            try:
                now = datetime.now(timezone.utc)
                if next_report <= now:
                    self.file_report()
                    next_report = now + timedelta(seconds=self.rng.expovariate(rate_per_s(now, self.mean_interval_s)))
                self.progress(now)
            except Exception:  # the demo must never take the worker down
                log.exception("demo: tick failed")
