"""The 07:00 briefing: every morning a one-page PDF of yesterday for the mayor, and one for each agency (OPD) of its
own reports, stored under DATA_DIR/briefings/<day>/ (listed at /briefing/ for those allowed to read them) and, when
SMTP is configured, mailed.

    python -m data_feeds report briefing --date 2026-11-29 [--send]

The mayor's page: the day's reports by status (as they stand at the briefing), the reports whose SLA clock ran out
that day, the slowest agencies over the last 30 days, and the indicator figures that came in that day with their
change. An agency's page: its own reports of the day, its overdue list, its SLA figures. Report titles and places
(as the wall shows them), never the reporter. Rendered by the live worker once per deployment (its lease), from
BRIEFING_AT (07:00 WIB) for the day before; a day already written is not written again.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from sqlalchemy import select

from data_feeds import paths
from data_feeds.clock import WIB, utcnow
from data_feeds.i18n import fmt_date, fmt_duration, fmt_figure, fmt_int, t
from data_feeds.reports import sla
from data_feeds.reports.categories import RoutingTable
from data_feeds.services import Services
from data_feeds.store import indicator_values, reports
from geodata.gazetteer import CITY_CODE, Gazetteer

from . import complaints, pdf

log = logging.getLogger(__name__)
MAYOR = "walikota"
NAME = re.compile(r"^(walikota|opd-[a-z0-9_]{1,40})\.pdf$")  # the only file names the list and the download accept
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LIST_ROWS = 12  # overdue reports listed on one page; the rest counted
SLOW_DAYS = 30


@dataclass
class Briefing:
    """One page's figures (the mayor's when opd is None)."""

    day: date
    opd: str | None
    opd_name: str
    by_status: dict[str, int]  # the day's reports by their status now
    filed: int
    became_overdue: list[dict]  # {id, ref, title, place, opd, clock, due}
    agencies: list[dict]  # complaints.Handling of the last SLOW_DAYS, slowest first
    indicators: list[dict]  # {name, value, unit, prev, change} of figures dated that day
    demo: bool
    site: str = ""  # where the dashboard is reached (settings.base_url): each overdue report links to its page


def _window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), WIB)
    return start, start + timedelta(days=1)


def gather(
    services: Services, day: date, opd: str | None = None, lang: str = "id", handled: dict | None = None
) -> Briefing:
    """`handled`: the 30 days' complaints.handling to the day's end, when the caller has it (write_day reads it once
    for every page)."""
    start, end = _window(day)
    routing = services.routing
    rows = _day_rows(services, start, end, opd)
    by_status, overdue, demo = _tally_day(rows, start, end, routing, services.gazetteer)
    if handled is None:
        handled = complaints.handling(services.store, routing, end - timedelta(days=SLOW_DAYS), end)
    agencies = [h for code, h in handled.items() if opd is None or code == opd]
    agencies.sort(
        key=lambda h: (-(h["overdue"] / h["reports"] if h["reports"] else 0), -(h["resolution_median_s"] or 0))
    )
    changes, demo_figures = _indicator_changes(services, day, lang) if opd is None else ([], False)
    name = routing.opds[opd].name if opd in routing.opds else (opd or "")
    return Briefing(
        day=day,
        opd=opd,
        opd_name=name,
        by_status=by_status,
        filed=sum(by_status.values()),
        became_overdue=overdue,
        agencies=agencies[:8],
        indicators=changes,
        demo=demo or demo_figures,
        site=services.settings.base_url,
    )


def _day_rows(services: Services, start: datetime, end: datetime, opd: str | None) -> list:
    """The reports filed that day, and those filed earlier whose clocks could run out that day."""
    longest = max((c.sla_resolution_hours for c in services.routing.categories.values()), default=24)
    r = reports.c
    where = [r.reported_at >= start - timedelta(hours=longest), r.reported_at < end]
    if opd is not None:
        where.append(r.opd == opd)
    columns = (r.id, r.source_ref, r.human_ref, r.title, r.category, r.status, r.opd, r.kode_kec, r.kode_kel, r.source)
    with services.store.read() as conn:
        return conn.execute(select(*columns, r.reported_at, r.first_response_at, r.resolved_at).where(*where)).all()


def _tally_day(
    rows: list, start: datetime, end: datetime, routing: RoutingTable, gz: Gazetteer
) -> tuple[dict[str, int], list[dict], bool]:
    """-> (the day's reports by status, the reports whose clock ran out that day by due time, any demo among them)."""
    by_status: dict[str, int] = {}
    overdue, demo = [], False
    for row in rows:
        if row.reported_at >= start:
            by_status[row.status] = by_status.get(row.status, 0) + 1
            demo = demo or row.source == "demo"
        cat = routing.categories.get(row.category)
        if cat is None or row.status in ("ditolak", "duplikat"):
            continue
        ran_out = _clock_run_out(row, cat, start, end)
        if ran_out is not None:
            overdue.append(_overdue_entry(row, *ran_out, routing, gz))
            demo = demo or row.source == "demo"
    overdue.sort(key=lambda o: o["due"])
    return by_status, overdue, demo


def _clock_run_out(row, category, start: datetime, end: datetime) -> tuple[str, datetime] | None:
    """(which clock, its due time) when one of the report's clocks ran out in [start, end); the first such."""
    for clock, due, done in zip(
        ("response", "resolution"),
        sla.due_times(row.reported_at, category),
        (row.first_response_at, row.resolved_at),
        strict=True,
    ):
        if start <= due < end and (done is None or done > due):
            return clock, due
    return None


def _overdue_entry(row, clock: str, due: datetime, routing: RoutingTable, gz: Gazetteer) -> dict:
    kel = gz.kelurahan.get(row.kode_kel or "")
    return {
        "id": row.id,
        "ref": row.source_ref or row.human_ref or row.id,
        "title": row.title,
        "place": kel.name if kel else "",
        "opd": routing.opds[row.opd].short if row.opd in routing.opds else (row.opd or "–"),
        "clock": clock,
        "due": due,
    }


def _indicator_changes(services: Services, day: date, lang: str) -> tuple[list[dict], bool]:
    """The city's figures dated that day, each beside the one before. -> (changes, any of them demo)."""
    config = services.indicators.config
    v = indicator_values.c
    with services.store.read() as conn:
        dated = (
            conn.execute(select(v.indicator).where(v.as_of == day.isoformat(), v.place == CITY_CODE).distinct())
            .scalars()
            .all()
        )
    changes, demo = [], False
    for code in dated:
        ind = config.get(code)
        if ind is None:
            continue
        series = [p for p in services.indicators.series(code, CITY_CODE) if not p["subject"]]
        today = [p for p in series if p["as_of"] == day.isoformat()]
        before = [p for p in series if p["as_of"] < day.isoformat()]
        if today:
            value, prev = today[-1]["value"], before[-1]["value"] if before else None
            changes.append(
                {
                    "name": ind.name(lang),
                    "value": fmt_figure(value, lang, ind.compact),
                    "unit": ind.unit(lang),
                    "change": None if prev is None else value - prev,
                    "compact": ind.compact,
                }
            )
            demo = demo or bool(today[-1]["demo"])
    return changes, demo


def render(b: Briefing, lang: str = "id") -> bytes:
    """One A4 page (the lists are cut to fit and say how many more)."""
    import io

    pdf.fonts()
    st = pdf.styles()
    buf = io.BytesIO()
    who = t("brief_for_mayor", lang) if b.opd is None else t("brief_for_opd", lang, opd=b.opd_name)
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{t('brief_title', lang)} {fmt_date(b.day, lang)}",
        author="Tangerang LIVE Room",
    )
    made = utcnow().astimezone(WIB).strftime("%d/%m/%Y %H:%M")
    story = [
        Paragraph(f"{t('brief_title', lang)} · {fmt_date(b.day, lang)}", st["h1"]),
        Paragraph(f"{who} · {t('pack_generated', lang, time=made)}", st["small"]),
    ]
    if b.demo:
        story += [pdf.DemoMark(), Paragraph(t("pack_demo_mark", lang), st["flag"])]
    statuses = ("baru", "diproses", "selesai", "ditolak", "duplikat")
    story += [
        Paragraph(t("brief_reports", lang, n=fmt_int(b.filed, lang)), st["h2"]),
        pdf.table(
            [[t(f"status_{s}", lang) for s in statuses], [fmt_int(b.by_status.get(s, 0), lang) for s in statuses]],
            [34] * 5,
        ),
    ]
    story += _overdue_part(b, lang, st) + _agencies_part(b, lang, st) + _indicators_part(b, lang, st)
    story += [Spacer(1, 4 * mm), Paragraph(t("brief_footer", lang), st["small"])]
    doc.build(story)
    return buf.getvalue()


