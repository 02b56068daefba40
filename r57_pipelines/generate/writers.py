"""Delivery files as a ministry would send them: data files in four formats and the manifest.

Every writer streams chunks (bounded memory) and is deterministic: same chunks, same bytes. XLSX is
written by hand (a minimal SpreadsheetML package with inline strings) because openpyxl stamps the
current time into the workbook. Also here: the ways a delivery arrives broken.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

SUFFIX = {"parquet": ".parquet", "csv": ".csv", "jsonl": ".jsonl", "xlsx": ".xlsx"}
PARQUET_COMPRESSION = "zstd"
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def _peek(chunks: Iterable[pa.Table]) -> tuple[pa.Table, Iterator[pa.Table]]:
    iterator = iter(chunks)
    first = next(iterator)

    def again() -> Iterator[pa.Table]:
        yield first
        yield from iterator

    return first, again()


def write_table(path: Path, file_format: str, chunks: Iterable[pa.Table]) -> int:
    """Write all chunks to one file; returns the number of rows written."""
    first, chunks = _peek(chunks)
    writer = {"parquet": _write_parquet, "csv": _write_csv, "jsonl": _write_jsonl, "xlsx": _write_xlsx}[file_format]
    return writer(path, first.schema, chunks)


def _write_parquet(path: Path, schema: pa.Schema, chunks: Iterable[pa.Table]) -> int:
    rows = 0
    with pq.ParquetWriter(path, schema, compression=PARQUET_COMPRESSION) as writer:
        for chunk in chunks:
            writer.write_table(chunk)
            rows += chunk.num_rows
    return rows


def _write_csv(path: Path, schema: pa.Schema, chunks: Iterable[pa.Table]) -> int:
    rows = 0
    with pa_csv.CSVWriter(str(path), schema, write_options=pa_csv.WriteOptions(quoting_style="needed")) as writer:
        for chunk in chunks:
            writer.write_table(chunk)
            rows += chunk.num_rows
    return rows


def _json_values(column: pa.ChunkedArray) -> pa.Array:
    """Each value as a JSON literal (strings quoted and escaped, numbers bare, null)."""
    column = column.combine_chunks()
    if pa.types.is_string(column.type):
        text = pc.replace_substring(pc.replace_substring(column, "\\", "\\\\"), '"', '\\"')
        text = pc.binary_join_element_wise('"', text, '"', "")
    else:
        text = column.cast(pa.string())
    return pc.fill_null(text, "null")


def jsonl_lines(chunk: pa.Table) -> list[str]:
    parts: list[pa.Array | str] = []
    for i, name in enumerate(chunk.schema.names):
        parts.append(("{" if i == 0 else ",") + json.dumps(name) + ":")
        parts.append(_json_values(chunk.column(name)))
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "").to_pylist()


def _write_jsonl(path: Path, schema: pa.Schema, chunks: Iterable[pa.Table]) -> int:
    rows = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for chunk in chunks:
            if chunk.num_rows:
                out.write("\n".join(jsonl_lines(chunk)) + "\n")
            rows += chunk.num_rows
    return rows


# --- XLSX ------------------------------------------------------------------------------------------

_XLSX_STATIC = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_xlsx(path: Path, schema: pa.Schema, chunks: Iterable[pa.Table]) -> int:
    letters = [_column_letter(i) for i in range(len(schema.names))]
    rows = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        for name, text in _XLSX_STATIC.items():
            package.writestr(_zip_entry(name), text)
        with package.open(_zip_entry("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            header = "".join(_cell(f"{letter}1", name) for letter, name in zip(letters, schema.names))
            sheet.write(f'<row r="1">{header}</row>'.encode())
            for chunk in chunks:
                lines = []
                for record in zip(*(chunk.column(n).to_pylist() for n in schema.names)):
                    rows += 1
                    cells = "".join(_cell(f"{letter}{rows + 1}", v) for letter, v in zip(letters, record))
                    lines.append(f'<row r="{rows + 1}">{cells}</row>')
                sheet.write("".join(lines).encode("utf-8"))
            sheet.write(b"</sheetData></worksheet>")
    return rows


# --- Manifest ---------------------------------------------------------------------------------------


def manifest_text(database_id: str, ministry: str, extracted_at: str | None, tables: list[tuple[str, str]]) -> str:
    """The manifest as a ministry writes it; extracted_at=None leaves the field out."""
    lines = [f"database_id: {database_id}", f"ministry: {ministry}"]
    if extracted_at is not None:
        lines.append(f'extracted_at: "{extracted_at}"')
    lines.append("tables:")
    lines += [f"  - {{name: {name}, file: {file}}}" for name, file in tables]
    return "\n".join(lines) + "\n"


def broken_manifest_text(database_id: str, ministry: str, extracted_at: str, tables: list[tuple[str, str]]) -> str:
    """Hand-edited and broken: an unclosed flow mapping and a tab-indented line."""
    text = manifest_text(database_id, ministry, extracted_at, tables)
    return text.replace("}\n", "\n", 1).replace("\n  - ", "\n\t- ", 1)


# --- Broken data files: (path, format, chunks) -> rows that reached the file ----------------------


def _truncated(path: Path, file_format: str, chunks: Iterable[pa.Table]) -> int:
    """An interrupted upload: only the first half of the file arrived."""
    rows = write_table(path, file_format, chunks)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return rows


def _never_sent(path: Path, file_format: str, chunks: Iterable[pa.Table]) -> int:
    """The manifest lists the file; it never arrived."""
    return 0


def _python_repr_lines(path: Path, file_format: str, chunks: Iterable[pa.Table]) -> int:
    """'JSON Lines' written with Python's str(dict): single quotes, None, not JSON."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for chunk in chunks:
            for record in chunk.to_pylist():
                out.write(repr(record) + "\n")
                rows += 1
    return rows


def _csv_named_xlsx(path: Path, file_format: str, chunks: Iterable[pa.Table]) -> int:
    """A CSV export renamed to .xlsx: text, not an Excel package."""
    return write_table(path, "csv", chunks)


BROKEN_FILE_WRITERS = {
    "broken_truncated_parquet": _truncated,
    "broken_missing_file": _never_sent,
    "broken_bad_jsonl": _python_repr_lines,
    "broken_not_xlsx": _csv_named_xlsx,
}
