"""`r57 status`: the national summary in the shape of the published status, then the at-risk list."""

from __future__ import annotations

PROGRAMME_TITLES = {
    "plan02_key": "Plan 02 key national databases",
    "r71": "Resolution 71 databases",
}


def format_status(document: dict) -> str:
    lines = [f"Readiness as of {document['as_of']} (run {document['run_id']})", ""]
    for programme, counts in document["summary"].items():
        lines.append(
            f"{PROGRAMME_TITLES.get(programme, programme)} ({counts['total']}): "
            f"{counts['foundational']} foundational, {counts['partial']} partial "
            f"({counts['partial_not_at_risk']} on track), {counts['not_started']} not started; "
            f"{counts['at_risk']} at risk"
        )
    at_risk = [d for d in document["databases"] if d["at_risk"]]
    lines += ["", f"At risk ({len(at_risk)}):"]
    for db in sorted(at_risk, key=lambda d: (d["programme"], d["ministry"], d["id"])):
        lines.append(f"  {db['ministry']:<6} {db['id']:<40} {db['tier']:<13} {'; '.join(db['risk_reasons'])}")
    return "\n".join(lines)