def _overdue_part(b: Briefing, lang: str, st) -> list:
    """The reports whose clock ran out that day (the first LIST_ROWS, and how many more)."""
    out: list = []
    out.append(Paragraph(t("brief_overdue", lang, n=fmt_int(len(b.became_overdue), lang)), st["h2"]))
    if b.became_overdue:
        rows = [
            [
                t("brief_col_ref", lang),
                t("brief_col_report", lang),
                t("pack_col_opd", lang),
                t("brief_col_clock", lang),
                t("brief_col_due", lang),
            ]
        ]
        rows += [
            [
                Paragraph(_link(b.site, o["ref"]), st["cell"]),
                Paragraph(f"{o['title']} ({o['place']})" if o["place"] else o["title"], st["cell"]),
                o["opd"],
                t(f"brief_clock_{o['clock']}", lang),
                o["due"].astimezone(WIB).strftime("%H:%M"),
            ]
            for o in b.became_overdue[:LIST_ROWS]
        ]
        out.append(pdf.table(rows, [26, 88, 22, 26, 16]))
        if len(b.became_overdue) > LIST_ROWS:
            out.append(
                Paragraph(t("brief_more", lang, n=fmt_int(len(b.became_overdue) - LIST_ROWS, lang)), st["small"])
            )
    else:
        out.append(Paragraph(t("brief_none_overdue", lang), st["body"]))
    return out


