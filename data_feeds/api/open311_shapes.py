"""Between Open311 and the native contract: a service from a category, a request from a report, a native report
from a 311 client's form, an update from an event."""

from __future__ import annotations

import re

from flask import request

from data_feeds.clock import iso_wib
from data_feeds.paths import EVIDENCE
from data_feeds.reports import human_id, lifecycle, sla
from data_feeds.reports.categories import RoutingTable
from geodata.gazetteer import Gazetteer

OPEN311_STATUS = {s: "open" if s in lifecycle.OPEN else "closed" for s in lifecycle.STATUSES}


# mySociety FixMyStreet's extended statuses (Open311 update extension), by what each LAKSA state means to a
# FixMyStreet that follows it: a reassignment stays in progress (internal_referral would close it there), a
# reopened report is open again (FixMyStreet ignores "reopen").
FMS_STATUS = {
    "baru": "open",
    "diproses": "in_progress",
    "selesai": "fixed",
    "ditolak": "no_further_action",
    "duplikat": "duplicate",
}


FMS_EVENT = {"reassigned": "in_progress", "reopened": "open"}


PHONE = re.compile(r"\+?[0-9 ()-]{6,32}")


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def service(code: str, routing: RoutingTable) -> dict:
    cat = routing.categories[code]
    opd = routing.opds[cat.opd]
    return {
        "service_code": code,
        "service_name": cat.name_id,
        "description": f"Diteruskan ke {opd.name}. Respons pertama ≤ {cat.sla_response_hours:g} jam, "
        f"selesai ≤ {cat.sla_resolution_hours:g} jam. ({cat.name_en})",
        "metadata": False,
        "type": "realtime",
        "keywords": f"{cat.name_en}, {opd.short}",
        "group": opd.short,
    }


def as_request(
    row: dict,
    routing: RoutingTable,
    gazetteer: Gazetteer,
    extensions: bool = False,
    public: bool = False,
    response: str | None = None,
) -> dict:
    """A report as an Open311 service request: never its reporter, and notes in the room's standard words, never an
    operator's own. `public`: for anyone (public reads): evidence kept on this site, which only the signed-in may
    open, is not linked."""
    cat = routing.categories[row["category"]]
    opd = routing.opds.get(row["opd"] or "")
    kel = gazetteer.kelurahan.get(row["kode_kel"] or "")
    kec = gazetteer.kecamatan.get(row["kode_kec"] or "")
    place = ", ".join(p.name for p in (kel, kec) if p)
    address = ", ".join(x for x in (row["address"], place, "Kota Tangerang") if x)
    notes = {
        "selesai": "Selesai ditangani.",
        "ditolak": "Ditolak.",
        "duplikat": f"Duplikat dari {row.get('duplicate_of')}.",
    }.get(row["status"])
    out = {
        "service_request_id": row["id"],
        "token": human_id.of(row),  # the id the citizen is told and may quote (LKS-..., LR-2026-000123)
        "status": OPEN311_STATUS[row["status"]],
        "status_notes": response or notes,  # the agency's own words to the citizen, else the room's standard ones
        "service_name": cat.name_id,
        "service_code": row["category"],
        "description": row["description"] or row["title"],
        "agency_responsible": opd.name if opd else None,
        "service_notice": None,
        "requested_datetime": iso_wib(row["reported_at"]),
        "updated_datetime": iso_wib(row["updated_at"]),
        "expected_datetime": iso_wib(sla.due_times(row["reported_at"], cat)[1]),
        "address": address,
        "address_id": row["kode_kel"],
        "zipcode": None,
        "lat": row["lat"],
        "long": row["lon"],
        "media_url": next((m for m in reversed(row["media"] or []) if not (public and m.startswith(EVIDENCE))), None),
    }
    if extensions:
        out["extended_attributes"] = {
            "laksa_status": row["status"],
            "fms_status": FMS_STATUS[row["status"]],
            "title": row["title"],
            "opd": row["opd"],
            "duplicate_of": row.get("duplicate_of"),
        }
    return out


