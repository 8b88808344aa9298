"""Date strings to aware datetimes, for Arabic (Moroccan first), French and English news pages.

How a string is parsed (design: ``arabic-text.md`` section 5.2):

1. machine formats first: ISO 8601 and RFC 2822 (feeds); an explicit offset is kept as written;
2. the string is *prepared*: NFKC, bidi marks, tatweel and harakat removed, Arabic-Indic digits to ASCII,
   labels (``آخر تحديث:``, ``نشر في``, ``Publié le``...) and ``على الساعة`` dropped, ``18h05`` -> ``18:05``,
   ``|``, ``،`` and spaced dashes turned into spaces;
3. a fast path of our own: numeric ``dd/mm/yyyy`` (day first), ``[weekday] d month yyyy [hh:mm [ص|م]]`` with a
   table of every regional Arabic month name and the unambiguous month names of fifteen European languages,
   East Asian ``2024年3月12日``, and relative forms (``منذ 3 ساعات``, ``أمس``, ``il y a 2 jours``);
4. only then ``dateparser``, one locale per call (the page's or source's locale, then ar-MA, ar-DZ, ar-LB for
   Arabic script, fr and en for Latin script), never with language auto-detection: on Arabic it picks Uyghur,
   Urdu or Persian and can return a wrong date instead of None. A year-less result takes its year from the
   caller's evidence (``year_anchor``).

A date needs at least a day and a month: ``2025`` or ``نونبر 2025`` give None rather than an invented day.
"""

from __future__ import annotations

import email.utils
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_TZ", "DateResult", "YearAnchor", "date_from_url", "is_day_month", "parse_date", "pick_published",
    "to_utc_iso",
]

DEFAULT_TZ = "Africa/Casablanca"

# A published date a few minutes ahead of the fetch is clock skew (returned as the fetch time); more than that
# is a wrong date (a countdown, an event date in a script: trafilatura#72).
FUTURE_TOLERANCE = timedelta(minutes=10)
_MIN_YEAR, _MAX_YEAR = 1900, 2100

# --- month names ------------------------------------------------------------------------------------
# Keys are written naturally and folded by `_fold` when the table is built, so hamza/alef spellings
# (أكتوبر, اكتوبر, إبريل) and French accents (août, aout) all hit.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("يناير", "جانفي", "جانفييه", "كانون الثاني", "كانون ثاني", "january", "jan", "janvier", "janv"),
    2: ("فبراير", "فيفري", "شباط", "february", "feb", "février", "fevrier", "févr", "fevr", "fév", "fev"),
    3: ("مارس", "آذار", "march", "mar", "mars"),
    4: ("أبريل", "ابريل", "إبريل", "أفريل", "افريل", "نيسان", "april", "apr", "avril", "avr"),
    5: ("مايو", "ماي", "أيار", "may", "mai"),
    6: ("يونيو", "يونيه", "جوان", "حزيران", "june", "jun", "juin"),
    7: ("يوليو", "يوليه", "يوليوز", "جويلية", "جويليه", "تموز", "july", "jul", "juillet", "juil"),
    8: ("أغسطس", "اغسطس", "غشت", "أوت", "اوت", "آب", "august", "aug", "août", "aout"),
    9: ("سبتمبر", "شتنبر", "أيلول", "september", "sep", "sept", "septembre"),
    10: ("أكتوبر", "اكتوبر", "تشرين الأول", "تشرين أول", "october", "oct", "octobre"),
    11: ("نوفمبر", "نونبر", "تشرين الثاني", "تشرين ثاني", "november", "nov", "novembre"),
    12: ("ديسمبر", "دجنبر", "كانون الأول", "كانون أول", "december", "dec", "décembre", "decembre", "déc"),
}

