"""The verdict's reasons said in English and Vietnamese, from the reviewed catalog reasons.yaml.

Values are passed typed and written in each language's own way (``locale_format``): an ``int`` or
``float`` as a number (3.330 / 3,330), a ``Share`` as a percentage, a date as a date, a ``Said`` in the
reason's language. Strings are used as they are.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

from r57_pipelines import locale_format
from r57_pipelines.validation.authored import is_suite_finding

LANGUAGES = ("en", "vi")
# Parameters whose values are words of the catalog, said in the reason's own language.
_VOCABULARY = {"tier": "tiers", "from_tier": "tiers", "dimension": "dimensions", "cadence": "cadences", "severity": "severities"}


@dataclass(frozen=True)
class Said:
    en: str
    vi: str

    def in_(self, lang: str) -> str:
        return getattr(self, lang)


@dataclass(frozen=True)
class Share:
    """A share 0..1, said as a percentage."""

    value: float
    digits: int = 1


@dataclass(frozen=True)
class Decimal:
    """A number said with a fixed number of decimals (a score: 93,3)."""

    value: float
    digits: int = 1


@functools.cache
def _catalog() -> dict:
    return yaml.safe_load(resources.files("r57_pipelines.readiness").joinpath("reasons.yaml").read_text(encoding="utf-8"))


def vocabulary(kind: str, value: str) -> Said:
    """A catalog word (a tier, a dimension, a cadence, a severity) in both languages."""
    return Said(**_catalog()[kind][value])


def _written(value: object, lang: str) -> str:
    match value:
        case Said():
            return value.in_(lang)
        case Share(share, digits):
            return locale_format.percent(share, lang, digits)
        case Decimal(number, digits):
            return locale_format.number(number, lang, digits)
        case bool():
            return str(value)
        case int():
            return locale_format.number(value, lang)
        case float():
            return locale_format.number(value, lang, 1)
        case dt.date():
            return locale_format.date(value, lang)
        case _:
            return str(value)


def say(key: str, **params: object) -> Said:
    """The reason `key` with `params` filled in, in both languages."""
    texts = _catalog()["texts"][key]

    def in_language(lang: str) -> str:
        words = {
            name: vocabulary(_VOCABULARY[name], value).in_(lang) if name in _VOCABULARY else _written(value, lang)
            for name, value in params.items()
        }
        return texts[lang].format(**words)

    return Said(*(in_language(lang) for lang in LANGUAGES))


def delivery_problem(error: str) -> Said:
    """A rejected delivery's recorded error ("<file>: <problem>") said in plain words, in both languages."""
    return _said_by_pattern(error, "delivery_problems")


def delivery_finding(finding: str) -> Said:
    """A loaded delivery's finding ("<file>: <finding>") said in plain words, in both languages."""
    return _said_by_pattern(finding, "delivery_findings")


def suite_finding(finding: str) -> Said:
    """An authored suite's problem ("<file>: expectation N (<type>): <problem>") said in words."""
    return _said_by_pattern(finding, "suite_findings")


def why_not_evaluated(reason: str) -> Said:
    """Why a check could not be evaluated, said in words: an authored suite's problem, or r57's own reason."""
    if is_suite_finding(reason):
        return suite_finding(reason)
    return _said_by_pattern(reason, "not_evaluated", names_a_file=False)


def _said_by_pattern(text: str, section: str, names_a_file: bool = True) -> Said:
    file, _, problem = text.partition(": ") if names_a_file else ("", "", text)
    for entry in _catalog()[section]:
        found = re.search(entry["match"], problem)
        if found:
            values = {"file": file, **found.groupdict()}
            return Said(entry["en"].format(**values), entry["vi"].format(**values))
    raise AssertionError(f"the last entry of {section} matches everything")