def _link(site: str, ref: str) -> str:
    """A report's id as a link to its page (reportlab's mini-markup; the id is letters, digits and . _ : -)."""
    href = xml_escape(site.rstrip("/") + paths.report(ref), {'"': "&quot;"})
    return f'<link href="{href}" color="#1F4E8C"><u>{xml_escape(ref)}</u></link>' if site else xml_escape(ref)


def _agencies_part(b: Briefing, lang: str, st) -> list:
    """The agencies' complaint handling over SLOW_DAYS (an agency's own, on its briefing)."""
    out: list = []
    out.append(Paragraph(t("brief_agencies" if b.opd is None else "brief_own_sla", lang, days=SLOW_DAYS), st["h2"]))
    if b.agencies:
        rows = [
            [
                t("pack_col_opd", lang),
                t("pack_col_reports", lang),
                t("pack_col_resolved", lang),
                t("pack_col_overdue", lang),
                t("pack_col_response", lang),
                t("pack_col_resolution", lang),
            ]
        ]

        def pair(a, c):
            return f"{fmt_duration(a, lang)} · {fmt_duration(c, lang)}"

        rows += [
            [
                h["short"],
                fmt_int(h["reports"], lang),
                fmt_int(h["resolved"], lang),
                fmt_int(h["overdue"], lang),
                Paragraph(pair(h["response_median_s"], h["response_p90_s"]), st["cell"]),
                Paragraph(pair(h["resolution_median_s"], h["resolution_p90_s"]), st["cell"]),
            ]
            for h in b.agencies
        ]
        out.append(pdf.table(rows, [24, 16, 16, 18, 52, 52]))
    else:
        out.append(Paragraph(t("pack_no_complaints", lang), st["body"]))
    return out


def _indicators_part(b: Briefing, lang: str, st) -> list:
    """The city's figures dated that day (the mayor's briefing only)."""
    if b.opd is not None:
        return []
    out: list = [Paragraph(t("brief_indicators", lang), st["h2"])]
    if not b.indicators:
        return [*out, Paragraph(t("brief_no_indicators", lang), st["body"])]
    for c in b.indicators:
        change = (
            ""
            if c["change"] is None
            else f" ({'+' if c['change'] >= 0 else '−'}{fmt_figure(abs(c['change']), lang, c['compact'])})"
        )
        out.append(Paragraph(f"{c['name']}: <b>{c['value']}</b> {c['unit']}{change}", st["body"]))
    return out


