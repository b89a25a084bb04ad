"""The versioned snapshot in Redis: written once per change, read by every dashboard.

`LivePublisher` (one per deployment, in the worker) writes the summary with a version counter
and a per-version delta of markers, so a dashboard that polls learns of a change with one GET
and downloads only the markers that changed. `LiveReader` is the read side.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

import redis

from data_feeds.clock import iso_utc

from .bus import Keys
from .shapes import MarkerFeature, Summary

DELTA_KEEP = 2000  # versions of marker deltas kept for clients that fell behind


INDICATOR_PARTS = ("indicators", "indicator_subjects")
SCOPE_PART = "by_opd"  # the agency views: read only by agencies' dashboards, so not carried in every summary read


def split_indicators(summary: dict) -> tuple[dict, dict]:
    """The indicator panels travel under their own Redis key, written only when a figure changed
    (their mark moved): with a weekly per-kelurahan feed they are ~160 KB, which every report's
    new version would otherwise copy, hash and every dashboard re-read."""
    return (
        {k: v for k, v in summary.items() if k not in INDICATOR_PARTS and k != SCOPE_PART},
        {k: summary[k] for k in INDICATOR_PARTS if k in summary},
    )


def _write_scopes(pipe, key: str, scopes: dict) -> None:
    pipe.delete(key)
    if scopes:
        pipe.hset(key, mapping={name: json.dumps(view) for name, view in scopes.items()})


def fingerprint(summary: dict) -> str:
    return hashlib.blake2b(json.dumps(summary, sort_keys=True).encode(), digest_size=12).hexdigest()


@dataclass
class LiveState:
    epoch: str
    version: int

    def token(self) -> str:
        return f"{self.epoch}:{self.version}"

    @classmethod
    def parse(cls, token: bytes | str | None) -> LiveState | None:
        if not token:
            return None
        token = token.decode() if isinstance(token, bytes) else token
        epoch, _, version = token.partition(":")
        return cls(epoch, int(version)) if version.isdigit() else None


class LivePublisher:
    """Writes snapshot versions to Redis. One per deployment (in the worker)."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.client, self.keys = client, keys
        self.state: LiveState | None = None
        self.markers: dict[str, dict] = {}
        self.summary_print = ""
        self.indicators_mark = ""

    def adopt(self) -> bool:
        """Carry on from the versions already in Redis (a worker taking over from one that stopped): the
        dashboards then get the next change as a delta, not a reset. -> False when there is nothing to adopt."""
        pipe = self.client.pipeline(transaction=True)
        pipe.get(self.keys.version)
        pipe.hgetall(self.keys.markers)
        pipe.get(self.keys.summary)
        token, features, summary = pipe.execute()
        state = LiveState.parse(token)
        if state is None or summary is None:
            return False
        self.state = state
        self.markers = {k.decode(): json.loads(v) for k, v in features.items()}
        self.summary_print = ""  # the next publish writes a version (its markers diffed against these)
        self.indicators_mark = json.loads(summary).get("indicators_mark", "")
        return True

    def publish(self, summary: Summary, markers: dict[str, MarkerFeature], built_at: datetime) -> bool:
        """Write a new version if anything changed. -> True when a version was written."""
        current = LiveState.parse(self.client.get(self.keys.version))
        if self.state is None or current is None or current.epoch != self.state.epoch:
            self._publish_full(summary, markers, built_at)  # first run, or Redis lost its data
            return True
        if current.version != self.state.version:  # another worker wrote meanwhile (a handover): go on from its version
            self.adopt()
        scopes = summary.get(SCOPE_PART) or {}
        summary, indicator_doc = split_indicators(summary)
        upserts = [f for key, f in markers.items() if self.markers.get(key) != f]
        removes = [key for key in self.markers if key not in markers]
        summary_print = fingerprint([summary, scopes])
        if not upserts and not removes and summary_print == self.summary_print:
            return False
        version = self.state.version + 1
        doc = {**summary, "built_at": iso_utc(built_at), "version": version, "epoch": self.state.epoch}
        pipe = self.client.pipeline(transaction=True)
        if upserts:
            pipe.hset(self.keys.markers, mapping={f["id"]: json.dumps(f) for f in upserts})
        if removes:
            pipe.hdel(self.keys.markers, *removes)
        pipe.xadd(
            self.keys.deltas,
            {"up": json.dumps(upserts), "rm": json.dumps(removes)},
            id=f"{version}-0",
            maxlen=DELTA_KEEP,
            approximate=False,
        )
        if summary.get("indicators_mark") != self.indicators_mark:
            pipe.set(self.keys.indicators, json.dumps(indicator_doc))
        _write_scopes(pipe, self.keys.scopes, scopes)
        pipe.set(self.keys.summary, json.dumps(doc))
        pipe.set(self.keys.version, f"{self.state.epoch}:{version}")
        pipe.publish(self.keys.changed, f"{self.state.epoch}:{version}")  # the live channels, at once
        pipe.execute()
        self.state = LiveState(self.state.epoch, version)
        self.markers, self.summary_print = dict(markers), summary_print
        self.indicators_mark = summary.get("indicators_mark", "")
        return True

    def _publish_full(self, summary: Summary, markers: dict[str, MarkerFeature], built_at: datetime) -> None:
        state = LiveState(secrets.token_hex(4), 1)
        scopes = summary.get(SCOPE_PART) or {}
        summary, indicator_doc = split_indicators(summary)
        doc = {**summary, "built_at": iso_utc(built_at), "version": 1, "epoch": state.epoch}
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self.keys.markers, self.keys.deltas)
        pipe.set(self.keys.indicators, json.dumps(indicator_doc))
        if markers:
            pipe.hset(self.keys.markers, mapping={k: json.dumps(f) for k, f in markers.items()})
        pipe.xadd(self.keys.deltas, {"full": "1"}, id="1-0")
        _write_scopes(pipe, self.keys.scopes, scopes)
        pipe.set(self.keys.summary, json.dumps(doc))
        pipe.set(self.keys.version, state.token())
        pipe.publish(self.keys.changed, state.token())
        pipe.execute()
        self.state, self.markers, self.summary_print = state, dict(markers), fingerprint([summary, scopes])
        self.indicators_mark = summary.get("indicators_mark", "")


