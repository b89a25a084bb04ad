"""The live channel: every dashboard's live view over Server-Sent Events, from one Redis subscription per process.

Its own process beside the Dash app (app.py starts it; starlette on uvicorn): an idle stream costs it a
few kilobytes and no thread, where in the Dash app's server each would hold a thread, and a poll through a
Dash callback costs a request a second per dashboard (bench/live_channel.py measures both; README "Live
channel"). It reads only Redis: the worker's snapshot versions (live.versions). For each audience
(live.view.Audience) it builds the view once per version and sends that audience's dashboards the same
bytes: a merge patch of the view and the markers that changed.

    GET /live/events?t=TICKET[&have=V]  text/event-stream: `msg` events (shapes.LiveMessage; id = version, so a
                                        reconnect says what it has), `beat` every BEAT_S (is Redis up, is the
                                        worker alive), `renew` when the ticket is about to run out
    GET /live/poll?t=TICKET&have=V       the fallback where a proxy cuts or buffers streams: {"msgs": [LiveMessage],
                                        "beat": ...}, asked every few seconds
    GET /live/view?t=TICKET              the audience's whole view and markers at its version (gzip): after a reset
    ...&only=v                           on /live/events and /live/poll: only {"v"} per version (a page that reads
                                        its own data when anything changed: the report table)
    GET /live/healthz                    {"clients", "audiences", "version", "redis"}

A dashboard that reconnects with the version it has gets what changed since (the last HISTORY versions),
otherwise a reset. The ticket (live.ticket) is the only credential: no cookie is read, so any origin
may call (CORS *).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import resource
import time
from collections import deque
from dataclasses import dataclass, field

import redis
import redis.asyncio as aredis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from data_feeds.clock import iso_utc, utcnow
from data_feeds.live import revoked
from data_feeds.live import ticket as live_ticket
from data_feeds.live import view as live_view
from data_feeds.live.versions import LiveState
from data_feeds.live.view import Audience
from data_feeds.runtime import channel_guard
from data_feeds.services import Services
from data_feeds.settings import Settings, build_id

log = logging.getLogger("liveroom.channel")
BEAT_S = 5.0  # a dashboard that hears nothing for 2 x BEAT_S + 5 s says it is cut off
CHECK_S = 1.0  # the version is also read this often, in case a pub/sub message was lost
HISTORY = 120  # versions of changes kept per audience for dashboards catching up
QUEUE_MAX = 200  # messages waiting for one slow dashboard; beyond, it is dropped and catches up on reconnect
MAX_CLIENTS = 20_000
IDLE_AUDIENCE_S = 600.0  # an audience nobody followed for this long is no longer built
# any origin may call (the ticket is the credential); the page may see the answers' sizes (Resource Timing)
CORS = {"Access-Control-Allow-Origin": "*", "Timing-Allow-Origin": "*", "Cache-Control": "no-store"}


def sse(event: str, data: dict, event_id: str | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}\n\n".encode()


@dataclass(eq=False)
class Client:
    expires_at: float  # the ticket's end (time.time())
    holder: str = ""  # the session or screen the ticket was issued to: its stream ends when that access ends
    versions_only: bool = False  # a page that only needs to know that something changed (the report table)
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_MAX))
    renew_sent: bool = False
    dropped: bool = False

    def offer(self, chunk: bytes | None) -> None:
        try:
            self.queue.put_nowait(chunk)
        except asyncio.QueueFull:
            self.dropped = True  # too slow: its stream ends, and it reconnects with the version it has


@dataclass(eq=False)
class Follow:
    """One audience: its view at `token`, the recent changes, and the dashboards following it."""

    audience: Audience
    view: dict | None = None
    token: str | None = None
    history: deque = field(default_factory=lambda: deque(maxlen=HISTORY))
    clients: set[Client] = field(default_factory=set)
    used_at: float = field(default_factory=time.monotonic)
    whole: tuple[str, bytes] | None = None  # (token, gzip of the view and markers): made once per version


class Hub:
    def __init__(self, services: Services):
        self.s = services
        self.names = {code: p.name for code, p in services.gazetteer.kecamatan.items()}
        self.token: str | None = None
        self.summary: dict | None = None
        self.markers: dict[str, dict] = {}
        self.follows: dict[str, Follow] = {}
        self.redis_up = False
        self.worker_up = False
        self.revoked: set[str] = set()  # holders whose access ended (live.revoked): refused, their streams ended
        self.wake = asyncio.Event()
        self.lock = asyncio.Lock()

    # -- reading Redis (in a thread: redis-py is blocking) -------------------------------------------------
    def _scope_keys(self) -> list[str]:
        return [",".join(sorted(f.audience.scope)) for f in self.follows.values() if f.audience.scope is not None]

    def _read(self, have: str | None, scope_keys: list[str]) -> dict:
        current, beat = self.s.live.pulse()
        got = {"worker": beat is not None, "token": current.token() if current else None}
        if current is None or current.token() == have:
            return got
        change = self.s.live.since(LiveState.parse(have), scope_keys, with_indicators=False) if have else None
        if change is None:  # first read, a new epoch (Redis lost its data), or too far behind
            state, summary, markers, scopes = self.s.live.whole(scope_keys)
            if state is None or summary is None:
                return {**got, "token": None}
            return {
                **got,
                "token": state.token(),
                "full": True,
                "summary": summary,
                "markers": markers,
                "scopes": scopes,
            }
        return {
            **got,
            "token": change["state"].token(),
            "summary": change["summary"],
            "upserts": change["upserts"],
            "removes": change["removes"],
            "scopes": change["scopes"],
        }

    async def refresh(self) -> None:
        async with self.lock:
            try:
                got = await asyncio.to_thread(self._read, self.token, self._scope_keys())
            except (redis.RedisError, OSError) as exc:
                if self.redis_up:
                    log.warning("channel: redis unavailable (%s); dashboards are told", exc)
                self.redis_up = False
                return
            self.redis_up, self.worker_up = True, got["worker"]
            if got["token"] is None or got["token"] == self.token or "summary" not in got:
                return
            if got.get("full"):
                self.markers = got["markers"]
            else:
                for f in got["upserts"]:
                    self.markers[f["id"]] = f
                for key in got["removes"]:
                    self.markers.pop(key, None)
            self.summary, self.token = got["summary"], got["token"]
            for follow in self.follows.values():
                self._advance(follow, got)

    def _advance(self, follow: Follow, got: dict) -> None:
        """The audience's next view, and the message that takes its dashboards there."""
        scope = follow.audience.scope
        scope_doc = got["scopes"].get(",".join(sorted(scope))) if scope is not None else None
        new = live_view.build(self.summary, follow.audience, scope_doc, self.token, self.names)
        if got.get("full") or follow.view is None:
            follow.history.clear()
            message = {"v": self.token, "reset": True}
        else:
            up, rm = live_view.visible_markers(got["upserts"], got["removes"], follow.audience.map_opds)
            message = {"v": self.token, "prev": follow.token}
            patch = live_view.diff(follow.view, new)
            if patch:
                message["view"] = patch
            if up:
                message["up"] = up
            if rm:
                message["rm"] = rm
            follow.history.append(message)
        follow.view, follow.token, follow.whole = new, self.token, None
        chunk, bare = sse("msg", message, self.token), sse("msg", {"v": self.token}, self.token)
        for client in follow.clients:
            client.offer(bare if client.versions_only else chunk)

    async def follow(self, audience: Audience) -> Follow:
        """The audience's state, built from the current snapshot the first time it is asked for."""
        found = self.follows.get(audience.key)
        if found is None:
            found = self.follows[audience.key] = Follow(audience)
            if self.summary is not None:
                scope_doc = None
                if audience.scope is not None:
                    with contextlib.suppress(redis.RedisError, OSError):
                        scope_doc = await asyncio.to_thread(self.s.live.scope, ",".join(sorted(audience.scope)))
                found.view = live_view.build(self.summary, audience, scope_doc, self.token, self.names)
                found.token = self.token
        found.used_at = time.monotonic()
        return found

    # -- what a dashboard is sent ----------------------------------------------------------------------------
    def catch_up(self, follow: Follow, have: str | None) -> list[dict]:
        """The messages that bring a dashboard holding `have` to the audience's version, in order ([]: it is there;
        a reset when `have` is unknown or older than the history). Sent one by one, not merged: a patch that
        deletes a key and a later one that sets it again do not merge into one merge patch."""
        if follow.token is None or have == follow.token:
            return []
        chain = list(follow.history)
        start = next((i for i, m in enumerate(chain) if m.get("prev") == have), None)
        if have is None or start is None:
            return [{"v": follow.token, "reset": True}]
        return chain[start:]

    def whole(self, follow: Follow) -> bytes | None:
        """gzip of {"view", "markers"} at the audience's version, made once per version."""
        if follow.view is None:
            return None
        if follow.whole is None or follow.whole[0] != follow.token:
            opds = follow.audience.map_opds
            features = [f for f in self.markers.values() if opds is None or f["properties"].get("o") in opds]
            doc = {"view": follow.view, "markers": {"type": "FeatureCollection", "features": features}}
            follow.whole = (
                follow.token,
                gzip.compress(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode(), 6),
            )
        return follow.whole[1]

    def beat(self) -> dict:
        # build: the release this channel runs (a kiosk wall from another release reloads itself)
        return {
            "redis": self.redis_up,
            "worker": self.redis_up and self.worker_up,
            "at": iso_utc(utcnow()),
            "build": build_id(),
        }

    def clients(self) -> int:
        return sum(len(f.clients) for f in self.follows.values())

    # -- the loops -------------------------------------------------------------------------------------------
    async def listen(self) -> None:
        """Wake on every new version (pub/sub), so a change reaches the screens at once."""
        keys = self.s.keys
        while True:
            try:
                client = aredis.Redis.from_url(self.s.settings.redis_url, socket_connect_timeout=1.0)
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(keys.changed)
                    async for message in pubsub.listen():
                        if message and message.get("type") == "message":
                            self.wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis away: the 1 s check and the beats carry on
                log.debug("channel: subscription lost (%s)", exc)
                await asyncio.sleep(1.0)

    async def run(self) -> None:
        next_beat = time.monotonic()
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=CHECK_S)
            self.wake.clear()
            try:
                await self.refresh()
            except Exception:  # never let the channel stop: a bad snapshot is logged, the next one may be fine
                log.exception("channel: refresh failed")
            if time.monotonic() >= next_beat:
                next_beat = time.monotonic() + BEAT_S
                try:
                    self.revoked = await asyncio.to_thread(revoked.holders, self.s.redis, self.s.keys)
                except (redis.RedisError, OSError):
                    pass  # Redis away: the set read last stays (and no ticket is renewed meanwhile)
                self._beat()

    def _beat(self) -> None:
        chunk = sse("beat", self.beat())
        now, idle_before = time.time(), time.monotonic() - IDLE_AUDIENCE_S
        for key, follow in list(self.follows.items()):
            for client in list(follow.clients):
                if client.expires_at <= now or client.holder in self.revoked:
                    client.offer(None)  # the ticket is spent: the browser fetches another and comes back (or is out)
                    continue
                if not client.renew_sent and client.expires_at - now < 3 * BEAT_S:
                    client.renew_sent = True
                    client.offer(sse("renew", {}))
                client.offer(chunk)
            if not follow.clients and follow.used_at < idle_before:
                del self.follows[key]


