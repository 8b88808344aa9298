"""Interface phrases that more than one extractor recognises, listed once so that the extractors agree.

Only the vocabulary lives here. Each caller compiles its own pattern from it, because the same phrases are matched
in different ways: the article body drops a teaser whose closing link's whole text is a "read more" phrase or
label, and the listing refuses as a headline any anchor text that opens with a phrase or is a label. Entries are
regular-expression fragments, matched case-insensitively. This module imports nothing from the package, so that
both ``newscrawler.listing`` and ``newscrawler.extract`` can import it (``newscrawler.extract`` itself imports
``newscrawler.listing``).
"""

from __future__ import annotations

__all__ = ["READ_MORE_PHRASES", "READ_MORE_LABELS"]

#: Imperatives that only point on to a story ("اقرأ المزيد", "Read more »", "Lire la suite"), also when more
#: words follow them ("اقرأ التفاصيل كاملة", "Read more about the harbour"): headlines do not open with them.
READ_MORE_PHRASES: tuple[str, ...] = (
    r"(?:اقرأ|إقرأ|اقرا)(?:\s*(?:المزيد|أكثر|التفاصيل|الخبر))?",
    r"تابع\s+القراءة",
    r"(?:read|see|view)\s+(?:more|all|full)",
    r"continue\s+reading",
    r"weiterlesen",
    r"lire\s+la\s+suite",
    r"en\s+savoir\s+plus",
    r"leer\s+más",
    r"lees\s+meer",
)

#: Labels that say "more" or "details" only when they are the whole text: as a first word they open real
#: headlines ("المزيد من الأمطار ...", "قراءة في الصحف ...", "التفاصيل الكاملة لـ ...", "More than 100 ...",
#: "Mehrere Tote ...").
READ_MORE_LABELS: tuple[str, ...] = (
    r"قراءة(?:\s*(?:المزيد|أكثر|التفاصيل|الخبر))?",
    r"المزيد",
    r"للمزيد",
    r"التفاصيل",
    r"more",
    r"mehr",
)
