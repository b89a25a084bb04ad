"""The demo feed: plausible LAKSA traffic so a fresh install visibly moves.

Every demo report has source "demo", so it is labelled on screen and can be told apart
from citizens' reports. It files reports at random kelurahan, then moves them through
diproses to selesai (with a placeholder evidence URL) as staff would.
"""
from __future__ import annotations

import logging
import random
import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from ..store import reports
from ..validation import ApiError
from . import lifecycle
from .service import ReportService

log = logging.getLogger(__name__)

TITLES = {
    "jalan_rusak": ["Jalan berlubang membahayakan pengendara", "Aspal amblas di depan sekolah", "Jalan rusak parah setelah hujan"],
    "banjir": ["Genangan air setinggi 30 cm", "Saluran tersumbat, air meluap ke jalan", "Banjir di permukiman warga"],
    "sampah": ["Tumpukan sampah belum diangkut", "TPS liar di pinggir jalan", "Sampah menyumbat saluran air"],
    "pju_mati": ["Lampu jalan mati sepanjang 200 m", "PJU padam di dekat perempatan", "Lampu penerangan jalan berkedip"],
    "pohon_tumbang": ["Pohon tumbang menutup jalan", "Dahan besar patah menimpa kabel", "Pohon miring rawan tumbang"],
    "kesehatan": ["Antrean panjang di puskesmas", "Permintaan fogging demam berdarah", "Ambulans lambat datang"],
    "pendidikan": ["Atap kelas bocor", "Pertanyaan zonasi PPDB", "Fasilitas toilet sekolah rusak"],
    "adminduk": ["KTP-el belum jadi", "Antrean layanan KK di kelurahan", "Akta kelahiran belum terbit"],
    "ketertiban": ["Parkir liar di trotoar", "PKL menutup jalan", "Balap liar malam hari"],
    "lainnya": ["Saran untuk taman kota", "Pertanyaan layanan Tangerang LIVE", "Keluhan kebisingan"],
}
WEIGHTS = {"jalan_rusak": 5, "banjir": 3, "sampah": 5, "pju_mati": 4, "pohon_tumbang": 2, "kesehatan": 2,
           "pendidikan": 1, "adminduk": 2, "ketertiban": 3, "lainnya": 1}


class DemoFeed:
    def __init__(self, service: ReportService, seed: int | None = None, mean_interval_s: float = 4.0):
        self.service = service
        self.rng = random.Random(seed)
        self.mean_interval_s = mean_interval_s
        self.kelurahan = list(service.gazetteer.kelurahan.values())

    def _point(self):
        kel = self.rng.choice(self.kelurahan)
        spread = (kel.area_km2 ** 0.5) / 111.0 / 3  # degrees, about a third of the kelurahan's width
        for _ in range(10):
            lat, lon = kel.lat + self.rng.gauss(0, spread), kel.lon + self.rng.gauss(0, spread)
            where = self.service.locator.locate(lon, lat)
            if where.inside and where.distance_outside_m == 0:
                return where.kelurahan, lat, lon  # the name of where it landed, as a citizen would write
        return kel.name, kel.lat, kel.lon

    def _payload(self, reported_at: datetime | None = None) -> dict:
        category = self.rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        place, lat, lon = self._point()
        payload = {"source": "demo", "category": category, "title": f"{self.rng.choice(TITLES[category])} ({place})",
                   "description": "Laporan simulasi untuk demo LIVE Room.", "lat": round(lat, 6), "lon": round(lon, 6)}
        if reported_at:
            payload["reported_at"] = reported_at.isoformat()
        return payload

    def file_report(self, reported_at: datetime | None = None) -> dict:
        report, _ = self.service.submit(self._payload(reported_at))
        return report

    def progress(self, now: datetime) -> int:
        """Move some open demo reports along, as OPD staff would. -> number moved."""
        r = reports.c
        with self.service.store.read() as conn:
            # only the live demo's own recent reports: backfilled history keeps its stuck cases
            rows = conn.execute(select(r.id, r.status, r.updated_at).where(
                r.source == "demo", r.status.in_(lifecycle.OPEN), r.reported_at >= now - timedelta(hours=1))
                .order_by(r.updated_at).limit(50)).all()
        moved = 0
        for report_id, status, updated_at in rows:
            age = (now - updated_at).total_seconds()
            try:
                if status == "baru" and age > self.rng.uniform(15, 90):
                    self.service.change_status(report_id, {"status": "diproses", "actor": "demo", "note": "Diteruskan ke OPD (demo)"})
                    moved += 1
                elif status == "diproses" and age > self.rng.uniform(40, 200):
                    self.service.change_status(report_id, {
                        "status": "selesai", "actor": "demo", "note": "Selesai ditangani (demo)",
                        "evidence": [{"url": f"https://demo.invalid/bukti/{report_id}.jpg", "type": "photo"}]})
                    moved += 1
            except ApiError as exc:  # someone else moved it first: fine
                log.debug("demo: %s", exc.errors)
        return moved

    def backfill(self, n: int, now: datetime, days: float = 30) -> None:
        """Weeks of plausible history on an empty store, so the first screen is not blank: most reports
        answered and resolved within their SLA, some late, a few still open past it (the OPD panel
        and overdue markers have something true to show). Stored in one batch, like an import."""
        items = []
        for _ in range(n):
            reported = now - timedelta(hours=self.rng.uniform(0.1, days * 24))
            row, created = self.service.prepare(self._payload(reported), now)
            cat = self.service.routing.categories[row["category"]]
            responded = reported + timedelta(hours=cat.sla_response_hours * self.rng.lognormvariate(-0.7, 0.9))
            resolved = reported + timedelta(hours=cat.sla_resolution_hours * self.rng.lognormvariate(-0.8, 0.7))
            changes = []
            if responded < now:
                changes.append({"status": "diproses", "actor": "demo", "note": "Diteruskan ke OPD (demo)",
                                "at": responded.isoformat()})
                if max(resolved, responded) < now:
                    changes.append({"status": "selesai", "actor": "demo", "note": "Selesai ditangani (demo)",
                                    "at": max(resolved, responded).isoformat(),
                                    "evidence": [{"url": f"https://demo.invalid/bukti/{row['id']}.jpg", "type": "photo"}]})
            items.append(self.service.replay(row, [created], changes, now))
        self.service.store.insert_batch(items, now)

    def run(self, stop: threading.Event) -> None:
        try:
            now = datetime.now(timezone.utc)
            r = reports.c
            with self.service.store.read() as conn:
                has_recent = conn.execute(select(r.id).where(r.source == "demo", r.received_at >= now - timedelta(hours=6)).limit(1)).first()
            if not has_recent:
                self.backfill(400, now)
        except Exception:
            log.exception("demo: backfill failed")
        while not stop.wait(self.rng.expovariate(1 / self.mean_interval_s)):
            try:
                self.file_report()
                self.progress(datetime.now(timezone.utc))
            except Exception:  # the demo must never take the worker down
                log.exception("demo: tick failed")
