"""How the world's sites print dates: Arabic (standard and Moroccan month names), French and numeric forms,
plus the aggregator's attribution lines. Pure functions of a datetime; nothing reads the clock."""

from __future__ import annotations

from datetime import datetime

from newscrawler.demo import texts as T
from newscrawler.demo.sitegen import ARABIC_INDIC

FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]
FR_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def format_date(dt: datetime, form: str, *, indic: bool = False) -> str:
    """The visible date of a page in one of `style.DATE_FORMS` (minute precision, local time, no offset)."""
    wd, d, m, y, hm = dt.weekday(), dt.day, dt.month, dt.year, f"{dt:%H:%M}"
    if form == "ar_std":
        s = f"{T.WEEKDAYS[wd]} {d} {T.MONTHS_STD[m - 1]} {y} - {hm}"
    elif form == "ar_ma":
        s = f"{T.WEEKDAYS[wd]} {d:02d} {T.MONTHS_MA[m - 1]} {y} | {hm}"
    elif form == "ar_ma_hour":
        s = f"{d} {T.MONTHS_MA[m - 1]} {y} على الساعة {hm}"
    elif form == "ar_comma":
        s = f"{T.WEEKDAYS[wd]}، {d} {T.MONTHS_STD[m - 1]} {y}، الساعة {hm}"
    elif form == "fr":
        s = f"{FR_DAYS[wd]} {d} {FR_MONTHS[m - 1]} {y} à {dt:%H}h{dt:%M}"
    elif form == "num_dmy_h":
        s = f"{dt:%d/%m/%Y %H}h{dt:%M}"
    elif form == "num_dmy":
        s = f"{dt:%d-%m-%Y} {hm}"
    elif form == "num_iso":
        s = f"{dt:%Y-%m-%d} {hm}"
    else:
        raise ValueError(f"unknown date form {form!r}")
    return s.translate(ARABIC_INDIC) if indic else s


def attribution_line(outlet: str, dt: datetime, form: str) -> str:
    """An aggregator copy's line naming the outlet, the day and the time it was published there."""
    if form == "dashes":
        return f"نشر في {outlet} يوم {dt:%d} - {dt:%m} - {dt:%Y} على الساعة {dt:%H:%M}"
    if form == "words":
        return (f"نشر في {outlet} يوم {T.WEEKDAYS[dt.weekday()]} {dt.day} {T.MONTHS_MA[dt.month - 1]} {dt.year} "
                f"على الساعة {dt:%H:%M}")
    return f"المصدر: {outlet} - نشر يوم {dt:%d/%m/%Y} على الساعة {dt:%H:%M}"
