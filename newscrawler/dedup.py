"""Duplicate keys and near-duplicate signatures (docs/design arabic-text.md 4.4).

Exact (step 1): ``content_hash`` and ``body_hash``. Near-duplicates (steps 2-5): ``shingles``, ``signature``,
``band_hashes``, ``estimate_similarity``, ``is_near_duplicate`` and the boilerplate helpers below. This module is
pure (no SQLite); ``newscrawler.store`` looks candidates up by band and applies ``is_near_duplicate``.

The hash functions take *match keys* (``newscrawler.text.match_key`` output), never display text: the key
already folds harakat, tatweel, alef/hamza forms, ة/ه, digits and punctuation, so two copies of the
same article that differ only in those respects hash the same.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable

import numpy as np

# Below this many key tokens a body is a stub (teaser, caption, "read more" line). Two different
# articles can share such a stub, so a body-only hash of it would merge unrelated articles.
BODY_HASH_MIN_WORDS = 30


def content_hash(title_key: str, body_key: str) -> str:
    """sha1 hex of ``title_key + "\\n" + body_key``: same headline and same text."""
    data = f"{title_key or ''}\n{body_key or ''}".encode()
    return hashlib.sha1(data).hexdigest()


def body_hash(body_key: str) -> str | None:
    """sha1 hex of the body key alone (same article under another headline).

    None when the body has fewer than ``BODY_HASH_MIN_WORDS`` tokens, so that short stubs never match.
    The key is re-joined on single spaces so stray whitespace cannot change the hash.
    """
    tokens = (body_key or "").split()
    if len(tokens) < BODY_HASH_MIN_WORDS:
        return None
    return hashlib.sha1(" ".join(tokens).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Near-duplicates (arabic-text.md 4.4 steps 2-5): the same story republished with small edits (dateline, footer,
# inserted paragraph, trimmed ending). Pure functions; the store does the SQL (candidate lookup by band, window).
#
# Why MinHash + LSH: the design doc's measurements (4.2) put these edits at word-5 Jaccard 0.70-0.98 with
# containment >= 0.86, unrelated articles at ~0; SimHash would need Hamming k ~ 12-16 to catch them, where a
# block index degenerates. LSH over the 128 MinHash values as b=32 bands of r=4 rows makes a pair a candidate
# with probability 1 - (1 - J^4)^32 = 0.87 / 0.99 / 1.00 at J = 0.5 / 0.6 / 0.7. The design doc's first layout,
# b=25 x r=5 (0.55 / 0.87 / 0.99), missed about one J~0.6 pair in eight (5 % of the words changed: issue 17's
# labelled set, docs/benchmarks.md), below the verification rule's own threshold; 32 x 4 makes candidacy no longer
# the limit there, and verification still rejects the extra near-miss candidates. The cost is more band rows per
# article and more (rejected) candidates at J 0.2-0.45 (0.05 at J = 0.2, 0.23 at 0.3); unrelated articles (J ~ 0)
# are still never candidates.
#
# The signature is our own small numpy implementation, not datasketch: for a 300-word body, datasketch 2.0's
# MinHash.update_batch (shared permutations) measured ~1 ms on the development machine against ~0.1-0.2 ms here
# (plus ~0.07 ms for the shingles); datasketch also pulls in scipy, and its 2.0 release changed the permutation
# scheme. Ours is fixed in this file, so signatures persisted in SQLite cannot change under a library upgrade.
# Scheme "v1": element hash = murmur3 fmix32(crc32(shingle bytes)); permutation i = (a_i * x + b_i) mod 2^32
# with a_i odd (a bijection, as datasketch's "affine32"); a_i, b_i derived from sha256, not from an RNG stream.
# Changing anything here changes every signature: bump MINHASH_SCHEME and recompute the stored ones.

MINHASH_SCHEME = "crc32-fmix32-affine32-v1"
NUM_PERM = 128
# The band layout: one place. Every stored article_bands row depends on it, so changing it needs a schema migration
# that rebuilds the table from articles.minhash (schema_sql.REBAND, migration 11 for 25 x 5 -> 32 x 4).
BANDS = 32  # b x r = all 128 values
ROWS = 4
if BANDS * ROWS > NUM_PERM:
    raise ValueError("the bands need more MinHash values than the signature has")
SHINGLE_WORDS = 5
CHAR_GRAM = 5
# Below BODY_HASH_MIN_WORDS (the stub threshold of body_hash) word shingles are too few to mean anything: such a
# body is fingerprinted by char 5-grams of title + body instead. The design doc puts this switch at 50 words;
# at 50 a story trimmed by one paragraph (57 -> 38 words in the demo) would fall on the other side of the
# switch and could never meet its original, while word 5-shingles of 30-49 words still give 26-45 shingles.
SHORT_BODY_WORDS = BODY_HASH_MIN_WORDS
# Fewer shingles than this: no signature (a headline-only stub cannot be told apart from its neighbours).
MIN_SHINGLES = 20

# Verification (4.4 step 4): estimated Jaccard >= 0.5, or containment >= 0.8 (a truncated republication),
# and publication times at most 72 h apart. Char-gram (short body) signatures also need overlapping titles:
# there the title is a large part of the evidence, and stubs of one site share their wording.
MIN_JACCARD = 0.5
MIN_CONTAINMENT = 0.8
MAX_HOURS_APART = 72.0
MIN_TITLE_JACCARD_SHORT = 0.3

_M32 = np.uint32(0xFFFFFFFF)


def _params(label: str, n: int) -> np.ndarray:
    raw = b"".join(
        hashlib.sha256(f"newscrawler:{MINHASH_SCHEME}:{label}:{i}".encode()).digest()[:8] for i in range(n)
    )
    return np.frombuffer(raw, dtype="<u8").copy()


_PERM_A = ((_params("a", NUM_PERM) & np.uint64(0xFFFFFFFF)) | np.uint64(1)).astype(np.uint32)[:, None]
_PERM_B = (_params("b", NUM_PERM) & np.uint64(0xFFFFFFFF)).astype(np.uint32)[:, None]
_BAND_MUL = _params("band-mul", ROWS) | np.uint64(1)
_BAND_SALT = _params("band-salt", BANDS)
_BLOCK = 192


def _fmix32(h: np.ndarray) -> np.ndarray:
    # murmur3 finalizer: crc32 is linear, this spreads its bits before the affine permutations
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def _fmix64(h: np.ndarray) -> np.ndarray:
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def is_short(body_key: str) -> bool:
    """True when ``shingles`` uses char 5-grams of title + body for this body (fewer than 30 key words)."""
    return len((body_key or "").split()) < SHORT_BODY_WORDS


def shingles(body_key: str, k: int = SHINGLE_WORDS, *, title_key: str = "") -> set[bytes]:
    """The set a near-duplicate signature is made of (UTF-8 bytes).

    Word ``k``-shingles of the body key; a body of fewer than ``SHORT_BODY_WORDS`` words gives char
    5-grams of ``title_key + " " + body_key`` instead (the lead is the whole of such a body). Keys are
    match keys, so spelling variants are already folded.
    """
    tokens = (body_key or "").split()
    if len(tokens) < SHORT_BODY_WORDS:
        text = " ".join(f"{title_key or ''} {' '.join(tokens)}".split())
        if len(text) < CHAR_GRAM:
            return set()
        return {text[i : i + CHAR_GRAM].encode() for i in range(len(text) - CHAR_GRAM + 1)}
    if len(tokens) <= k:
        return {" ".join(tokens).encode()}
    # slices of the encoded key between space positions (found by numpy): no per-shingle join, 2.4x faster
    data = " ".join(tokens).encode()
    spaces = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 32)
    starts = np.concatenate(([0], spaces + 1)).tolist()
    ends = np.concatenate((spaces, [len(data)])).tolist()
    return {data[s:e] for s, e in zip(starts[: len(starts) - k + 1], ends[k - 1 :], strict=True)}


def signature(shingle_set: Iterable[bytes]) -> np.ndarray:
    """MinHash signature: ``NUM_PERM`` uint32 values (scheme ``MINHASH_SCHEME``). Empty input: all 0xFFFFFFFF."""
    items = shingle_set if isinstance(shingle_set, (set, frozenset, list, tuple)) else list(shingle_set)
    if not items:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    x = _fmix32(np.fromiter(map(zlib.crc32, items), dtype=np.uint32, count=len(items)))
    # Blocks of _BLOCK shingles keep each temporary (128 x _BLOCK uint32) under glibc's 128 KB mmap threshold:
    # one 128 x 300 matrix measured 4x slower than three blocks, from page faults on every fresh mapping.
    out: np.ndarray | None = None
    for i in range(0, len(x), _BLOCK):
        block = _PERM_A * x[None, i : i + _BLOCK]
        block += _PERM_B
        low = block.min(axis=1)
        out = low if out is None else np.minimum(out, low, out=out)
    assert out is not None
    return out


def band_hashes(sig: np.ndarray) -> list[int]:
    """``BANDS`` signed 64-bit ints (SQLite INTEGER), one per band of ``ROWS`` values; band i's hash is salted
    with i, so equal hashes mean the same band and the same values in it."""
    rows = np.asarray(sig, dtype=np.uint32)[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    h = _fmix64((rows * _BAND_MUL).sum(axis=1, dtype=np.uint64) ^ _BAND_SALT)
    hashes: list[int] = h.view(np.int64).tolist()
    return hashes


def serialise(sig: np.ndarray) -> bytes:
    """The signature as stored in ``articles.minhash`` (512 bytes, little-endian uint32)."""
    return np.asarray(sig, dtype="<u4").tobytes()


def deserialise(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def estimate_similarity(
    sig_a: np.ndarray, sig_b: np.ndarray, size_a: int, size_b: int
) -> tuple[float, float]:
    """(estimated Jaccard, estimated containment) of two shingle sets from their signatures and sizes.

    Containment is ``|A & B| / min(|A|, |B|) = J (|A| + |B|) / ((1 + J) min(|A|, |B|))`` (4.4 step 4): 1.0
    when the shorter text is inside the longer one (a trimmed copy), however much shorter it is.
    """
    j = float(np.count_nonzero(np.asarray(sig_a) == np.asarray(sig_b))) / NUM_PERM
    small = min(size_a, size_b)
    if small <= 0:
        return j, 0.0
    return j, min(1.0, j * (size_a + size_b) / ((1.0 + j) * small))


def title_jaccard(title_key_a: str, title_key_b: str) -> float:
    a, b = set((title_key_a or "").split()), set((title_key_b or "").split())
    return len(a & b) / len(a | b) if a and b else 0.0


def is_near_duplicate(
    jaccard: float,
    containment: float,
    hours_apart: float | None,
    *,
    short: bool = False,
    title_overlap: float = 1.0,
) -> bool:
    """The verification rule (4.4 step 4) applied to a candidate found by band equality.

    ``hours_apart`` None (a date unknown) does not veto; ``short`` marks char-gram signatures, which also need
    ``title_overlap`` (title key token Jaccard) >= ``MIN_TITLE_JACCARD_SHORT``.
    """
    if hours_apart is not None and abs(hours_apart) > MAX_HOURS_APART:
        return False
    if short and title_overlap < MIN_TITLE_JACCARD_SHORT:
        return False
    return jaccard >= MIN_JACCARD or containment >= MIN_CONTAINMENT


_DIGITS = re.compile(r"\d")


def paragraph_fingerprints(body: str) -> list[tuple[int, str]]:
    """(fingerprint, paragraph) for each paragraph of a display body (paragraphs split on blank lines).

    The fingerprint is crc32 of the whitespace-collapsed paragraph with every digit as 0 (CCNet-style), so
    "© 2024" and "© 2025" footers count as one. Display text, not the match key: within one site a footer is
    rendered identically every time, and computing match keys per paragraph would double the normaliser's cost.
    """
    out = []
    for para in (body or "").split("\n\n"):
        text = " ".join(para.split())
        if text:
            out.append((zlib.crc32(_DIGITS.sub("0", text).encode()), text))
    return out


def strip_key_segments(body_key: str, segment_keys: Iterable[str]) -> str:
    """``body_key`` without the given (boilerplate paragraph) keys, matched on whole tokens."""
    padded = f" {body_key} "
    for seg in segment_keys:
        if seg:
            padded = padded.replace(f" {seg} ", " ")
    return " ".join(padded.split())


__all__ = [
    "BANDS", "MINHASH_SCHEME", "BODY_HASH_MIN_WORDS", "NUM_PERM", "ROWS",
    "band_hashes", "body_hash", "content_hash", "deserialise", "estimate_similarity", "is_near_duplicate",
    "is_short", "paragraph_fingerprints", "serialise", "shingles", "signature", "strip_key_segments",
    "title_jaccard",
]  # fmt: skip
