"""The one list of newscrawler's own settings, and the check that names a misspelt one.

`newscrawler.settings` defines every `NEWSCRAWLER_*` setting with its default; that module is the list. Scrapy
accepts any name given with `-s`, so `-s NEWSCRAWLER_REFETCH_KNWON=1` would otherwise be ignored in silence.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from newscrawler import settings as _defaults

PREFIX = "NEWSCRAWLER_"


def known_settings() -> list[str]:
    """Every NEWSCRAWLER_* setting the code reads, sorted."""
    return sorted(name for name in vars(_defaults) if name.startswith(PREFIX))


def unknown_setting_warnings(names: Iterable[str]) -> list[str]:
    """One line per NEWSCRAWLER_* name that is not a setting, with the closest known name when there is one."""
    known = known_settings()
    lines = []
    for name in sorted(set(names)):
        if not name.startswith(PREFIX) or name in known:
            continue
        # compared without the shared prefix, which would make every name look close to every other
        close = difflib.get_close_matches(name.removeprefix(PREFIX), [k.removeprefix(PREFIX) for k in known], n=1)
        hint = f" (did you mean {PREFIX}{close[0]}?)" if close else f" (known: {', '.join(known)})"
        lines.append(f"unknown setting {name} is ignored{hint}")
    return lines
