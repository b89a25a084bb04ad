"""The door for people and wall screens: sessions (Flask-Login), CSRF (Flask-WTF), the guard in front of
every page and Dash callback, one-click sign-in links, screen pairing, sign-out, and `viewer()`: who
this request is, for every route that decides what to show.

Pages and callbacks need a signed-in person or a paired screen: signed out, a page redirects to the
sign-in form and a callback (`/_dash-*`, an HTTP endpoint anyone can replay) gets 401. The API and
Open311 routes check for themselves: a key, or the same session (`api_viewer`). Every form and every
callback carries a CSRF token (Dash sends the `_csrf_token` cookie back as the X-CSRFToken header);
the API and Open311 are exempt because cookies never authorise a write there, keys do.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from datetime import timedelta
from urllib.parse import quote, urlsplit

import flask
from flask import Flask, g, jsonify, redirect, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from limits import parse_many

from data_feeds import paths
from data_feeds.access.devices import Devices
from data_feeds.access.keys import HEADER, Principal
from data_feeds.access.limits import Counter, Window
from data_feeds.access.people import People, Person, SignInRefused, person_of
from data_feeds.access.sessions import Sessions
from data_feeds.access.tokens import OneTimeTokens
from data_feeds.access.viewer import Viewer
from data_feeds.clock import iso_utc, utcnow
from data_feeds.i18n import LANGS, fmt_time, t
from data_feeds.live import revoked
from data_feeds.refusal import Kind, Refusal
from data_feeds.services import Services, current
from data_feeds.settings import Settings
from layouts import signin_page

DEVICE_COOKIE = "lr_device"
CSRF_COOKIE, CSRF_HEADER = "_csrf_token", "X-CSRFToken"
DEVICE_COOKIE_DAYS = 400  # browsers cap a cookie's life near 400 days: renewed on every page load
PUBLIC_PATHS = {paths.SIGNIN, "/healthz", "/assets/signin.css", "/api/v1/openapi.json", "/favicon.ico"}
PUBLIC_PREFIXES = (paths.SIGNIN + "/", paths.PAIR + "/", paths.LANG)
SELF_GUARDED = ("/api/", "/open311/")  # the machine doors: each route asks for a key or a session itself
ADMIN_PATHS = (paths.ADMIN,)
STATIC_PREFIXES = ("/assets/", "/laporan/assets/")  # files the browser caches: not counted against a screen
RECHECK_S = 5.0  # a disabled account, a reset password or a revoked screen is out within this


class SessionUser(UserMixin):
    def __init__(self, person: Person, token: str, session_id: str):
        self.person, self.token, self.session_id = person, token, session_id

    def get_id(self) -> str:
        return self.token  # what the signed cookie keeps: `<session id>.<secret>` (access/sessions.py)


class _Recent:
    """Answers kept for RECHECK_S: a busy page asks many times a second, its account is read once per few seconds."""

    def __init__(self):
        self.items: dict[str, tuple[float, object]] = {}
        self.lock = threading.Lock()

    def forget(self, key: str) -> None:
        with self.lock:
            self.items.pop(key, None)

    def get(self, key: str, load):
        now = time.monotonic()
        hit = self.items.get(key)
        if hit and hit[0] > now:
            return hit[1]
        value = load(key)
        with self.lock:
            if len(self.items) > 10_000:
                self.items.clear()
            self.items[key] = (now + RECHECK_S, value)
        return value


_sessions, _devices = _Recent(), _Recent()


def _machine_path(path: str) -> bool:
    """A request made by a page's scripts (Dash's own routes of any app, assets, evidence): signed out, it hears
    401, never a redirect to a sign-in page it cannot show."""
    return (
        path.startswith(("/_", "/assets/", paths.EVIDENCE))
        or "/_dash-" in path
        or "/_reload-hash" in path
        or "/assets/" in path
    )


def viewer() -> Viewer | None:
    """The signed-in person or the paired screen making this request (never an API key: see api_viewer)."""
    if "viewer" not in g:
        found = None
        if current_user.is_authenticated:
            found = Viewer.of_person(current_user.person, current_user.session_id)
        else:
            device = _devices.get(request.cookies.get(DEVICE_COOKIE, ""), lambda c: Devices(current().store).check(c))
            if device is not None:
                found = Viewer.of_device(device.id, device.name)
        g.viewer = found
    return g.viewer


def address() -> str | None:
    return (request.remote_addr or "")[:64] or None


def audit(
    action: str,
    outcome: str,
    who: Viewer | None = None,
    actor: str | None = None,
    report_id: str | None = None,
    detail: str | None = None,
) -> None:
    current().store.audit(
        at=utcnow(),
        actor_kind=who.kind if who else "person",
        actor=(actor or (who.id if who else "?"))[:120],
        action=action,
        outcome=outcome,
        report_id=report_id,
        address=address(),
        detail=(detail or "")[:300] or None,
    )


LANG_COOKIE = "lang"


def same_site_path(target: str | None) -> str:
    """Where a link inside the site may send the browser: a path on this site, never another host
    (`//evil.example/`, `/\\evil.example`, `https://...` all become "/")."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\\\r\n\t") or not target.isprintable():
        return "/"
    return target


