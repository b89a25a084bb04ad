"""Open311 answers in its two formats, JSON and XML, from one tree; errors in the spec's own shape."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from flask import Response, json

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


# Characters XML 1.0 cannot carry. Input refuses them now, but a value stored before that must not make the
# feed unreadable for every client: it is shown as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_value(parent: ET.Element, key: str, value) -> None:
    node = ET.SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _xml_value(node, k, v)
    elif isinstance(value, list):
        item = key[:-1] if key.endswith("s") else "item"
        for v in value:
            _xml_value(node, item, v)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = _NOT_XML.sub("\ufffd", str(value))


def render(fmt: str, root: str, item: str | None, body, status: int = 200) -> Response:
    """body: a list of dicts (rendered as <root><item>..</item></root> / a JSON array) or one dict (<root>..</root>)."""
    if fmt == "json":
        text = json.dumps(body, ensure_ascii=False)
    else:
        top = ET.Element(root)
        if isinstance(body, list):
            for entry in body:
                el = ET.SubElement(top, item)
                for k, v in entry.items():
                    _xml_value(el, k, v)
        else:
            for k, v in body.items():
                _xml_value(top, k, v)
        text = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="unicode")
    return Response(text, status=status, content_type=FORMATS[fmt])


def error_response(fmt: str, code: int, description: str) -> Response:
    return render(
        fmt if fmt in FORMATS else "xml", "errors", "error", [{"code": code, "description": description}], code
    )
