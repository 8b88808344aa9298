"""Arabic text normalisation: display text (tier D) and match keys (tier M).

The rules and their ids come from the team spec (``docs/text.md`` summarises them):

* ``display_clean`` (D1..D11) never changes what a reader sees; it only removes invisible characters, swaps
  code points for identically rendered ones and repairs spacing.
* ``match_key`` (M1..M7) folds aggressively for search and dedup; keys are never shown.
* ``light_stem`` (optional tier S) strips common clitics from key tokens, for search recall only.

Both main functions accept any ``str`` (lone surrogates included) and are idempotent;
``match_key(display_clean(x)) == match_key(x)`` holds for both display modes.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.entities import html5 as _HTML5_ENTITIES
from typing import Final, Literal

__all__ = ["NORMALISER_VERSION", "display_clean", "match_key", "normalise_fields", "light_stem"]

#: Stored with every row: keys computed by different versions must not be compared.
NORMALISER_VERSION: int = 1

_NFC: Final[Literal["NFC"]] = "NFC"

# ---------------------------------------------------------------------------------------------------------------
# Character classes, computed once from the running Python's Unicode database so that the classes and the
# normalisation forms always agree on the Unicode version.

# Arabic, Arabic Supplement, Arabic Extended-B/A, Presentation Forms-A/B (all in the BMP).
_ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _ranges_class(codepoints: list[int]) -> str:
    """Regex character-class body for a sorted list of code points, written as ranges."""
    parts: list[str] = []
    start = prev = -1  # -1: no range open (code points are >= 0)
    for cp in codepoints + [-2]:
        if start == -1:
            start = prev = cp
        elif cp == prev + 1:
            prev = cp
        else:
            a, b = re.escape(chr(start)), re.escape(chr(prev))
            parts.append(a if start == prev else f"{a}-{b}")
            start = prev = cp
    return "".join(parts)


def _build_classes() -> dict[str, list[int]]:
    wanted: dict[str, list[int]] = {"al": [], "am": [], "del_m4b": [], "mc": []}
    for lo, hi in _ARABIC_BLOCKS:
        for cp in range(lo, hi + 1):
            cat = unicodedata.category(chr(cp))
            if cat[0] == "L":
                wanted["al"].append(cp)
            elif cat[0] == "M":
                wanted["am"].append(cp)
    # Only the BMP is scanned: astral code points go through the (rare) slow path, see _ASTRAL below.
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        if cat in ("Mn", "Me", "Cf"):
            wanted["del_m4b"].append(cp)
        elif cat == "Mc":
            wanted["mc"].append(cp)
    return wanted


_CPS = _build_classes()
_C = {k: _ranges_class(v) for k, v in _CPS.items()}
_AL = _C["al"]  # Arabic letters (tatweel included: it is Lm)
_AM = _C["am"]  # Arabic combining marks
_TATWEEL = "\u0640"
# Hamza (U+0621) does not join, so a Farsi yeh before it is drawn in its final, dotless form (D7).
_AL_JOINING = _ranges_class([cp for cp in _CPS["al"] if cp != 0x0621])

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# --- D1 ---------------------------------------------------------------------------------------------------------
_ENTITY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});")


def _decode_entity(m: re.Match[str]) -> str:
    ent = m.group()
    if ent[1] == "#":
        return html.unescape(ent)
    # Exact lookup: html.unescape would also expand a known prefix (``&notit;`` -> ``¬it;``).
    return _HTML5_ENTITIES.get(ent[1:], ent)


def _unescape(s: str) -> str:
    # Repeated until stable: feeds escape twice or more (``&amp;quot;``), and a half-decoded ``&quot;`` left in
    # the display text would be decoded by the next call, breaking idempotency.
    while "&" in s:
        new = _ENTITY.sub(_decode_entity, s)
        if new == s:
            break
        s = new
    return s


# --- D2 ---------------------------------------------------------------------------------------------------------
_NEWLINES = re.compile("\r\n?|[\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")
_SURROGATE = re.compile("[\ud800-\udfff]")

# --- D3 ---------------------------------------------------------------------------------------------------------


def _build_presentation_table() -> dict[int, str]:
    table: dict[int, str] = {}
    harakat_forms = set(range(0xFE70, 0xFE80)) | set(range(0xFC5E, 0xFC64))
    for lo, hi in ((0xFB50, 0xFDFF), (0xFE70, 0xFEFE)):
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            out = unicodedata.normalize("NFKC", ch)
            if cp in harakat_forms:
                # NFKC gives SPACE+mark or TATWEEL+mark: the space would split the word it was typed in.
                out = out.replace(" ", "").replace(_TATWEEL, "")
            if out != ch:
                table[cp] = out
    table[0xFDFC] = "ريال"  # NFKC would give a Farsi yeh
    table[0xFDFD] = "بسم الله الرحمن الرحيم"  # no decomposition in Unicode
    return table


_PRESENTATION = _build_presentation_table()
_PRESENTATION_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")
# D3's ى+hamza-above is applied after NFC (D4); harakat (0 < ccc < 230) do not block the hamza, as in NFC itself.
_LOW_CCC_AM = _ranges_class(
    sorted(
        ord(c)
        for c in map(chr, range(0x0610, 0x0700))
        if unicodedata.category(c) == "Mn" and 0 < unicodedata.combining(c) < 230
    )
)
_ALEF_MAKSURA_HAMZA = re.compile(f"\u0649([{_LOW_CCC_AM}]*)\u0654")

# --- D5 ---------------------------------------------------------------------------------------------------------
_INVISIBLE: dict[int, str | None] = {0x200B: " "}
for _cp in (
    0x00AD,
    0x061C,
    0x180E,
    0x200E,
    0x200F,
    0xFEFF,
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2065),
    *range(0x2066, 0x206A),
):
    _INVISIBLE[_cp] = None
_INVISIBLE_RE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
# Everything D2, D3 and D5 act on, so that clean text costs a single scan.
_RARE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufb50-\ufdff\ufe70-\ufefe"
    + "".join(map(chr, _INVISIBLE))
    + "]"
)

# --- D6 ---------------------------------------------------------------------------------------------------------
_JOINERS = re.compile(f"(?<=[{_AL}{_AM}])[\u200c\u200d]+|[\u200c\u200d]+(?=[{_AL}{_AM}])")

# --- D7 ---------------------------------------------------------------------------------------------------------
_YEH_JOINING = re.compile(f"\u06cc(?=[{_AM}]*[{_AL_JOINING}])")

# --- D8 ---------------------------------------------------------------------------------------------------------
_ZS = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_SPACES_TITLE = re.compile(f"[\t\n{_ZS}]")
_SPACES_BODY = re.compile(f"[\t{_ZS}]")
_BODY_SPACES = re.compile(" {2,}")
_BODY_LINE_EDGES = re.compile(" *\n *")
_BODY_BLANKS = re.compile("\n{3,}")

# --- D9 ---------------------------------------------------------------------------------------------------------
_DOUBLE_MARK = re.compile(f"([{_AM}])\\1+")
# Every run of Arabic marks is a candidate; the callback looks at the base character (cheap: runs are rare).
_MARK_RUN = re.compile(f"[{_AM}]+")

# --- D10 --------------------------------------------------------------------------------------------------------
_TATWEEL_RUNS = re.compile(f"{_TATWEEL}+")
_KASHIDA_NEIGHBOURS = frozenset(chr(cp) for cp in _CPS["al"] + _CPS["am"] if cp != 0x0640)


def _tatweel_run(m: re.Match[str]) -> str:
    s, i, j = m.string, m.start(), m.end()
    if i > 0 and j < len(s) and s[i - 1] in _KASHIDA_NEIGHBOURS and s[j] in _KASHIDA_NEIGHBOURS:
        return ""
    return _TATWEEL


# --- D11 --------------------------------------------------------------------------------------------------------
_AR_PUNCT = "،؛؟"
_SPACE_BEFORE_AR_PUNCT = re.compile(f" +(?=[{_AR_PUNCT}])")
_AL_AM = frozenset(chr(cp) for cp in _CPS["al"] + _CPS["am"])


def _space_before_ar_punct(m: re.Match[str]) -> str:
    i = m.start()
    return "" if i > 0 and m.string[i - 1] in _AL_AM else m.group()


_GLUED_AFTER_AR_PUNCT = re.compile(f"([{_AR_PUNCT}])(?=[^\\W_])")
_QUOTES = '"“”„‟″＂'
_QUOTE_RE = re.compile(f"[{_QUOTES}]")
_GUILLEMETS = re.compile("[«»]")


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def _orphan_marks(m: re.Match[str]) -> str:
    s = m.string
    i = m.start() - 1
    if i >= 0 and s[i] in _AL_AM:  # the usual case: harakat on a letter
        return m.group()
    while i >= 0 and unicodedata.category(s[i])[0] == "M":  # non-Arabic marks before the run
        i -= 1
    if i < 0 or s[i] in " \n" or unicodedata.category(s[i])[0] == "P":
        return ""
    return m.group()


def _space_quotes(line: str) -> str:
    """D11: pair straight/curly double quotes in order and add the missing outer spaces."""
    pos = [m.start() for m in _QUOTE_RE.finditer(line)]
    if not pos or len(pos) % 2:
        return line
    out: list[str] = []
    prev = 0
    for k, i in enumerate(pos):
        if k % 2 == 0:  # opening quote: space before it
            if i > 0 and _is_word_char(line[i - 1]):
                out += (line[prev:i], " ")
                prev = i
        elif i + 1 < len(line) and _is_word_char(line[i + 1]):  # closing quote: space after it
            out += (line[prev : i + 1], " ")
            prev = i + 1
    if not out:
        return line
    out.append(line[prev:])
    return "".join(out)


def _space_guillemets(s: str) -> str:
    """D11: « gets a space before it and » a space after it when glued to a word."""
    out: list[str] = []
    prev = 0
    for m in _GUILLEMETS.finditer(s):
        i = m.start()
        if s[i] == "«":
            if i > 0 and _is_word_char(s[i - 1]):
                out += (s[prev:i], " ")
                prev = i
        elif i + 1 < len(s) and _is_word_char(s[i + 1]):
            out += (s[prev : i + 1], " ")
            prev = i + 1
    if not out:
        return s
    out.append(s[prev:])
    return "".join(out)


def _nfc_marks(s: str) -> tuple[str, bool]:
    """D4 NFC, D3's ى+hamza above, and D9's doubled marks: kept together because each can re-enable another.
    Also tells whether NFC had to reorder/compose again (see display_clean)."""
    renormalised = False
    for _ in range(4):
        if not unicodedata.is_normalized(_NFC, s):
            s = unicodedata.normalize(_NFC, s)  # D4
            renormalised = True
        if "\u0654" in s and "\u0649" in s:
            s = _ALEF_MAKSURA_HAMZA.sub("\u0626\\1", s)  # D3: ى + hamza above -> ئ
        new = _DOUBLE_MARK.sub(r"\1", s)  # D9: the same mark typed twice
        if new == s:
            break
        s = new
    return s, renormalised


def _one_pass(s: str, multiline: bool) -> tuple[str, bool]:
    # D1: HTML entities left in the text (double-escaped feeds).
    if "&" in s:
        s = _unescape(s)
    if _RARE.search(s):  # one scan decides whether D2, D3 and D5 have anything to do
        # D2: line separators -> \n; C0/C1 controls other than \t \n are deleted.
        if "\r" in s or "\u2028" in s or "\u2029" in s:
            s = _NEWLINES.sub("\n", s)
        s = _CONTROLS.sub("", s)
        if _SURROGATE.search(s):
            # Interpretation: lone surrogates cannot be stored as UTF-8; rejoin split pairs, replace the rest.
            s = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        # D3: presentation forms and ligatures -> the ordinary letters (harakat forms -> bare marks).
        if _PRESENTATION_RE.search(s):
            s = s.translate(_PRESENTATION)
        # D5: ZWSP -> space; bidi controls, soft hyphen, BOM and other invisibles deleted.
        if _INVISIBLE_RE.search(s):
            s = s.translate(_INVISIBLE)
    # D4 (early): canonical mark order before D6/D7/D10 look at what is next to a letter.
    if not unicodedata.is_normalized(_NFC, s):
        s = unicodedata.normalize(_NFC, s)
    # D6: ZWNJ/ZWJ next to Arabic letters, marks or tatweel have no role in Arabic.
    if "\u200c" in s or "\u200d" in s:
        s = _JOINERS.sub("", s)
    # D7: Persian-keyboard kaf/yeh -> the Arabic letters drawn the same way.
    if "\u06a9" in s:
        s = s.replace("\u06a9", "\u0643")
    if "\u06cc" in s:
        s = _YEH_JOINING.sub("\u064a", s).replace("\u06cc", "\u0649")
    # D8 (first half): tab and Zs spaces -> U+0020 (and, for titles, newlines too) so later rules see one space.
    s = (_SPACES_BODY if multiline else _SPACES_TITLE).sub(" ", s)
    # D10: kashida between letters/marks is justification only; a lone trailing tatweel (1447 هـ) stays.
    if _TATWEEL in s:
        s = _TATWEEL_RUNS.sub(_tatweel_run, s)
    # D4 (+ D3 ى+hamza, D9 doubled marks): after the deletions above, which can bring marks together.
    s, renormalised = _nfc_marks(s)
    # D9: marks with nothing to sit on (start, after whitespace or punctuation).
    s = _MARK_RUN.sub(_orphan_marks, s)
    # D11: spacing around Arabic comma/semicolon/question mark, guillemets and double quotes.
    if "،" in s or "؛" in s or "؟" in s:
        s = _SPACE_BEFORE_AR_PUNCT.sub(_space_before_ar_punct, s)
        s = _GLUED_AFTER_AR_PUNCT.sub(r"\1 ", s)
    if "«" in s or "»" in s:
        s = _space_guillemets(s)
    if _QUOTE_RE.search(s):
        # Bodies pair quotes per line: one stray quote must not flip the pairing of every later paragraph.
        s = "\n".join(map(_space_quotes, s.split("\n"))) if multiline else _space_quotes(s)
    # D8 (second half): collapse spaces; titles on one line, bodies keep at most one empty line between paragraphs.
    if not multiline:
        return " ".join(s.split()), not renormalised
    s = _BODY_SPACES.sub(" ", s)
    s = _BODY_LINE_EDGES.sub("\n", s)
    s = _BODY_BLANKS.sub("\n\n", s)
    return s.strip(" \n"), not renormalised


def display_clean(s: str, *, multiline: bool = False) -> str:
    """Tier D: the text to store and show. Titles (default) end up on one line; ``multiline=True`` keeps
    paragraph breaks (bodies). Never raises on a ``str``; idempotent."""
    out, settled = _one_pass(s, multiline)
    # Rare cases need another pass: deleting invisibles can assemble a new entity (``&am<RLM>p;``), and when the
    # deletions of D6/D10 merge runs of marks, NFC may reorder them so that a joiner or tatweel ends up next to an
    # Arabic mark. Passes repeat until nothing changes (bounded; real text needs one).
    for _ in range(8):
        if settled and ("&" not in out or _unescape(out) == out):
            break
        new, settled = _one_pass(out, multiline)
        if new == out:
            break
        out = new
    return out


# ---------------------------------------------------------------------------------------------------------------
# Tier M


def _ascii_digits(m: re.Match[str]) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in m.group())


_ARABIC_DIGITS = [(chr(0x0660 + i), str(i)) for i in range(10)] + [
    (chr(0x06F0 + i), str(i)) for i in range(10)
]
_DIGIT_CANDIDATES = re.compile(r"[^\D0-9]+")  # Nd digits other than ASCII
_M4B_BMP = re.compile(f"[{_C['del_m4b']}]+")
_M5_RARE = re.compile(
    "[\u0671-\u0674\u067e\u0686\u0698\u06a4\u06a8\u06a9\u06ad\u06af\u06c0\u06c1\u06cc\u06d2\u06d5]"
)
_M5 = str.maketrans(
    {
        "\u0671": "\u0627",  # ٱ
        "\u0672": "\u0627",
        "\u0673": "\u0627",
        "\u0674": None,  # high hamza
        "\u0649": "\u064a",  # ى -> ي
        "\u0629": "\u0647",  # ة -> ه
        "\u0640": None,  # tatweel
        "\u06cc": "\u064a",  # ی
        "\u06d2": "\u064a",  # ے
        "\u06a9": "\u0643",  # ک
        "\u06c0": "\u0647",  # ۀ
        "\u06c1": "\u0647",  # ہ
        "\u06d5": "\u0647",  # ە
        "\u06ad": "\u0643",  # ڭ
        "\u06af": "\u0643",  # گ
        "\u06a4": "\u0641",  # ڤ
        "\u06a8": "\u0642",  # ڨ
        "\u067e": "\u0628",  # پ
        "\u0686": "\u062c",  # چ
        "\u0698": "\u0632",  # ژ
    }
)
# M6 fast path, BMP only (astral characters go through _astral_m6): a run of non-word characters that holds
# at least one non-space becomes one space; plain single spaces are left alone (far fewer substitutions).
_NW = f"[^\\w{_C['mc']}\U00010000-\U0010ffff]|_"
_NW_NOT_SPACE = f"[^\\w{_C['mc']}\U00010000-\U0010ffff ]|_"
_M6_RUNS = re.compile(f" *(?:{_NW_NOT_SPACE})(?:{_NW})*")


def _has_astral(s: str) -> bool:
    return len(s.encode("utf-16-le", "surrogatepass")) != 2 * len(s)


def _astral_m4b(m: re.Match[str]) -> str:
    ch = m.group()
    return "" if unicodedata.category(ch) in ("Mn", "Me", "Cf") else ch


def _astral_m6(m: re.Match[str]) -> str:
    ch = m.group()
    return ch if unicodedata.category(ch)[0] in "LMN" else " "


def match_key(s: str) -> str:
    """Tier M: folded single-line key for search and dedup (never displayed). Idempotent, and
    ``match_key(display_clean(x)) == match_key(x)``."""
    return _key_of_clean(display_clean(s))


def normalise_fields(title: str, body: str, summary: str = "") -> dict[str, str | int]:
    """An article's stored text and keys: ``title``, ``body`` and ``summary`` display-cleaned, ``title_key`` and
    ``body_key``, and ``norm_version``. One function for the two places that do it (the extraction worker, and
    ``NormalisePipeline`` for items that arrive without it), so that their keys can never differ."""
    title = display_clean(title or "")
    body = display_clean(body or "", multiline=True)
    return {
        "title": title, "body": body, "summary": display_clean(summary or "", multiline=True),
        # the text is display-clean already: match_key's own first step would repeat the costliest pass
        "title_key": _key_of_clean(title), "body_key": _key_of_clean(body), "norm_version": NORMALISER_VERSION,
    }


def _key_of_clean(s: str) -> str:
    """``match_key`` of a text that is display-clean already."""
    s = unicodedata.normalize("NFKC", s)  # M1: compatibility forms (full-width, ligatures, NBSP, ellipsis)
    s = s.casefold()  # M2: Latin/Greek/... case
    # M3: ٦٧ = ۶۷ = 67 (the two Arabic digit sets by plain replace, any other Nd digits through the regex).
    for arabic, ascii_digit in _ARABIC_DIGITS:
        if arabic in s:
            s = s.replace(arabic, ascii_digit)
    if _DIGIT_CANDIDATES.search(s):
        s = _DIGIT_CANDIDATES.sub(_ascii_digits, s)
    s = s.replace("\u0624", "\u0621").replace("\u0626", "\u0621")  # M4a: مسؤول = مسئول
    # M4b: drop harakat, shadda, hamza marks (أ إ آ -> ا), Latin accents, format characters.
    # (The three common alef forms first, with str.replace: same result as NFD + deletion, much cheaper.)
    s = s.replace("\u0623", "\u0627").replace("\u0625", "\u0627").replace("\u0622", "\u0627")
    s = unicodedata.normalize("NFD", s)
    if _M4B_BMP.search(s):
        s = _M4B_BMP.sub("", s)
    astral = _has_astral(s)
    if astral:
        s = _ASTRAL.sub(_astral_m4b, s)
    s = unicodedata.normalize(_NFC, s)
    # M5: orthographic and Maghrebi/Persian letter variants (ى and ة are everywhere: plain replace).
    s = s.replace("\u0649", "\u064a").replace("\u0629", "\u0647").replace(_TATWEEL, "")
    if _M5_RARE.search(s):
        s = s.translate(_M5)
    s = _M6_RUNS.sub(" ", s)  # M6: punctuation, symbols, separators, controls -> space
    if astral:
        s = _ASTRAL.sub(_astral_m6, s)
    return " ".join(s.split()) if "  " in s or "\n" in s else s.strip(" ")  # M7


# ---------------------------------------------------------------------------------------------------------------
# Tier S (optional): Lucene ArabicStemmer-style light stemming of key tokens, for search recall only. Never use it
# for dedup keys. Inputs are keys, so ة/ى are already folded (ه/ي) and hamza seats are ء.

_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


def _stem_token(tok: str) -> str:
    for p in _PREFIXES:
        # The one-letter و needs a 4-letter word; other prefixes must leave at least 2 letters.
        if (len(tok) >= 4 if len(p) == 1 else len(tok) >= len(p) + 2) and tok.startswith(p):
            tok = tok[len(p) :]
            break
    for suf in _SUFFIXES:  # as in Lucene, every suffix is tried in turn, each must leave 2 letters
        if len(tok) >= len(suf) + 2 and tok.endswith(suf):
            tok = tok[: -len(suf)]
    return tok


def light_stem(key: str) -> str:
    """Tier S: strip one article/conjunction prefix and common suffixes from each token of a ``match_key``."""
    return " ".join(_stem_token(t) for t in key.split())
