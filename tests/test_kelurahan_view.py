"""Issue 28, item 4: a kelurahan drilled into shows its own figures (open by status, overdue, per 10,000 residents,
its latest reports, its agencies' table), read in the reader's scope: an agency counts its own reports only, an
assessor gets the figures and never a report's words, a replayed request for no kelurahan gets nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.helpers import at_kelurahan, call_callback, csrf_headers, person, post, report_payload

KEL = "36.71.07.1014"  # in Karawaci


def ask(http, selection: str, token: str = "v1"):
    values = {"kel-token.data": token, "selection.data": selection, "lang.data": "id"}
    resp = call_callback(http, "kel-token.data", values, headers=csrf_headers(http), output="kel-view")
    assert resp.status_code in (200, 204), resp.data
    if resp.status_code == 204:
        return None, None
    out = resp.get_json()["response"]
    return out["kel-view"]["data"], out["kel-facts"]["children"]


def test_a_kelurahans_figures_follow_the_readers_scope(app, client, services):
    now = datetime.now(timezone.utc)
    road = post(client, report_payload(title="Jalan berlubang di gang", **at_kelurahan(KEL))).get_json()
    post(client, report_payload(category="sampah", title="Sampah di gang", **at_kelurahan(KEL)))
    post(
        client,
        report_payload(
            title="Jalan lama rusak", reported_at=(now - timedelta(hours=30)).isoformat(), **at_kelurahan(KEL)
        ),
    )  # DPUPR's, past its 24 h response clock
    post(client, report_payload(title="Di kelurahan lain", **at_kelurahan("36.71.02.1003")))
    operator, _ = person(app, services, "operator")
    view, facts = ask(operator, KEL)
    assert view["code"] == KEL and view["name"] == services.gazetteer.kelurahan[KEL].name
    assert view["area"]["kpi"]["baru"] == 3 and view["area"]["kpi"]["today"] >= 2
    assert len(view["area"]["ticker"]["order"]) == 3 and road["id"] in view["area"]["ticker"]["order"]
    assert {row["o"] for row in view["area"]["opd"]["rows"].values()} == {"dpupr", "dlh"}
    assert facts.startswith("3 laporan terbuka · 1 lewat SLA")
    dlh, _ = person(app, services, "opd", opds=("dlh",))
    view, facts = ask(dlh, KEL)
    assert view["area"]["kpi"]["baru"] == 1 and list(view["area"]["opd"]["rows"]) == ["dlh"]
    assert "Jalan" not in str(view) and facts.startswith("1 laporan terbuka · 0 lewat SLA")
    assessor, _ = person(app, services, "penilai")
    view, _facts = ask(assessor, KEL)
    assert view["area"]["kpi"]["baru"] == 3 and view["area"]["ticker"]["order"] == []
    assert "berlubang" not in str(view)
    assert ask(operator, "36.71.07")[0] is None  # a kecamatan is the live view's own
    assert ask(operator, "'; DROP TABLE reports")[0] is None


def test_a_link_to_a_report_on_the_wall_opens_it_only_for_those_who_may_see_it(app, client, services):
    """/?laporan=<id> (the report page's "Lihat di peta"): replayed by anyone, it opens nothing that is not theirs."""
    made = post(client, report_payload(title="Jalan amblas di gang", **at_kelurahan(KEL))).get_json()  # DPUPR's

    def open_link(http):
        values = {"url.search": f"?laporan={made['human_id']}", "lang.data": "id"}
        resp = call_callback(http, "url.search", values, headers=csrf_headers(http), output="link-focus")
        assert resp.status_code in (200, 204), resp.data
        return resp.get_json()["response"] if resp.status_code == 200 else {}

    operator, _ = person(app, services, "operator")
    shown = open_link(operator)
    assert shown["card-report"]["data"] == made["id"] and shown["link-focus"]["data"] == [made["lat"], made["lon"]]
    for role, kw in (("penilai", {}), ("opd", {"opds": ("dlh",)})):
        http, _ = person(app, services, role, **kw)
        assert "Jalan amblas" not in str(open_link(http)), role
