"""The exit codes of the `newscrawler` command (docs/operators.md, "Exit codes"), and what makes a crawl unhealthy.

cron and systemd only see the exit code, so a run that finished without getting anything must not exit 0.
"""

from __future__ import annotations

import json
from typing import Any

OK = 0
UNHEALTHY = 1  # crawl: the run got nothing, lost its writes or its extraction; health: a flag is up
USAGE = 2  # bad option, sources file, date or database
LOCKED = 3  # another crawl holds this database's run lock

# reject reasons that say the extraction failed, not the page (a crashed or killed worker process included)
EXTRACTION_FAILURES = ("parse_error", "worker_crash", "extract_timeout")


def _json(value: Any) -> Any:
    return json.loads(value or "{}") if isinstance(value, str) else (value or {})


def crawl_problems(run: dict[str, Any]) -> list[str]:
    """Why a finished crawl is unhealthy (empty: healthy). One line each, for the run summary."""
    if not run:
        return ["the crawl did not finish a run record"]
    problems = []
    stats = _json(run.get("stats"))
    reasons = _json(run.get("rejects_by_reason"))
    by_source = _json(run.get("by_source"))
    stored = sum(int(run.get(c) or 0) for c in ("articles_new", "articles_seen", "duplicates"))
    answered = {source for source, counts in by_source.items()
                if any(int(counts.get(c) or 0) for c in ("pages", "articles_new", "articles_seen", "duplicates",
                                                          "articles_touched"))}
    sources = run.get("sources")
    sources = json.loads(sources) if isinstance(sources, str) else (sources or [])
    # a --due run with nothing due makes no request: nothing to get, nothing wrong
    if sources and not answered and int(run.get("requests") or 0):
        problems.append(f"no source fetched anything ({int(run.get('rejects') or 0)} rejects: "
                        + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) + ")")
    failed = sum(int(reasons.get(r) or 0) for r in EXTRACTION_FAILURES)
    if failed and not stored:
        problems.append(f"every fetched article failed extraction ({failed} parse_error, worker_crash or "
                        "extract_timeout rejects)")
    write_errors = int(stats.get("write_errors") or 0)
    if run.get("status") == "store_error" and not write_errors:
        # the run record itself could not be written (still a full disk): its status is all that is known
        problems.append("writes to the database failed (disk full? see the log); the run stopped")
    if write_errors:
        problems.append(f"{write_errors} writes to the database failed (disk full? see the log); "
                        "what they held stays pending for the next run")
    return problems
