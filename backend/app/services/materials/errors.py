"""Why an upload was refused; routes turn these into JSON `{"detail": ...}`."""

from __future__ import annotations


class MaterialError(Exception):
    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class EmptyUpload(MaterialError):
    status_code = 400


class BadUploadRequest(MaterialError):
    status_code = 422


class UploadTooLarge(MaterialError):
    status_code = 413


class UnsupportedFileType(MaterialError):
    status_code = 415


class CorruptFile(MaterialError):
    status_code = 422


class ExpandsTooLarge(UploadTooLarge):
    """A ZIP-based file (DOCX/XLSX) that unpacks to too much (a ZIP bomb or close to one)."""


class FileTooComplex(MaterialError):
    """Reading the file passed the extraction worker's time or memory limit."""

    status_code = 422
