"""Reading an uploaded sheet: the rows of the first sheet of a workbook or of a CSV file (UTF-8 or GBK), and the
column mapping suggested from its header row."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from salesflow.core.errors import AppError

from . import error_codes as codes


class ImportFileError(AppError):
    def __init__(self, message):
        super().__init__(codes.IMPORT_FILE_INVALID, message, fields={"file": [message]})


def read_rows(file_name: str, content: bytes) -> list[list]:
    """The sheet's rows as lists of cell values (first sheet of a workbook; CSV in UTF-8 or GBK)."""
    lower = file_name.lower()
    if not content:
        raise ImportFileError(_("The file is empty."))
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK encoded."))
        try:
            return [row for row in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise ImportFileError(_("The CSV file cannot be read: {error}").format(error=exc)) from None
    if lower.endswith((".xlsx", ".xls", ".xlsm", ".ods")):
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            sheet = workbook.get_sheet_by_index(0)
            return sheet.to_python(skip_empty_area=False)
        except Exception:  # calamine raises several error types for a damaged workbook
            raise ImportFileError(_("The file is not a readable Excel workbook.")) from None
    raise ImportFileError(_("Upload an .xlsx, .xls or .csv file."))


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
