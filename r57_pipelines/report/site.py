"""The static report site: one page per database and per ministry, in Vietnamese and English.

Pages are plain HTML with their styles and charts inline, so the folder opens from disk with no
network and a single page can be sent on its own. Links are relative for the same reason.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import jinja2
import yaml

from r57_pipelines import locale_format
from r57_pipelines.readiness.check_wording import check_text, table_label
from r57_pipelines.readiness.policy import DIMENSIONS
from r57_pipelines.readiness.wording import delivery_finding, delivery_problem, suite_finding
from r57_pipelines.report.charts import line_chart
from r57_pipelines.report.data import TREND_COUNTS, ReportData

LANGUAGES = ("vi", "en")
TEMPLATES = "r57_pipelines.report"


@functools.cache
def strings() -> dict[str, dict[str, str]]:
    """`strings.yaml` turned round: language -> key -> text."""
    catalog = yaml.safe_load(resources.files(TEMPLATES).joinpath("strings.yaml").read_text(encoding="utf-8"))
    # An unquoted comma in a flow mapping ({vi: Bộ, ngành, ...}) makes a stray key: any key set but the
    # languages' is a mistake, not only a missing language.
    wrong = {key: sorted(texts) for key, texts in catalog.items() if set(texts) != set(LANGUAGES)}
    if wrong:
        raise ValueError(f"strings.yaml: keys whose texts are not exactly {LANGUAGES}: {wrong}")
    return {lang: {key: texts[lang] for key, texts in catalog.items()} for lang in LANGUAGES}


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(TEMPLATES, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(DIMENSIONS=DIMENSIONS, TREND_COUNTS=TREND_COUNTS, line_chart=line_chart)
    return env


class Page:
    """Where a page sits: `path` inside a language's folder, `depth` folders below it."""

    def __init__(self, path: str):
        self.path = path
        self.depth = path.count("/")

    @property
    def to_lang_root(self) -> str:
        return "../" * self.depth

    def link(self, path: str) -> str:
        return self.to_lang_root + path

    def other_language(self, lang: str) -> str:
        other = "en" if lang == "vi" else "vi"
        return "../" * (self.depth + 1) + f"{other}/{self.path}"


def render_site(data: ReportData, out: Path) -> list[Path]:
    """Write every page of `data` under `out` (vi/…, en/… and a root index); the written files."""
    env = _environment()
    pages = [("index.html", "front.html.j2", {})]
    pages += [(f"ministries/{code}.html", "ministry.html.j2", {"code": code}) for code in data.ministries]
    pages += [(f"databases/{db['id']}.html", "database.html.j2", {"db": db}) for db in data.databases]
    written = []
    for lang in LANGUAGES:
        t = strings()[lang]
        context = {
            "data": data, "lang": lang, "t": t,
            "num": functools.partial(locale_format.number, lang=lang),
            "date": functools.partial(locale_format.date, lang=lang),
            "moment": functools.partial(locale_format.moment, lang=lang),
            "check_said": lambda c, failing=False, _lang=lang: check_text(
                c.check_id, c.table_name, c.expectation_type, failing=failing).in_(_lang),
            "table_said": lambda name, _lang=lang: table_label(name).in_(_lang),
            "problem_said": lambda error, _lang=lang: delivery_problem(error).in_(_lang),
            "findings_said": lambda findings, _lang=lang: [delivery_finding(f).in_(_lang) for f in findings],
            "suite_finding_said": lambda finding, _lang=lang: suite_finding(finding).in_(_lang),
            "ministry_name": lambda code, _lang=lang: getattr(data.ministries[code], f"name_{_lang}"),
        }
        for path, template, extra in pages:
            target = out / lang / path
            target.parent.mkdir(parents=True, exist_ok=True)
            html = env.get_template(template).render(**context, **extra, page=Page(path))
            target.write_text(html, encoding="utf-8")
            written.append(target)
    root = out / "index.html"
    root.write_text(env.get_template("root.html.j2").render(t=strings(), data=data), encoding="utf-8")
    return [root, *written]
