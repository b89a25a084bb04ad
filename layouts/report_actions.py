"""The actions panel of one report's page: a form per action the reader may take on the report as it stands (the
list comes from reports.service.allowed_actions, never from here). Plain HTML forms, posted to the page's own
address: they work on a phone with no script, and the server checks everything again."""

from __future__ import annotations

from markupsafe import Markup

from data_feeds.i18n import t

# what each action's form asks for, besides its button: (field, kind, words key, required)
FIELDS: dict[str, tuple[tuple[str, str, str, bool], ...]] = {
    "forward": (("opd", "opd", "act_opd", True), ("catatan", "text", "act_note", False)),
    "process": (),
    "resolve": (
        ("bukti", "file", "act_upload", False),
        ("bukti_url", "url", "act_evidence_url", False),
        ("catatan", "text", "act_note", False),
    ),
    "reject": (("catatan", "text", "act_reject_reason", True),),
    "duplicate": (("asli", "line", "act_dup_of", True),),
    "escalate": (("catatan", "text", "act_escalate_reason", True),),
    "assign": (("petugas", "person", "act_assignee", True),),
    "note": (("catatan", "text", "act_note_internal", True),),
    "respond": (("catatan", "text", "act_response", True),),
    "confirm": (("catatan", "text", "act_note", False),),
}
BUTTONS = {"note": "act_note_internal"}  # a button's words where they are not act_<action>
HINTS = {"note": "act_note_hint"}  # said under a form's fields


def field(name: str, kind: str, words: str, required: bool, lang: str, choices: dict[str, dict[str, str]]) -> Markup:
    label = t(words, lang)
    need = Markup(" required") if required else ""
    if kind in ("opd", "person"):
        options = Markup("").join(
            Markup('<option value="{c}">{n}</option>').format(c=code, n=name) for code, name in choices[kind].items()
        )
        control = Markup('<select name="{f}"{r}><option value="">{l}</option>{o}</select>').format(
            f=name, r=need, l=label, o=options
        )
    elif kind == "file":
        control = Markup('<input type="file" name="{f}" accept="image/*,video/*">').format(f=name)
    elif kind == "url":
        control = Markup('<input type="url" name="{f}" placeholder="https://…" maxlength="2000">').format(f=name)
    elif kind == "line":
        control = Markup('<input type="text" name="{f}" maxlength="80"{r}>').format(f=name, r=need)
    else:
        control = Markup('<textarea name="{f}" rows="2" maxlength="2000"{r}></textarea>').format(f=name, r=need)
    return Markup('<label class="lr-rp-field"><span>{l}</span>{c}</label>').format(l=label, c=control)


def panel(
    allowed: list[str],
    here: str,
    csrf_token: str,
    lang: str,
    opds: dict[str, str],
    said: Markup | str,
    people: dict[str, str] | None = None,
) -> Markup:
    """The panel, or nothing for a reader who may take no action on this report now (a screen, an assessor, a
    leader). `people`: those of the report's agency it may be assigned to (username -> name); none, no assign form."""
    allowed = [a for a in allowed if a != "assign" or people]
    if not allowed:
        return Markup("")
    choices = {"opd": opds, "person": people or {}}
    forms = Markup("").join(
        Markup(
            '<form class="lr-rp-act lr-rp-act-{a}" method="post" action="{u}" enctype="multipart/form-data">'
            '<input type="hidden" name="csrf_token" value="{c}"><input type="hidden" name="aksi" value="{a}">'
            '{fields}{hint}<button type="submit">{b}</button></form>'
        ).format(
            a=action,
            u=here,
            c=csrf_token,
            fields=Markup("").join(field(*f, lang, choices) for f in FIELDS[action]),
            hint=Markup('<p class="lr-rp-hint">{h}</p>').format(h=t(HINTS[action], lang)) if action in HINTS else "",
            b=t(BUTTONS.get(action, f"act_{action}"), lang),
        )
        for action in allowed
    )
    return Markup(
        '<section class="lr-rp-actions" id="rp-actions"><h2>{h}</h2>{said}<div class="lr-rp-forms">{f}</div></section>'
    ).format(h=t("act_title", lang), said=said, f=forms)


def outcome(text: str, ok: bool) -> Markup:
    """What became of the last action, where the person is looking."""
    return Markup('<p class="lr-rp-said lr-rp-said-{k}" id="rp-said" role="{r}">{t}</p>').format(
        k="ok" if ok else "refused", r="status" if ok else "alert", t=text
    )
