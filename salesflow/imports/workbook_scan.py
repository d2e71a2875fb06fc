"""A bounded pre-scan of an .xlsx/.xlsm workbook before python-calamine reads it (issue #15).

calamine is fast (Rust) but reads the whole first sheet at once: it keeps every shared string, clones the
referenced shared string into every cell that uses it, and lays the cells out as a dense rectangle from A1 to the
last cell. So a small workbook can make it allocate gigabytes: one long shared string referenced by a million
cells, or a single cell at XFD1048576. Before calamine sees the file this module proves, reading the zip as a
stream and never holding more than a chunk of XML, that what calamine will build is within the caps:

* the zip itself: one end record at the very end, no duplicate member names (calamine looks names up ignoring
  case), no encryption, only stored or deflated members; every member is inflated here chunk by chunk and must
  end exactly at its declared size with its declared CRC (so the sizes ``files.inspect_workbook`` judged are the
  sizes calamine will meet, whatever a lying header says);
* the first sheet, found as calamine finds it (xl/workbook.xml, xl/_rels/workbook.xml.rels), and
  xl/sharedStrings.xml are parsed with expat (no DTD, so no entities): the rectangle calamine will allocate
  (last row × last column), the rows that hold a value, and the UTF-8 bytes of text all cells will hold once
  shared strings are expanded (Σ over cells of the referenced string's length, plus inline values).

Anything this parser cannot read the way calamine would is refused as unreadable rather than guessed.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from xml.parsers import expat

from django.utils.translation import gettext as _

CHUNK = 1 << 20  # inflated bytes handed to the parser at a time
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")


class Unreadable(Exception):
    """The workbook is not one this scan (and so calamine) reads in a known way."""


class OverCap(Exception):
    """Over a cap; ``message`` is the translated reason (raised as files.FileTooBig / ImportFileError)."""

    def __init__(self, message: str, too_big: bool = True):
        super().__init__(message)
        self.message = message
        self.too_big = too_big


@dataclass
class SheetScan:
    last_row: int  # 0-based index of the last row calamine will lay out (-1: none)
    last_column: int  # 0-based
    value_rows: int  # rows holding at least one non-blank value
    text_bytes: int  # UTF-8 bytes of all cell text once shared strings are expanded
    shared_strings: int

    @property
    def cells(self) -> int:
        return (self.last_row + 1) * (self.last_column + 1)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


# --- the zip --------------------------------------------------------------------------------------------------

def check_archive(content: bytes, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The members by lower-cased name, once the archive is one both readers see alike."""
    if not content.startswith(b"PK\x03\x04") or content[-22:-18] != b"PK\x05\x06" or archive.comment:
        raise Unreadable("zip framing")
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        key = info.filename.lower()
        if key in members:
            raise Unreadable(f"duplicate member {info.filename!r}")
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Unreadable(f"member {info.filename!r} encrypted or compressed with method {info.compress_type}")
        members[key] = info
    return members


