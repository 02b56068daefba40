"""Read a generated delivery back with independent readers (not the pipeline's), and measure it.

`aspects()` returns, per quality aspect, the share of rows that fail it; the generator promises that a
clean delivery fails none (beyond tiny noise in optional columns) and that a one-dimension defect only
fails aspects of its own dimension.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import yaml

from r57_pipelines.domain.identifiers import (
    is_valid_personal_id,
    is_valid_plate,
    is_valid_tax_code,
    is_valid_vn_mobile,
    personal_id_agrees,
)
from r57_pipelines.domain.provinces import current_province_codes
from r57_pipelines.domain.text import is_placeholder, looks_like_mojibake
from r57_pipelines.validation import rules
from r57_pipelines.registry import ColumnKind, Database

DIMENSION_OF_ASPECT = {
    "pid_structure": "correct",
    "pid_agreement": "correct",
    "tax_code": "correct",
    "plate": "correct",
    "phone": "correct",
    "master_missing": "correct",
    "master_disagree": "correct",
    "province": "correct",
    "commune": "correct",
    "required_empty": "sufficient",
    "required_column_missing": "sufficient",
    "pk_duplicate": "clean",
    "natural_duplicate": "clean",
    "text_hygiene": "clean",
}


def folder_of(summary, database_id: str) -> Path:
    d = next(d for d in summary.deliveries if d.database_id == database_id)
    return summary.out_dir / d.ministry / d.database_id


def read_manifest(folder: Path) -> dict:
    return yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))


def read_file(path: Path) -> pd.DataFrame:
    """All values as str (numbers as their text) or None, in object columns."""
    suffix = path.suffix
    if suffix == ".parquet":
        columns = pq.read_table(path).to_pydict()
    elif suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            header, *rows = list(csv.reader(f))
        columns = {name: [r[i] or None for r in rows] for i, name in enumerate(header)}
    elif suffix == ".jsonl":
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        columns = {name: [r.get(name) for r in records] for name in records[0]}
    elif suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        header, *rows = list(sheet.iter_rows(values_only=True))
        columns = {name: [r[i] for r in rows] for i, name in enumerate(header)}
    else:
        raise ValueError(path)

    def text(v: object) -> str | None:
        return None if v is None else (f"{v:g}" if isinstance(v, float) else str(v))

    return pd.DataFrame({name: pd.Series([text(v) for v in values], dtype=object) for name, values in columns.items()})


@dataclass
class Delivery:
    folder: Path
    manifest: dict
    tables: dict[str, pd.DataFrame]

    @property
    def extracted_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.manifest["extracted_at"])


def read_delivery(folder: Path) -> Delivery:
    manifest = read_manifest(folder)
    return Delivery(folder, manifest, {t["name"]: read_file(folder / t["file"]) for t in manifest["tables"]})


def _share(mask: pd.Series) -> float:
    return float(mask.mean()) if len(mask) else 0.0


def _empty(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype(str).str.strip() == "")


def _text_bad(value: object) -> bool:
    if value is None:
        return False
    text = str(value)
    return (
        unicodedata.normalize("NFC", text) != text
        or text != text.strip()
        or "  " in text
        or looks_like_mojibake(text)
        or is_placeholder(text)
    )


def aspects(db: Database, delivery: Delivery, master: pd.DataFrame | None) -> dict[str, float]:
    """Share of the first table's rows failing each aspect (0.0 when the aspect cannot fail)."""
    table = db.contract.tables[0]
    frame = delivery.tables[table.name]
    known, merged = set(rules.commune_codes()), set(rules.merged_codes())
    out = dict.fromkeys(DIMENSION_OF_ASPECT, 0.0)
    present = {c.name for c in table.columns if c.name in frame.columns}
    out["required_column_missing"] = float(any(c.required and c.name not in present for c in table.columns))
    required = [c.name for c in table.columns if c.required and c.name in present]
    out["required_empty"] = _share(pd.concat([_empty(frame[c]) for c in required], axis=1).any(axis=1))

    def col(kind: ColumnKind) -> list[str]:
        return [c.name for c in table.columns if c.kind == kind and c.name in present]

    def check(names: list[str], ok) -> float:
        bad = [frame[n].map(lambda v: v is not None and not ok(v)) for n in names]
        return _share(pd.concat(bad, axis=1).any(axis=1)) if bad else 0.0

    out["pid_structure"] = check(col(ColumnKind.personal_id), is_valid_personal_id)
    out["tax_code"] = check(col(ColumnKind.tax_code), is_valid_tax_code)
    out["plate"] = check(col(ColumnKind.plate), is_valid_plate)
    out["phone"] = check(col(ColumnKind.phone), is_valid_vn_mobile)
    out["province"] = check(col(ColumnKind.province_code), lambda v: v in current_province_codes())
    communes = col(ColumnKind.commune_code)
    if communes:
        c = frame[communes[0]]
        p = frame[col(ColumnKind.province_code)[0]] if col(ColumnKind.province_code) else [None] * len(c)
        a = frame[col(ColumnKind.address)[0]] if col(ColumnKind.address) else [None] * len(c)
        bad = [
            c_ is not None
            and (
                c_ not in known
                or c_ in merged
                or (p_ is not None and not rules.commune_in_province(c_, p_))
                or (a_ is not None and not rules.address_names_commune(a_, c_))
            )
            for p_, c_, a_ in zip(p, c, a)
        ]
        out["commune"] = _share(pd.Series(bad))
    sex, birth = col(ColumnKind.sex), col(ColumnKind.birth_date)
    if sex and birth and col(ColumnKind.personal_id):
        pid = frame[col(ColumnKind.personal_id)[0]]
        bad = [
            None not in (v, s, b) and is_valid_personal_id(v) and not personal_id_agrees(v, s, int(b[:4]))
            for v, s, b in zip(pid, frame[sex[0]], frame[birth[0]])
        ]
        out["pid_agreement"] = _share(pd.Series(bad))
    if master is not None:
        indexed = master.set_index("personal_id")
        missing, disagree = [], []
        for ref in table.master_refs:
            if ref.column not in present:
                continue
            values = frame[ref.column]
            known = values.isin(indexed.index)
            missing.append(values.notna() & ~known)
            for local, remote in ref.agree.items():
                if local in present:
                    expected = values.map(lambda v: indexed[remote].get(v))
                    disagree.append(known & frame[local].notna() & (frame[local].map(_nfc_trim) != expected))
        if missing:
            out["master_missing"] = _share(pd.concat(missing, axis=1).any(axis=1))
        if disagree:
            out["master_disagree"] = _share(pd.concat(disagree, axis=1).any(axis=1))
    out["pk_duplicate"] = _share(frame.duplicated(subset=table.primary_key, keep="first"))
    natural = [c for c in table.natural_key if c in present]
    if natural and set(natural) != set(table.primary_key):
        out["natural_duplicate"] = _share(frame.duplicated(subset=natural, keep="first"))
    text = col(ColumnKind.person_name) + col(ColumnKind.address) + col(ColumnKind.text)
    out["text_hygiene"] = check(text, lambda v: not _text_bad(v))
    return out


def _nfc_trim(value: object) -> object:
    return None if value is None else " ".join(unicodedata.normalize("NFC", str(value)).split())