def current_lang() -> str:
    """The interface language this browser chose (/lang/en), Indonesian by default."""
    lang = request.cookies.get(LANG_COOKIE, "id") if flask.has_request_context() else "id"
    return lang if lang in LANGS else "id"


def _next() -> str:
    target = same_site_path(request.values.get("next"))
    return "/" if target.startswith((paths.SIGNIN, paths.PAIR)) else target


def _form(message: str = "", error: bool = False, status: int = 200, username: str = ""):
    html = signin_page.page(current_lang(), generate_csrf(), _next(), message, error, username)
    return flask.Response(html, status, mimetype="text/html", headers={"Cache-Control": "no-store"})


def _begin_session(person: Person) -> None:
    flask.session.clear()  # a new session id for a new person: no fixation
    flask.session.permanent = True
    token = Sessions(current().store).begin(person.id, current().settings.session_hours)
    login_user(SessionUser(person, token, token.partition(".")[0]))
    g.pop("viewer", None)


class SessionOnlyWhenSent(SecureCookieSessionInterface):
    """A request without the session cookie (every feed's POST) gets an empty session without the signing set-up,
    a thirtieth of a POST's server time; one with the cookie is read and checked as Flask always does."""

    def open_session(self, app: Flask, request):
        if app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


bp = flask.Blueprint("signin", __name__)


def install(server: Flask, services: Services) -> CSRFProtect:
    """Sessions, the guard and CSRF on `server`, and the sign-in, sign-out and pairing doors (`bp`)."""
    settings = services.settings
    server.secret_key = settings.signing_secret()
    server.config.update(
        SESSION_COOKIE_NAME="lr_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        # a session lasts SESSION_HOURS from sign-in: not re-sent with every request (a wall renews its live ticket,
        # the report table refreshes; screens that run for days are paired devices, with their own credential)
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session's life: a wall's token must not expire under it
        WTF_CSRF_HEADERS=[CSRF_HEADER],
        WTF_CSRF_SSL_STRICT=settings.cookie_secure,
    )
    server.session_interface = SessionOnlyWhenSent()
    logins = LoginManager()
    logins.init_app(server)
    logins.session_protection = None  # sessions are bound by the password stamp, not the address (walls roam Wi-Fi)
    logins.user_loader(load_user)
    server.before_request(guard)
    csrf = CSRFProtect(server)  # after the guard: a signed-out callback hears 401, not 400
    server.after_request(hand_over_csrf)
    server.register_error_handler(
        CSRFError, lambda exc: (jsonify({"error": {"field": CSRF_HEADER, "reason": exc.description}}), 400)
    )
    server.register_blueprint(bp)
    return csrf


def load_user(token: str):
    found = _sessions.get(token, lambda tok: Sessions(current().store).check(tok))
    return SessionUser(person_of(found[0]), token, found[1]) if found else None


def guard():
    """In front of every page and callback: signed out, a page redirects to the form and a callback gets 401; the
    admin pages for admins only."""
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or (path + "/").startswith(SELF_GUARDED):
        return None
    who = viewer()
    if who is None:
        if request.method == "GET" and not _machine_path(path):
            # the whole address, encoded: a link with several filters (?status=baru&opd=dpupr) comes back whole
            return redirect(f"{paths.SIGNIN}?next={quote(request.full_path.rstrip('?'), safe='/')}")
        return jsonify({"error": {"field": None, "reason": "sign in first"}}), 401
    if who.kind == "device" and not path.startswith(STATIC_PREFIXES) and "/_dash-component-suites/" not in path:
        # a screen's 400-day credential must not be a way to load the wall's server without end (past it: 429)
        settings, counter = current().settings, flask.current_app.extensions["rate_limits"]
        loads = request.method == "GET" and (path.endswith("/_dash-layout") or not _machine_path(path))
        spec = settings.screen_page_limit if loads else settings.screen_limit
        counter.charge([Window("screen-page" if loads else "screen", who.id, limit) for limit in _attempt_limits(spec)])
    if path.startswith(ADMIN_PATHS) and not who.administers:
        return flask.Response(f"403: {who.role}", 403, mimetype="text/plain")
    acting = path.endswith("/_dash-update-component") or (request.method == "POST" and path.startswith(paths.REPORTS))
    if acting and who.kind == "person" and who.role in ("opd", "operator"):
        # an evidence upload travels base64 inside the callback (4/3 of the file, and the rest of the body)
        request.max_content_length = current().settings.evidence_max_bytes * 4 // 3 + 256 * 1024
    return None


