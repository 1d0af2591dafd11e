"""Saved pages (a folder with a ``manifest.json``) packed into a WARC, for replay.

The manifest maps each file to the URL it stands for and the Content-Type to
serve it with: ``{"site": …, "files": [{"file", "url", "content_type"}, …]}``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from archive import clock
from archive.warc import Exchange, RecordRef, WarcStore


def read_manifest(folder: str | os.PathLike) -> list[dict]:
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [dict(entry, path=folder / entry["file"]) for entry in manifest["files"]]


def pack(folders: Iterable[str | os.PathLike], out: str | os.PathLike) -> list[RecordRef]:
    """Write every recorded page of ``folders`` as a 200 response into the WARC file ``out``."""
    out = Path(out)
    out.unlink(missing_ok=True)
    store = WarcStore(out.parent, max_size=1 << 62)
    refs = []
    fetched_at = clock.from_environment()()
    try:
        for folder in folders:
            for entry in read_manifest(folder):
                headers = [("Content-Type", entry["content_type"])]
                refs.append(
                    store.write(
                        Exchange(entry["url"], 200, headers, entry["path"].read_bytes(), fetched_at, reason="OK")
                    )
                )
    finally:
        store.close()
    if refs:
        Path(refs[0].file).replace(out)
    return [RecordRef(str(out), r.offset, r.length, r.digest, r.record_id) for r in refs]
