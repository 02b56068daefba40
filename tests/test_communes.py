"""The commune reference list: equal to the official list in the vietnamadminunits package, and sane."""

from __future__ import annotations

import pytest

from r57_pipelines.domain.communes import COMMUNES_FILE, current_communes, merged_commune_codes, reference_version


def test_file_equals_the_package_data():
    pytest.importorskip("vietnamadminunits")
    from r57_pipelines.generate.reference import render_communes_yaml

    assert COMMUNES_FILE.read_text(encoding="utf-8") == render_communes_yaml(), "run `r57 reference`"


def test_official_codes_are_not_province_prefixed():
    communes = current_communes()
    first = {}
    for code in sorted(communes):
        first.setdefault(communes[code].province, code)
    assert (first["01"], first["79"]) == ("00004", "25747")
    assert not any(code.startswith(c.province) for code, c in communes.items())
    assert communes["00004"].name == "Ba Đình" and communes["00004"].kind == "Phường"


def test_merged_codes_are_old_units_only():
    merged = merged_commune_codes()
    assert "00001" in merged and not merged & set(current_communes())
    assert reference_version().startswith("vietnamadminunits ")
