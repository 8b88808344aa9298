"""Headlines by title: is this headline's story the story of that title? (docs/schema.md "Stories").

Pure functions of match keys (``newscrawler.text.match_key`` output). Title similarity is weak evidence for short
Arabic titles: two different stories share a topic ("زلزال", "وزير الصحة") and often half their words. So the rule
is conservative and is used only for a headline whose article is not stored (when it is, the article's body decides,
through the near-duplicate rules of ``newscrawler.dedup``). Two titles are the same story when

- they share at least ``MIN_SHARED_WORDS`` content words (function words and words under 3 letters left out, a
  leading conjunction / preposition / article folded: ``للطب`` and ``الطب`` are one word), and
- the character 3-gram Jaccard of those folded words is at least ``MIN_GRAM_JACCARD``, and
- the shared words are at least ``MIN_WORD_CONTAINMENT`` of the shorter title's content words.

A topic shared by two stories passes the first test and fails the others: the rest of the title differs.
"""

from __future__ import annotations

from functools import lru_cache

MIN_SHARED_WORDS = 3
MIN_GRAM_JACCARD = 0.6
MIN_WORD_CONTAINMENT = 0.8

# Function words (in match-key spelling: ى->ي, ة->ه, hamza forms folded) that say nothing about the story.
_STOP = frozenset(
    "في من الي علي عن مع بعد قبل ان او ثم الذي التي الذين هذا هذه ذلك تلك بين حول خلال منذ عند لدي كل غير بعض "
    "ما لا لم لن قد هو هي هم كان كانت يكون تكون وفي ومن وعلي".split()
)
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")


def _fold(word: str) -> str:
    """Drop a leading و / ب / ل / ال cluster when at least 3 letters remain (clitics change, the word does not)."""
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix) :]
    if word[:1] in ("و", "ب", "ل", "ف") and len(word) >= 5:
        return word[1:]
    return word


@lru_cache(maxsize=65_536)  # a title is compared with many candidates, and candidates recur
def content_words(title_key: str) -> tuple[str, ...]:
    """The folded content words of a title key, in order (digits kept: "5 درجات" and "6 درجات" differ)."""
    out = []
    for word in (title_key or "").split():
        if word in _STOP:
            continue
        folded = _fold(word)
        if len(folded) >= 3 or folded.isdigit():
            out.append(folded)
    return tuple(out)


@lru_cache(maxsize=65_536)
def _grams(words: tuple[str, ...]) -> frozenset[str]:
    text = " " + " ".join(words) + " "
    return frozenset(text[i : i + 3] for i in range(len(text) - 2))


def title_similarity(title_key_a: str, title_key_b: str) -> tuple[int, float, float]:
    """(shared content words, char 3-gram Jaccard, shared words / the shorter title's content words)."""
    a, b = content_words(title_key_a), content_words(title_key_b)
    if not a or not b:
        return 0, 0.0, 0.0
    shared = len(set(a) & set(b))
    ga, gb = _grams(a), _grams(b)
    jaccard = len(ga & gb) / len(ga | gb)
    return shared, jaccard, shared / min(len(set(a)), len(set(b)))


def same_story_title(title_key_a: str, title_key_b: str) -> bool:
    """The conservative title rule (module docstring)."""
    shared, jaccard, containment = title_similarity(title_key_a, title_key_b)
    return shared >= MIN_SHARED_WORDS and jaccard >= MIN_GRAM_JACCARD and containment >= MIN_WORD_CONTAINMENT


def lookup_words(title_key: str) -> list[str]:
    """The words to find candidate titles by (sorted): each content word as written and folded. A match shares at
    least ``MIN_SHARED_WORDS`` folded content words, so it contains at least one of these."""
    out: set[str] = set()
    for word in (title_key or "").split():
        if word not in _STOP:
            folded = _fold(word)
            if len(folded) >= 3 or folded.isdigit():
                out.update((word, folded))
    return sorted(out)
