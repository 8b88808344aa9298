"""Bytes to text for HTML pages whose charset is missing or wrong.

Order: byte-order mark, then the HTTP-declared charset, then ``<meta charset>`` / ``http-equiv``; each declared
charset is *verified* (it must decode, and the result must not look like mojibake for an Arabic page) before it
is trusted. Otherwise the body is decoded with each of utf-8, windows-1256, iso-8859-6 and cp720 and the candidate
whose non-ASCII characters look most like Arabic text wins. A cheap letter-share score is used instead of a
general detector because it is faster and, on Arabic legacy pages, more accurate (the three single-byte Arabic
code pages differ exactly in where they put the letters).
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_html"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

# Candidates tried when the declared charset is absent or fails verification, most common first.
_ARABIC_CANDIDATES = ("utf-8", "windows-1256", "iso-8859-6", "cp720")

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)
# UTF-8 Arabic read as latin-1/cp1252: lead bytes D8..DB become Ø Ù Ú Û followed by a continuation char.
_MOJIBAKE = re.compile("[\u00d8\u00d9\u00da\u00db][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3\u06fa-\u06ff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
# Characters that a correct decoding of an Arabic page produces besides letters (harakat, Arabic punctuation and
# digits, typographic punctuation): neutral in the score.
_NEUTRAL = re.compile("[\u064b-\u0670\u060c\u061b\u061f\u0660-\u0669\u06f0-\u06f9\u00a0\u00ab\u00bb\u2010-\u2027\u2030-\u203a\u00b0\u00a9\u00ae]")
# Latin letters glued to Arabic letters never occur in real text; they are the signature of the wrong code page.
_MIXED = re.compile("[\u0621-\u064a][A-Za-z\u00c0-\u024f]|[A-Za-z\u00c0-\u024f][\u0621-\u064a]")
_LATIN_CHARSETS = {"latin-1", "iso8859-1", "cp1252", "windows-1252", "iso-8859-1", "ascii", "us-ascii"}


def _norm_name(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:4096])
    return _norm_name(m.group(1).decode("ascii", "ignore")) if m else None


def arabic_score(text: str) -> float:
    """Share of the non-ASCII characters that look like correctly decoded Arabic (1.0 = all of them).

    Replacement characters, C1 controls and Latin letters glued to Arabic ones count against the candidate.
    """
    non_ascii = len(_NON_ASCII.findall(text))
    if not non_ascii:
        return 1.0
    good = len(_ARABIC_LETTER.findall(text)) + len(_NEUTRAL.findall(text))
    bad = text.count("\ufffd") * 2 + len(_MIXED.findall(text)) * 2
    bad += sum(1 for c in text if "\x80" <= c <= "\x9f")
    return (good - bad) / non_ascii


def _looks_mojibake(text: str) -> bool:
    hits = len(_MOJIBAKE.findall(text))
    return hits >= 3 and hits * 4 > len(_ARABIC_LETTER.findall(text))


def _try(body: bytes, enc: str) -> str | None:
    try:
        return body.decode(enc)
    except (UnicodeDecodeError, LookupError):
        if enc in ("utf-8", "utf-8-sig"):
            return _cut_truncated_utf8(body, enc)
        return None


def _cut_truncated_utf8(body: bytes, enc: str) -> str | None:
    """A UTF-8 body whose only fault is its last character cut short (a truncated download or gzip stream) is
    text up to its last whole character, not a wrong charset and not a replacement character."""
    for cut in (1, 2, 3):
        if len(body) > cut:
            try:
                return body[:-cut].decode(enc)
            except UnicodeDecodeError:
                continue
    return None


def _detect(body: bytes) -> tuple[str, str]:
    best: tuple[float, str, str] | None = None
    for enc in _ARABIC_CANDIDATES:
        text = _try(body, enc)
        if text is None:
            # Undefined bytes in iso-8859-6 (or broken UTF-8) still yield a candidate, scored with the damage.
            text = body.decode(enc, "replace")
        score = arabic_score(text)
        if enc == "utf-8" and "\ufffd" not in text:
            score += 0.5  # valid multi-byte UTF-8 almost never happens by chance in a legacy page
        if best is None or score > best[0]:
            best = (score, text, enc)
    assert best is not None
    if best[0] < 0.3:
        # Not Arabic in any of our code pages: let the general detector pick (e.g. a French latin-1 page).
        try:
            from charset_normalizer import from_bytes

            match = from_bytes(body[:200_000]).best()
            if match is not None and match.encoding:
                enc = _norm_name(match.encoding) or match.encoding
                text = _try(body, enc)
                if text is not None:
                    return text, enc
        except Exception:  # pragma: no cover - detector trouble must not break decoding
            pass
        if best[2] != "utf-8":
            return body.decode("cp1252", "replace"), "cp1252"
    return best[1], best[2]


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode an HTML page; return ``(text, encoding_used)``. Never raises. NUL characters are dropped: HTML
    parsers turn them into U+FFFD, which must never reach stored text (docs/reliability.md)."""
    text, encoding = _decode_html(body, declared)
    return (text.replace("\x00", "") if "\x00" in text else text), encoding


