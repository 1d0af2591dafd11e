"""Rule health: how much of a site's archived articles its own rules extracted, run by run.
A layout change shows first as articles falling back to the generic extractor, while the
crawl itself still "succeeds"; a drop against the runs before is flagged."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

RULES = "rules"
IGNORED = ("canonical_url",)
"""Fields whose provenance says nothing about the site's rules (the canonical link is read generically)."""
DROP = 0.2
"""A share this far under the median of the runs before is flagged."""
WINDOW = 5


def rules_share(provenance: dict | None) -> float | None:
    """The share of a version's fields that came from the site's rules (None: no provenance)."""
    sources = [v for k, v in (provenance or {}).items() if k not in IGNORED]
    return sum(v == RULES for v in sources) / len(sources) if sources else None


@dataclass(frozen=True)
class RunHealth:
    run_id: int
    articles: int
    share: float
    flagged: bool


def run_health(runs: list[tuple[int, int, int, int]]) -> list[RunHealth]:
    """Per run (oldest first: run id, versions archived, fields from rules, fields with a
    provenance), the share from rules, flagged when it falls ``DROP`` under the median of the
    ``WINDOW`` runs before. Runs that archived nothing are left out."""
    out: list[RunHealth] = []
    for run_id, versions, from_rules, fields in runs:
        if not fields:
            continue
        share = from_rules / fields
        before = [h.share for h in out[-WINDOW:]]
        flagged = bool(before) and share < median(before) - DROP
        out.append(RunHealth(run_id, versions, share, flagged))
    return out