def folder(data_dir: Path, day: date) -> Path:
    return data_dir / "briefings" / day.isoformat()


def write_day(services: Services, day: date, lang: str = "id") -> dict[str, Path]:
    """The mayor's page and one per agency with reports in the 30 days to that day, written whole (a temporary
    file renamed into place: a reader never sees half a PDF). -> {file name: path}."""
    target = folder(services.settings.data_dir, day)
    target.mkdir(parents=True, exist_ok=True)
    start, end = _window(day)
    handled = complaints.handling(
        services.store, services.routing, end - timedelta(days=SLOW_DAYS), end
    )  # once, for every page
    active = [code for code in handled if code]
    out = {}
    for opd in [None, *sorted(active)]:
        name = f"{MAYOR}.pdf" if opd is None else f"opd-{opd}.pdf"
        body = render(gather(services, day, opd, lang, handled), lang)
        tmp = target / f".{name}.tmp"
        tmp.write_bytes(body)
        os.replace(tmp, target / name)
        out[name] = target / name
    return out


def recipients(spec: str, opd: str | None) -> list[str]:
    """BRIEFING_TO is the mayor's ("a@kota.go.id,b@kota.go.id"); BRIEFING_OPD_TO an agency's ("dpupr=c@x;dlh=d@y")."""
    if opd is None:
        return [a.strip() for a in spec.split(",") if a.strip()]
    for part in spec.split(";"):
        code, _, addresses = part.partition("=")
        if code.strip() == opd:
            return [a.strip() for a in addresses.split(",") if a.strip()]
    return []


def send_day(services: Services, day: date, files: dict[str, Path]) -> int:
    """Mail each page to its readers over SMTP (SMTP_HOST set). -> messages sent."""
    s = services.settings
    if not s.smtp_host:
        return 0
    sent = 0
    with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
        if s.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password)
        for name, path in files.items():
            opd = None if name == f"{MAYOR}.pdf" else name[4:-4]
            to = recipients(s.briefing_to if opd is None else s.briefing_opd_to, opd)
            if not to:
                continue
            msg = EmailMessage()
            msg["From"], msg["To"] = s.smtp_from, ", ".join(to)
            msg["Subject"] = f"Briefing LIVE Room {day.isoformat()}" + ("" if opd is None else f" · {opd.upper()}")
            msg.set_content(f"Briefing Tangerang LIVE Room untuk {day.isoformat()} terlampir (PDF, satu halaman).")
            msg.add_attachment(
                path.read_bytes(), maintype="application", subtype="pdf", filename=f"briefing-{day.isoformat()}-{name}"
            )
            smtp.send_message(msg)
            sent += 1
    return sent


def due_day(now: datetime, at: str) -> date | None:
    """The day to brief at `now` (yesterday, WIB) once BRIEFING_AT has passed; None before it or when off ("")."""
    m = re.match(r"^(\d{1,2}):(\d{2})$", at or "")
    if not m:
        return None
    local = now.astimezone(WIB)
    if (local.hour, local.minute) < (int(m[1]), int(m[2])):
        return None
    return local.date() - timedelta(days=1)


def brief_if_due(services: Services, now: datetime) -> date | None:
    """Write (and mail) the day before's briefing if its time has come and it is not done yet. -> the day briefed."""
    day = due_day(now, services.settings.briefing_at)
    if day is None or (folder(services.settings.data_dir, day) / ".done").exists():
        return None
    files = write_day(services, day)
    sent = send_day(services, day, files)
    (folder(services.settings.data_dir, day) / ".done").write_text(f"{len(files)} pages, {sent} mailed\n")
    log.info("briefing %s: %d pages, %d mailed", day, len(files), sent)
    return day


def run(services: Services, stop) -> None:
    """The live worker's job (one worker per deployment: the lease): once a minute, brief_if_due."""
    while not stop.wait(60):
        try:
            brief_if_due(services, utcnow())
        except Exception:  # a failed briefing is tried again next minute; it must not take the worker down
            log.exception("briefing failed")
