"""The live channel's sockets, guarded: a request head must arrive within HEAD_S, one address holds at most a
share of the channel, and the channel as a whole stops taking connections before it runs out of descriptors.

uvicorn holds a connection that has sent nothing, or half a request head, for ever (its keep-alive timer starts only
after a response): 21,000 such sockets from one address filled the channel's descriptors and every wall lost its live
view. This is uvicorn's own httptools protocol with three checks added, so every stream it already serves goes on:
  - a connection whose request head is not complete HEAD_S after it opened (or after its next request began) is
    closed; a stream, once its head arrived, is never timed;
  - a connection from an address already holding PER_ADDRESS is closed at once, as is any connection past
    MAX_CONNECTIONS in all (a 503 is written first, which a browser's EventSource treats as "try later").
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

REFUSED = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 10\r\nContent-Length: 0\r\n"
    b"Access-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n"
)


@dataclass(frozen=True)
class Limits:
    head_s: float = 5.0  # a real browser sends its whole request head in one packet (0: not timed)
    per_address: int = 2_000  # a building of walls behind one NAT is far below this (0: no cap)
    total: int = 19_000  # below the process's descriptors (set to their hard limit), with room for Redis and logs


class GuardedHttpTools(HttpToolsProtocol):
    limits = Limits()
    by_address: Counter = Counter()  # open connections per address, this process (one event loop: no lock needed)
    open_count = 0
    closed_late = 0  # connections closed for a late head (for the channel's health figures)
    refused = 0  # connections closed at once for being over a cap

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        cls = type(self)
        self._address = self.client[0] if self.client else ""
        self._head_timer: asyncio.TimerHandle | None = None
        cls.by_address[self._address] += 1
        cls.open_count += 1
        per_address = cls.limits.per_address or cls.limits.total  # (0: no cap per address)
        if cls.open_count > cls.limits.total or cls.by_address[self._address] > per_address:
            cls.refused += 1
            transport.write(REFUSED)
            transport.close()
            return
        self._time_head()

    def connection_lost(self, exc: Exception | None) -> None:
        cls = type(self)
        self._stop_head_timer()
        cls.open_count -= 1
        cls.by_address[self._address] -= 1
        if cls.by_address[self._address] <= 0:
            del cls.by_address[self._address]
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:  # the next request on a kept-alive connection: its head is timed too
            self._time_head()

    def on_headers_complete(self) -> None:
        self._stop_head_timer()
        super().on_headers_complete()

    def _time_head(self) -> None:
        if type(self).limits.head_s > 0:  # (0: heads are not timed)
            self._head_timer = self.loop.call_later(type(self).limits.head_s, self._head_late)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        type(self).closed_late += 1
        self.transport.close()


def counts(guarded: type[GuardedHttpTools] | None) -> dict:
    """The server's sockets for /live/healthz: open now, refused over a cap, closed for a late head (since start)."""
    if guarded is None:
        return {}
    return {"open": guarded.open_count, "refused": guarded.refused, "closed_late": guarded.closed_late}


def protocol(limits: Limits) -> type[GuardedHttpTools]:
    """The protocol class for one server, with its limits (a class of its own: the counts are per server)."""
    fresh = {"limits": limits, "by_address": Counter(), "open_count": 0, "closed_late": 0, "refused": 0}
    return type("ChannelHttp", (GuardedHttpTools,), fresh)


def config(app, host: str, port: int, limits: Limits, loop: str = "uvloop") -> uvicorn.Config:
    """The channel's server as `python -m data_feeds.runtime.channel` runs it (and the tests, on their own port). The
    app's `state.sockets` is its protocol class: /live/healthz reports its counts."""
    app.state.sockets = guarded = protocol(limits)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        loop=loop,  # (tests run it in a thread beside their own event loops: "auto")
        http=guarded,
        lifespan="on",
        backlog=4096,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=2,
    )
