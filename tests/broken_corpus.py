"""A corpus of broken and hostile deliveries, each written over one registered database of a copy of the
sample estate, so that one pipeline run covers every case (tests/delivery/test_broken_corpus.py).

A case names the database whose delivery it replaces (never `population`: it is the master data other
databases are checked against, so breaking it would move their verdicts by design), writes its folder,
and says what the run must make of it: the delivery status, and phrases that must appear in the reason
(`delivery.error`, `delivery.findings`, `unmatched_deliveries`).
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from r57_pipelines.domain.text import to_tcvn3_mojibake

HOSTILE_SQL = 'x"; drop table r57.deliveries; --'
HUGE_FIELD_BYTES = 20 * 1024 * 1024
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # cp1258 stores these apart from their letters


@dataclass(frozen=True)
class Case:
    name: str
    database_id: str | None  # None: the case is a folder no registered database owns
    ministry: str
    build: Callable[[Path, Path, Path], list[Path]]  # (sources, sample folder, outside) -> paths to watch
    status: str | None  # expected delivery.status (None: not a registered database)
    reason: tuple[str, ...]  # phrases the error / findings / unmatched entry must contain
    where: str = "error"  # "error" | "findings" | "unmatched"
    # Read after all and the data is the same: the verdict must equal the baseline's.
    same_verdict: bool = False
    also: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ helpers


def manifest_of(folder: Path) -> dict:
    return yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")


def fresh_folder(sources: Path, ministry: str, database_id: str) -> Path:
    """Empty `<sources>/<ministry>/<database_id>`, removing the sample delivery copied there."""
    folder = sources / ministry / database_id
    if folder.exists():
        for path in folder.iterdir():
            path.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def replace_file(sources: Path, sample: Path, ministry: str, database_id: str, content: bytes, **table_keys) -> Path:
    """The sample delivery with its one data file's bytes replaced (same name, same manifest + keys)."""
    manifest = manifest_of(sample)
    folder = fresh_folder(sources, ministry, database_id)
    (folder / manifest["tables"][0]["file"]).write_bytes(content)
    manifest["tables"][0].update(table_keys)
    write_manifest(folder, manifest)
    return folder


def edit_first_table(folder: Path, **table_keys) -> Path:
    """Rewrite the delivery's manifest with its first table's keys changed (the data files stay)."""
    manifest = manifest_of(folder)
    manifest["tables"][0].update(table_keys)
    write_manifest(folder, manifest)
    return folder


def sample_text(sample: Path) -> str:
    return (sample / manifest_of(sample)["tables"][0]["file"]).read_text(encoding="utf-8")


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258: base letters with their shape (â, ê, ơ, ư, ă, đ) precomposed, tone marks apart."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        out += (base + tones).encode("cp1258")
    return bytes(out)


def tcvn3_bytes(text: str) -> bytes:
    """TCVN3 (ABC) bytes: to_tcvn3_mojibake gives them as cp1252 characters."""
    return to_tcvn3_mojibake(text).encode("cp1252", errors="replace")


def with_extra_columns(text: str, names: list[str], value: str = "x") -> str:
    """Append columns to a CSV whose records are one line each (true of the sample estate)."""
    header, *rows = text.splitlines()
    quoted = ",".join('"' + n.replace('"', '""') + '"' for n in names)
    return "\n".join([f"{header},{quoted}"] + [f"{r}," + ",".join(value for _ in names) for r in rows]) + "\n"


def without_columns(text: str, drop: set[str]) -> str:
    lines = text.splitlines()
    header = [h.strip('"') for h in lines[0].split(",")]
    keep = [i for i, h in enumerate(header) if h not in drop]
    assert len(keep) == len(header) - len(drop), "every dropped column is in the header"
    # The sample's values hold no commas inside quotes in the columns used here; checked below.
    split = [line.split(",") for line in lines]
    assert all(len(s) == len(header) for s in split), "one field per column on every line"
    return "\n".join(",".join(s[i] for i in keep) for s in split) + "\n"


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


# ------------------------------------------------------------------------------------------ the cases


