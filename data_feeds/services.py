"""The running parts one process needs, built once from the settings.

A web process attaches its `Services` to the Flask app (`attach`); request handlers reach them
with `current()`, so handlers are plain module-level functions rather than closures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import redis
from flask import Flask, current_app

from data_feeds.access.keys import ApiKeys
from data_feeds.clock import utcnow
from data_feeds.indicators.series import IndicatorService
from data_feeds.live.bus import Keys, Poker, connect
from data_feeds.live.versions import LiveReader
from data_feeds.reports import acting, categories
from data_feeds.reports.evidence_store import Allowance, EvidenceStore
from data_feeds.reports.personal import Sealer
from data_feeds.reports.personal_data import PersonalData
from data_feeds.reports.service import ReportService
from data_feeds.settings import Settings
from data_feeds.store import Store
from geodata import boundaries, gazetteer
from geodata.locate import Locator

SCHEMATIC_TOLERANCE_M = 750.0  # schematic edges are approximate: accept points this close outside
OFFICIAL_TOLERANCE_M = 30.0  # GPS error at the edge of official boundaries
EXTENSION = "liveroom"  # the key under Flask's app.extensions


@dataclass
class Services:
    settings: Settings

    @cached_property
    def store(self) -> Store:
        return Store(self.settings.database_url)

    @cached_property
    def routing(self) -> categories.RoutingTable:
        return categories.load()

    @cached_property
    def gazetteer(self) -> gazetteer.Gazetteer:
        return gazetteer.load()

    _boundaries: boundaries.BoundarySet | None = field(default=None, init=False, repr=False)
    _locator: Locator | None = field(default=None, init=False, repr=False)

    @property
    def boundaries(self) -> boundaries.BoundarySet:
        """The boundaries in use. An import (python -m data_feeds import boundaries) replaces the official file;
        every process notices at its next use (one stat) and draws and locates with the new ones."""
        path = self.settings.official_boundaries_path
        current = self._boundaries
        if current is None or current.key.split(":")[1] != str(boundaries.boundaries_stamp(path)):
            current = boundaries.load_boundaries(path)
            self._boundaries, self._locator = current, None
        return current

    @property
    def locator(self) -> Locator:
        bset = self.boundaries
        if self._locator is None:
            tolerance = self.settings.boundary_tolerance_m
            if tolerance is None:
                tolerance = OFFICIAL_TOLERANCE_M if bset.kind == "official" else SCHEMATIC_TOLERANCE_M
            self._locator = Locator(bset, tolerance)
        return self._locator

    @cached_property
    def reports(self) -> ReportService:
        return ReportService(
            self.store, self.routing, self.gazetteer, lambda: self.locator, Sealer(self.settings.personal_data_secret())
        )

    @cached_property
    def personal_data(self) -> PersonalData:
        return PersonalData(self.store, self.reports.sealer)

    @cached_property
    def evidence(self) -> EvidenceStore:
        return EvidenceStore(self.store, utcnow)

    @property
    def evidence_allowance(self) -> Allowance:
        return Allowance(self.settings.evidence_hourly_files, self.settings.evidence_hourly_bytes)

    def act(self, report_id: str, action: acting.Action, who) -> dict:
        """A person's action on a report, with any evidence they send, from whichever door (reports/acting.py)."""
        max_bytes = self.settings.evidence_max_bytes
        return acting.act(self.reports, self.evidence, report_id, action, who, max_bytes, self.evidence_allowance)

    @cached_property
    def indicators(self) -> IndicatorService:
        return IndicatorService(self.store, self.gazetteer)

    @cached_property
    def api_keys(self) -> ApiKeys:
        return ApiKeys(self.store)

    @cached_property
    def keys(self) -> Keys:
        return Keys(self.settings.key_prefix)

    @cached_property
    def redis(self) -> redis.Redis:
        if not self.settings.redis_url:
            raise RuntimeError(
                "REDIS_URL is not set: start the app with `python app.py`, which starts an embedded server"
            )
        return connect(self.settings.redis_url)

    @cached_property
    def live(self) -> LiveReader:
        return LiveReader(self.redis, self.keys)

    @cached_property
    def poker(self) -> Poker:
        """One per process: tells the live worker, off the request path, that the outbox has news."""
        return Poker(self.redis, self.keys)

    def attach(self, server: Flask) -> None:
        server.extensions[EXTENSION] = self


def current() -> Services:
    """The services of the app serving this request."""
    return current_app.extensions[EXTENSION]