# Month names of the European languages of the real-page sets (German, Spanish, Portuguese, Italian, Dutch,
# Romanian, Scandinavian, Croatian/Bosnian/Serbian Latin, Polish, Czech, Turkish, Indonesian), nominative and
# genitive, only where a spelling means the same month in every language listed: `listopad` is October in
# Croatian and November in Czech and Polish, so it is left to dateparser with the page's language.
# Measured on the visible-only benchmark (docs/dates.md): the table reads them in microseconds, dateparser in
# milliseconds per string.
_MONTH_NAMES_EU: dict[int, tuple[str, ...]] = {
    1: ("januar", "jänner", "jaenner", "enero", "ene", "janeiro", "gennaio", "gen", "januari", "ianuarie", "ian",
        "siječanj", "siječnja", "sijecnja", "styczeń", "stycznia", "leden", "ledna", "ocak", "janvāris"),
    2: ("februar", "feber", "febrero", "fevereiro", "febbraio", "februari", "februarie", "veljača", "veljače",
        "luty", "lutego", "únor", "února", "şubat", "subat"),
    3: ("märz", "maerz", "mrz", "mär", "marzo", "março", "marco", "maart", "mrt", "martie", "marts", "mart",
        "ožujak", "ožujka", "ozujka", "marzec", "marca", "březen", "března", "maret"),
    4: ("abril", "abr", "aprile", "aprilie", "travanj", "travnja", "kwiecień", "kwietnia", "duben", "dubna",
        "nisan"),
    5: ("mayo", "maio", "maggio", "mag", "mei", "maj", "svibanj", "svibnja", "maja", "květen", "května", "mayıs",
        "mayis"),
    6: ("juni", "junio", "junho", "giugno", "giu", "iunie", "iun", "lipanj", "lipnja", "czerwiec", "czerwca",
        "červen", "června", "haziran"),
    7: ("juli", "julio", "julho", "luglio", "lug", "iulie", "iul", "srpanj", "srpnja", "lipiec", "lipca",
        "červenec", "července", "temmuz"),
    8: ("agosto", "ago", "augustus", "augusti", "avgust", "kolovoz", "kolovoza", "sierpień", "sierpnia", "srpen",
        "srpna", "ağustos", "agustos", "agustus"),
    9: ("septiembre", "setiembre", "setembro", "settembre", "set", "septembrie", "septembar", "rujan", "rujna",
        "wrzesień", "września", "září", "eylül", "eylul"),
    10: ("oktober", "okt", "octubre", "outubro", "ottobre", "ott", "octombrie", "oktobar", "październik",
         "października", "říjen", "října", "ekim"),
    11: ("noviembre", "novembro", "noiembrie", "noi", "novembar", "studeni", "studenoga", "studenog", "kasım",
         "kasim"),
    12: ("dezember", "dez", "diciembre", "dic", "dezembro", "dicembre", "desember", "decembrie", "decembar",
         "prosinac", "prosinca", "grudzień", "grudnia", "prosinec", "prosince", "aralık", "aralik"),
}

_WEEKDAYS = (
    "الأحد", "الاثنين", "الإثنين", "الأثنين", "الثلاثاء", "الثلاثا", "الأربعاء", "الاربعاء", "الخميس",
    "الجمعة", "السبت",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)  # fmt: skip

# Labels in front of a date. Longest first so `نشر بتاريخ` is removed whole, not as `نشر` + `بتاريخ`.
_LABELS = (
    "آخر تحديث", "اخر تحديث", "آخر تعديل", "تاريخ النشر", "تاريخ التحديث", "تم النشر في", "تم النشر",
    "تم التحديث", "نشر في", "نشر بتاريخ", "نشر يوم", "نشر", "حدث في", "محدث", "بتاريخ", "تاريخ",
    "publié le", "publie le", "publié", "mis à jour le", "mis à jour", "mise à jour le", "mise à jour",
    "modifié le", "date de publication", "published on", "published", "updated on", "updated",
    "last updated", "posted on", "posted", "date", "le",
    # publication and update labels of the other languages the month tables read
    "veröffentlicht am", "veröffentlicht", "aktualisiert am", "aktualisiert", "zuletzt aktualisiert", "stand",
    "publicado el", "publicado em", "publicado", "actualizado el", "actualizado", "atualizado em", "atualizado",
    "pubblicato il", "pubblicato", "aggiornato il", "aggiornato", "gepubliceerd op", "gepubliceerd",
    "bijgewerkt op", "bijgewerkt", "publicat", "actualizat", "publicerad", "uppdaterad", "publisert",
    "oppdatert", "publiceret", "opdateret", "objavljeno", "ažurirano", "güncelleme", "güncellenme",
    "yayınlanma", "opublikowano", "zaktualizowano", "diterbitkan", "diperbarui",
)  # fmt: skip

_AM = {"ص", "صباحا", "صباح", "am", "a.m."}
_PM = {"م", "مساء", "مساءا", "ظهرا", "بعد الظهر", "ليلا", "pm", "p.m."}