def hand_over_csrf(resp):
    """Dash's renderer sends this cookie back as the CSRF header of every callback."""
    if g.get("viewer") is not None and resp.mimetype == "text/html":
        settings = current().settings
        resp.set_cookie(CSRF_COOKIE, generate_csrf(), samesite="Lax", secure=settings.cookie_secure, httponly=False)
        if g.viewer.kind == "device":
            _device_cookie(resp, request.cookies.get(DEVICE_COOKIE, ""), settings)
    return resp


@functools.cache
def _attempt_limits(spec: str) -> list:
    return parse_many(spec)


@bp.route(paths.SIGNIN, methods=["GET", "POST"])
def sign_in():
    lang = current_lang()
    if request.method == "GET":
        return _form(signin_page_message(request.args.get("m"), lang))
    # attempts counted per address across accounts (password spraying); past the limit, api/web.py says so
    counter: Counter = flask.current_app.extensions["rate_limits"]
    counter.charge(
        [Window("signin", address() or "", limit) for limit in _attempt_limits(current().settings.signin_limit)]
    )
    username = (request.form.get("username") or "")[:60]
    people = People(current().store)
    try:
        person = people.verify(username, (request.form.get("password") or "")[:200], address() or "")
    except SignInRefused as refused:
        audit("signin", "refused", actor=username.strip().lower() or "?", detail=refused.reason)
        if refused.locked_until is not None and refused.locked_until > utcnow():
            return _form(
                t("signin_locked", lang, time=fmt_time(iso_utc(refused.locked_until), lang)), True, 401, username
            )
        return _form(t("signin_wrong", lang), True, 401, username)
    _begin_session(person)
    audit("signin", "allowed", viewer(), detail="password")
    return redirect(_next())


@bp.get(paths.SIGNIN + "/<token>")
def sign_in_by_link(token: str):
    person_id = OneTimeTokens(current().store).redeem("signin", token)
    person = People(current().store).by_id(person_id) if person_id else None
    if person is None:
        audit("signin", "refused", actor="link", detail="one-time link unknown, used or expired")
        return redirect(f"{paths.SIGNIN}?m=link")
    _begin_session(person)
    audit("signin", "allowed", viewer(), detail="one-time link")
    return redirect(_next())


@bp.post(paths.SIGNOUT)
def sign_out():
    who = viewer()
    if who is not None and who.kind == "person":
        audit("signout", "allowed", who)
        Sessions(current().store).end(current_user.token)  # the cookie, even if kept, opens nothing from now
        _sessions.forget(current_user.token)
        with contextlib.suppress(RuntimeError):  # (no Redis configured: the worker tells the channel from the store)
            revoked.tell(current().redis, current().keys, [(who.holder, utcnow())])  # its live view ends now
    logout_user()
    flask.session.clear()
    resp = redirect(f"{paths.SIGNIN}?m=out")
    resp.delete_cookie(CSRF_COOKIE)
    return resp


@bp.get(paths.PAIR + "/<token>")
def pair_screen(token: str):
    paired = Devices(current().store).pair(token)
    if paired is None:
        audit("pair", "refused", actor="link", detail="pairing link unknown, used or expired")
        return redirect(f"{paths.SIGNIN}?m=pair")
    device, credential = paired
    logout_user()  # the screen is itself from now on, not whoever was signed in on it
    flask.session.clear()
    audit("pair", "allowed", Viewer.of_device(device.id, device.name), detail=device.name)
    resp = redirect("/")
    _device_cookie(resp, credential, current().settings)
    return resp


def too_many_attempts():
    return _form(t("signin_too_many", current_lang()), True, 429)


def signin_page_message(code: str | None, lang: str) -> str:
    return {
        "link": t("signin_link_used", lang),
        "pair": t("signin_pair_failed", lang),
        "out": t("signin_signed_out", lang),
    }.get(code or "", "")


def _device_cookie(resp, credential: str, settings: Settings) -> None:
    resp.set_cookie(
        DEVICE_COOKIE,
        credential,
        max_age=DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.cookie_secure,
    )


def api_viewer(key: Principal | None) -> Viewer:
    """Who reads through the API or Open311: the key's holder when a key was sent, else the signed-in person
    or screen (the same session the pages use), else 401."""
    if key is not None:
        return Viewer.of_key(key)
    who = viewer()
    if who is None:
        raise Refusal.one(Kind.UNAUTHENTICATED, HEADER, "send an API key, or sign in")
    return who