class LiveReader:
    """The dashboards' side: one GET to learn whether anything changed, then only what changed."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.client, self.keys = client, keys
        self._indicators: tuple[str | None, dict] = (None, {})  # (mark, panels): fetched once per change, per process

    def _with_indicators(self, summary: dict | None) -> dict | None:
        """The summary with its indicator panels put back (from this process's copy while their mark holds)."""
        if summary is None:
            return None
        mark = summary.get("indicators_mark")
        cached = self._indicators
        if cached[0] != mark or mark is None:
            raw = self.client.get(self.keys.indicators)
            cached = self._indicators = (mark, json.loads(raw) if raw else {})
        return {**summary, **cached[1]}

    def version(self) -> LiveState | None:
        return LiveState.parse(self.client.get(self.keys.version))

    def pulse(self) -> tuple[LiveState | None, dict | None]:
        """The current version and the live worker's heartbeat (None: the worker is not running), in one
        round trip: what a poll, a page and /healthz ask first. Raises redis errors (Redis down)."""
        pipe = self.client.pipeline(transaction=False)
        pipe.get(self.keys.version)
        pipe.get(self.keys.heartbeat)
        token, beat = pipe.execute()
        return LiveState.parse(token), json.loads(beat) if beat else None

    def summary(self) -> Summary | None:
        raw = self.client.get(self.keys.summary)
        return self._with_indicators(json.loads(raw)) if raw else None

    def scope(self, key: str) -> dict | None:
        """An agency's view (live.snapshot.scope_key), as of the current version."""
        raw = self.client.hget(self.keys.scopes, key)
        return json.loads(raw) if raw else None

    def scopes(self, keys: list[str]) -> dict[str, dict | None]:
        """Several agencies' views in one round trip."""
        if not keys:
            return {}
        return {
            k: json.loads(raw) if raw else None
            for k, raw in zip(keys, self.client.hmget(self.keys.scopes, keys), strict=True)
        }

    def whole(
        self, scope_keys: list[str] = ()
    ) -> tuple[LiveState | None, Summary | None, dict[str, dict], dict[str, dict | None]]:
        """Version, summary (without the indicator panels), every marker by id and the named agencies' views, all of
        one version (one transaction): what the live channel starts from."""
        pipe = self.client.pipeline(transaction=True)
        pipe.get(self.keys.version)
        pipe.get(self.keys.summary)
        pipe.hgetall(self.keys.markers)
        if scope_keys:
            pipe.hmget(self.keys.scopes, list(scope_keys))
        token, summary, features, *scoped = pipe.execute()
        scopes = (
            {k: json.loads(raw) if raw else None for k, raw in zip(scope_keys, scoped[0], strict=True)}
            if scope_keys
            else {}
        )
        return (
            LiveState.parse(token),
            json.loads(summary) if summary else None,
            {k.decode(): json.loads(v) for k, v in features.items()},
            scopes,
        )

    def head(self) -> tuple[LiveState | None, Summary | None, dict | None]:
        """Version, summary and the worker's heartbeat, consistently and in one round trip: what a page needs
        to draw everything but the markers, and to say whether it is live."""
        pipe = self.client.pipeline(transaction=True)
        pipe.get(self.keys.version)
        pipe.get(self.keys.summary)
        pipe.get(self.keys.heartbeat)
        token, summary, beat = pipe.execute()
        return (
            LiveState.parse(token),
            self._with_indicators(json.loads(summary)) if summary else None,
            json.loads(beat) if beat else None,
        )

    def markers_geojson(self, opds: frozenset[str] | None = None) -> tuple[LiveState | None, bytes]:
        """The live markers as one GeoJSON FeatureCollection: all of them (opds None) joined from the stored
        feature strings without parsing them (a whole-map load costs a byte join, not a JSON round trip),
        or only those routed to `opds` (an agency's own wall: parsed and picked)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.get(self.keys.version)
        pipe.hvals(self.keys.markers)
        token, features = pipe.execute()
        if opds is not None:
            features = [f for f in features if opds and json.loads(f)["properties"].get("o") in opds]
        return LiveState.parse(token), b'{"type":"FeatureCollection","features":[' + b",".join(features) + b"]}"

    def since(self, have: LiveState, scope_keys: list[str] = (), with_indicators: bool = True) -> dict | None:
        """Changes after `have`, or None when the client must reload everything (other epoch, or too far behind).
        `scope_keys`: the agencies' views to read with it ("scopes"), of the same version."""
        pipe = self.client.pipeline(transaction=True)
        pipe.get(self.keys.version)
        pipe.get(self.keys.summary)
        pipe.xrange(self.keys.deltas, min=f"{have.version + 1}-0", max="+")
        if scope_keys:
            pipe.hmget(self.keys.scopes, list(scope_keys))
        token, summary, entries, *scoped = pipe.execute()
        scopes = (
            {k: json.loads(raw) if raw else None for k, raw in zip(scope_keys, scoped[0], strict=True)}
            if scope_keys
            else {}
        )
        now = LiveState.parse(token)
        if now is None or now.epoch != have.epoch or now.version < have.version:
            return None
        if now.version == have.version:
            return {"state": now, "summary": None, "upserts": [], "removes": [], "scopes": scopes}
        if not entries or int(entries[0][0].split(b"-")[0]) != have.version + 1:
            return None  # trimmed past what the client has
        upserts: dict[str, dict] = {}
        removes: set[str] = set()
        for _id, fields in entries:
            if b"full" in fields:
                return None
            for f in json.loads(fields[b"up"]):
                upserts[f["id"]] = f
                removes.discard(f["id"])
            for key in json.loads(fields[b"rm"]):
                upserts.pop(key, None)
                removes.add(key)
        summary = json.loads(summary)
        return {
            "state": now,
            "summary": self._with_indicators(summary) if with_indicators else summary,
            "upserts": list(upserts.values()),
            "removes": sorted(removes),
            "scopes": scopes,
        }