def _random_bytes(sources, sample, outside):
    return [replace_file(sources, sample, "MOF", "state_budget", random.Random(57).randbytes(64 * 1024))]


def _empty(sources, sample, outside):
    return [replace_file(sources, sample, "MOF", "prices", b"")]


def _header_only(sources, sample, outside):
    return [replace_file(sources, sample, "MOCST", "cultural_heritage", sample_text(sample).splitlines()[0].encode() + b"\n")]


def _truncated_parquet(sources, sample, outside):
    data = (sample / "facility.parquet").read_bytes()
    return [replace_file(sources, sample, "MOC", "road_infrastructure", data[: len(data) // 2])]


def _utf16(sources, sample, outside):
    return [replace_file(sources, sample, "MOJ", "nationality", sample_text(sample).encode("utf-16"))]


def _utf8_bom(sources, sample, outside):
    return [replace_file(sources, sample, "MOJ", "legal_documents", b"\xef\xbb\xbf" + sample_text(sample).encode())]


def _cp1258_undeclared(sources, sample, outside):
    return [replace_file(sources, sample, "MOH", "pharmaceuticals", cp1258_bytes(sample_text(sample)))]


def _cp1258_declared(sources, sample, outside):
    data = cp1258_bytes(sample_text(sample))
    return [replace_file(sources, sample, "MOND", "reserve_forces", data, encoding="cp1258")]


def _tcvn3(sources, sample, outside):
    return [replace_file(sources, sample, "MOC", "inland_waterway_vessels", tcvn3_bytes(sample_text(sample)))]


def _tcvn3_declared(sources, sample, outside):
    data = tcvn3_bytes(sample_text(sample))
    return [replace_file(sources, sample, "MOJ", "civil_judgment_enforcement", data, encoding="tcvn3")]


def _ragged(sources, sample, outside):
    lines = sample_text(sample).splitlines()
    lines[40] += ',"one too many"'
    lines[41] = ",".join(lines[41].split(",")[:-2])
    return [replace_file(sources, sample, "MAE", "livestock_farms", ("\n".join(lines) + "\n").encode())]


def _wrong_delimiter(sources, sample, outside):
    # `~` is not among the delimiters the CSV reader tries (, ; | tab); values hold no `,` here.
    text = sample_text(sample).replace(",", "~")
    return [replace_file(sources, sample, "GI", "complaints_denunciations", text.encode())]


def _missing_columns(sources, sample, outside):
    text = without_columns(sample_text(sample), {"province_code", "updated_at"})
    return [replace_file(sources, sample, "MAE", "marine_islands", text.encode())]


def _extra_columns(sources, sample, outside):
    text = with_extra_columns(sample_text(sample), ["remarks", "internal_ref"])
    return [replace_file(sources, sample, "MOFA", "consular_legalisation", text.encode())]


def _hostile_columns(sources, sample, outside):
    manifest = manifest_of(sample)
    folder = fresh_folder(sources, "MOF", "business_registration")
    for table in manifest["tables"]:
        text = (sample / table["file"]).read_text(encoding="utf-8")
        if table["name"] == "owner":
            text = with_extra_columns(text, [HOSTILE_SQL, "semi;colon", "bell\x07tab\tcolumn", "0;select 1"])
        (folder / table["file"]).write_bytes(text.encode())
    write_manifest(folder, manifest)
    return [folder]


def _wrong_types(sources, sample, outside):
    table = pq.read_table(sample / "person.parquet")
    for name in ("personal_id", "phone"):
        index = table.schema.get_field_index(name)
        as_numbers = pa.array([int(v) if v and v.isdigit() else None for v in table[name].to_pylist()], pa.int64())
        table = table.set_column(index, name, as_numbers)
    return [replace_file(sources, sample, "MOF", "personal_income_tax", parquet_bytes(table))]


def _huge_field(sources, sample, outside):
    lines = sample_text(sample).splitlines()
    fields = lines[5].split(",")
    fields[2] = '"' + "A" * HUGE_FIELD_BYTES + '"'
    lines[5] = ",".join(fields)
    return [replace_file(sources, sample, "MOHA", "civil_servants", ("\n".join(lines) + "\n").encode())]


def _malformed_yaml(sources, sample, outside):
    folder = sources / "MOHA" / "archives"
    (folder / "manifest.yaml").write_text(
        "database_id: archives\nministry: MOHA\ntables: [{name: dossier, file: dossier.parquet\n  - oops: [\n",
        encoding="utf-8",
    )
    return [folder]


def _file_outside(sources, sample, outside):
    folder = edit_first_table(sources / "MOST" / "standards_quality", file="../../MOST/radio_frequencies/dossier.parquet")
    return [folder, sources / "MOST" / "radio_frequencies"]


def _symlinked_file(sources, sample, outside):
    folder = sources / "MOIT" / "chemicals"
    target = outside / "chemicals_facility.parquet"
    target.write_bytes((folder / "facility.parquet").read_bytes())
    (folder / "facility.parquet").unlink()
    os.symlink(target, folder / "facility.parquet")
    return [folder, target]


def _symlinked_folder(sources, sample, outside):
    folder = sources / "MOH" / "food_safety"
    elsewhere = outside / "food_safety_data"
    elsewhere.mkdir()
    (folder / "facility.parquet").rename(elsewhere / "facility.parquet")
    os.symlink(elsewhere, folder / "data", target_is_directory=True)
    edit_first_table(folder, file="data/facility.parquet")
    return [folder, elsewhere]


def _unknown_database(sources, sample, outside):
    folder = sources / "MPS" / "not_a_registered_database"
    folder.mkdir()
    (folder / "person.csv").write_text("record_id,full_name\n1,Nguyễn Văn An\n", encoding="utf-8")
    write_manifest(folder, {"database_id": "not_a_registered_database", "ministry": "MPS",
                            "extracted_at": "2025-12-03T23:00:00+07:00",
                            "tables": [{"name": "person", "file": "person.csv"}]})
    return [folder]


def _manifest_names_unknown_id(sources, sample, outside):
    folder = sources / "MOC" / "aircraft"
    manifest = manifest_of(folder)
    manifest["database_id"] = "no_such_database"
    write_manifest(folder, manifest)
    return [folder]


def _two_deliveries(sources, sample, outside):
    second = sources / "MOHA" / "sports"
    second.mkdir()
    for path in sample.iterdir():
        (second / path.name).write_bytes(path.read_bytes())
    return [sources / "MOCST" / "sports", second]


def _hostile_table(sources, sample, outside):
    return [edit_first_table(sources / "MOC" / "seagoing_ships", name=HOSTILE_SQL)]


def _control_characters(sources, sample, outside):
    return [edit_first_table(sources / "MOC" / "urban_planning", name="parcel\x1b[2J\x00")]


CASES: list[Case] = [
    Case("random_bytes", "state_budget", "MOF", _random_bytes, "rejected", ("item.parquet", "cannot be read as parquet")),
    Case("empty_file", "prices", "MOF", _empty, "rejected", ("item.csv", "file is empty")),
    Case("header_only", "cultural_heritage", "MOCST", _header_only, "loaded", ("facility.csv", "no rows (header only)"),
         where="findings"),
    Case("truncated_parquet", "road_infrastructure", "MOC", _truncated_parquet, "rejected",
         ("facility.parquet", "cannot be read as parquet")),
    Case("utf16_with_bom", "nationality", "MOJ", _utf16, "loaded", ("person.csv", "UTF-16", "converted to UTF-8"),
         where="findings", same_verdict=True),
    Case("utf8_bom", "legal_documents", "MOJ", _utf8_bom, "loaded", ("dossier.csv", "UTF-8 byte-order mark"),
         where="findings", same_verdict=True),
    Case("cp1258_undeclared", "pharmaceuticals", "MOH", _cp1258_undeclared, "rejected",
         ("facility.csv", "is not UTF-8", "re-export the file as UTF-8", "encoding: cp1258")),
    Case("cp1258_declared", "reserve_forces", "MOND", _cp1258_declared, "loaded",
         ("person.csv", "read as cp1258", "converted to UTF-8"), where="findings"),
    Case("tcvn3_undeclared", "inland_waterway_vessels", "MOC", _tcvn3, "rejected",
         ("vehicle.csv", "is not UTF-8", "TCVN3", "re-export the file as UTF-8")),
    Case("tcvn3_declared", "civil_judgment_enforcement", "MOJ", _tcvn3_declared, "rejected",
         ("manifest.yaml", "encoding 'tcvn3' is not supported", "re-export the file as UTF-8")),
    Case("ragged_rows", "livestock_farms", "MAE", _ragged, "rejected", ("facility.csv", "line 41 has 10 fields where the header has 9", "ragged rows")),
    Case("wrong_delimiter", "complaints_denunciations", "GI", _wrong_delimiter, "rejected",
         ("dossier.csv", "none of the contract's columns", "delimiter")),
    Case("missing_columns", "marine_islands", "MAE", _missing_columns, "loaded",
         ("parcel.csv", "contract column(s) missing: province_code, updated_at"), where="findings"),
    Case("extra_columns", "consular_legalisation", "MOFA", _extra_columns, "loaded",
         ("dossier.csv", "not in the contract", "'internal_ref', 'remarks'"), where="findings", same_verdict=True),
    Case("hostile_column_names", "business_registration", "MOF", _hostile_columns, "loaded",
         ("owner.csv", "not in the contract", "drop table r57.deliveries", "\\x07"), where="findings",
         same_verdict=True),
    Case("wrong_types", "personal_income_tax", "MOF", _wrong_types, "loaded",
         ("person.parquet", "stored as numbers", "personal_id BIGINT", "phone BIGINT"), where="findings"),
    Case("huge_field", "civil_servants", "MOHA", _huge_field, "rejected", ("person.csv", "MB a line may hold")),
    Case("malformed_manifest_yaml", "archives", "MOHA", _malformed_yaml, "rejected",
         ("manifest.yaml", "not valid YAML")),
    Case("file_outside_folder", "standards_quality", "MOST", _file_outside, "rejected",
         ("manifest.yaml", "inside the delivery folder")),
    Case("symlinked_file", "chemicals", "MOIT", _symlinked_file, "rejected", ("facility.parquet", "symbolic link")),
    Case("symlinked_folder", "food_safety", "MOH", _symlinked_folder, "rejected",
         ("data/facility.parquet", "folder 'data'", "symbolic link")),
    Case("unknown_database_id", None, "MPS", _unknown_database, None,
         ("not_a_registered_database", "no registered database"), where="unmatched"),
    Case("manifest_names_another_id", "aircraft", "MOC", _manifest_names_unknown_id, "rejected",
         ("manifest.yaml", "'no_such_database' does not match folder")),
    Case("two_deliveries", "sports", "MOCST", _two_deliveries, "rejected", ("two or more deliveries for one database",)),
    Case("hostile_table_name", "seagoing_ships", "MOC", _hostile_table, "loaded",
         ("vehicle.parquet", "is not in the contract", "drop table r57.deliveries", "not delivered: vehicle"),
         where="findings"),
    Case("control_characters_in_table_name", "urban_planning", "MOC", _control_characters, "rejected",
         ("manifest.yaml", "contains control characters")),
]


# ------------------------------------------------------------------------------------------ on disk


def fingerprint(paths: list[Path]) -> dict[str, tuple]:
    """Every file under the paths: sha256, size and mtime; a symbolic link: where it points, and its mtime."""
    seen: dict[str, tuple] = {}

    def one(path: Path) -> None:
        stat = path.lstat()
        if path.is_symlink():
            seen[str(path)] = ("link", os.readlink(path), stat.st_mtime_ns)
        elif path.is_file():
            seen[str(path)] = (hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size, stat.st_mtime_ns)

    for root in paths:
        if root.is_dir() and not root.is_symlink():
            for directory, dirs, files in os.walk(root):  # followlinks=False: links are recorded, not entered
                for name in sorted(files + [d for d in dirs if (Path(directory) / d).is_symlink()]):
                    one(Path(directory) / name)
        else:
            one(root)
    return seen
