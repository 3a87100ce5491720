"""Where material bytes live, and how an upload gets there.

Layout (all under DATA_DIR, names chosen by the server, never by the client):

    tmp/upload-<uuid>.part                      an upload being received
    materials/<notebook_id>/<material_id>.<ext> the file (text types as UTF-8)
    materials/<notebook_id>/<material_id>.extracted.txt   its extracted text

`receive_upload` streams a multipart body straight to a temp file, stopping at
the size limit, so a large upload never sits in memory and an oversized one
is refused as soon as it crosses the limit.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from app.services.materials.errors import BadUploadRequest, EmptyUpload, UploadTooLarge

# Slack for multipart headers and other (ignored) form fields.
_MULTIPART_OVERHEAD = 64 * 1024
_MAX_NAME = 120


@dataclass
class ReceivedUpload:
    tmp_path: Path
    filename: str  # display name, sanitised
    size: int
    sha256: str


# --- names --------------------------------------------------------------------


def display_filename(raw: str) -> str:
    """The client's file name without any directory part or control characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    name = name.lstrip(".").strip()
    return name[:255] or "upload"


def safe_stem(filename: str) -> str:
    """An ASCII, shell- and path-safe stem: letters, digits, `_`, `-`, `.`."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem)
    stem = re.sub(r"_+", "_", stem).strip("._-")
    return stem[:_MAX_NAME] or "file"


def workspace_candidates(filename: str, ext: str):
    """`name.ext`, `name_2.ext`, `name_3.ext`, … for the worker's /workspace/uploads/."""
    stem = safe_stem(filename)
    yield f"{stem}.{ext}"
    n = 2
    while True:
        yield f"{stem}_{n}.{ext}"
        n += 1


# --- paths -----------------------------------------------------------------------


def notebook_dir(materials_root: Path, notebook_id: str) -> Path:
    path = (materials_root / notebook_id).resolve()
    if path.parent != materials_root.resolve():  # ids are uuids; refuse anything else
        raise ValueError(f"bad notebook id {notebook_id!r}")
    return path


def remove_files(*paths: Path | str | None) -> None:
    for p in paths:
        if p:
            Path(p).unlink(missing_ok=True)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def is_within(path: Path | str, root: Path) -> bool:
    return Path(path).resolve().is_relative_to(root.resolve())


# --- receiving a multipart upload --------------------------------------------------


class _TooLarge(Exception):
    pass


class _FilePartWriter:
    """python-multipart callbacks: write the part named `field` to `dest`."""

    def __init__(self, field: str, dest: Path, max_bytes: int) -> None:
        self.field = field
        self.dest = dest
        self.max_bytes = max_bytes
        self.filename: str | None = None
        self.size = 0
        self.complete = False
        self._sha = hashlib.sha256()
        self._fh: BinaryIO | None = None
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._in_target = False

    # header parsing
    def on_part_begin(self) -> None:
        self._headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = b""
        self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        self._in_target = name == self.field and raw_filename is not None and self._fh is None
        if self._in_target:
            self.filename = display_filename(raw_filename.decode("utf-8", "replace"))
            self._fh = open(self.dest, "xb")  # noqa: SIM115 (closed in on_part_end/close)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._in_target or self._fh is None:
            return
        chunk = data[start:end]
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise _TooLarge
        self._sha.update(chunk)
        self._fh.write(chunk)

    def on_part_end(self) -> None:
        if self._in_target and self._fh is not None:
            self._fh.close()
            self.complete = True
        self._in_target = False

    def close(self) -> None:
        if self._fh is not None and not self._fh.closed:
            self._fh.close()

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()

    def callbacks(self) -> dict:
        return {
            name: getattr(self, name)
            for name in (
                "on_part_begin",
                "on_header_field",
                "on_header_value",
                "on_header_end",
                "on_headers_finished",
                "on_part_data",
                "on_part_end",
            )
        }


def _too_large(max_bytes: int) -> UploadTooLarge:
    mb = max_bytes / (1024 * 1024)
    return UploadTooLarge(f"The file is larger than the {mb:g} MB upload limit.")


async def receive_upload(
    request: Request, tmp_dir: Path, max_bytes: int, field: str = "file"
) -> ReceivedUpload:
    """Stream the multipart field `field` of `request` into a new file in `tmp_dir`.

    Raises BadUploadRequest (not multipart / no such field / truncated body),
    UploadTooLarge, EmptyUpload. On any error the partial file is removed.
    """
    ctype, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise BadUploadRequest(f"Send the file as multipart/form-data in the field '{field}'.")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + _MULTIPART_OVERHEAD:
        raise _too_large(max_bytes)

    tmp_dir.mkdir(parents=True, exist_ok=True)
    dest = tmp_dir / f"upload-{uuid.uuid4().hex}.part"
    writer = _FilePartWriter(field, dest, max_bytes)
    parser = MultipartParser(boundary, writer.callbacks())
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_bytes + _MULTIPART_OVERHEAD:
                raise _TooLarge
            parser.write(chunk)
        parser.finalize()
    except _TooLarge:
        writer.close()
        dest.unlink(missing_ok=True)
        raise _too_large(max_bytes) from None
    except ClientDisconnect:
        writer.close()
        dest.unlink(missing_ok=True)
        raise
    except Exception as exc:  # malformed multipart
        writer.close()
        dest.unlink(missing_ok=True)
        raise BadUploadRequest(f"Malformed multipart body: {exc}") from None
    writer.close()
    if writer.filename is None:
        dest.unlink(missing_ok=True)
        raise BadUploadRequest(f"No file in the multipart field '{field}'.")
    if not writer.complete:
        dest.unlink(missing_ok=True)
        raise BadUploadRequest("The upload was cut off before the file ended.")
    if writer.size == 0:
        dest.unlink(missing_ok=True)
        raise EmptyUpload("The uploaded file is empty.")
    return ReceivedUpload(dest, writer.filename, writer.size, writer.sha256)
