"""Exact-duplicate keys (docs/design arabic-text.md 4.4, step 1).

Both functions take *match keys* (``newscrawler.text.match_key`` output), never display text: the key
already folds harakat, tatweel, alef/hamza forms, ة/ه, digits and punctuation, so two copies of the
same article that differ only in those respects hash the same.
"""

from __future__ import annotations

import hashlib

# Below this many key tokens a body is a stub (teaser, caption, "read more" line). Two different
# articles can share such a stub, so a body-only hash of it would merge unrelated articles.
MIN_BODY_WORDS = 30


def content_hash(title_key: str, body_key: str) -> str:
    """sha1 hex of ``title_key + "\\n" + body_key``: same headline and same text."""
    data = f"{title_key or ''}\n{body_key or ''}".encode()
    return hashlib.sha1(data).hexdigest()


def body_hash(body_key: str) -> str | None:
    """sha1 hex of the body key alone (same article under another headline).

    None when the body has fewer than ``MIN_BODY_WORDS`` tokens, so that short stubs never match.
    The key is re-joined on single spaces so stray whitespace cannot change the hash.
    """
    tokens = (body_key or "").split()
    if len(tokens) < MIN_BODY_WORDS:
        return None
    return hashlib.sha1(" ".join(tokens).encode()).hexdigest()