def _fold(text: str) -> str:
    """Fold for table look-ups only: hamza/madda on alef, ى/ي, ة/ه, accents, case, dots."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("ى", "ي").replace("ة", "ه").replace(".", "").strip()


_MONTHS: dict[str, int] = {
    _fold(name): num for table in (_MONTH_NAMES, _MONTH_NAMES_EU) for num, names in table.items() for name in names
}

# --- preparation ------------------------------------------------------------------------------------
_INVISIBLE_RE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_HARAKAT_RE = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alef and tatweel
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LABEL_RE = re.compile(
    r"(?:(?<=\s)|^)(?:" + "|".join(re.escape(x) for x in sorted(_LABELS, key=len, reverse=True)) + r")(?![^\s:])\s*:?\s*",
    re.IGNORECASE,
)
_WEEKDAY_RE = re.compile(
    r"(?:(?<=\s)|^)(?:يوم\s+)?(?:" + "|".join(re.escape(x) for x in _WEEKDAYS) + r")\b\.?",
    re.IGNORECASE,
)
_AT_RE = re.compile(
    r"(?:على\s+الساعة|في\s+الساعة|الساعة|(?<=\s)(?:في|على)(?=\s+\d)|\b(?:à|at|um|om|às|alle|ore|a\s+las|"
    r"kl\.?|klo|u)(?=\s*\d{1,2}[:.h]\d{2})|(?<=\d)\s*uhr\b)",
    re.I,
)
# East Asian dates: `2024年3月12日 10時30分`, `2024년 3월 12일` -> `2024/3/12 10:30`.
_CJK_DATE_RE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_CJK_TIME_RE = re.compile(r"(\d{1,2})\s*[時时시]\s*(\d{1,2})\s*[分분]")
# `2. März 2024` (German, Scandinavian, Croatian) and `12 de marzo de 2024` (Spanish, Portuguese): the day's
# dot and the `de` linking words go, leaving the `d month yyyy` form the tables read.
_DAY_DOT_RE = re.compile(r"(?<![\d.])(\d{1,2})\.(?=\s*[^\W\d_])")
# `07 - 10 - 2025` (aggregator attribution lines space the dashes): one numeric date, before spaced dashes
# become separators.
_SPACED_NUMERIC_RE = re.compile(r"(?<![\d/.-])(\d{1,2})\s+[-/.]\s+(\d{1,2})\s+[-/.]\s+(\d{4})(?!\d)")
_YEAR_DOT_RE = re.compile(r"(?<![\d.])(\d{4})\.(?=\s|$)")  # Croatian and Serbian end the year with a dot
_DE_RE = re.compile(r"(?<=\d)\s+de\s+(?=[^\W\d_])|(?<=[^\W\d_])\s+del?\s+(?=\d{4})", re.I)
_HOUR_H_RE = re.compile(r"\b(\d{1,2})\s*[hH]\s*(\d{2})\b|\b(\d{1,2})\s*[hH](?=\s|$)")
_SEPARATORS_RE = re.compile(r"[|،,؛;•·]|\s[-–—]+\s|\s[-–—]+$|^[-–—]+\s")
# `2025م` / `2025 م` before a time is the Gregorian-era marker, not "PM".
_ERA_RE = re.compile(r"(\d{4})\s*م(?=\s+\d|\s*$)(?!\s*\d{1,2}:)")


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_RE.sub("", text)
    text = _HARAKAT_RE.sub("", text)
    text = text.translate(_DIGITS)
    text = _CJK_DATE_RE.sub(r" \1/\2/\3 ", text)
    text = _CJK_TIME_RE.sub(r"\1:\2", text)
    text = _DAY_DOT_RE.sub(r"\1", text)
    text = _YEAR_DOT_RE.sub(r"\1", text)
    text = _DE_RE.sub(" ", text)
    text = _SPACED_NUMERIC_RE.sub(r"\1/\2/\3", text)
    text = _SEPARATORS_RE.sub(" ", text)
    text = _HOUR_H_RE.sub(lambda m: f"{m[1]}:{m[2]}" if m[1] else f"{m[3]}:00", text)
    text = _AT_RE.sub(" ", text)
    text = _WEEKDAY_RE.sub(" ", text)
    text = re.sub(r"\b(\d{1,2})(?:er|st|nd|rd|th)\b", r"\1", text)
    text = re.sub(r"[()\[\]«»\"]", " ", text)
    return " ".join(text.split())


def _segments(text: str) -> list[str]:
    """Split on labels: `نشر في X | آخر تحديث Y` gives [X, Y], tried in that order."""
    parts = [p.strip(" :") for p in _LABEL_RE.split(text)]
    return [p for p in parts if p] or [text]


# --- zones ------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _zone(tz: str) -> tzinfo:
    return ZoneInfo(tz)


def _localize(dt: datetime, tz: str) -> datetime:
    """Naive -> wall time in ``tz``; aware -> unchanged (an explicit offset is what the source said)."""
    return dt.replace(tzinfo=_zone(tz)) if dt.tzinfo is None else dt


def _resolve_now(now: datetime | None, tz: str) -> datetime:
    if now is None:
        # Minute resolution: relative forms do not need more, and it lets the dateparser cache hit.
        return datetime.now(_zone(tz)).replace(second=0, microsecond=0)
    return now.replace(tzinfo=_zone(tz)) if now.tzinfo is None else now.astimezone(_zone(tz))


def _build(y: int, mo: int, d: int, h: int, mi: int, s: int, tz: str) -> datetime | None:
    if not (_MIN_YEAR <= y <= _MAX_YEAR):
        return None
    try:
        return datetime(y, mo, d, h, mi, s, tzinfo=_zone(tz))
    except ValueError:
        return None


# --- fast paths -------------------------------------------------------------------------------------
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$", re.I)
_RFC2822_RE = re.compile(
    r"^(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|[A-Z]{1,5})?$"
)
_TIME = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\s*(?P<ampm>صباحا|صباح|ص|مساءا|مساء|م|ظهرا|بعد الظهر|ليلا|[ap]\.?m\.?))?"
_TZ = r"(?:\s*(?P<tz>(?:gmt|utc)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2}|بتوقيت\s+[غج]رينتش))?"
_NUMERIC_RE = re.compile(
    rf"^(?P<a>\d{{1,4}})(?P<s1>[/.-])(?P<b>\d{{1,2}})(?P<s2>[/.-])(?P<c>\d{{1,4}})(?:\s+{_TIME})?{_TZ}$", re.I
)
_NAME_DMY_RE = re.compile(rf"^(?:{_TIME}\s+)?(?P<d>\d{{1,2}})\s+(?P<mon>[^\d\s][^\d]*?)\s+(?P<y>\d{{4}})(?:\s+{_TIME.replace('(?P<', '(?P<x')})?{_TZ}$", re.I)
_NAME_MDY_RE = re.compile(rf"^(?P<mon>[a-zéû.]+)\s+(?P<d>\d{{1,2}})\s+(?P<y>\d{{4}})(?:\s+{_TIME})?{_TZ}$", re.I)
# Inside a longer string (a byline): the first `d <known month> yyyy [hh:mm]`.
_NAME_SEARCH_RE = re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})\s+(?P<mon>[^\d\s]+(?:\s+[^\d\s]+)?)\s+(?P<y>\d{{4}})(?!\d)(?:\s+{_TIME})?")
# A numeric date inside a longer string and the time that follows it (`Rachael H. - 12/03/2026`,
# `Do 25.04.24 | 14:07 Uhr`). Two-digit years only between dots, the German and Central European form; with
# slashes they are as often US as European.
_NUMERIC_SEARCH_RE = re.compile(
    r"(?<![\w/.:-])(?P<date>\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{2}\.\d{2}\.\d{2}|\d{4}[/.-]\d{1,2}[/.-]\d{1,2})"
    r"(?![\d/.:-])(?:[\s,|·-]+(?:um\s+|à\s+|at\s+)?(?P<time>\d{1,2}:\d{2})(?![\d:]))?",
    re.I,
)
_NAME_MDY_SEARCH_RE = re.compile(
    rf"(?<![\w.])(?P<mon>[a-zéû]+\.?)\s+(?P<d>\d{{1,2}})\s+(?P<y>\d{{4}})(?!\d)(?:\s+{_TIME})?", re.I
)


def _month_of(text: str) -> int | None:
    # `تشرين الأول/أكتوبر`, `أكتوبر (تشرين الأول)`: either half names the month.
    for part in re.split(r"[/\\]", text):
        num = _MONTHS.get(_fold(part))
        if num:
            return num
    return None


def _hour(h: str, ampm: str | None) -> int | None:
    hour = int(h)
    if ampm:
        marker = _fold(ampm)
        if marker in {_fold(x) for x in _PM} and hour < 12:
            hour += 12
        elif marker in {_fold(x) for x in _AM} and hour == 12:
            hour = 0
    return hour if hour < 24 else None


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    t = text.lower().replace(" ", "")
    if "غرينتش" in t or "جرينتش" in t or t in ("gmt", "utc"):
        return UTC
    m = re.fullmatch(r"(?:gmt|utc)?([+-])(\d{1,2}):?(\d{2})?", t)
    if not m:
        return None
    delta = timedelta(hours=int(m[2]), minutes=int(m[3] or 0))
    return timezone(-delta if m[1] == "-" else delta)


def _with_time(y: int, mo: int, d: int, m: re.Match[str], prefix: str, tz: str) -> datetime | None:
    hour, minute, second = 0, 0, 0
    if m.group(prefix + "H"):
        h = _hour(m.group(prefix + "H"), m.group(prefix + "ampm"))
        if h is None:
            return None
        hour, minute, second = h, int(m.group(prefix + "M")), int(m.group(prefix + "S") or 0)
        if minute > 59 or second > 59:
            return None
    dt = _build(y, mo, d, hour, minute, second, tz)
    off = _offset(m.groupdict().get("tz"))
    if dt is not None and off is not None:
        dt = dt.replace(tzinfo=off)
    return dt


def _fast_absolute(text: str, tz: str, month_first: bool = False) -> datetime | None:
    mo: int | None  # the month: a name may not be one
    m = _NUMERIC_RE.match(text)
    if m:
        a, b, c = int(m["a"]), int(m["b"]), int(m["c"])
        if len(m["a"]) == 4:  # yyyy/mm/dd
            y, mo, d = a, b, c
        elif len(m["c"]) == 4:
            # dd/mm/yyyy, or mm/dd/yyyy for US English; the other reading when the first is impossible.
            d, mo, y = (b, a, c) if month_first else (a, b, c)
            if mo > 12 and d <= 12:
                d, mo = mo, d
        elif len(m["a"]) == len(m["b"]) == len(m["c"]) == 2 and m["s1"] == m["s2"] == ".":
            d, mo, y = a, b, (2000 if c < 70 else 1900) + c  # `25.04.24`, the German byline form
        else:
            return None
        return _with_time(y, mo, d, m, "", tz)
    m = _NAME_DMY_RE.match(text)
    if m:
        mo = _month_of(m["mon"])
        if mo:
            prefix = "x" if m["xH"] else ""
            return _with_time(int(m["y"]), mo, int(m["d"]), m, prefix, tz)
    m = _NAME_MDY_RE.match(text)
    if m:
        mo = _month_of(m["mon"])
        if mo:
            return _with_time(int(m["y"]), mo, int(m["d"]), m, "", tz)
    return None


def _search_absolute(text: str, tz: str, month_first: bool = False) -> datetime | None:
    for m in _NAME_SEARCH_RE.finditer(text):
        mo = _month_of(m["mon"])
        if mo:
            return _with_time(int(m["y"]), mo, int(m["d"]), m, "", tz)
    # English bylines write the month first: `Created on Jul 11, 2025`, `March 2, 2026 - Words by ...`.
    for m in _NAME_MDY_SEARCH_RE.finditer(text):
        mo = _month_of(m["mon"])
        if mo:
            return _with_time(int(m["y"]), mo, int(m["d"]), m, "", tz)
    # A numeric date after a name (`Rachael H. - 12/03/2026`): read like a whole numeric string.
    for m in _NUMERIC_SEARCH_RE.finditer(text):
        dt = _fast_absolute(m["date"] + (" " + m["time"] if m["time"] else ""), tz, month_first)
        if dt is not None:
            return dt
    return None


def _month_first(locale: str | None) -> bool:
    """US English writes numeric dates month first (``3/4/2025`` is March 4); everyone else, the Maghreb
    included, day first. A bare ``en`` is read as US English, the usual meaning of ``lang="en"`` on the web."""
    return locale is not None and locale.replace("_", "-").lower() in ("en", "en-us")


# --- relative forms ---------------------------------------------------------------------------------
_NUMBER_WORDS = {
    "واحد": 1, "واحده": 1, "اثنين": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4,
    "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7, "سبعه": 7, "ثماني": 8, "ثمان": 8, "ثمانيه": 8,
    "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10, "a": 1, "an": 1, "one": 1, "un": 1, "une": 1,
}  # fmt: skip
# unit word (folded) -> (seconds per unit or None for calendar months/years, implied count for duals)
_UNITS: dict[str, tuple[int | None, int | None]] = {
    "ثانيه": (1, 1), "ثانيتين": (1, 2), "ثانيتان": (1, 2), "ثوان": (1, None), "ثواني": (1, None),
    "دقيقه": (60, 1), "دقيقتين": (60, 2), "دقيقتان": (60, 2), "دقائق": (60, None), "دقايق": (60, None),
    "ساعه": (3600, 1), "ساعتين": (3600, 2), "ساعتان": (3600, 2), "ساعات": (3600, None),
    "يوم": (86400, 1), "يومين": (86400, 2), "يومان": (86400, 2), "ايام": (86400, None),
    "اسبوع": (604800, 1), "اسبوعين": (604800, 2), "اسبوعان": (604800, 2), "اسابيع": (604800, None),
    "شهر": (None, 1), "شهرين": (None, 2), "اشهر": (None, None), "شهور": (None, None),
    "سنه": (None, 1), "سنتين": (None, 2), "سنوات": (None, None), "عام": (None, 1), "عامين": (None, 2),
    "اعوام": (None, None),
    "s": (1, None), "sec": (1, None), "secs": (1, None), "second": (1, None), "seconds": (1, None),
    "seconde": (1, None), "secondes": (1, None), "min": (60, None), "mins": (60, None),
    "minute": (60, None), "minutes": (60, None), "h": (3600, None), "hr": (3600, None), "hrs": (3600, None),
    "hour": (3600, None), "hours": (3600, None), "heure": (3600, None), "heures": (3600, None),
    "day": (86400, None), "days": (86400, None), "jour": (86400, None), "jours": (86400, None),
    "week": (604800, None), "weeks": (604800, None), "semaine": (604800, None), "semaines": (604800, None),
    "month": (None, None), "months": (None, None), "mois": (None, None), "year": (None, None),
    "years": (None, None), "an": (None, None), "ans": (None, None),
}  # fmt: skip
_AGO_RE = re.compile(r"^(?:منذ|قبل|il y a|ago)\s+(?:(?P<n>\d+|\S+)\s+)?(?P<unit>\S+)(?:\s+(?P<n2>\S+))?$", re.I)
_EN_AGO_RE = re.compile(r"^(?P<n>\d+|an?|one)\s+(?P<unit>\S+)\s+ago$", re.I)
_DAY_WORDS = {
    "اليوم": 0, "today": 0, "aujourd'hui": 0, "امس": -1, "البارحه": -1, "yesterday": -1, "hier": -1,
    "قبل امس": -2, "اول امس": -2, "avant-hier": -2, "avant hier": -2,
}  # fmt: skip
_DAY_WORD_RE = re.compile(rf"^(?P<w>[^\d]+?)(?:\s+{_TIME})?$", re.I)

# Sentinel: "this is a relative form, but too coarse to be a date" (months, years).
_TOO_COARSE = object()


def _count(word: str | None) -> int | None:
    if word is None:
        return None
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(_fold(word))


def _relative(text: str, now: datetime) -> datetime | None | object:
    """Relative forms against ``now`` (aware, in the source zone). None = not a relative form."""
    m = _AGO_RE.match(text) or _EN_AGO_RE.match(text)
    if m:
        n_word, unit_word, after = m["n"], m["unit"], m.groupdict().get("n2")
        if _fold(unit_word) not in _UNITS and n_word and not after:
            n_word, unit_word, after = None, n_word, unit_word  # `منذ ساعة واحدة`: the count comes after
        unit = _UNITS.get(_fold(unit_word))
        if unit is None:
            return None
        seconds, implied = unit
        n = _count(n_word) if n_word else _count(after) if after else None
        if (n_word or after) and n is None:
            return None
        if n is None:
            n = implied if implied is not None else 1
        if seconds is None:
            return _TOO_COARSE
        # Subtract in UTC so an hour count stays an hour across a zone change (Ramadan in Morocco).
        return (now.astimezone(UTC) - timedelta(seconds=seconds * n)).astimezone(now.tzinfo)
    m = _DAY_WORD_RE.match(text)
    if m:
        shift = _DAY_WORDS.get(_fold(m["w"]))
        if shift is None:
            return None
        day = now + timedelta(days=shift)
        if m["H"]:
            h = _hour(m["H"], m["ampm"])
            if h is None or int(m["M"]) > 59:
                return None
            return datetime(day.year, day.month, day.day, h, int(m["M"]), int(m["S"] or 0), tzinfo=now.tzinfo)
        return day
    return None


# --- dateparser fallback ----------------------------------------------------------------------------
_ARABIC_RE = re.compile("[\u0600-\u06ff]")
_LATIN_RE = re.compile("[A-Za-zÀ-ÿ]")


@lru_cache(maxsize=256)
def _dateparser(locale: str, tz: str, base: datetime, date_order: str = "DMY") -> Any:
    import dateparser  # imported lazily: about 0.3 s, and most strings never need it

    settings = {
        "DATE_ORDER": date_order,
        "PREFER_DATES_FROM": "past",
        "TIMEZONE": tz,
        "RETURN_AS_TIMEZONE_AWARE": True,
        # A day and a month are required: `نونبر 2025` must not borrow today's day (STRICT_PARSING would
        # also require the year, and `7 أكتوبر 10:30` without one is common on listing pages).
        "REQUIRE_PARTS": ["day", "month"],
        "RELATIVE_BASE": base,
    }
    return dateparser.DateDataParser(locales=[locale], settings=settings, try_previous_locales=False)


def _locales_for(text: str, locale: str | None) -> list[str]:
    if _ARABIC_RE.search(text):
        order = ["ar-MA", "ar-DZ", "ar-LB"]
    elif _LATIN_RE.search(text):
        order = ["fr", "en"]
    else:
        order = ["en"]  # digits only; DATE_ORDER makes it day-first
    if locale:
        loc = locale.replace("_", "-")
        base = loc.split("-")[0].lower()
        # A bare `ar` misses the Maghreb and Levantine month names that the regional locales know.
        own = [] if loc.lower() == "ar" else [loc] + ([base] if base != loc.lower() else [])
        order = own + [x for x in order if x not in own]
    return order


def _via_dateparser(text: str, tz: str, now: datetime, locale: str | None) -> datetime | None:
    base = now.replace(tzinfo=None)  # dateparser reads a naive RELATIVE_BASE as wall time in TIMEZONE
    for loc in _locales_for(text, locale):
        try:
            parser = _dateparser(loc, tz, base, "MDY" if _month_first(locale) else "DMY")
            result: datetime | None = parser.get_date_data(text).date_obj
        except (ValueError, KeyError, TypeError, OverflowError):
            # an unknown locale code, or a dateparser bug on odd input: try the next locale
            continue
        if result is not None:
            if not (_MIN_YEAR <= result.year <= _MAX_YEAR):
                return None
            return result.astimezone(_zone(tz)) if result.tzinfo else result.replace(tzinfo=_zone(tz))
    return None


# --- year-less dates --------------------------------------------------------------------------------
_HAS_YEAR_RE = re.compile(r"(?<!\d)\d{4}(?!\d)|(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-]\d{2}(?!\d)|'\d{2}\b")
# Relative words in the languages dateparser is given (`vor 3 Tagen`, `hace 2 horas`, `昨日`): such a string has
# no year because it needs none.
_RELATIVE_WORD_RE = re.compile(
    r"\b(?:ago|vor|hace|há|fa|geleden|sedan|siden|urmă|prije|temu|önce|lalu|yesterday|gestern|ayer|ieri|gisteren|"
    r"igår|jučer|wczoraj|dün|kemarin|today|heute|hoy|oggi|vandaag|idag|danas|dzisiaj|bugün|il y a|hier)\b|"
    r"前|昨日|今日|昨天|今天|전|어제|오늘|منذ|قبل|أمس|امس|اليوم|البارحة",
    re.I,
)


_DAY_MONTH_RE = re.compile(
    r"^(?:(?P<d1>\d{1,2})\s+(?P<m1>[^\W\d_]+(?:\s+[^\W\d_]+)?)|(?P<m2>[^\W\d_]+)\s+(?P<d2>\d{1,2}))"
    r"(?:\s+\d{1,2}:\d{2}(?:\s*(?:[ap]\.?m\.?|ص|م))?)?$",
    re.I,
)


def is_day_month(text: str) -> bool:
    """Whether a short visible text is a day and a month name without a year (``Jan 10``, ``24 juin``,
    ``7 أكتوبر 10:30``): a date whose year must come from the page's other evidence."""
    if not text or len(text) > 40 or len(text.split()) > 6 or not re.search(r"\d", text):
        return False  # cheap refusals first: this is asked of many short texts on a page
    m = _DAY_MONTH_RE.match(_prepare(text))
    return m is not None and _month_of(m["m1"] or m["m2"]) is not None