def create_app(settings: Settings | None = None) -> Starlette:
    services = Services(settings or Settings.from_env())
    routes = [
        Route("/live/events", events),
        Route("/live/poll", poll),
        Route("/live/view", whole),
        Route("/live/healthz", health),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.hub = Hub(services)
    app.state.secret = services.settings.signing_secret()
    return app


def _ticket_of(request: Request) -> live_ticket.Ticket | None:
    """The request's ticket, unless it is missing, forged, old, or its holder's access has ended."""
    ticket = live_ticket.check(request.app.state.secret, request.query_params.get("t"))
    if ticket is None or (ticket.holder and ticket.holder in request.app.state.hub.revoked):
        return None
    return ticket


def _refused() -> JSONResponse:
    return JSONResponse(
        {"errors": [{"field": "t", "message": "a live ticket is needed: missing, altered or expired"}]},
        status_code=401,
        headers=CORS,
    )


async def events(request: Request) -> Response:
    hub: Hub = request.app.state.hub
    ticket = _ticket_of(request)
    if ticket is None:
        return _refused()
    if hub.clients() >= MAX_CLIENTS:
        return JSONResponse(
            {"errors": [{"field": None, "message": "too many live connections; try again"}]},
            status_code=503,
            headers={**CORS, "Retry-After": "10"},
        )
    follow = await hub.follow(ticket.audience)
    # the browser's own reconnect says what it last got (Last-Event-ID); the address says what it had when it was
    # made
    have = request.headers.get("last-event-id") or request.query_params.get("have") or None
    versions_only = request.query_params.get("only") == "v"
    client = Client(ticket.expires_at, ticket.holder, versions_only)
    first = [b"retry: 3000\n\n", sse("beat", hub.beat())]
    if versions_only:
        first += [sse("msg", {"v": follow.token}, follow.token)] if follow.token and follow.token != have else []
    else:
        first += [sse("msg", m, m["v"]) for m in hub.catch_up(follow, have)]
    follow.clients.add(client)  # (no await since catch_up: no version can slip between)

    async def stream():
        try:
            for chunk in first:
                yield chunk
            while not client.dropped:
                chunk = await client.queue.get()
                if chunk is None:
                    return
                yield chunk
        finally:
            follow.clients.discard(client)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={**CORS, "X-Accel-Buffering": "no"})


