"""From check outcomes to a verdict: scores, tiers, at-risk reasons, history (docs/readiness.md)."""
