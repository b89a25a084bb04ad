"""Evidence uploaded from the browser: a photo or video an agency attaches when it closes a report.

Checked by its content, never by its name or the type the browser claims: the first bytes must be
a JPEG, PNG, WebP, MP4, WebM or QuickTime file (`filetype`), and an image must also decode (Pillow),
so a text file called foto.jpg is refused. Kept under DATA_DIR/evidence/<report id>/<sha-256>.<ext>,
written whole and fsynced before the event that names it is committed; served only to people and
screens who may see that report (api/evidence.py), at /bukti/<report id>/<file>.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import re
from pathlib import Path

import filetype
from PIL import Image, UnidentifiedImageError

from data_feeds import paths
from data_feeds.refusal import Kind, Refusal

KINDS = {
    "image/jpeg": ("jpg", "photo"),
    "image/png": ("png", "photo"),
    "image/webp": ("webp", "photo"),
    "video/mp4": ("mp4", "video"),
    "video/webm": ("webm", "video"),
    "video/quicktime": ("mov", "video"),
}
MIME_OF = {ext: mime for mime, (ext, _kind) in KINDS.items()}
FILE_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp|mp4|webm|mov)$")
REPORT_DIR = re.compile(r"^[0-9A-Za-z]{1,32}$")
SITE_URL = re.compile(r"^/bukti/[0-9A-Za-z]{1,32}/[0-9a-f]{32}\.(jpg|png|webp|mp4|webm|mov)$")


def decode_upload(contents: str | None) -> bytes:
    """The bytes of a dcc.Upload value ("data:<claimed type>;base64,<data>"); the claimed type is ignored."""
    if not contents or "," not in contents:
        raise Refusal.one(Kind.INVALID, "evidence", "no file was received", "refuse_evidence_none")
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        raise Refusal.one(Kind.INVALID, "evidence", "the upload is not valid base64 data") from None


def check(data: bytes, max_bytes: int) -> tuple[str, str]:
    """-> (extension, photo|video) for an accepted file, or Refusal naming what is wrong."""
    if not data:
        raise Refusal.one(Kind.INVALID, "evidence", "the file is empty", "refuse_evidence_empty")
    if len(data) > max_bytes:
        raise Refusal.one(
            Kind.TOO_LARGE,
            "evidence",
            f"the file is {len(data):,} bytes; at most {max_bytes:,} are accepted",
            "refuse_evidence_large",
            size=len(data),
            max=max_bytes,
        )
    guess = filetype.guess(data[:8192])
    if guess is None or guess.mime not in KINDS:
        found = guess.mime if guess else "not a photo or video"
        raise Refusal.one(
            Kind.UNSUPPORTED,
            "evidence",
            f"the content is {found}; accepted: JPEG, PNG, WebP, MP4, WebM, MOV",
            "refuse_evidence_type",
        )
    ext, kind = KINDS[guess.mime]
    if kind == "photo":
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.verify()  # the whole image parses, not only its first bytes
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise Refusal.one(
                Kind.UNSUPPORTED,
                "evidence",
                f"the content starts like {guess.mime} but is not a readable image",
                "refuse_evidence_unreadable",
            ) from None
    return ext, kind


def save(data_dir: Path, report_id: str, data: bytes, max_bytes: int) -> dict:
    """Store an accepted file durably. -> {"url": "/bukti/<report>/<file>", "type": photo|video}."""
    if not REPORT_DIR.match(report_id):
        raise Refusal.one(Kind.NOT_FOUND, "id", "no report with that id", "refuse_not_found")
    ext, kind = check(data, max_bytes)
    name = f"{hashlib.sha256(data).hexdigest()[:32]}.{ext}"  # the same file twice is one file
    folder = data_dir / "evidence" / report_id
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / name
    if not target.exists():
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself survives a crash
        finally:
            os.close(dir_fd)
    return {"url": f"{paths.EVIDENCE}{report_id}/{name}", "type": kind}


def path_of(data_dir: Path, report_id: str, name: str) -> Path | None:
    """The stored file for a /bukti/ address, or None (a name that is not ours never reaches the disk)."""
    if not REPORT_DIR.match(report_id) or not FILE_NAME.match(name):
        return None
    path = data_dir / "evidence" / report_id / name
    return path if path.is_file() else None


def discard(data_dir: Path, url: str, kept: set[str]) -> None:
    """Remove a file `save` wrote for an action that was then refused, unless an event already refers to it
    (`kept`: the evidence addresses of the report's events; the same photo sent twice is one file). Its folder
    goes too when it is left empty: nothing is kept of what was refused."""
    if url in kept or not SITE_URL.match(url):
        return
    report_id, name = url.removeprefix(paths.EVIDENCE).split("/", 1)
    path = path_of(data_dir, report_id, name)
    if path is None:
        return
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError:
        pass  # other files of the report's