async def poll(request: Request) -> Response:
    hub: Hub = request.app.state.hub
    ticket = _ticket_of(request)
    if ticket is None:
        return _refused()
    follow = await hub.follow(ticket.audience)
    have = request.query_params.get("have") or None
    if request.query_params.get("only") == "v":
        msgs = [{"v": follow.token}] if follow.token and follow.token != have else []
    else:
        msgs = hub.catch_up(follow, have)
    return JSONResponse({"msgs": msgs, "beat": hub.beat()}, headers=CORS)


async def whole(request: Request) -> Response:
    hub: Hub = request.app.state.hub
    ticket = _ticket_of(request)
    if ticket is None:
        return _refused()
    body = hub.whole(await hub.follow(ticket.audience))
    if body is None:
        return JSONResponse(
            {"errors": [{"field": None, "message": "no live snapshot yet (Redis or the worker is starting)"}]},
            status_code=503,
            headers={**CORS, "Retry-After": "2"},
        )
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(
            body,
            media_type="application/json",
            headers={**CORS, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
        )
    return Response(gzip.decompress(body), media_type="application/json", headers={**CORS, "Vary": "Accept-Encoding"})


async def health(request: Request) -> Response:
    hub: Hub = request.app.state.hub
    return JSONResponse(
        {
            "clients": hub.clients(),
            "audiences": len(hub.follows),
            "version": hub.token,
            "redis": hub.redis_up,
            "sockets": channel_guard.counts(getattr(request.app.state, "sockets", None)),
        },
        headers=CORS,
    )


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    hub: Hub = app.state.hub
    tasks = [asyncio.create_task(hub.listen()), asyncio.create_task(hub.run())]
    yield
    for task in tasks:
        task.cancel()


def main() -> None:
    """`python -m data_feeds.runtime.channel`: serve it on LIVE_PORT (app.py does this)."""
    import uvicorn

    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s channel %(levelname)s %(message)s")
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a socket per dashboard
    uvicorn.Server(
        channel_guard.config(create_app(settings), settings.host, settings.channel_port, limits(settings))
    ).run()


def limits(settings: Settings) -> channel_guard.Limits:
    """The channel's socket limits: the settings', and in all what its descriptors allow (some kept for Redis)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return channel_guard.Limits(
        settings.live_head_s, settings.live_per_address, max(100, min(soft - 1000, MAX_CLIENTS))
    )


if __name__ == "__main__":
    main()