def _complete_year(dt: datetime, anchor: datetime, window: timedelta | None) -> datetime | None:
    """A year-less ``dt`` (its year is the parser's guess) moved to the year that puts it closest on or before
    ``anchor``'s day; None when that is more than ``window`` before the anchor (the anchor is the publication
    day itself, so a date far before it is another date)."""
    target = anchor.date()
    for year in range(target.year, target.year - 5, -1):  # 29 February waits up to four years
        try:
            cand = dt.replace(year=year)
        except ValueError:
            continue
        if cand.date() <= target:
            if window is not None and target - cand.date() > window:
                return None
            return cand
    return None


# --- public API -------------------------------------------------------------------------------------


def parse_date(
    text: str,
    *,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
    locale: str | None = None,
    year_anchor: datetime | None = None,
    year_window: timedelta | None = None,
) -> datetime | None:
    """Parse a visible or machine date string into an aware datetime, or None.

    ``tz`` is the source's zone, used for strings without an offset; an explicit offset (ISO 8601,
    RFC 2822, ``GMT+1``) is kept. ``now`` anchors relative forms (``منذ 3 ساعات``, ``أمس``) and missing
    years; naive ``now`` is read in ``tz``. ``locale`` is the source's dateparser locale (``ar-MA``,
    ``ar-DZ``, ``ar-LB``, ``fr``, ``de``, ``hr``...), tried first; it also orders an ambiguous numeric date
    (``3/4/2025``: 4 March, but 3 April under ``en-US`` or ``en``). A string without a day (``2025``,
    ``نونبر 2025``) gives None. A day and month without a year (``24 juin``, ``Jan 10``) takes the most recent
    such day not after ``year_anchor`` (the page's other evidence: its URL date, modification date, copyright
    year) when one is given, and None when that day lies more than ``year_window`` before the anchor; without an
    anchor, the most recent such day not after ``now``. Never raises on bad input.
    """
    if not text or not isinstance(text, str):
        return None
    raw = text.strip()
    if not raw or len(raw) > 300:
        return None  # running text: dateparser finds fragments there, not dates (arabic-text.md 5.1)
    if _ISO_RE.match(raw):
        try:
            return _localize(datetime.fromisoformat(raw.replace(" ", "T", 1).replace(",", ".")), tz)
        except ValueError:
            pass
    if _RFC2822_RE.match(raw):
        try:
            dt = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            dt = None
        if dt is not None and _MIN_YEAR <= dt.year <= _MAX_YEAR:
            return _localize(dt, tz)
    prepared = _prepare(raw)
    prepared = _ERA_RE.sub(r"\1", prepared)
    if not prepared:
        return None
    resolved_now: datetime | None = None
    month_first = _month_first(locale)
    for segment in _segments(prepared):
        if _ISO_RE.match(segment):
            try:
                return _localize(datetime.fromisoformat(segment.replace(" ", "T", 1)), tz)
            except ValueError:
                pass
        dt = _fast_absolute(segment, tz, month_first)
        if dt is not None:
            return dt
        if resolved_now is None:
            resolved_now = _resolve_now(now, tz)
        rel = _relative(segment, resolved_now)
        if rel is _TOO_COARSE:
            return None
        if isinstance(rel, datetime):
            return rel
        dt = _search_absolute(segment, tz, month_first)
        if dt is not None:
            return dt
        if not re.search(r"\d", segment):
            continue  # a date needs a day number; word-only relatives were handled above
        dt = _via_dateparser(segment, tz, resolved_now, locale)
        if dt is not None:
            if year_anchor is not None and not _HAS_YEAR_RE.search(segment) and not _RELATIVE_WORD_RE.search(segment):
                return _complete_year(dt, year_anchor.astimezone(dt.tzinfo), year_window)
            return dt
    return None


