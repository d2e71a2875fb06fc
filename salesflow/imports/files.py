"""Reading an uploaded sheet: the rows of the first sheet of a workbook or of a CSV file (UTF-8 or GBK), and the
column mapping suggested from its header row.

Issue #15: a 4.7 MB workbook whose sheet expands to 1.1 GB took the web process to 3 GB. So a file is read
only by the task worker (services.import_read), and reading is bounded whatever the file claims:

* a workbook is a zip: its members' declared sizes are checked against the caps (each part, all parts, the
  compression ratio) before anything is inflated; zipfile never inflates a member past the size its directory
  declares, so a lying local header cannot expand further;
* the sheet is parsed streaming (openpyxl read-only), rows are counted as they come, and reading stops at the
  row limit, at Excel's own sheet limits and at a budget of text (shared strings repeated in many cells would
  otherwise multiply one string);
* a CSV is decoded and parsed streaming with the same counts.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from salesflow.core.errors import AppError

from . import error_codes as codes

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
OTHER_SHEET_SUFFIXES = (".xls", ".ods")  # read by calamine: no streaming reader; see _calamine_rows
SUFFIXES = (".csv", *WORKBOOK_SUFFIXES, *OTHER_SHEET_SUFFIXES)
EXCEL_MAX_ROWS = 1_048_576  # a sheet has no more rows than this; a file that says otherwise is not read on
EXCEL_MAX_COLUMNS = 16_384


class ImportFileError(AppError):
    def __init__(self, message, code: str = codes.IMPORT_FILE_INVALID, status: int | None = None):
        super().__init__(code, message, fields={"file": [message]}, status=status)


class FileTooBig(ImportFileError):
    """The file, a part of it or what it expands to is over a cap (issue #15)."""

    def __init__(self, message):
        super().__init__(message, code=codes.IMPORT_FILE_TOO_BIG, status=413)


@dataclass(frozen=True)
class Limits:
    rows: int  # data rows under the header
    file_bytes: int  # the upload as stored
    part_bytes: int  # one member of a workbook's zip, uncompressed (the sheet, the shared strings)
    expanded_bytes: int  # all members together, uncompressed
    ratio: int  # uncompressed / compressed of a member bigger than RATIO_FROM bytes
    text_chars: int  # characters of all cells read
    columns: int  # columns read of each row

    @classmethod
    def from_settings(cls, *, rows: int | None = None) -> Limits:
        return cls(rows=rows if rows is not None else settings.IMPORT_MAX_ROWS,
                   file_bytes=settings.IMPORT_MAX_FILE_BYTES, part_bytes=settings.IMPORT_MAX_PART_BYTES,
                   expanded_bytes=settings.IMPORT_MAX_EXPANDED_BYTES, ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
                   text_chars=settings.IMPORT_MAX_TEXT_CHARS, columns=settings.IMPORT_MAX_COLUMNS)


RATIO_FROM = 1024 * 1024  # small parts (styles, a short sheet) may compress very well; only big ones are judged


@dataclass
class Sheet:
    """The non-empty rows of the first sheet (header first) and the file's size once unzipped."""

    rows: list[list]
    expanded_bytes: int


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def check_upload(file_name: str, size: int, limits: Limits | None = None) -> None:
    """What the web request may check without reading the file: its type, that it is not empty, its size."""
    limits = limits or Limits.from_settings()
    if not file_name.lower().endswith(SUFFIXES):
        raise ImportFileError(_("Upload an .xlsx, .xls or .csv file."))
    if not size:
        raise ImportFileError(_("The file is empty."))
    if size > limits.file_bytes:
        raise FileTooBig(_("The file is larger than {mb} MB.").format(mb=megabytes(limits.file_bytes)))


def read_sheet(file_name: str, content: bytes, limits: Limits | None = None) -> Sheet:
    """The non-empty rows of the file (header first), refused with a clear error over any cap. Reads the whole
    file only in the worker (and in the command line), never in a web request."""
    limits = limits or Limits.from_settings()
    check_upload(file_name, len(content), limits)
    rows = read_rows(file_name, content, limits)
    lower = file_name.lower()
    expanded = _expanded_size(content) if lower.endswith((*WORKBOOK_SUFFIXES, ".ods")) else len(content)
    return Sheet(rows=rows, expanded_bytes=expanded)


def read_rows(file_name: str, content: bytes, limits: Limits | None = None) -> list[list]:
    """The sheet's non-empty rows as lists of cell values, header first, at most ``limits.rows`` + 1 of them
    (the row after the limit is refused as it is read)."""
    limits = limits or Limits.from_settings()
    lower = file_name.lower()
    if not content:
        raise ImportFileError(_("The file is empty."))
    if lower.endswith(".csv"):
        source = _csv_rows(content, limits)
    elif lower.endswith(WORKBOOK_SUFFIXES):
        source = _xlsx_rows(content, limits)
    elif lower.endswith(OTHER_SHEET_SUFFIXES):
        source = _calamine_rows(content, limits)
    else:
        raise ImportFileError(_("Upload an .xlsx, .xls or .csv file."))
    return _counted(source, limits)


def _counted(source: Iterator[list], limits: Limits) -> list[list]:
    """Keep the non-empty rows, counting them and the text in them as they come."""
    rows, chars, width = [], 0, 0
    for row in source:
        if not any(str(c).strip() for c in row if c is not None):
            continue
        if len(rows) > limits.rows:  # the header and limits.rows data rows are in already
            raise ImportFileError(_("The file has more than {n} rows.").format(n=limits.rows))
        for value in row:
            if isinstance(value, str):
                chars += len(value)
        if chars > limits.text_chars:
            raise FileTooBig(_("The file holds more than {mb} MB of text.").format(
                mb=megabytes(limits.text_chars)))
        rows.append(row)
        width = max(width, len(row))
    if rows and len(rows[0]) < width:  # a column with values but no header can still be mapped
        rows[0] = [*rows[0], *[""] * (width - len(rows[0]))]
    return rows


# --- CSV ------------------------------------------------------------------------------------------------------

def _csv_rows(content: bytes, limits: Limits) -> Iterator[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # Decoded and parsed as a stream; a file that turns out not to be UTF-8 is read again as GBK.
            yield from _csv_stream(content, encoding, limits)
            return
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK encoded."))


def _csv_stream(content: bytes, encoding: str, limits: Limits) -> Iterator[list]:
    # Decode everything once before yielding a row, but chunk by chunk: a file that is not this encoding is
    # found before any row leaves (the GBK attempt starts over), without a second copy of the whole text.
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(content)
    for start in range(0, len(view), 1 << 20):
        decoder.decode(view[start:start + (1 << 20)], final=False)
    decoder.decode(b"", final=True)
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    try:
        for index, row in enumerate(csv.reader(stream)):
            if index >= EXCEL_MAX_ROWS:
                raise ImportFileError(_("The file has more than {n} rows.").format(n=limits.rows))
            yield row[:limits.columns]
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read: {error}").format(error=exc)) from None
    finally:
        stream.detach()


# --- workbooks ------------------------------------------------------------------------------------------------

def _expanded_size(content: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return len(content)


def inspect_workbook(content: bytes, limits: Limits) -> None:
    """Refuse a workbook whose zip declares more than the caps, before a byte of it is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(_("The file is not a readable Excel workbook.")) from None
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if info.file_size > limits.part_bytes:
                raise FileTooBig(_("The workbook's part {part} expands to more than {mb} MB.").format(
                    part=info.filename[:80], mb=megabytes(limits.part_bytes)))
            if info.file_size > RATIO_FROM and info.file_size > limits.ratio * max(info.compress_size, 1):
                raise FileTooBig(_("The workbook's part {part} is compressed more than {ratio} times; it is "
                                   "refused as a possible zip bomb.").format(part=info.filename[:80],
                                                                             ratio=limits.ratio))
        if total > limits.expanded_bytes:
            raise FileTooBig(_("The workbook expands to more than {mb} MB.").format(
                mb=megabytes(limits.expanded_bytes)))


def _xlsx_rows(content: bytes, limits: Limits) -> Iterator[list]:
    import warnings

    from openpyxl import load_workbook

    inspect_workbook(content, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not know
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except FileTooBig:
        raise
    except Exception:  # openpyxl raises many error types for a damaged workbook
        raise ImportFileError(_("The file is not a readable Excel workbook.")) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The file is not a readable Excel workbook."))
        sheet = workbook.worksheets[0]
        declared = sheet.max_column if isinstance(sheet.max_column, int) else None
        # A declared width pads short rows as calamine did; without one (or above the cap) each row is as long
        # as its last cell, cut at the cap.
        width = declared if declared and declared <= limits.columns else None
        seen = 0
        try:
            for row in sheet.iter_rows(values_only=True, max_col=width):
                seen += 1  # rows the sheet skips are yielded empty: counted too, so a row "r=10**9" stops here
                if seen > EXCEL_MAX_ROWS:
                    raise ImportFileError(_("The file is not a readable Excel workbook."))
                if row.count(None) == len(row):
                    yield []
                    continue
                values = ["" if value is None else value for value in row[:limits.columns]]
                while values and values[-1] == "":
                    values.pop()
                yield values
        except (ImportFileError, AppError):
            raise
        except Exception:
            raise ImportFileError(_("The file is not a readable Excel workbook.")) from None
    finally:
        workbook.close()


def _calamine_rows(content: bytes, limits: Limits) -> Iterator[list]:
    """.xls and .ods: calamine reads the whole sheet at once (there is no streaming reader for them); the
    file-size cap bounds the .xls, the zip caps bound the .ods."""
    from python_calamine import CalamineWorkbook

    if not content.startswith(b"\xd0\xcf\x11\xe0"):  # not an OLE .xls: a zip (.ods, or an .xlsx renamed)
        inspect_workbook(content, limits)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        if sheet.height > EXCEL_MAX_ROWS or sheet.width > EXCEL_MAX_COLUMNS:
            raise ImportFileError(_("The file is not a readable Excel workbook."))
        rows = sheet.iter_rows()
    except ImportFileError:
        raise
    except Exception:  # calamine raises several error types for a damaged workbook
        raise ImportFileError(_("The file is not a readable Excel workbook.")) from None
    for row in rows:
        yield row[:limits.columns]


def non_empty(rows: list[list]) -> list[list]:
    return [r for r in rows if any(str(c).strip() for c in r if c is not None)]


def suggest_mapping(headers: list[str], targets: dict[str, tuple]) -> dict[str, int]:
    """{target: column index} for every target whose header words name a column (each column used once)."""
    mapping = {}
    normalised = [str(h or "").strip().lower() for h in headers]
    for key, (_label, words) in targets.items():
        for index, header in enumerate(normalised):
            if header in words and index not in mapping.values():
                mapping[key] = index
                break
    return mapping
