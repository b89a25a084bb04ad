"""What is compressed and kept (issue 14's cold page): bundles once per process in brotli or gzip and cached for
good by their fingerprinted address, the Dash documents and big callback answers in gzip, the script-free pages
with their CSRF tokens never; the wall's layout carries no CSRF token (the sign-out form takes it from its cookie)."""

from __future__ import annotations

import gzip
import json
import re

import brotli

from tests.helpers import call_callback, csrf_headers, sign_in

BR = {"Accept-Encoding": "br, gzip"}
GZ = {"Accept-Encoding": "gzip"}


def scripts(page: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', page)


def test_bundles_are_compressed_once_and_kept_for_good(client, services):
    sign_in(client, services, "pimpinan")
    bundle = next(s for s in scripts(client.get("/").get_data(as_text=True)) if "dash_leaflet" in s)
    plain, first, second = client.get(bundle), client.get(bundle, headers=BR), client.get(bundle, headers=BR)
    assert first.headers["Content-Encoding"] == "br" and "Accept-Encoding" in first.headers["Vary"]
    assert brotli.decompress(first.data) == plain.data and len(first.data) < len(plain.data) / 3
    assert second.data == first.data  # served from the compressed copy
    assert "max-age=31536000" in first.headers["Cache-Control"]
    gz = client.get(bundle, headers=GZ)
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == plain.data
    css = next(
        s
        for s in re.findall(r'href="([^"]+\.css[^"]*)"', client.get("/").get_data(as_text=True))
        if "liveroom.css" in s
    )
    kept = client.get(css, headers=BR)
    assert kept.headers["Content-Encoding"] == "br" and "immutable" in kept.headers["Cache-Control"]


def test_the_dash_documents_are_gzipped_and_carry_no_csrf_token(client, services):
    sign_in(client, services, "operator")
    token = client.get_cookie("_csrf_token")
    for path in ("/", "/_dash-layout", "/_dash-dependencies", "/laporan/", "/laporan/_dash-layout"):
        resp = client.get(path, headers=GZ)
        assert resp.status_code == 200 and resp.headers.get("Content-Encoding") == "gzip", path
        body = gzip.decompress(resp.data).decode()
        assert token is None or token.value not in body, path
    layout = json.loads(gzip.decompress(client.get("/_dash-layout", headers=GZ).data))
    fields = [node["props"] for node in walk(layout) if node.get("props", {}).get("name") == "csrf_token"]
    assert [f.get("value") for f in fields] == [""]  # the sign-out form's field, filled from the cookie when sent


def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_the_script_free_pages_are_never_compressed(client, services):
    signin = client.get("/masuk", headers=BR)
    assert "Content-Encoding" not in signin.headers and b'name="csrf_token" value="' in signin.data
    sign_in(client, services, "operator")
    page = client.get("/laporan/tidak-ada", headers=BR)
    assert page.status_code == 404 and "Content-Encoding" not in page.headers


def test_a_small_callback_answer_stays_raw_a_big_one_is_gzipped(client, services):
    sign_in(client, services, "pimpinan")
    headers = csrf_headers(client)
    options = call_callback(
        client, "lb-kecamatan.value", {"lb-kecamatan.value": None}, headers=headers, app_path="/laporan/"
    )
    assert len(options.data) > 4 * 1024  # 104 kelurahan
    big = call_callback(
        client, "lb-kecamatan.value", {"lb-kecamatan.value": None}, headers={**headers, **GZ}, app_path="/laporan/"
    )
    assert big.headers["Content-Encoding"] == "gzip" and gzip.decompress(big.data) == options.data
    small = call_callback(
        client,
        "lb-kecamatan.value",
        {"lb-kecamatan.value": ["Cipondoh"]},
        headers={**headers, **GZ},
        app_path="/laporan/",
    )
    assert len(small.data) < 4 * 1024 and "Content-Encoding" not in small.headers and small.get_json()["response"]


def test_the_favicon_is_there_for_everyone(app):
    resp = app.server.test_client().get("/favicon.ico")
    assert resp.status_code == 200 and resp.mimetype == "image/x-icon" and resp.data[:4] == b"\x00\x00\x01\x00"