def _decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    if isinstance(body, str):  # tolerate callers that already decoded
        return body, "unicode"
    body = body or b""
    for bom, codec, label in _BOMS:
        if body.startswith(bom):
            text = _try(body, codec)
            if text is not None:
                return text.lstrip("\ufeff"), label
    if not body:
        return "", _norm_name(declared) or "utf-8"
    for enc in (_norm_name(declared), _meta_charset(body)):
        if not enc:
            continue
        if enc in ("utf-16-le", "utf-16-be", "utf-16", "utf-32"):
            continue  # a page without BOM that claims UTF-16 in ASCII meta is lying
        text = _try(body, enc)
        if text is None:
            if enc == "utf-8":
                # A handful of broken bytes in a UTF-8 page is common; only a majority means a wrong label.
                text = body.decode("utf-8", "replace")
                if text.count("\ufffd") * 50 < max(1, len(_NON_ASCII.findall(text))):
                    return text, "utf-8"
            continue
        if enc == "utf-8":
            if _looks_mojibake(text):
                fixed = _repair_double_utf8(text)
                if fixed is not None:
                    return fixed, "utf-8"
            return text, "utf-8"
        if enc != "utf-8" and _NON_ASCII.search(text):
            # Valid multi-byte UTF-8 almost never happens by chance: a page that decodes as UTF-8 is UTF-8
            # whatever its label says (CMS templates keep stale latin-1 declarations).
            utf = _try(body, "utf-8")
            if utf is not None:
                return utf, "utf-8"
        if enc in _LATIN_CHARSETS or enc.startswith(("iso8859", "cp125", "windows-125", "cp7", "cp8", "mac")):
            # Single-byte code pages decode anything, so check the result is plausible.
            if not _NON_ASCII.search(text):
                return text, enc
            score = arabic_score(text)
            if score >= 0.6:
                return text, enc
            alt_text, alt_enc = _detect(body)
            if alt_enc != enc and arabic_score(alt_text) > max(score, 0.3) + 0.2:
                return alt_text, alt_enc
            return text, enc
        return text, enc
    text = _try(body, "utf-8")
    if text is not None:
        if _looks_mojibake(text):
            fixed = _repair_double_utf8(text)
            if fixed is not None:
                return fixed, "utf-8"
        return text, "utf-8"
    return _detect(body)


def _cp1252_byte_map() -> dict[str, int]:
    # cp1252 as browsers and databases apply it: its five undefined bytes pass through as latin-1 controls.
    table = {}
    for b in range(256):
        try:
            table[bytes([b]).decode("cp1252")] = b
        except UnicodeDecodeError:
            table[chr(b)] = b
    for b in range(0x80, 0xA0):  # latin-1 reading of the same bytes
        table.setdefault(chr(b), b)
    return table


_CP1252_BYTES = _cp1252_byte_map()


def _repair_double_utf8(text: str) -> str | None:
    """Undo UTF-8 that was read as cp1252/latin-1 and re-encoded (``Ø§Ù„`` instead of ``ال``)."""
    try:
        raw = bytes(_CP1252_BYTES[c] if c in _CP1252_BYTES else 0x3F for c in text)
    except Exception:  # pragma: no cover
        return None
    fixed = raw.decode("utf-8", "replace")
    if arabic_score(fixed) > arabic_score(text) and fixed.count("\ufffd") * 20 < len(fixed):
        return fixed
    return None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The `charset=` parameter of a Content-Type header value, if any (`decode_html` verifies it)."""
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip("\"' "):
            return value.strip("\"' ")
    return None
