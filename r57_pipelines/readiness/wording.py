"""The verdict's reasons said in English and Vietnamese, from the reviewed catalog reasons.yaml."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import yaml

LANGUAGES = ("en", "vi")
# Parameters whose values are words of the catalog, said in the reason's own language.
_VOCABULARY = {"tier": "tiers", "from_tier": "tiers", "dimension": "dimensions", "cadence": "cadences", "severity": "severities"}


@dataclass(frozen=True)
class Said:
    en: str
    vi: str


@functools.cache
def _catalog() -> dict:
    return yaml.safe_load(resources.files("r57_pipelines.readiness").joinpath("reasons.yaml").read_text(encoding="utf-8"))


def say(key: str, **params: object) -> Said:
    """The reason `key` with `params` filled in, in both languages."""
    catalog = _catalog()
    texts = catalog["texts"][key]

    def in_language(lang: str) -> str:
        words = {
            name: catalog[_VOCABULARY[name]][value][lang] if name in _VOCABULARY else value
            for name, value in params.items()
        }
        return texts[lang].format(**words)

    return Said(*(in_language(lang) for lang in LANGUAGES))
