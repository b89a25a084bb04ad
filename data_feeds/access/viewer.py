"""Who is asking, whatever the door (a signed-in person, a paired wall screen, an API key), and what
they may see and do. Every route asks the same `Viewer`, so a rule lives here once.

| role      | reports seen                  | reporter's contact | acts                                   |
|-----------|-------------------------------|--------------------|----------------------------------------|
| pimpinan  | all                           | no (unless granted)| -                                      |
| operator  | all                           | yes                | forward, reassign, duplicate, reject, escalate |
| opd       | its OPDs' (others: aggregates)| no (unless granted)| diproses / selesai with evidence       |
| penilai   | none one by one: aggregates   | no                 | -                                      |
| layar     | all, read-only wall           | no                 | -                                      |
| admin     | all                           | no (unless granted)| people, devices, keys; the audit log   |
| key       | its source's, or its OPDs'    | with `personal`    | by its roles (access/keys.py)          |
"""

from __future__ import annotations

from dataclasses import dataclass

from .devices import holder as device_holder
from .keys import Principal
from .people import Person
from .sessions import holder

DEVICE_ROLE = "layar"
INTERNAL_ROLES = ("operator", "opd", "pimpinan")  # people who work reports or lead them: notes, assignees, the queue
REPORT_KEY_ROLES = frozenset({"report", "workflow"})  # a key with either reads its source's or agencies' reports


@dataclass(frozen=True)
class Viewer:
    kind: str  # person | device | key
    id: str  # the person's username, the device's id, the key's id: the audit's "who"
    name: str  # as people read it (a report's history, the header)
    role: str  # one of access.people.ROLES, "layar", or "key"
    opds: frozenset[str] = frozenset()  # an opd account's agencies, or an agency key's
    personal: bool = False  # reads reporters' contact
    source: str = ""  # a feed key's source
    key_roles: frozenset[str] = frozenset()  # an API key's roles (access.keys.ROLES)
    holder: str = ""  # what a live ticket names, so ending it ends the live view: "s:<session>", "d:<device>"

    @classmethod
    def of_person(cls, person: Person, session_id: str = "") -> Viewer:
        return cls(
            "person",
            person.username,
            person.name,
            person.role,
            person.opds,
            person.reads_personal_data,
            holder=holder(session_id) if session_id else "",
        )

    @classmethod
    def of_device(cls, device_id: str, name: str) -> Viewer:
        return cls("device", device_id, name, DEVICE_ROLE, holder=device_holder(device_id))

    @classmethod
    def public(cls, source: str) -> Viewer:
        """Anyone, with no key and no session, where the settings open one source's requests to public reading
        (OPEN311_PUBLIC_SOURCE): the fields a citizen may see of that source's requests, never the reporter."""
        return cls("public", "publik", "Publik", "publik", source=source)

    @classmethod
    def of_key(cls, key: Principal) -> Viewer:
        return cls(
            "key", key.key_id, key.name, "key", key.opds, "personal" in key.roles, key.source, key_roles=key.roles
        )

    @property
    def scope(self) -> frozenset[str] | None:
        """The OPDs whose reports this viewer's wall shows; None: the whole city."""
        return self.opds if self.role == "opd" else None

    @property
    def sees_reports(self) -> bool:
        """Individual reports (their words, their exact place): everyone but the assessors, and of the API keys
        those that send or work reports (an indicators-only key reads none)."""
        if self.kind == "key":
            return bool(self.key_roles & REPORT_KEY_ROLES)
        return self.role != "penilai"

    @property
    def lists_reports(self) -> bool:
        """Reports in bulk (the list, search, both exports, Open311's list, the report browser): those who read
        reports, but never a wall screen: its wall, the card and a report's page from the ticker are all it needs,
        and its 400-day credential must not be a key to every report's words and place."""
        return self.sees_reports and self.kind != "device"

    @property
    def reads_internal(self) -> bool:
        """The room's internal notes on a report and who it is assigned to: the people who work reports and lead
        them; never a key (nor the public a key's source may open to), a wall screen or an assessor."""
        return self.kind == "person" and self.role in INTERNAL_ROLES

    @property
    def works_queue(self) -> bool:
        """The queue (Antrian): open reports by due time, for those who act on them and those who lead them."""
        return self.reads_internal

    @property
    def reads_personal(self) -> bool:
        return self.personal and self.role != "penilai"

    @staticmethod
    def scope_fields(public_report: dict) -> dict:
        """What `sees` and `progresses` read, from a report in the API's public shape (opd as {code, name})."""
        return {"opd": (public_report.get("opd") or {}).get("code"), "source": public_report.get("source")}

    def sees(self, report: dict) -> bool:
        """May this viewer open this report (its text, its place, its history)?"""
        if not self.sees_reports:
            return False
        if self.kind in ("key", "public"):
            return report.get("opd") in self.opds if self.opds else report.get("source") == self.source
        return self.scope is None or report.get("opd") in self.scope

    @property
    def map_opds(self) -> frozenset[str] | None:
        """The OPDs whose live markers this viewer gets: None every one, empty none (an assessor, a feed key)."""
        if not self.sees_reports:
            return frozenset()
        if self.kind == "key":
            return self.opds
        return self.scope

    def report_filter(self) -> tuple[str | None, frozenset[str] | None]:
        """(source, OPDs) that a list of reports is narrowed to for this viewer; None: not narrowed."""
        if self.kind in ("key", "public"):
            return (None, self.opds) if self.opds else (self.source, None)
        return None, self.scope

    @property
    def forwards(self) -> bool:
        """Forward to an OPD, reassign, mark duplicate, reject, escalate: the LIVE Room's operators."""
        return self.kind == "person" and self.role == "operator"

    def progresses(self, report: dict) -> bool:
        """Move the report to diproses / selesai (with evidence): its OPD's people, and the operators."""
        if self.kind != "person":
            return False
        return self.role == "operator" or (self.role == "opd" and report.get("opd") in self.opds)

    def reads_briefing(self, opd: str | None) -> bool:
        """The morning briefing (documents/briefing.py): the mayor's (opd None) for the city's leaders, operators and
        admins; an agency's for them and for that agency's own people. Not screens, assessors or keys."""
        if self.kind != "person":
            return False
        if self.role in ("pimpinan", "operator", "admin"):
            return True
        return self.role == "opd" and opd is not None and opd in self.opds

    @property
    def administers(self) -> bool:
        return self.kind == "person" and self.role == "admin"
