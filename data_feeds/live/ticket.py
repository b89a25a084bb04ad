"""The live channel's ticket: which live view a browser may follow, signed by the web app, checked by the channel.

The channel is its own process (live.channel) and reads no session and no database: the page hands
the browser a ticket naming its audience (live.view.Audience), signed with the session secret and
good for TICKET_S. Before it runs out the browser asks the web app for another (`/_liveroom/ticket`,
which checks the session again), so a disabled account or a revoked screen loses the live view
within TICKET_S, and a ticket copied off a screen is worth little.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from data_feeds.live.view import Audience

TICKET_S = 15 * 60
_SALT = "liveroom.live-ticket"


@dataclass(frozen=True)
class Ticket:
    audience: Audience
    expires_at: float  # time.time()
    holder: str  # the session or screen it was issued to (live.revoked): "" for none


def issue(secret: str, audience: Audience, holder: str = "") -> str:
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps([audience.key, holder])


def check(secret: str, ticket: str | None) -> Ticket | None:
    """-> the ticket's contents, or None for a ticket that is missing, forged, altered or old."""
    if not ticket or len(ticket) > 2000:
        return None
    try:
        body, signed_at = URLSafeTimedSerializer(secret, salt=_SALT).loads(
            ticket, max_age=TICKET_S, return_timestamp=True
        )
        key, holder = body if isinstance(body, list) and len(body) == 2 else (body, "")  # (one issued before holders)
        return Ticket(Audience.from_key(key), signed_at.timestamp() + TICKET_S, str(holder))
    except (BadSignature, ValueError, TypeError):
        return None