_URL_YMD_RE = re.compile(
    r"(?<![0-9])((?:19|20)\d{2})(?P<sep>[/_.-])(0?[1-9]|1[0-2])(?P=sep)(0?[1-9]|[12]\d|3[01])(?![0-9])"
)
# `20251007` standing alone between separators, not inside a longer number or an id like `a20251007`.
_URL_COMPACT_RE = re.compile(r"(?:^|[/_.-])((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=$|[/_.-])")


def date_from_url(url: str, *, tz: str = DEFAULT_TZ) -> datetime | None:
    """The publication day written in an article URL (``/2025/10/07/``, ``/2025-10-07-slug``,
    ``/20251007/``), as midnight in ``tz``. Year and month only (``/2025/10/slug``) give None: the day is
    never invented (newspaper4k#514). Only the path is read, not the host or the query."""
    if not url:
        return None
    path = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*", "", url.strip()).split("?")[0].split("#")[0]
    m = _URL_YMD_RE.search(path)
    if m:
        return _build(int(m[1]), int(m[3]), int(m[4]), 0, 0, 0, tz)
    m = _URL_COMPACT_RE.search(path)
    if m:
        return _build(int(m[1]), int(m[2]), int(m[3]), 0, 0, 0, tz)
    return None


@dataclass(frozen=True)
class DateResult:
    """The winning date: its value, the string it came from and the rule that produced it."""

    value: datetime | None
    raw: str | None
    rule: str | None