def native_payload(given: dict, source: str, routing: RoutingTable, gazetteer: Gazetteer) -> dict:
    """An Open311 request's form fields as the native feed contract's report."""
    code = given["service_code"]
    description = given.get("description", "")
    if len(description) > 4000:
        raise Open311Error(400, "description: may be at most 4,000 characters")
    title = " ".join(description.split())[:120] or routing.categories[code].name_id
    payload = {
        "source": source,
        "category": code,
        "title": title if len(title) >= 3 else routing.categories[code].name_id,
        "description": description,
    }
    if given.get("token"):
        payload["id"] = given["token"]
    if given.get("address_string"):
        payload["address"] = given["address_string"][:300]
    if "lat" in given or "long" in given:
        try:
            payload["lat"], payload["lon"] = float(given["lat"]), float(given["long"])
        except KeyError as missing:
            raise Open311Error(400, f"{missing.args[0]} was not provided (lat and long go together)") from None
        except ValueError:
            raise Open311Error(400, "lat,long: must be WGS84 decimal degrees, e.g. lat=-6.1783&long=106.6319") from None
    elif given.get("address_string"):
        place = place_from_address(given["address_string"], gazetteer)
        payload.update(lat=place.lat, lon=place.lon, kelurahan=place.code)
    elif given.get("address_id"):
        place = gazetteer.kelurahan.get(given["address_id"])
        if place is None:
            raise Open311Error(
                400, f"address_id {given['address_id']!r} is not a Kemendagri kelurahan code of Kota Tangerang"
            )
        payload.update(lat=place.lat, lon=place.lon, kelurahan=place.code)
    else:
        raise Open311Error(400, "location was not provided: give lat and long, address_string or address_id")
    name = " ".join(x for x in (given.get("first_name"), given.get("last_name")) if x)
    phone = phone_of(given.get("phone"))
    if name or phone:
        payload["reporter"] = {k: v for k, v in (("name", name[:120] or None), ("phone", phone)) if v}
    media = media_urls()
    if media:
        payload["media"] = media
    return payload


def phone_of(text: str | None) -> str | None:
    """The spec's phone is free text: keep the number in it ("0812-3456-7890 ext. 12" -> "0812-3456-7890"),
    and drop what holds none, rather than refuse the citizen's whole report."""
    found = PHONE.search(text or "")
    return found.group().strip() if found and len(found.group().strip()) >= 6 else None


def media_urls() -> list[str]:
    """Every media_url a client sent (repeated fields, or PHP-style media_url[]), in order, once each."""
    given = [
        u.strip() for key in ("media_url", "media_url[]") for u in request.form.getlist(key) + request.args.getlist(key)
    ]
    return list(dict.fromkeys(u for u in given if u))


def place_from_address(text: str, gazetteer: Gazetteer):
    """The kelurahan an address names (parts from most to least specific, comma separated)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    kec = next((k for k in (gazetteer.find_kecamatan(p) for p in parts) if k), None)
    for part in parts:
        found = gazetteer.find_kelurahan(part, kec.code if kec else None)
        if len(found) == 1:
            return found[0]
    raise Open311Error(
        400,
        f"address_string: cannot place {text!r} in a kelurahan of Kota Tangerang; "
        "name the kelurahan (e.g. 'Jl. Perintis Kemerdekaan, Babakan, Tangerang') or give lat and long",
    )


def update_of(e: dict, routing: RoutingTable) -> dict:
    evidence = [x["url"] for x in e["evidence"] or []]
    description = e["note"] or ""
    if e["kind"] == "reassigned":  # still in progress, with another agency: say which
        opd = routing.opds.get(e["opd"] or "")
        description = f"Dialihkan ke {opd.name if opd else e['opd']}" + (f": {description}" if description else "")
    return {
        "update_id": str(e["id"]),
        "service_request_id": e["report_id"],
        "status": FMS_EVENT.get(e["kind"], FMS_STATUS[e["to_status"]]),
        "updated_datetime": iso_wib(e["at"]),
        "description": description,
        "media_url": evidence[0] if evidence else None,
        "external_status_code": e["to_status"],
    }
