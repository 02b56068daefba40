"""Turn one delivered file into a DuckDB table of text columns, through DuckDB's own readers.

Every column is loaded as VARCHAR exactly as delivered: a wrong type or a bad date is a finding for the
quality checks, not a reason to drop the row. XLSX has no DuckDB reader without the `excel` extension
(not installable offline), so it streams through openpyxl in batches.

Text files (CSV, JSON Lines) must be UTF-8. A file that says what it is by a byte-order mark (UTF-8,
UTF-16), or whose table declares `encoding:` in the manifest, is converted to a temporary UTF-8 copy
(never the delivery itself) and read from there; the conversion is reported as a finding. Any other
file that is not valid UTF-8 is rejected naming the first undecodable byte.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlglot.expressions as exp

from r57_pipelines.delivery.errors import DeliveryError
from r57_pipelines.masking import mask_text

# The file path is always a bound parameter; the target is a sqlglot-quoted identifier.
_SELECT_BY_FORMAT = {
    "csv": "select * from read_csv(?, header = true, all_varchar = true, auto_detect = true)",
    "parquet": "select columns(*)::varchar from read_parquet(?)",
}
_JSONL_NAMES = "describe select * from read_json(?, format = 'newline_delimited')"
XLSX_BATCH_ROWS = 50_000
TEXT_FORMATS = ("csv", "jsonl")
EIGHT_BIT_ENCODINGS = ("cp1258", "cp1252", "iso8859-1")
DELIMITERS = ",;|\t"  # what DuckDB's CSV sniffer tries
_CHUNK = 1 << 20


@dataclass(frozen=True)
class _Bom:
    mark: bytes
    codec: str
    name: str


# UTF-16's marks are checked after UTF-8's; a UTF-32 mark (FF FE 00 00) is not recognised.
_BOMS = (
    _Bom(codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    _Bom(codecs.BOM_UTF16_LE, "utf-16", "UTF-16 little-endian"),
    _Bom(codecs.BOM_UTF16_BE, "utf-16", "UTF-16 big-endian"),
)


@dataclass
class FileLoad:
    """A loaded file: its rows, and what was noticed on the way (each finding names the file)."""

    rows: int
    findings: list[str] = field(default_factory=list)
    source_types: dict[str, str] = field(default_factory=dict)  # Parquet: each column's stored type


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    file_format: str,
    target: str,
    *,
    encoding: str | None = None,
    scratch: Path | None = None,
    label: str | None = None,
) -> FileLoad:
    """Create `target` from the file; DeliveryError names the file and the problem on failure.

    `encoding`: the manifest's declared encoding (Python codec name) for a text file; `scratch`: where a
    converted copy may be written (default: the system's temporary folder); `label`: the file as findings
    name it (default: its name).
    """
    label = label or path.name
    result = FileLoad(0)
    try:
        if path.stat().st_size == 0:
            raise DeliveryError(path, "file is empty (0 bytes)")
    except OSError as exc:
        raise DeliveryError(path, f"cannot be opened: {exc.strerror or type(exc).__name__}") from exc
    try:
        if file_format == "xlsx":
            _load_xlsx(con, path, target)
        elif file_format in TEXT_FORMATS:
            with _readable_text(path, encoding, scratch, label, result.findings) as readable:
                if file_format == "jsonl":
                    _load_jsonl(con, readable, target)
                else:
                    con.execute(f"create table {target} as {_SELECT_BY_FORMAT['csv']}", [str(readable)])
                    _check_csv_split(con, path, readable, target)
        else:
            described = con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
            result.source_types = {row[0]: row[1] for row in described}
            con.execute(f"create table {target} as {_SELECT_BY_FORMAT[file_format]}", [str(path)])
        (rows,) = con.execute(f"select count(*) from {target}").fetchone()
    except duckdb.Error as exc:
        raise DeliveryError(path, f"cannot be read as {file_format}: {reader_problem(exc)}") from exc
    result.rows = int(rows)
    return result


_LINE_SIZE = re.compile(r"Maximum line size of (\d+) bytes exceeded\. Actual Size: ?(\d+) bytes")
_NOT_A_PROBLEM = ("Original Line", "Possible Solution", "Possible fixes", "LINE ", "^", "*", "It was not possible")


def reader_problem(exc: Exception) -> str:
    """The reader's message in one line, without the values it may quote.

    DuckDB puts the problem on the first line or two and then quotes the offending line ("Original
    Line: ..."), the options it used and the SQL; a quoted value may be personal data, so only the
    problem is kept, with long digit runs hidden and anything after "Input:" dropped.
    """
    lines = [line.strip() for line in str(exc).strip().splitlines()]
    if not lines:
        return type(exc).__name__
    kept = [lines[0]]
    if re.search(r"CSV Error on Line: \d+$", lines[0]):  # the problem itself is on a later line
        detail = next(
            (line for line in lines[1:] if line and not line.startswith(_NOT_A_PROBLEM) and " = " not in line),
            None,
        )
        if detail:
            kept.append(detail)
    text = "; ".join(kept)
    size = _LINE_SIZE.search(text)
    if size:
        limit, actual = (int(g) for g in size.groups())
        text = text[: size.start()] + (
            f"a line of {actual / 1e6:.1f} MB is longer than the {limit / 1e6:.0f} MB a line may hold "
            "(a huge field, or a quote that is never closed)"
        )
    text = re.split(r"\bInput:", text)[0].strip()
    return mask_text(text)


# ------------------------------------------------------------------------------------ text encodings


def _bom_of(path: Path) -> _Bom | None:
    with path.open("rb") as handle:
        head = handle.read(4)
    return next((b for b in _BOMS if head.startswith(b.mark)), None)


@contextlib.contextmanager
def _readable_text(
    path: Path, declared: str | None, scratch: Path | None, label: str, findings: list[str]
) -> Iterator[Path]:
    """The path of a UTF-8 file without byte-order mark holding the delivered text: the file itself, or
    a temporary converted copy that is removed afterwards."""
    bom = _bom_of(path)
    if declared in (None, "utf-8", "utf-8-sig") and bom is None:
        _require_utf8(path)
        yield path
        return
    if declared in (None, "utf-8", "utf-8-sig"):
        if declared is not None and bom.codec != "utf-8-sig":
            raise DeliveryError(
                path, f"the manifest declares encoding {declared} but the file starts with a {bom.name} byte-order mark"
            )
        codec, compose = bom.codec, False
        if bom.codec == "utf-8-sig":
            findings.append(f"{label}: starts with a UTF-8 byte-order mark; read as UTF-8 without it")
        else:
            findings.append(f"{label}: {bom.name} (it starts with a byte-order mark); converted to UTF-8 to read it")
    else:
        if bom is not None and not (declared.startswith("utf-16") and bom.codec == "utf-16"):
            raise DeliveryError(
                path, f"the manifest declares encoding {declared} but the file starts with a {bom.name} byte-order mark"
            )
        codec = "utf-16" if bom is not None else declared
        compose = declared in EIGHT_BIT_ENCODINGS
        findings.append(
            f"{label}: read as {declared}, as the manifest declares, and converted to UTF-8"
            + (" (Unicode NFC: tone marks composed with their letters)" if compose else "")
        )
    if scratch is not None:
        scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="r57-text-", dir=scratch) as tmp:
        converted = Path(tmp) / f"converted{path.suffix}"
        _transcode(path, codec, converted, compose)
        yield converted


def _transcode(path: Path, codec: str, target: Path, compose: bool) -> None:
    """Decode line by line (a line never splits a letter from its tone mark) and write UTF-8."""
    number = 0
    try:
        with path.open("r", encoding=codec, errors="strict", newline="") as source, target.open(
            "w", encoding="utf-8", newline=""
        ) as sink:
            for number, line in enumerate(source, 1):  # noqa: B007
                sink.write(unicodedata.normalize("NFC", line) if compose else line)
    except UnicodeDecodeError as exc:
        raise DeliveryError(
            path,
            f"is not valid {codec}: undecodable bytes near line {number + 1}; re-export the file as UTF-8 "
            "or correct its `encoding` in manifest.yaml",
        ) from exc


def _require_utf8(path: Path) -> None:
    """Stream the file through a strict UTF-8 decoder; DeliveryError at the first bad byte."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            if b"\x00" in block:
                raise DeliveryError(
                    path,
                    "is not UTF-8: it contains NUL bytes, as UTF-16 without a byte-order mark does; re-export "
                    "the file as UTF-8, or declare `encoding: utf-16-le` for its table in manifest.yaml",
                )
            pending = decoder.getstate()[0]
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                where = offset - len(pending) + exc.start
                _not_utf8(path, where, (pending + block)[exc.start])
            offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        _not_utf8(path, offset - len(decoder.getstate()[0]), None)


def _not_utf8(path: Path, where: int, byte: int | None) -> None:
    line = 1
    with path.open("rb") as handle:
        remaining = where
        while remaining > 0 and (block := handle.read(min(_CHUNK, remaining))):
            line += block.count(b"\n")
            remaining -= len(block)
    what = f"byte 0x{byte:02X}" if byte is not None else "the last bytes"
    raise DeliveryError(
        path,
        f"is not UTF-8: {what} at line {line} (offset {where}) cannot be decoded, as in a file written in an "
        "8-bit encoding such as cp1258 or TCVN3; re-export the file as UTF-8, or declare its encoding for "
        "this table in manifest.yaml (e.g. `encoding: cp1258`)",
    )


# ------------------------------------------------------------------------------------ CSV shape


def _check_csv_split(con: duckdb.DuckDBPyConnection, path: Path, readable: Path, target: str) -> None:
    """DuckDB's sniffer falls back to one column when rows disagree on their number of fields: say why."""
    names = [row[0] for row in con.execute(f"describe {target}").fetchall()]
    if len(names) != 1 or not any(d in names[0] for d in DELIMITERS):
        return
    delimiter = max(DELIMITERS, key=names[0].count)
    try:
        with readable.open("r", encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, [])
            for row in reader:
                if row and len(row) != len(header):
                    raise DeliveryError(
                        path,
                        f"line {reader.line_num} has {len(row)} fields where the header has {len(header)} "
                        f"(ragged rows, delimiter {delimiter!r}): every row needs the same number of fields",
                    )
    except csv.Error as exc:
        raise DeliveryError(path, f"cannot be read as csv: {mask_text(str(exc))}") from exc
    raise DeliveryError(
        path, f"the header row could not be split into columns (delimiter {delimiter!r}, quoting?): check the CSV dialect"
    )


def _load_jsonl(con: duckdb.DuckDBPyConnection, path: Path, target: str) -> None:
    """Read every key as VARCHAR: left to detect types, read_json rewrites "…T14:23:05+07:00" in UTC."""
    names = [row[0] for row in con.execute(_JSONL_NAMES, [str(path)]).fetchall()]
    columns = exp.Struct(
        expressions=[exp.PropertyEQ(this=exp.Literal.string(n), expression=exp.Literal.string("VARCHAR")) for n in names]
    )
    con.execute(
        f"create table {target} as select * from read_json(?, format = 'newline_delimited', "
        f"columns = {columns.sql(dialect='duckdb')})",
        [str(path)],
    )


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _load_xlsx(con: duckdb.DuckDBPyConnection, path: Path, target: str) -> None:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DeliveryError(path, f"cannot be read as xlsx: {reader_problem(exc) or 'not an Excel workbook'}") from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if not header or any(h is None or str(h).strip() == "" for h in header):
            raise DeliveryError(path, "first sheet needs a header row with a name in every column")
        names = [str(h).strip() for h in header]
        if len(set(names)) != len(names):
            raise DeliveryError(path, f"header repeats a column name: {names}")
        schema = pa.schema([(n, pa.string()) for n in names])
        batch: list[tuple] = []
        created = False

        def flush() -> None:
            nonlocal created, batch
            columns = list(zip(*batch)) if batch else [[] for _ in names]
            # DuckDB reads the local Arrow table `xlsx_batch` by name (a replacement scan).
            xlsx_batch = pa.table(  # noqa: F841
                [pa.array([_cell_text(v) for v in col], pa.string()) for col in columns], schema=schema
            )
            verb = f"insert into {target}" if created else f"create table {target} as"
            con.execute(f"{verb} select * from xlsx_batch")
            created, batch = True, []

        for row in rows:
            if len(row) > len(names) and any(v is not None for v in row[len(names):]):
                raise DeliveryError(path, f"a row has more cells than the header's {len(names)} columns")
            batch.append(tuple(row[: len(names)]) + (None,) * (len(names) - len(row)))
            if len(batch) >= XLSX_BATCH_ROWS:
                flush()
        if batch or not created:
            flush()
    finally:
        workbook.close()
