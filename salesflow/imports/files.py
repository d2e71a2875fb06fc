"""Reading an uploaded sheet: the rows of the first sheet of a workbook or of a CSV file (UTF-8 or GBK), and the
column mapping suggested from its header row.

Issue #15: a 4.7 MB workbook whose sheet expands to 1.1 GB took the web process to 3 GB. So a file is read
only by the task worker (services.import_read), and reading is bounded whatever the file claims:

* a workbook is a zip: its members' declared sizes are checked against the caps (each part, all parts, the
  compression ratio) before anything is inflated; zipfile never inflates a member past the size its directory
  declares, so a lying local header cannot expand further;
* then the workbook is scanned as a stream (workbook_scan: every member inflated here against its declared size,
  the first sheet and the shared strings parsed chunk by chunk) for what calamine will build: the rectangle it
  lays out, and the text once each shared string is copied into every cell that uses it; only a workbook within
  the caps is read, by python-calamine (≈ 10× faster than openpyxl read-only), and its rows are then counted;
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
from . import workbook_scan

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
    text_chars: int  # characters of all cells read (for a workbook: UTF-8 bytes once shared strings expand)
    columns: int  # columns read of each row
    cells: int = 5_000_000  # a workbook's first sheet as calamine lays it out (last row × last column)

    @classmethod
    def from_settings(cls, *, rows: int | None = None) -> Limits:
        return cls(rows=rows if rows is not None else settings.IMPORT_MAX_ROWS,
                   file_bytes=settings.IMPORT_MAX_FILE_BYTES, part_bytes=settings.IMPORT_MAX_PART_BYTES,
                   expanded_bytes=settings.IMPORT_MAX_EXPANDED_BYTES, ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
                   text_chars=settings.IMPORT_MAX_TEXT_CHARS, columns=settings.IMPORT_MAX_COLUMNS,
                   cells=getattr(settings, "IMPORT_MAX_CELLS", cls.cells))


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


def scan_workbook(content: bytes, limits: Limits) -> workbook_scan.SheetScan:
    """Prove, streaming, that calamine's read of this workbook stays within the caps (see workbook_scan): the
    zip's declared sizes first (nothing inflated), then every member inflated chunk by chunk against them, then
    the first sheet and the shared strings parsed for the rectangle, the rows and the expanded text."""
    inspect_workbook(content, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = workbook_scan.check_archive(content, archive)
            sheet_path = workbook_scan.first_sheet_path(content, members, limits.part_bytes)
            sheet = members.get(sheet_path.lower())
            if sheet is None:
                raise workbook_scan.Unreadable("first sheet missing")
            shared = members.get("xl/sharedstrings.xml")
            for info in members.values():  # what the scan does not parse must still be what it declares
                if info is not sheet and info is not shared:
                    workbook_scan.verify(content, info, limits.part_bytes)
            lengths, blank = workbook_scan.scan_shared_strings(content, shared, limits.part_bytes, limits.cells)
            caps = {"max_cells": limits.cells, "max_text": limits.text_chars, "excel_rows": EXCEL_MAX_ROWS,
                    "excel_columns": EXCEL_MAX_COLUMNS}
            return (workbook_scan.scan_sheet_fast(content, sheet, limits.part_bytes, lengths, **caps)
                    or workbook_scan.scan_sheet(content, sheet, limits.part_bytes, lengths, blank,
                                                max_rows=limits.rows + 1, **caps))
    except workbook_scan.OverCap as exc:
        raise (FileTooBig if exc.too_big else ImportFileError)(exc.message) from None
    except (workbook_scan.Unreadable, zipfile.BadZipFile, OSError, ValueError, RecursionError):
        raise ImportFileError(_("The file is not a readable Excel workbook.")) from None


def _xlsx_rows(content: bytes, limits: Limits) -> Iterator[list]:
    """Scanned within the caps first (nothing of it is built in memory), then read by calamine at once."""
    scan = scan_workbook(content, limits)
    if scan.last_row < 0:
        return
    yield from _calamine_read(content, limits, scan)


def _calamine_read(content: bytes, limits: Limits, scan: workbook_scan.SheetScan | None = None) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(content)) as workbook:
            sheet = workbook.get_sheet_by_index(0)
            end = sheet.end
            if scan is not None and end is not None and (end[0] > scan.last_row or end[1] > scan.last_column):
                # calamine laid out more than the scan proved: the two readers disagree; read no further
                raise ImportFileError(_("The file is not a readable Excel workbook."))
            if sheet.height > EXCEL_MAX_ROWS or sheet.width > EXCEL_MAX_COLUMNS:
                raise ImportFileError(_("The file is not a readable Excel workbook."))
            rows = sheet.to_python(skip_empty_area=False)  # aligned on A1, as the columns are mapped
    except ImportFileError:
        raise
    except Exception:  # calamine raises several error types for a damaged workbook
        raise ImportFileError(_("The file is not a readable Excel workbook.")) from None
    if any(len(row) > limits.columns for row in rows[:1]):
        rows = [row[:limits.columns] for row in rows]
    return rows


def _calamine_rows(content: bytes, limits: Limits) -> Iterator[list]:
    """.xls and .ods: calamine reads the whole sheet at once (there is no streaming reader for them). Only the
    file-size cap and (for .ods) the zip's declared sizes bound them; that does NOT bound what calamine builds
    from them (an .xls's cells copy shared strings, an .ods repeats cells by attribute): a pre-scan like the
    .xlsx one is still to be written for them (issue #15 follow-up)."""
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
