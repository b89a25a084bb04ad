"""The app's addresses, one home for each: the server's routes, the pages' links and (through the words script,
/_liveroom/words.js) the browser's scripts all read them here."""

from __future__ import annotations

from urllib.parse import quote

WALL = "/"
INDICATORS = "/indikator"
REPORTS = "/laporan/"  # the report browser; /laporan/<id> one report's page
SIGNIN = "/masuk"  # the form; /masuk/<token> a one-time sign-in link
PAIR = "/pasang"  # /pasang/<token>: a wall screen's pairing link
SIGNOUT = "/keluar"
LANG = "/lang/"  # /lang/<id|en>?next=...: the language switch
ADMIN = "/admin"
BRIEFINGS = "/briefing/"  # the list; /briefing/<day>/<file> one PDF
EVIDENCE = "/bukti/"  # /bukti/<report>/<file>: uploaded evidence
QUEUE = "/antrian"  # open reports in the reader's scope, nearest SLA due first
SEARCH = "/cari"  # ?q=: an id opens its report's page, words the filtered list (the header's search field)
WORDS_SCRIPT = "/_liveroom/words.js"
TICKET = "/_liveroom/ticket"  # a fresh live ticket for this page's audience
LIVE_MARKERS = "/api/v1/live/markers"
EXPORT_REPORTS = "/api/v1/export/reports"  # .csv or .xlsx, with the list's filters


def report(ref: str) -> str:
    """One report's page."""
    return REPORTS + quote(ref, safe="")


def on_map(ref: str) -> str:
    """The wall with one report's card open and the map at its place."""
    return WALL + "?laporan=" + quote(ref, safe="")


def lang_switch(code: str, next_path: str | None = None) -> str:
    return LANG + code + (f"?next={quote(next_path, safe='/')}" if next_path else "")


def for_browser() -> dict[str, str]:
    """The addresses the browser's scripts build links and requests with."""
    return {
        "wall": WALL,
        "indicators": INDICATORS,
        "reports": REPORTS,
        "lang": LANG,
        "ticket": TICKET,
        "search": SEARCH,
    }
