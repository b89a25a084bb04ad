"""Reporters' personal data (UU 27/2022 on personal data protection): kept encrypted, found by phone without
decrypting, erased when no longer needed.

A report's reporter (name and phone) is stored as one Fernet token (`cryptography`: AES-128-CBC with an HMAC, a
timestamp and a version byte) in `reports.reporter_sealed`, under a key derived from PERSONAL_DATA_KEY (settings),
which lives outside the database: a copied database file or a backup reveals no name and no phone. Beside it,
`reporter_phone_index` holds an HMAC of the phone in one canonical form (+62...), under a second key derived from
the same secret, so a subject's access request (`privacy export --phone`) finds their reports with one indexed
lookup, and nothing without the key can tell which rows share a phone number. Rows written before this (plain
`reporter_name` / `reporter_phone`) are sealed at the live worker's start (`seal_legacy_rows`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

from cryptography.fernet import Fernet, InvalidToken

_NOT_DIGIT = re.compile(r"[^0-9]")


def canonical_phone(phone: str | None) -> str | None:
    """One form for one number, however it was written: 0812-1234-5678, +62 812 1234 5678, 62812... -> 62812..."""
    digits = _NOT_DIGIT.sub("", phone or "")
    if not digits:
        return None
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


class Sealer:
    """Seal and open reporters; the phone's lookup index."""

    def __init__(self, secret: str):
        root = hashlib.sha256(("liveroom personal data\0" + secret).encode()).digest()
        encrypt = hmac.new(root, b"encrypt", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(encrypt))
        self._index_key = hmac.new(root, b"phone index", hashlib.sha256).digest()

    def seal(self, name: str | None, phone: str | None) -> str | None:
        """The reporter as stored; None when there is neither a name nor a phone."""
        if not name and not phone:
            return None
        return self._fernet.encrypt(json.dumps({"name": name, "phone": phone}).encode()).decode()

    def phone_index(self, phone: str | None) -> str | None:
        canonical = canonical_phone(phone)
        return hmac.new(self._index_key, canonical.encode(), hashlib.sha256).hexdigest() if canonical else None

    def reporter(self, row: dict) -> dict:
        """{"name", "phone"} of a stored report row: opened from its seal (or, for a row not sealed yet, as written);
        both None once erased. A seal this key cannot open reads as nothing, never as an error (a key changed without
        re-sealing: the operators see no contact rather than a broken page)."""
        sealed = row.get("reporter_sealed")
        if sealed:
            try:
                doc = json.loads(self._fernet.decrypt(sealed.encode()))
                return {"name": doc.get("name"), "phone": doc.get("phone")}
            except (InvalidToken, ValueError):
                return {"name": None, "phone": None}
        return {"name": row.get("reporter_name"), "phone": row.get("reporter_phone")}

    def columns(self, name: str | None, phone: str | None) -> dict:
        """The report row's personal columns for a reporter: sealed, indexed, nothing in plain text."""
        return {
            "reporter_sealed": self.seal(name, phone),
            "reporter_phone_index": self.phone_index(phone),
            "reporter_name": None,
            "reporter_phone": None,
        }


ERASED = {"reporter_sealed": None, "reporter_phone_index": None, "reporter_name": None, "reporter_phone": None}
