"""Interface phrases that more than one extractor recognises, listed once so that the extractors agree.

Only the vocabulary lives here. Each caller compiles its own pattern from it, because the same phrases are matched
in different ways: the article body drops a teaser whose closing link's whole text is a "read more" phrase, and the
listing refuses as a headline any anchor text that opens with one. Entries are regular-expression fragments,
matched case-insensitively. This module imports nothing from the package, so that both ``newscrawler.listing``
and ``newscrawler.extract`` can import it (``newscrawler.extract`` itself imports ``newscrawler.listing``).
"""

from __future__ import annotations

__all__ = ["READ_MORE_PHRASES", "READ_MORE_WORDS"]

#: Texts of a link that only points on to a story ("اقرأ المزيد", "Read more »", "Lire la suite"), also when
#: more words follow them ("اقرأ التفاصيل كاملة").
READ_MORE_PHRASES: tuple[str, ...] = (
    r"(?:اقرأ|إقرأ|اقرا|قراءة)(?:\s*(?:المزيد|أكثر|التفاصيل|الخبر))?",
    r"المزيد",
    r"للمزيد",
    r"التفاصيل",
    r"تابع\s+القراءة",
    r"(?:read|see|view)\s+(?:more|all|full)",
    r"continue\s+reading",
    r"weiterlesen",
    r"lire\s+la\s+suite",
    r"en\s+savoir\s+plus",
    r"leer\s+más",
    r"lees\s+meer",
)

#: One-word labels that say "more" only when they are the whole text: as a first word they open headlines ("More
#: than 100 ...", "Mehrere Tote ...").
READ_MORE_WORDS: tuple[str, ...] = ("more", "mehr")
