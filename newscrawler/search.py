"""Arabic-aware search terms: clitic variants for the index, the FTS5 query of what a user typed, snippets.

Pure functions (no database). The index side (``search_variants``) and the query side (``fts_query``) use the
same clitic rule, so that a word matches its forms with a conjunction, preposition or article glued on:

* ``clitic_variants("والقضاء")`` -> ``["القضاء", "قضاء"]``: every reading of a token with one proclitic sequence
  ``(و|ف)? (ب|ك|ل)? (ال)?`` (``ل`` + ``ال`` is written ``لل``) taken off. Several readings are kept because the
  letters are ambiguous (``وزير`` is a word, not و + ``زير``).
* The index holds each token as it is (``title_key``, ``body_key``) plus, in ``search_variants``, the readings
  of every token. A query word matches when it, or one of its own readings, is a token or a reading of a token:
  ``القضاء`` finds ``والقضاء`` and ``بالقضاء``; ``قضاء`` finds both; ``والقضاء`` finds ``القضاء``.
* ``--stem`` (``stem=True``) also strips suffixes (``light_stem``) and matches the stem as a prefix.

User input never reaches FTS5 syntax: every term is re-quoted here, only a trailing ``*`` (prefix) and
``"..."`` (phrase) are understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newscrawler.text import display_clean, light_stem, match_key

__all__ = ["Term", "clitic_variants", "fts_query", "parse_query", "search_variants", "snippet", "term_matcher"]

_CONJ = ("", "و", "ف")
_PREP = ("", "ب", "ك", "ل")


def _prefixes() -> list[tuple[str, bool]]:
    """Every proclitic sequence, with whether it contains the article (which allows a shorter remainder)."""
    out = []
    for c in _CONJ:
        for p in _PREP:
            for art in ("", "ال"):
                if p == "ل" and art:
                    seq, has_art = c + "لل", True  # ل + ال is written لل
                else:
                    seq, has_art = c + p + art, bool(art)
                if seq:
                    out.append((seq, has_art))
    return out


_PROCLITICS = _prefixes()
# A remainder must keep 3 letters after one-letter clitics (so وزير -> زير but not ولد -> لد), 2 after the
# article (اليد -> يد).
_MIN_REST = {True: 2, False: 3}


def clitic_variants(token: str) -> list[str]:
    """The readings of a match-key token with a proclitic sequence removed (the token itself not included),
    longest first."""
    out: list[str] = []
    for seq, has_art in _PROCLITICS:
        if token.startswith(seq) and len(token) - len(seq) >= _MIN_REST[has_art]:
            rest = token[len(seq) :]
            if rest not in out:
                out.append(rest)
    out.sort(key=lambda s: (-len(s), s))
    return out


def search_variants(*keys: str | None) -> str:
    """The ``search_variants`` column of an article: the clitic readings of every distinct token of its keys,
    once each (a bag for the index: order and position carry no meaning)."""
    seen: set[str] = set()
    out: list[str] = []
    for key in keys:
        for tok in (key or "").split():
            if tok in seen:
                continue
            seen.add(tok)
            for v in clitic_variants(tok):
                if v not in seen:
                    seen.add(v)
                    out.append(v)
    return " ".join(out)


@dataclass(frozen=True)
class Term:
    """One query term: a word, or a quoted phrase of several; ``prefix`` when it ended in ``*``."""

    tokens: tuple[str, ...]
    prefix: bool = False

    @property
    def phrase(self) -> bool:
        return len(self.tokens) > 1


_PART = re.compile(r'"([^"]*)"?(\*?)|([^\s"]+)')


def parse_query(text: str) -> list[Term]:
    """Terms of what a user typed: ``"..."`` phrases, words, a trailing ``*`` for a prefix. Everything is
    folded by ``match_key`` (so punctuation inside a word splits it, as it does in the index)."""
    terms: list[Term] = []
    for m in _PART.finditer(display_clean(text or "")):
        if m.group(3) is not None:  # a bare word
            raw = m.group(3)
            prefix = raw.endswith("*")
            toks = match_key(raw).split()
            if not toks:
                continue
            # "وزير-الصحة*": the pieces are words of their own, only the last can be a prefix
            terms.extend(Term((t,)) for t in toks[:-1])
            terms.append(Term((toks[-1],), prefix))
        else:
            toks = match_key(m.group(1)).split()
            if toks:
                terms.append(Term(tuple(toks), bool(m.group(2))))
    return terms


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


_KEY_COLUMNS = "{title_key body_key}"
_MAX_PHRASES = 32  # a phrase of several clitic-bearing words expands to the product of their readings


def _readings(token: str) -> list[str]:
    return [token, *clitic_variants(token)]


def _word_query(token: str, prefix: bool, stem: bool) -> str:
    forms = _readings(token)
    if stem:
        forms += [s for s in (light_stem(f) for f in forms) if s not in forms]
        prefix = True  # a stem stands for its suffixed forms
    star = "*" if prefix else ""
    alts = [_quote(f) + star for f in forms]  # every column: the keys and the readings
    return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"


def _phrase_query(tokens: tuple[str, ...], prefix: bool) -> str:
    # Phrases need positions: they match the key columns, with the query words' own clitics taken off
    # (the readings of each word, combined, up to _MAX_PHRASES phrases).
    combos: list[list[str]] = [[]]
    for tok in tokens:
        combos = [c + [r] for c in combos for r in _readings(tok)][:_MAX_PHRASES]
    star = "*" if prefix else ""
    alts = [f"{_KEY_COLUMNS} : " + _quote(" ".join(c)) + star for c in combos]
    return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"


def fts_query(text: str, *, stem: bool = False, prefix: bool = False) -> str:
    """The FTS5 MATCH expression for what a user typed (every term must match); ``""`` when nothing is left to
    search for. ``prefix=True`` makes every word a prefix, as a trailing ``*`` does. Never raises, and the result
    is always valid FTS5 syntax."""
    parts = []
    for term in parse_query(text):
        if term.phrase:
            parts.append(_phrase_query(term.tokens, term.prefix))
        else:
            parts.append(_word_query(term.tokens[0], term.prefix or prefix, stem))
    return " AND ".join(parts)


def term_matcher(text: str, *, stem: bool = False) -> list[tuple[set[str], bool]]:
    """For highlighting: per query token, the forms that count as a hit and whether they match as prefixes."""
    out = []
    for term in parse_query(text):
        for i, tok in enumerate(term.tokens):
            forms = set(_readings(tok))
            prefix = term.prefix and i == len(term.tokens) - 1
            if stem and not term.phrase:
                forms |= {light_stem(f) for f in forms}
                prefix = True
            out.append((forms, prefix))
    return out


def _hits(word_key: str, matchers: list[tuple[set[str], bool]]) -> bool:
    for tok in word_key.split():
        readings = _readings(tok)
        for forms, prefix in matchers:
            for r in readings:
                if r in forms or (prefix and any(r.startswith(f) for f in forms)):
                    return True
    return False


_WORD = re.compile(r"\S+")


def snippet(display: str, matchers: list[tuple[set[str], bool]], *, words: int = 24,
            mark: tuple[str, str] = ("**", "**")) -> str:
    """About ``words`` words of the display text around its first hit, each hit wrapped in ``mark``; the start
    of the text when nothing in it matches (the hit was in the title)."""
    spans = [(m.start(), m.end()) for m in _WORD.finditer(display or "")]
    if not spans:
        return ""
    # Words are folded (match_key, readings) only up to the first hit and inside the window, each distinct word
    # once: folding every word of every result cost more than the query itself (40 ms for 20 short articles).
    seen: dict[str, bool] = {}

    def hit(i: int) -> bool:
        word = display[spans[i][0] : spans[i][1]]
        if word not in seen:
            seen[word] = bool(matchers) and _hits(match_key(word), matchers)
        return seen[word]

    first = next((i for i in range(len(spans)) if hit(i)), 0) if matchers else 0
    lo = max(0, first - words // 3)
    hi = min(len(spans), lo + words)
    out = []
    for i in range(lo, hi):
        w = display[spans[i][0] : spans[i][1]]
        out.append(f"{mark[0]}{w}{mark[1]}" if hit(i) else w)
    return ("… " if lo else "") + " ".join(out) + (" …" if hi < len(spans) else "")
