"""The shapes that cross from the live worker to every dashboard: the snapshot summary and the markers.

Built by `live.snapshot.compute`, stored in Redis by `live.versions`, read by callbacks/ and,
for markers, ticker rows and the OPD table, drawn in the browser by assets/liveroom.js. The
marker keys are one letter because a whole map (up to LIVE_MARKER_LIMIT markers) travels on
every page load; the comments here are their only dictionary.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

Status = Literal["baru", "diproses", "selesai", "ditolak", "duplikat"]
SlaState = Literal["ok", "soon", "breached", "closed"]


class MarkerProps(TypedDict):
    """A live marker's properties (liveroom.js reportMarker, reportCluster)."""

    id: str  # the report's id
    s: Status  # status: glyph and colour
    c: str  # category code
    t: str  # title (escaped where it is drawn)
    kc: str | None  # kecamatan code
    k: str  # kecamatan name
    l: str  # kelurahan name  # noqa: E741 - the browser's key
    r: str  # reported at (clock.iso_utc): new reports pulse for a few minutes
    o: str  # the OPD it is routed to ("" none yet): an agency's own wall shows only its own
    sla: NotRequired[Literal["breached", "soon"]]  # only when its SLA clock is past or about to be: the halo
    demo: NotRequired[Literal[1]]  # only for demo reports: the DEMO tag


class PointGeometry(TypedDict):
    type: Literal["Point"]
    coordinates: list[float]  # [lon, lat], 5 decimals (about 1 m)


class MarkerFeature(TypedDict):
    type: Literal["Feature"]
    id: str
    geometry: PointGeometry
    properties: MarkerProps


class TickerRow(TypedDict):
    """A row of the newest-reports ticker (liveroom.js ticker)."""

    id: str
    ref: str  # the id people quote (reports.human_id)
    source: str
    category: str
    title: str
    status: Status
    sla: str  # "" | ok | soon | breached
    kecamatan: str
    kc: str  # the kecamatan's code (an agency's wall picks its rows for a selected kecamatan)
    kelurahan: str
    reported_at: str  # clock.iso_utc


class Kpi(TypedDict):
    """The KPI tiles of one area (the city or a kecamatan)."""

    today: int  # reported since midnight WIB
    baru: int  # open, not yet answered
    diproses: int  # open, with an OPD
    selesai_today: int  # resolved since midnight WIB
    ttfr_median_s: float | None  # median time to first response over the last ttfr_window_days
    ttfr_n: int
    ttfr_window_days: int


class OpdSlaRow(TypedDict):
    """One agency's SLA figures in one area (layouts/wall.py opd_data shortens it for the browser)."""

    opd: str
    short: str
    name: str
    open: int
    breached: int  # open and past an SLA clock
    soon: int  # open with under a quarter of its clock left
    response_median_s: float | None
    response_p90_s: float | None
    response_n: int
    resolution_median_s: float | None
    resolution_p90_s: float | None
    resolution_n: int


class SlaPanel(TypedDict):
    rows: list[OpdSlaRow]  # overdue agencies first
    breached: int
    soon: int
    window_days: int


class FeedState(TypedDict):
    name: str
    latest: str | None  # newest item received (clock.iso_utc)
    stale: bool  # it used to send and has been silent longer than its stale_after_s


class OpdScope(TypedDict):
    """An agency's own view of the city (live.snapshot.for_viewer lays it over the summary)."""

    opds: list[str]
    kpi: Kpi
    kpi_by_kec: dict[str, Kpi]
    kecamatan: dict[str, dict[str, int]]
    ticker: list[TickerRow]
    map_values: dict[str, dict[str, float | None]]
    markers_total: int  # the agency's open reports
    markers_shown: int  # of them on the map (the map's marker limit is the city's)