YearAnchor = Callable[[], "tuple[datetime, timedelta | None] | None"]


def pick_published(
    candidates: Iterable[tuple[str, str]],
    *,
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
    locale: str | None = None,
    year_anchor: YearAnchor | None = None,
) -> DateResult:
    """First candidate, in the given trust order, that parses and is not in the future.

    ``candidates`` are ``(rule, raw)`` pairs (``jsonld``, ``meta``, ``time``, ``selector``, ``text``,
    ``feed``, ``url``); for ``url`` the raw string is the URL. A date more than a few minutes after
    ``now`` (default: the current time) is rejected, never returned: it is a countdown or an event date,
    not a publication date; one up to 10 minutes after it is the site's clock skew and comes back as ``now``
    itself, so no returned date is ever after the fetch. ``locale`` is passed to ``parse_date``. ``year_anchor`` is called at most once, the
    first time a candidate may lack a year, and gives ``parse_date`` its ``(year_anchor, year_window)`` (or None:
    no evidence, the year is completed against ``now``). Returns ``DateResult(None, None, None)`` when nothing
    qualifies.
    """
    ref = _resolve_now(now, tz) if now is not None else datetime.now(_zone(tz))
    limit = ref + FUTURE_TOLERANCE
    anchor: tuple[datetime, timedelta | None] | None = None
    asked = False
    for rule, raw in candidates:
        if not raw or not isinstance(raw, str):
            continue
        if rule == "url":
            value = date_from_url(raw, tz=tz)
        else:
            if year_anchor is not None and not asked and not _HAS_YEAR_RE.search(raw):
                asked = True
                anchor = year_anchor()
                if anchor is not None and anchor[0] > ref:
                    anchor = (ref, anchor[1])  # evidence after the fetch is not evidence
            value = parse_date(raw, tz=tz, now=ref, locale=locale, year_anchor=anchor[0] if anchor else None,
                               year_window=anchor[1] if anchor else None)
        if value is not None and value <= limit:
            # Clock skew: a few minutes ahead is the fetch time itself; a date after the fetch is never returned.
            return DateResult(min(value, ref.astimezone(value.tzinfo)), raw, rule)
    return DateResult(None, None, None)


def to_utc_iso(dt: datetime | date | None, *, tz: str = DEFAULT_TZ) -> str | None:
    """``2025-10-07T09:30:00+00:00`` for storage and comparison; a naive datetime is read in ``tz``,
    a bare date as its midnight in ``tz``. None stays None."""
    if dt is None:
        return None
    if not isinstance(dt, datetime):
        dt = datetime(dt.year, dt.month, dt.day)
    return _localize(dt, tz).astimezone(UTC).isoformat(timespec="seconds")
