"""Which release this process runs: BUILD_ID when the deploy names it (a git commit, a tag), else a digest of
the project's code and assets; the same in every process and on every node of one release. The live channel
says it in each beat and /healthz says it too; a kiosk wall whose page came from another release reloads itself
(assets/healing.js), so a deploy reaches the walls nobody touches."""

from __future__ import annotations

import functools
import hashlib
import os

from data_feeds.runtime.settings import PROJECT_DIR

SOURCES = ("app.py", "layouts", "callbacks", "data_feeds", "geodata", "assets")
KINDS = {".py", ".js", ".css", ".toml", ".csv", ".json"}


@functools.cache
def build_id() -> str:
    if os.environ.get("BUILD_ID"):
        return os.environ["BUILD_ID"][:40]
    digest = hashlib.blake2b(digest_size=6)
    for top in SOURCES:
        base = PROJECT_DIR / top
        files = (
            [base]
            if base.is_file()
            else sorted(p for p in base.rglob("*") if p.suffix in KINDS and "__pycache__" not in p.parts)
        )
        for path in files:
            digest.update(str(path.relative_to(PROJECT_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