class Summary(TypedDict):
    """Everything a dashboard draws except the markers: one per version, the same for every client."""

    kpi: Kpi
    kpi_by_kec: dict[str, Kpi]  # by kecamatan code
    kecamatan: dict[str, dict[str, int]]  # open counts per kecamatan: baru, diproses, selesai_today
    kelurahan: dict[str, int]  # open reports per kelurahan code
    map_values: dict[str, dict[str, float | None]]  # measure -> kecamatan code -> value (None: no figure)
    map_demo: dict[str, bool]  # measure -> whether its figures are the demo's
    ticker: list[TickerRow]
    ticker_by_kec: dict[str, list[TickerRow]]
    sla: dict[str, SlaPanel]  # "city" and each kecamatan code
    indicators: dict  # indicators.summary: {indicator: {place: panel entry}}; travels under its own key
    indicator_subjects: dict  # {indicator: {place: {subject: panel entry}}}; likewise
    indicators_mark: str  # moves exactly when a figure may have changed
    feeds: dict[str, FeedState]
    demo_enabled: bool
    markers_shown: int
    markers_total: int  # open reports (markers_shown is capped at LIVE_MARKER_LIMIT)
    has_demo: bool
    built_at: NotRequired[str]  # added when published (clock.iso_utc)
    version: NotRequired[int]
    epoch: NotRequired[str]
    by_opd: NotRequired[dict[str, OpdScope]]  # by live.snapshot.scope_key; travels under its own Redis key
    scope: NotRequired[list[str]]  # set by for_viewer: the OPDs this summary shows


class OpdRow(TypedDict):
    """One agency's row of the OPD table as the browser draws it (liveroom.js opdTable, pillarOpd)."""

    o: str  # OPD code
    s: str  # short name
    n: str  # full name (tooltip)
    open: int
    b: int  # overdue
    w: int  # due soon
    r: NotRequired[list[int]]  # first response [median, p90] seconds; missing: no report answered in the window
    x: NotRequired[list[int]]  # resolution [median, p90] seconds


class Keyed(TypedDict):
    """A list that changes an item at a time, as an order and the items by key (a merge patch then touches
    only the items that changed)."""

    order: list[str]
    rows: dict[str, dict]


class AreaView(TypedDict):
    kpi: Kpi  # (ttfr_median_s missing: no figure)
    ticker: Keyed  # TickerRow by report id, newest first
    opd: Keyed  # OpdRow by OPD code, overdue first; also b, w (overdue, due soon in all) and days (the times' window)


class LiveView(TypedDict):
    """What one audience's dashboards draw (live.view.build), sent whole once and then as merge patches by the
    live channel; it never holds a null (a missing key is "no figure")."""

    v: str  # the snapshot version it is of ("epoch:n")
    at: str  # built at (clock.iso_utc)
    areas: dict[str, AreaView]  # "city" and each kecamatan code
    map: dict[str, dict[str, float]]  # measure -> kecamatan code -> value
    map_demo: dict[str, bool]
    note: list[int]  # [markers shown, open reports]: the map's marker limit note
    demo: bool  # demo reports are on screen: the DEMO banner
    stale: list[str]  # feeds silent for too long
    mark: str  # the indicator panels' mark: they are re-read (a Dash callback) when it moves
    names: dict[str, str]  # kecamatan code -> name


class LiveMessage(TypedDict):
    """One message of the live channel (SSE `data:` or a fallback poll's body)."""

    v: str  # version after it
    prev: NotRequired[str]  # version it applies to: a dashboard holding another reloads (reset)
    view: NotRequired[dict]  # merge patch of the LiveView
    up: NotRequired[list[MarkerFeature]]  # markers added or changed
    rm: NotRequired[list[str]]  # markers removed
    reset: NotRequired[bool]  # fetch the view whole (/live/view) and the markers whole (MARKERS_URL)


class ReplayReport(TypedDict):
    """A report as a replayed day draws it (assets/replay.js): the marker's keys, its place, when it came in."""

    id: str
    t: str  # title
    c: str  # category code
    kc: str | None  # kecamatan code
    k: str  # kecamatan name
    l: str  # kelurahan name  # noqa: E741 - the browser's key
    o: str  # the OPD it is routed to
    ll: list[float]  # [lon, lat]
    r: str  # reported at (clock.iso_utc)
    demo: bool


class ReplayDay(TypedDict):
    """One WIB day from the event log, for the wall's time-lapse (live/replay.py day_log)."""

    day: str  # YYYY-MM-DD
    start: str  # midnight WIB, clock.iso_utc
    end: str
    places: dict[str, str]  # kecamatan code -> name: the areas the replay draws (as LiveView.names)
    reports: dict[str, ReplayReport]  # every report open at the start or changed during the day
    at_start: dict[str, Status]  # the reports open at midnight, by their status then
    events: list[list]  # [seconds after midnight, report id, status it moved to], in order
    truncated: bool  # more events than MAX_EVENTS: the rest of the day is not drawn
