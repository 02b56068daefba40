"""Properties of the manifest parser (r57_pipelines/delivery/manifest.py): whatever a ministry writes, the
parser answers with a Manifest or a DeliveryError naming the manifest, and valid manifests round-trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from r57_pipelines.delivery.errors import DeliveryError
from r57_pipelines.delivery.manifest import FORMAT_BY_SUFFIX, RESERVED_PREFIX, Manifest, parse_manifest

FAST = settings(max_examples=200, deadline=None)
WHERE = Path("/deliveries/MPS/population/manifest.yaml")


def _parse_or_reject(raw: bytes) -> Manifest | None:
    try:
        return parse_manifest(raw, WHERE)
    except DeliveryError as exc:
        assert exc.path == str(WHERE) and exc.problem
        return None


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
              st.dates(), st.datetimes()),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)),
    max_leaves=12,
)
plain = st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn"))
names = st.text(plain, min_size=1, max_size=16).filter(
    lambda n: not n.lower().startswith(RESERVED_PREFIX) and n == n.strip()
)
segments = st.text(st.characters(categories=("L", "N"), include_characters="_-"), min_size=1, max_size=8)
files = st.builds(
    lambda parts, suffix: "/".join(parts) + suffix, st.lists(segments, min_size=1, max_size=3),
    st.sampled_from(sorted(FORMAT_BY_SUFFIX)),
)
offsets = st.integers(-12 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
moments = st.builds(
    lambda naive, tz: naive.replace(tzinfo=tz),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)), offsets,
)


@st.composite
def manifests(draw) -> dict:
    table_names = draw(st.lists(names, min_size=1, max_size=3, unique_by=lambda n: n.lower()))
    tables = []
    for name in table_names:
        file = draw(files)
        table = {"name": name, "file": file}
        if FORMAT_BY_SUFFIX["." + file.rsplit(".", 1)[1]] in ("csv", "jsonl") and draw(st.booleans()):
            table["encoding"] = draw(st.sampled_from(["utf-8", "UTF-16", "cp1258", "windows-1258", "latin-1"]))
        tables.append(table)
    return {
        "database_id": draw(st.text(plain, min_size=1, max_size=16)),
        "ministry": draw(st.text(plain, min_size=1, max_size=10)),
        "extracted_at": draw(moments).isoformat(),
        "tables": tables,
        **draw(st.dictionaries(st.sampled_from(["contact", "system", "note"]), st.text(max_size=20), max_size=2)),
    }


@FAST
@given(st.binary(max_size=400))
def test_any_bytes_give_a_manifest_or_a_delivery_error(raw):
    _parse_or_reject(raw)


@FAST
@given(yaml_values)
def test_any_yaml_document_gives_a_manifest_or_a_delivery_error(value):
    _parse_or_reject(yaml.safe_dump(value, allow_unicode=True).encode())


@FAST
@given(st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"%@`#,? \n\t0123456789.")), max_size=120))
def test_yaml_syntax_soup_gives_a_manifest_or_a_delivery_error(text):
    _parse_or_reject(text.encode())


@FAST
@given(manifests(), st.sampled_from(["database_id", "ministry", "extracted_at", "tables"]), yaml_values)
def test_a_valid_manifest_with_one_key_replaced_by_anything_gives_a_manifest_or_a_delivery_error(document, key, value):
    _parse_or_reject(yaml.safe_dump({**document, key: value}, allow_unicode=True).encode())


@FAST
@given(manifests())
def test_valid_manifests_round_trip(document):
    raw = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()
    manifest = parse_manifest(raw, WHERE)
    assert manifest.database_id == document["database_id"] and manifest.ministry == document["ministry"]
    assert manifest.extracted_at == dt.datetime.fromisoformat(document["extracted_at"])
    assert manifest.extracted_at.utcoffset() == dt.datetime.fromisoformat(document["extracted_at"]).utcoffset()
    assert [(t.name, t.file) for t in manifest.tables] == [(t["name"], t["file"]) for t in document["tables"]]
    for table, declared in zip(manifest.tables, document["tables"]):
        assert table.file_format == FORMAT_BY_SUFFIX["." + declared["file"].rsplit(".", 1)[1]]
        assert (table.encoding is None) == ("encoding" not in declared)
    # A BOM before the YAML changes nothing.
    assert parse_manifest(b"\xef\xbb\xbf" + raw, WHERE) == manifest


@FAST
@given(manifests(), st.data())
def test_names_with_control_characters_or_outside_paths_are_rejected(document, data):
    index = data.draw(st.integers(0, len(document["tables"]) - 1))
    table = document["tables"][index]
    control = data.draw(st.characters(categories=("Cc", "Cf")))
    broken = [
        {**table, "name": table["name"] + control},
        {**table, "name": " " + table["name"]},
        {**table, "file": "../" + table["file"]},
        {**table, "file": "/" + table["file"]},
        {**table, "name": RESERVED_PREFIX + table["name"]},
    ]
    for bad in broken:
        tables = document["tables"][:index] + [bad] + document["tables"][index + 1 :]
        assert _parse_or_reject(yaml.safe_dump({**document, "tables": tables}, allow_unicode=True).encode()) is None


@FAST
@given(manifests())
def test_table_names_differing_only_in_case_are_rejected(document):
    first = document["tables"][0]
    twin = {**first, "name": first["name"].swapcase()}
    assume(twin["name"] != first["name"] and twin["name"].lower() == first["name"].lower())
    tables = document["tables"] + [twin]
    assert _parse_or_reject(yaml.safe_dump({**document, "tables": tables}, allow_unicode=True).encode()) is None
