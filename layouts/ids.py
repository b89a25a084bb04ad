"""Component ids shared by layouts and callbacks (one place, so a rename cannot half-happen)."""

LIVE_CHANNEL = "live-channel"  # where the live channel is and the ticket to follow it (live_link.js)
LIVE_VIEW = "live-view"  # the view as the channel last sent it (shapes.LiveView)
LIVE_MARK = "live-mark"  # the indicator panels' mark: moves when a figure may have changed
LIVE_LINK = "live-link"  # the link's state: cut off, Redis or the worker down, stream or poll
MAP_CLASSES = "map-classes"  # each measure's class breaks and colours (fixed)
LANG = "lang"
MAP = "map"
MAP_KECAMATAN = "map-kecamatan"
MAP_MARKERS = "map-markers"
MAP_COUNTS = "map-counts"  # the kiosk's counts by status per kecamatan, at city zoom
COUNT_POINTS = "count-points"  # where each kecamatan's counts stand
KPI_TODAY = "kpi-today"
KPI_BARU = "kpi-baru"
KPI_DIPROSES = "kpi-diproses"
KPI_SELESAI = "kpi-selesai"
KPI_TTFR = "kpi-ttfr"
KPI_TTFR_NOTE = "kpi-ttfr-note"
TICKER = "ticker"
TICKER_DATA = "ticker-data"
STATUS_BANNER = "status-banner"
DEMO_BANNER = "demo-banner"
UPDATED_AT = "updated-at"
MARKERS_NOTE = "markers-note"
CLOCK = "clock"
CLOCK_TICK = "clock-tick"
SELECTION = "selection"
MAP_KELURAHAN = "map-kelurahan"
SCOPE_TITLE = "scope-title"
SCOPE_RESET = "scope-reset"
MEASURE = "measure"
MAP_LEGEND = "map-legend"
LEGEND_BOX = "legend-box"
SCOPE_FACTS = "scope-facts"
# choosing an area without the map (callbacks/area.py): a searchable picker, the breadcrumb, a kelurahan's figures
AREA_PICKER, AREA_CRUMBS, AREA_UP_CITY, AREA_UP_KEC = "area-picker", "area-crumbs", "area-up-city", "area-up-kec"
KEL_VIEW, KEL_TOKEN, KEL_FACTS = "kel-view", "kel-token", "kel-facts"
MAP_WRAP = "map-wrap"
MAP_KELURAHAN_ALL = "map-kelurahan-all"
OPD_BODY = "opd-body"
OPD_NOTE = "opd-note"
REPORT_CARD = "report-card"
REPORT_CARD_BODY = "report-card-body"
REPORT_CARD_CLOSE = "report-card-close"
OPD_DATA = "opd-data"
VACC_PANEL = "vacc-panel"
URL = "url"
MAIN = "main"
IND_PAGE = "ind-page"
PILLAR_OPDS = "pillar-opds"
NAV_WALL = "nav-wall"
NAV_INDICATORS = "nav-indicators"


def pillar_body(pillar: str) -> str:
    return f"pillar-body-{pillar}"


def pillar_opd(pillar: str) -> str:
    return f"pillar-opd-{pillar}"


ACCOUNT = "account"
SCOPE_AGENCY = "scope-agency"

# the report card's actions (operators forward; agencies process and resolve with evidence)
CARD_REPORT = "card-report"  # the open report's id
LINK_FOCUS = "link-focus"  # [lat, lon] of the report a link opened (/?laporan=<id>): the map flies there
CARD_ACTIONS = "card-actions"
ACT_FORWARD_ROW, ACT_OPERATOR_ROW, ACT_PROGRESS_ROW = "act-forward-row", "act-operator-row", "act-progress-row"
ACT_OPD, ACT_NOTE, ACT_DUP_OF, ACT_EVIDENCE_URL, ACT_UPLOAD = (
    "act-opd",
    "act-note",
    "act-dup-of",
    "act-evidence-url",
    "act-upload",
)
ACT_UPLOAD_NAME = "act-upload-name"
ACT_FORWARD, ACT_DUPLICATE, ACT_REJECT, ACT_ESCALATE = "act-forward", "act-duplicate", "act-reject", "act-escalate"
ACT_PROCESS, ACT_RESOLVE = "act-process", "act-resolve"
ACT_RESULT = "act-result"
ACTION_BUTTONS = {
    ACT_FORWARD: "forward",
    ACT_DUPLICATE: "duplicate",
    ACT_REJECT: "reject",
    ACT_ESCALATE: "escalate",
    ACT_PROCESS: "process",
    ACT_RESOLVE: "resolve",
}

# the report browser (/laporan/): its filters (each also a URL argument), the grid, the map toggle
LB_URL, LB_QUERY, LB_OPENED, LB_LANG = "lb-url", "lb-query", "lb-opened", "lb-lang"
LB_GRID, LB_COUNT, LB_NEW, LB_ERROR = "lb-grid", "lb-count", "lb-new", "lb-error"
LB_STATUS, LB_CATEGORY, LB_OPD, LB_KECAMATAN, LB_KELURAHAN, LB_SOURCE = (
    "lb-status",
    "lb-category",
    "lb-opd",
    "lb-kecamatan",
    "lb-kelurahan",
    "lb-source",
)
LB_FROM, LB_TO, LB_SLA, LB_Q, LB_RESET = "lb-from", "lb-to", "lb-sla", "lb-q", "lb-reset"
LB_FILTERS = {
    "status": LB_STATUS,
    "category": LB_CATEGORY,
    "opd": LB_OPD,
    "kecamatan": LB_KECAMATAN,
    "kelurahan": LB_KELURAHAN,
    "source": LB_SOURCE,
    "from": LB_FROM,
    "to": LB_TO,
    "sla": LB_SLA,
    "q": LB_Q,
}
LB_MAP_TOGGLE, LB_MAP_WRAP, LB_MAP, LB_MAP_MARKERS, LB_MAP_NOTE, LB_GRID_WRAP = (
    "lb-map-toggle",
    "lb-map-wrap",
    "lb-map",
    "lb-map-markers",
    "lb-map-note",
    "lb-grid-wrap",
)
LB_EXPORT_CSV, LB_EXPORT_XLSX = "lb-export-csv", "lb-export-xlsx"
LB_CHANNEL, LB_LINK, LB_VERSION, LB_REFRESHED = "lb-channel", "lb-link", "lb-version", "lb-refreshed"
LB_FILTERS_BOX, LB_FILTERS_SUMMARY, LB_LANG_SWITCH = "lb-filters", "lb-filters-summary", "lb-lang-switch"
# the list's bulk bar (layouts/bulk_bar.py): one action on the ticked rows
LB_BULK, LB_BULK_COUNT, LB_BULK_ACTION, LB_BULK_OPD = "lb-bulk", "lb-bulk-count", "lb-bulk-action", "lb-bulk-opd"
LB_BULK_NOTE, LB_BULK_APPLY, LB_BULK_RESULT = "lb-bulk-note", "lb-bulk-apply", "lb-bulk-result"
