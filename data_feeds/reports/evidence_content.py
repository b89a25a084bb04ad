"""Evidence uploaded from the browser, judged and made safe to serve before anything is stored.

Judged by its content, never by its name or the type the browser claims: the first bytes must be a JPEG, PNG,
WebP, MP4, WebM or QuickTime file (`filetype`). Then:
- a photo is refused above MAX_PIXELS before it is decoded (a decompression bomb is a refusal, never a 500), and
  re-encoded as a JPEG of at most MAX_SIDE pixels a side (Pillow): what is served carries no EXIF, so no GPS
  position or camera of the reporter's leaves with it. The time and place the photo claims are kept as facts for
  the store (`Claims`), to check a photo against its report later;
- a video must open as a real container with a video stream whose first frame decodes (PyAV, FFmpeg's own
  demuxers), and is remuxed without re-encoding into the same kind of container with no metadata (an MP4's
  location atom goes) and its index first, so a browser can play it while it streams.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from datetime import datetime

import av
import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

from data_feeds.refusal import Kind, Refusal

KINDS = {
    "image/jpeg": "photo",
    "image/png": "photo",
    "image/webp": "photo",
    "video/mp4": "video",
    "video/webm": "video",
    "video/quicktime": "video",
}
MIME_OF = {"jpg": "image/jpeg", "mp4": "video/mp4", "webm": "video/webm"}  # what is stored and served
MAX_PIXELS = 50_000_000  # a 50-megapixel photo is the largest a phone sends by default; more is refused, undecoded
MAX_SIDE = 4096  # the stored photo's longest side: legible evidence, a bounded file
JPEG_QUALITY = 85
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL, _DATETIME = 36867, 306


@dataclass(frozen=True)
class Claims:
    """What the file says about itself (EXIF), kept in the store, never served."""

    taken_at: str | None = None  # as the camera wrote it (local time of the camera, no zone): ISO "YYYY-MM-DDTHH:MM:SS"
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Accepted:
    data: bytes  # what is stored and served
    ext: str  # jpg | mp4 | webm
    kind: str  # photo | video
    digest: str  # sha-256 of the file as uploaded (32 hex): the same file sent twice is one file
    claims: Claims

    @property
    def name(self) -> str:
        return f"{self.digest}.{self.ext}"


def decode_upload(contents: str | None) -> bytes:
    """The bytes of a dcc.Upload value ("data:<claimed type>;base64,<data>"); the claimed type is ignored."""
    if not contents or "," not in contents:
        raise Refusal.one(Kind.INVALID, "evidence", "no file was received", "refuse_evidence_none")
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        raise Refusal.one(Kind.INVALID, "evidence", "the upload is not valid base64 data") from None


def accept(data: bytes, max_bytes: int) -> Accepted:
    """-> the file as it will be stored, or Refusal naming what is wrong with it."""
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
    digest = hashlib.sha256(data).hexdigest()[:32]
    if KINDS[guess.mime] == "photo":
        stored, claims = _photo(data, guess.mime)
        return Accepted(stored, "jpg", "photo", digest, claims)
    stored, ext = _video(data, guess.mime)
    return Accepted(stored, ext, "video", digest, Claims())


def _unreadable(mime: str) -> Refusal:
    return Refusal.one(
        Kind.UNSUPPORTED,
        "evidence",
        f"the content starts like {mime} but is not a readable {'image' if mime.startswith('image') else 'video'}",
        "refuse_evidence_unreadable",
    )


def _photo(data: bytes, mime: str) -> tuple[bytes, Claims]:
    """Re-encoded: upright, at most MAX_SIDE a side, no metadata. -> (JPEG bytes, what its EXIF claimed)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # past Pillow's own bound: a bomb
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size  # from the header: nothing decoded yet
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(f"{width} x {height}")
                claims = _claims(img)
                img.draft("RGB", (MAX_SIDE, MAX_SIDE))  # a JPEG decodes at a reduced scale: less memory, faster
                upright = ImageOps.exif_transpose(img)
                upright.thumbnail((MAX_SIDE, MAX_SIDE))
                if upright.mode in ("RGBA", "LA", "P"):
                    rgba = upright.convert("RGBA")
                    flat = Image.new("RGB", rgba.size, "white")
                    flat.paste(rgba, mask=rgba.getchannel("A"))
                    upright = flat
                out = io.BytesIO()
                upright.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif= : none kept
                return out.getvalue(), claims
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels("more than 89 million") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _unreadable(mime) from None


def _too_many_pixels(size: str) -> Refusal:
    return Refusal.one(
        Kind.TOO_LARGE,
        "evidence",
        f"the photo is {size} pixels; at most {MAX_PIXELS:,} pixels are accepted",
        "refuse_evidence_pixels",
        max=MAX_PIXELS,
    )


def _claims(img: Image.Image) -> Claims:
    """The time and place the photo's EXIF claims (any of them may be missing or nonsense: then None)."""
    try:
        exif = img.getexif()
        taken = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
        gps = exif.get_ifd(_GPS_IFD)
    except Exception:  # noqa: BLE001 - a malformed EXIF block is no claim, not a refused photo
        return Claims()
    return Claims(_exif_time(taken), _degrees(gps.get(2), gps.get(1), "S"), _degrees(gps.get(4), gps.get(3), "W"))


def _exif_time(value) -> str | None:
    try:
        return datetime.strptime(str(value).strip("\x00 "), "%Y:%m:%d %H:%M:%S").isoformat()
    except (TypeError, ValueError):
        return None


def _degrees(dms, ref, negative: str) -> float | None:
    try:
        deg, minutes, seconds = (float(x) for x in dms)
        value = deg + minutes / 60 + seconds / 3600
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not 0 <= value <= 180:
        return None
    return round(-value if str(ref).strip("\x00 ").upper() == negative else value, 6)


def _video(data: bytes, mime: str) -> tuple[bytes, str]:
    """A real container holding a video stream that decodes, remuxed without its metadata. -> (bytes, ext)."""
    ext, fmt, options = ("webm", "webm", {}) if mime == "video/webm" else ("mp4", "mp4", {"movflags": "+faststart"})
    try:
        with av.open(io.BytesIO(data), metadata_errors="ignore") as src:
            video = next(iter(src.streams.video), None)
            if video is None or next(src.decode(video), None) is None:
                raise _unreadable(mime)
        with tempfile.TemporaryDirectory() as folder:  # +faststart rewrites the file: it needs a real one
            path = os.path.join(folder, f"out.{ext}")
            with av.open(io.BytesIO(data)) as src, av.open(path, "w", format=fmt, options=options) as dst:
                streams = {
                    s.index: dst.add_stream_from_template(s) for s in src.streams if s.type in ("video", "audio")
                }
                for packet in src.demux(*[s for s in src.streams if s.index in streams]):
                    if packet.dts is None:
                        continue  # the demuxer's flush packet
                    packet.stream = streams[packet.stream.index]
                    dst.mux(packet)
            with open(path, "rb") as f:
                return f.read(), ext
    except Refusal:
        raise
    except (av.FFmpegError, ValueError, OSError, StopIteration, RuntimeError):
        raise _unreadable(mime) from None