def inflate(content: bytes, info: zipfile.ZipInfo, part_cap: int) -> Iterator[bytes]:
    """The member's bytes, chunk by chunk, inflated here from its raw data: never more than its declared size
    (nor than ``part_cap``), and refused unless the data ends exactly there with the declared CRC."""
    header = content[info.header_offset:info.header_offset + 30]
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise Unreadable(f"local header of {info.filename!r}")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_length + extra_length
    raw = memoryview(content)[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        raise Unreadable(f"data of {info.filename!r} runs past the file")
    limit = min(info.file_size, part_cap)
    total, crc = 0, 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise Unreadable(f"stored {info.filename!r} has two sizes")
        for at in range(0, len(raw), CHUNK):
            piece = bytes(raw[at:at + CHUNK])
            crc = zlib.crc32(piece, crc)
            total += len(piece)
            yield piece
    else:
        inflater = zlib.decompressobj(-15)
        for at in range(0, len(raw), 1 << 16):
            pending = raw[at:at + (1 << 16)]
            while pending:
                try:
                    piece = inflater.decompress(pending, CHUNK)
                except zlib.error:
                    raise Unreadable(f"{info.filename!r} is not deflate data") from None
                pending = inflater.unconsumed_tail
                total += len(piece)
                if total > limit:
                    raise Unreadable(f"{info.filename!r} inflates past its declared size")
                crc = zlib.crc32(piece, crc)
                if piece:
                    yield piece
                if inflater.eof:
                    break
            if inflater.eof:
                break
        if not inflater.eof:
            raise Unreadable(f"{info.filename!r} ends before its deflate stream")
    if total != info.file_size or crc != info.CRC:
        raise Unreadable(f"{info.filename!r} differs from its declared size or CRC")


def verify(content: bytes, info: zipfile.ZipInfo, part_cap: int) -> None:
    for _piece in inflate(content, info, part_cap):
        pass


# --- XML, streamed --------------------------------------------------------------------------------------------

def _parser(start=None, end=None, text=None) -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16

    def no_dtd(*_args):
        raise Unreadable("a DTD")  # entities would make expat and calamine's parser see different text

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    return parser


def _feed(parser, chunks: Iterator[bytes]) -> None:
    try:
        for piece in chunks:
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Unreadable(f"XML: {exc}") from None


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def first_sheet_path(content: bytes, members: dict[str, zipfile.ZipInfo], part_cap: int) -> str:
    """The first sheet's part as calamine resolves it (fixed workbook and relationship paths, ``r:id``)."""
    targets: dict[str, str] = {}
    rels = members.get("xl/_rels/workbook.xml.rels")
    book = members.get("xl/workbook.xml")
    if rels is None or book is None:
        raise Unreadable("no workbook")

    def relationship(name, attrs):
        if _local(name) == "Relationship" and "Id" in attrs:
            targets.setdefault(attrs["Id"], attrs.get("Target", ""))

    _feed(_parser(relationship), inflate(content, rels, part_cap))
    first: list[dict] = []

    def sheet(name, attrs):
        if _local(name) == "sheet" and not first:
            first.append(attrs)

    _feed(_parser(sheet), inflate(content, book, part_cap))
    if not first:
        raise Unreadable("no sheet")
    rid = first[0].get("r:id", first[0].get("relationships:id"))
    target = targets.get(rid or "")
    if not target:
        raise Unreadable("first sheet has no part")
    if target.startswith("/xl/"):
        return target[1:]
    return target if target.startswith("xl/") else f"xl/{target}"


def scan_shared_strings(content: bytes, info: zipfile.ZipInfo | None, part_cap: int,
                        max_strings: int) -> tuple[array, bytearray]:
    """UTF-8 length and blankness of each shared string, in calamine's order (every ``si`` must hold a ``t``)."""
    lengths, blank = array("Q"), bytearray()
    if info is None:
        return lengths, blank
    state = {"in_si": False, "t_depth": 0, "has_t": False}
    parts: list[str] = []

    def start(name, _attrs):
        local = _local(name)
        if local == "si":
            state.update(in_si=True, has_t=False)
            parts.clear()
        elif local == "t" and state["in_si"]:
            state["t_depth"] += 1
            state["has_t"] = True

    def end(name):
        local = _local(name)
        if local == "t" and state["t_depth"]:
            state["t_depth"] -= 1
        elif local == "si" and state["in_si"]:
            if not state["has_t"]:
                raise Unreadable("shared string without text")
            value = "".join(parts)
            lengths.append(len(value.encode()))
            blank.append(0 if value.strip() else 1)
            state["in_si"] = False
            if len(lengths) > max_strings:
                raise OverCap(_("The workbook has more than {n} cells.").format(n=max_strings))

    def text(data):
        if state["t_depth"]:
            parts.append(data)

    _feed(_parser(start, end, text), inflate(content, info, part_cap))
    return lengths, blank


def _position(ref: str) -> tuple[int, int]:
    match = _REF.fullmatch(ref)
    if not match:
        raise Unreadable(f"cell reference {ref[:20]!r}")
    column = 0
    for char in match.group(1).upper():
        column = column * 26 + ord(char) - 64
    return int(match.group(2)) - 1, column - 1


def scan_sheet(content: bytes, info: zipfile.ZipInfo, part_cap: int, lengths: array, blank: bytearray, *,
               max_rows: int, max_cells: int, max_text: int, excel_rows: int, excel_columns: int) -> SheetScan:
    """Stream the sheet once, refusing as soon as a cap is passed (``max_rows``: rows holding a value, header
    included; ``max_cells``: the rectangle calamine lays out; ``max_text``: expanded UTF-8 bytes of text)."""
    strings = len(lengths)
    s = {"row": -1, "column": -1, "cells_in_row": 0, "last_row": -1, "last_column": -1, "value_rows": 0,
         "row_has_value": False, "type": "", "collect": 0, "text": 0, "cell_has_value": False, "rows_seen": 0}
    parts: list[str] = []

    def over_text():
        raise OverCap(_("The file holds more than {mb} MB of text.").format(mb=_megabytes(max_text)))

    def grow(row: int, column: int):
        if row >= excel_rows or column >= excel_columns:
            raise Unreadable("cell beyond Excel's sheet")
        if row > s["last_row"]:
            s["last_row"] = row
        if column > s["last_column"]:
            s["last_column"] = column
        if (s["last_row"] + 1) * (s["last_column"] + 1) > max_cells:
            raise OverCap(_("The workbook has more than {n} cells.").format(n=max_cells))

    def start(name, attrs):
        local = _local(name)
        if local == "c":
            ref = attrs.get("r")
            if ref:
                row, column = _position(ref)
            else:  # calamine counts on from the previous cell; take the larger of both ways of counting
                row, column = s["row"], max(s["column"] + 1, s["cells_in_row"])
            s["row"] = max(s["row"], row)
            s["column"] = column
            s["cells_in_row"] += 1
            grow(max(row, 0), column)
            s["type"] = attrs.get("t", "n")
            s["cell_has_value"] = False
        elif local in ("v", "t"):
            s["collect"] += 1
            parts.clear()
        elif local == "row":
            s["rows_seen"] += 1
            ref = attrs.get("r")
            if ref:
                if not ref.isdigit():
                    raise Unreadable("row reference")
                row = int(ref) - 1
            else:
                row = s["row"] + 1
            s["row"] = max(row, s["rows_seen"] - 1)
            s["column"], s["cells_in_row"], s["row_has_value"] = -1, 0, False
            grow(s["row"], 0)

    def end(name):
        local = _local(name)
        if local in ("v", "t") and s["collect"]:
            s["collect"] -= 1
            value = "".join(parts)
            parts.clear()
            if s["type"] == "s" and local == "v":
                try:
                    index = int(value)
                except ValueError:
                    raise Unreadable("shared string index") from None
                if 0 <= index < strings:
                    s["text"] += lengths[index]
                    if not blank[index]:
                        s["cell_has_value"] = True
            else:
                s["text"] += len(value.encode())
                if value.strip():
                    s["cell_has_value"] = True
            if s["text"] > max_text:
                over_text()
        elif local == "c":
            if s["cell_has_value"]:
                s["row_has_value"] = True
        elif local == "row":
            if s["row_has_value"]:
                s["value_rows"] += 1
                if s["value_rows"] > max_rows:
                    raise OverCap(_("The file has more than {n} rows.").format(n=max_rows - 1), too_big=False)

    def text(data):
        if s["collect"]:
            parts.append(data)

    _feed(_parser(start, end, text), inflate(content, info, part_cap))
    return SheetScan(last_row=s["last_row"], last_column=s["last_column"], value_rows=s["value_rows"],
                     text_bytes=s["text"], shared_strings=strings)


# --- the same sheet scan at C speed ---------------------------------------------------------------------------
# On XML that expat has found well-formed, with no DTD, comment, CDATA section or processing instruction, every
# "<" opens a tag and an attribute value holds no "<": these patterns, anchored on "<" and walking a tag's
# attributes one by one, see exactly the tags a parser sees. They need every cell and row to carry its reference
# (Excel and openpyxl write them) and every shared-string cell to hold just its <v>; a sheet that does not is
# scanned by scan_sheet above instead (exact, about four times slower).

_P = rb"(?:[A-Za-z_][\w.\-]*:)?"  # a namespace prefix
_A = rb"(?:\s+[\w:.\-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))"  # one attribute
# every cell start tag, with its reference when it has one ((b"", b"") when not); the same for rows
_CELL = re.compile(rb"<" + _P + rb"c(?=[\s/>])(?:" + _A + rb"*?\s+r\s*=\s*[\"']([A-Za-z]{1,3})([0-9]{1,7})[\"'])?")
_ROW = re.compile(rb"<" + _P + rb"row(?=[\s/>])(?:" + _A + rb"*?\s+r\s*=\s*[\"']([0-9]{1,7})[\"'])?")
_SHARED_ANYWHERE = re.compile(rb"\st\s*=\s*[\"']s[\"']")  # where no attribute says t="s", no cell does
_SHARED_CELL = re.compile(rb"<" + _P + rb"c" + _A + rb"*?\s+t\s*=\s*[\"']s[\"']")
_SHARED_VALUE = re.compile(rb"<" + _P + rb"c" + _A + rb"*?\s+t\s*=\s*[\"']s[\"']" + _A + rb"*\s*>\s*<" + _P
                           + rb"v\s*>\s*([0-9]{1,10})\s*</")


def _column_number(letters: bytes) -> int:
    column = 0
    for char in letters.upper():
        column = column * 26 + char - 64
    return column - 1


def scan_sheet_fast(content: bytes, info: zipfile.ZipInfo, part_cap: int, lengths: array, *, max_cells: int,
                    max_text: int, excel_rows: int, excel_columns: int) -> SheetScan | None:
    """The rectangle and the expanded text of the sheet by regular expressions over the inflated chunks, with
    expat checking the same chunks are well-formed; None when the sheet is not in the shape they need."""
    parser = _parser(None)  # expat alone, in C: well-formedness and the DTD guard
    n = {"cells": 0, "refs": 0, "rows": 0, "row_refs": 0, "shared": 0, "last_row": -1, "last_column": -1}
    counted: Counter = Counter()

    def count(data: bytes) -> None:
        found = _CELL.findall(data)
        n["cells"] += len(found)
        n["refs"] += len(found) - found.count((b"", b""))
        if n["refs"]:
            n["last_row"] = max(n["last_row"], max(map(int, (r for _c, r in found if r)), default=0) - 1)
            n["last_column"] = max(n["last_column"], max((_column_number(c) for c in {c for c, _r in found if c}),
                                                         default=-1))
        found_rows = _ROW.findall(data)
        n["rows"] += len(found_rows)
        n["row_refs"] += len(found_rows) - found_rows.count(b"")
        if found_rows:
            n["last_row"] = max(n["last_row"], max(map(int, filter(None, found_rows)), default=0) - 1)
        if _SHARED_ANYWHERE.search(data):
            n["shared"] += len(_SHARED_CELL.findall(data))
            counted.update(_SHARED_VALUE.findall(data))
        if n["last_row"] >= excel_rows or n["last_column"] >= excel_columns:
            raise Unreadable("cell beyond Excel's sheet")
        if (n["last_row"] + 1) * (n["last_column"] + 1) > max_cells:
            raise OverCap(_("The workbook has more than {n} cells.").format(n=max_cells))

    carry, first = b"", True
    try:
        for piece in inflate(content, info, part_cap):
            parser.Parse(piece, False)
            data = carry + piece
            cut = data.rfind(b"<")  # a tag holds no "<": the rest is carried whole into the next chunk
            data, carry = (data[:cut], data[cut:]) if cut >= 0 else (b"", data)
            if first and data.startswith(b"<?xml"):
                data = data[data.find(b"?>") + 2:]
            first = False
            if b"<!" in data or b"<?" in data:
                return None
            count(data)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Unreadable(f"XML: {exc}") from None
    if b"<!" in carry or b"<?" in carry:
        return None
    count(carry)
    if n["cells"] != n["refs"] or n["rows"] != n["row_refs"] or n["shared"] != sum(counted.values()):
        return None
    text = info.file_size  # inline and typed values are never longer than the XML that holds them
    for index, times in counted.items():
        position = int(index)
        if position < len(lengths):
            text += lengths[position] * times
    if text > max_text:
        return None  # the bound is loose (it counts the markup): let the exact scan decide
    last_row, last_column = n["last_row"], n["last_column"]
    return SheetScan(last_row=last_row, last_column=last_column, value_rows=-1, text_bytes=text,
                     shared_strings=len(lengths))
