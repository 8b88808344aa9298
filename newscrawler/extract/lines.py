"""Which lines of a story container are story text: boilerplate and interface lines, datelines and credits,
short crumbs, link lines that cite a work, and the headings that open what follows a story."""

from __future__ import annotations

import re

from newscrawler.dates import parse_date

# Lines of interface text, not article text (Arabic and the usual European phrasings).
_BOILER_LINE = re.compile(
    r"^\W*(?:اقرأ|إقرأ|اقرا|إقرا)\s+(?:أيضا|أيضاً|ايضا|المزيد)|انقر\s+هنا\s+لقراءة|لقراءة\s+الخبر\s+من\s+مصدره|"
    r"شكرا\s+على\s+(?:الإبلاغ|التبليغ|تبليغك)|سيتم\s+إخفاء\s+هذه\s+الصورة|"
    r"^\W*(?:شارك|مشاركة|تابعونا|تابعنا|[اإ]شترك|التعليقات|تعليقات|الوسوم|كلمات\s+مفتاحية|المصدر\s*:)|"
    r"^\W*(?:حم[ّ]?ل|نزّ?ل)\s+(?:الآن\s+)?تطبيق|"
    r"^\W*(?:read\s+(?:also|more)|see\s+also|related\s*:|share\s+(?:this|on)|sign\s+up|subscribe|"
    r"advertisement|lire\s+aussi|à\s+lire\s+aussi|voir\s+aussi|lesen\s+sie\s+auch|mehr\s+zum\s+thema|"
    r"download\s+(?:the|our)\s+app|(?:got|have|do\s+you\s+have)\s+a\s+story|for\s+more\s+stories\s+like\s+this|"
    r"follow\s+\S+(?:\s+\S+)?\s+on\s+(?:twitter|facebook|instagram|x)|stay\s+up\s+to\s+date\s+with|"
    r"hat\s+ihnen\s+dieser\s+artikel\s+gefallen)\b|ich\s+bin\s+damit\s+einverstanden,\s+dass\s+mir\s+(?:der\s+)?externe|"
    r"^\W*\d+\s*(?:تعليق|تعليقات|comments?|kommentare?|commentaires?|comentarios?|reacties|kommentarer)\W*$|"
    r"^\W*newsletter\s*:",
    re.I,
)

# Short lines that carry no story text: a dateline ("Stand: 17.06.2025 18:24 Uhr", "آخر تحديث: 2025/10/07"),
# a reading time ("3 min read", "5 دقائق"), a photo credit closing a caption ("... Photo: Jane Doe").
_META_LINE = re.compile(
    r"^\W*(?:[^\W\d]+\s*){0,3}[:：]?\s*\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}(?:\s*[,|–\-]?\s*\d{1,2}[:.h]\d{2}"
    r"(?:\s*(?:uhr|h|am|pm))?)?\W*$|"
    r"^\W*\d+\s*(?:min\.?|mins?|minutes?|minuten|دقائق|دقيقة|د)(?:\s+[^\W\d]+){0,2}\W*$|"
    r"\b(?:bild|foto|photo|image|credit|crédit|quelle|صورة|الصورة|تصوير)\s*[:：]\s*[^.!?؟]{2,60}$|"
    # A Japanese caption closes with its photographer: "...＝13日、東京で（山田太郎撮影）".
    r"[（(][^（）()]{0,20}撮影[）)]\W*$",
    re.I,
)

# Digit lookarounds rather than \b: live-blog entries glue the time to the words around it ("5 hours ago07:32
# Jane Doe", "21:00Jane Doe").
_DATETIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)|(?<!\d)\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}(?!\d)|(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")

# Short lines that are never story text: picture rights, paywall notices, "additional reporting" notes. (Embedded
# tweets are left alone: some publishers count them as part of the story, others do not.)
_NOT_STORY = re.compile(
    r"^\W*(?:©|\(c\)\s)|\b(?:bildrechte|rechte|fotos?\s*\[\w+\])\s*:|getty\s+images\W*$|"
    r"^\W*(?:article\s+)?réservée?\s+aux\s+abonnés|^\W*il\s+vous\s+reste\s+\d|^\W*nur\s+für\s+abonnenten|"
    r"^\W*empfohlener\s+redaktioneller\s+inhalt|ich\s+bin\s+damit\s+einverstanden,\s+dass\s+mir|"
    r"an\s+dieser\s+stelle\s+findest\s+du\s+einen\s+externen|daten\s+(?:können\s+)?an\s+drittplattformen|"
    r"^\W*للمشتركين\s+فقط|^\W*(?:additional\s+reporting|with\s+reporting)\b|会員登録|会員の方のみ|会員限定|"
    # Prompts to follow the publisher elsewhere: newsletters, WhatsApp, Google News, a bookmark.
    r"\bsign(?:ing)?\s+up\s+(?:for|to)\b.{0,60}\bnewsletters?\b|\bsubscribe\s+to\s+(?:our|\S+['’]s)\s.{0,30}"
    r"newsletters?\b|\b(?:delivered|straight|right)\s+(?:in|to)\s+your\s+inbox\b|\bnews\s+meet\s+your\s+inbox\b|"
    r"\bjoin\s+us\s+on\s+whatsapp\b|\bwhatsapp[-\s]channel\b|\bauf\s+whatsapp\?|\bon\s+google\s+news\b|"
    r"\bbookmark\s+(?:our\s+homepage|[a-z]+\.(?:com|ca|co\.uk|de)\b)|"
    # Credits under the story: who reported, edited, translated; where the copy came from.
    r"^\W*reporting\s+by\b|\bediting\s+by\b|^\W*(?:this\s+(?:article|story)\s+was\s+)?edited\s+by\b|"
    r"\bcontributed\s+(?:reporting|to\s+this\s+(?:report|story))|^\W*with\s+reports?\s+from\b|"
    r"\bwriters?\s+.{0,80}\bcontributed\b|^\W*(?:redaktion|übersetzung|schlussredaktion)\s*:|"
    r"^\W*mit\s+informationen\s+(?:der|von)\b|^\W*dieser\s+artikel\s+(?:ist\s+)?(?:zuerst|erstmals)\b|"
    r"\bmaschinelle\s+übersetzung\b|^\W*(?:lest|lesen\s+sie)\s+den\s+original|"
    # Subscription, trial and app promos, paywall counters, blog and browser interface.
    r"\bfor\s+only\s+\S+\s+(?:a|per)\s+month\b|\bkostenlos\s+testen\b|^\W*jetzt\s+abonnieren\b|"
    r"\blesen\s+gerade\s+auf\s+die\s+zweitbeste\s+art|^\W*pozostało\s+jeszcze\s+\d|"
    r"^\W*fehler\s+gefunden\s*\?|\bnotifications\s+can\s+be\s+managed\b|"
    r"\bresponses\s+to\s+this\s+entry\b|\bantworten\s+zu\s+diesem\s+eintrag\b|"
    # Video teasers: a blurb closing with its date and running time ("18.04.2024 | 0:21 min"), a "WATCH |" label,
    # and the consent placeholder of an embedded player.
    r"\b\d{1,2}:\d{2}\s*min\.?\W*$|^\W*watch\s*\||\bein\s+klick\s+für\s+den\s+datenschutz\b|"
    # Page furniture that lands inside a story container: skip-link and table-of-contents labels, a bare URL, an
    # app interstitial's "no thanks", a broadcast-slot line, a newsroom credit with initials ("MDR (dst)").
    r"^\W*(?:hauptinhalt|zum\s+inhalt(?:\s+springen)?|skip\s+to\s+(?:the\s+)?(?:main\s+)?content|auf\s+dieser\s+seite|"
    r"on\s+this\s+page|inhaltsverzeichnis|table\s+of\s+contents)\W*$|^\s*https?://\S+\s*$|"
    r"^\W*(?:no,?\s+thanks|nein,?\s+danke|non,?\s+merci)\b|^\W*dieses\s+thema\s+im\s+programm\s*:|"
    r"^\W*copyright\s*[:©]|\bsend(?:en\s+sie)?\s+uns\s+ihr\s+feedback\b|\bsend\s+us\s+your\s+feedback\b|"
    r"^\W*übersetzung\s+und\s+\w+\s*:|"
    r"^\W*(?-i:[A-ZÄÖÜ][A-Za-zÄÖÜ]{1,7}\s*\([a-zäöü]{2,4}\))\W*$",
    re.I,
)

_DATE_LABEL_LINE = re.compile(
    r"^\W*(?:uppdaterad|publicerad|oppdatert|publisert|opdateret|udgivet|aktualisiert|veröffentlicht|updated|"
    r"published|publié|mis\s+à\s+jour)\s*:?\s*(?:\d{1,2}[.:]\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})\b",
    re.I,
)


def _is_meta_line(text: str) -> bool:
    """Datelines, reading times, credits: short lines around the story that are not part of it."""
    if len(text) < 300 and (_META_LINE.search(text) or _NOT_STORY.search(text)):
        return True
    # "Friday 22 November 2024 08:49 GMT", "20:24 Jane Doe", "Do 25.04.24 | 14:07 Uhr | Von ...": a date or a
    # time and a handful of words.
    if len(text) < 90 and bool(_DATETIME.search(text)) and len(re.findall(r"[^\W\d_]{2,}", text)) <= 6:
        return True
    # "Uppdaterad 15.59 | Publicerad 14.14": a publication label and a time written with a dot.
    return len(text) < 60 and bool(_DATE_LABEL_LINE.match(text))


# A clock time: "08:50", "10h15".
_CLOCK = re.compile(r"(?<!\d)\d{1,2}\s*[:hH]\s*\d{2}(?!\d)")
_SENTENCE_END = re.compile(r"[.!?؟。！？…»\"”]\W*$")


def _is_info_line(text: str) -> bool:
    """A byline-and-date line, the metadata a page prints at the edge of the story: a date with its clock time in a
    short line that is no sentence («يوسف الفاسي تاريخ النشر: 29 شتنبر 2025 على الساعة 08:50 آخر تحديث: ...»,
    «نشر في <outlet> يوم 04 - 10 - 2025 على الساعة 21:37», "By Jane Doe, updated 3 March 2024 10:00")."""
    if len(text) > 160 or _SENTENCE_END.search(text) or not _CLOCK.search(text):
        return False
    return bool(_DATETIME.search(text)) or parse_date(text) is not None


def _trim_info_lines(paras: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The story without the byline-and-date lines that open or close it (a portal's info line under the
    headline, an aggregator's attribution line under or after the copy)."""
    start, end = 0, len(paras)
    while start < end - 1 and _is_info_line(paras[start][0]):
        start += 1
    while end - 1 > start and _is_info_line(paras[end - 1][0]):
        end -= 1
    return paras[start:end] if (start, end) != (0, len(paras)) else paras


# A short heading that opens the page's "more stories" block: what follows it is not the story.
_SECTION_END = re.compile(
    r"^\W*(?:more\s+(?:from|on|in|stories|news|articles|[^\W\d]+\s*$)|related\s+(?:articles?|stories|posts|news|"
    r"content|coverage|reading)|read\s+next|recommended(?:\s+for\s+you)?\W*$|you\s+(?:may|might)\s+also\s+"
    r"(?:like|enjoy)|most\s+(?:read|popular|viewed)|latest\s+(?:news|stories)|top\s+stories|"
    r"(?:مقالات|أخبار|اخبار|مواضيع|مواد)\s+(?:ذات\s+صلة|متعلقة|مشابهة)|ذات\s+صلة|الأكثر\s+(?:قراءة|مشاهدة)|"
    r"اقرأ\s+المزيد|قد\s+يهمك|المزيد\s+من|آخر\s+الأخبار|sur\s+le\s+même\s+sujet|les\s+plus\s+lus|"
    r"weitere\s+(?:artikel|nachrichten|themen)|das\s+könnte\s+sie\s+auch\s+interessieren)",
    re.I,
)


def _short_crumb(text: str) -> bool:
    """A short line without closing punctuation (Latin, Arabic or CJK): an interface crumb ("Share", "Top
    news")."""
    return len(text) < 25 and not re.search(r"[.!?؟:»\"”。！？」』]$", text)


_CREDIT_WORD = re.compile(r"^(?:by|von|par|di|door|av|بقلم|ل)\s+\w", re.I)


def _cited_link(link_share: float, lead: str, tail: str) -> bool:
    """A line that names something and links it ("Author, <a>Book title</a>", "<a>Title</a> by Author" in a
    reading list): the link goes with the line's own words, unlike a teaser that is only a link or a label and a
    link ("Read also: <a>...</a>", "Can you relate? <a>Join the programme</a>")."""
    if link_share >= 0.9:
        return False
    return (len(lead) >= 8 and bool(re.search(r"[\w,;(\"“']$", lead))) or bool(_CREDIT_WORD.search(tail))


# Headings that open what follows a story on its page: author and reviewer boxes, disclaimers, topic lists.
_TAIL_START = re.compile(
    r"^\W*(?:about\s+the\s+(?:author|reviewer|writer)s?|(?:published|written|posted)\s+by\W*$|"
    r"disclaimers?(?:\s*(?:&|and)\s*disclosures?)?\W*$|related\s+topics|you\s+might\s+also\s+(?:be\s+interested|like)|"
    r"عن\s+الكاتب|نبذة\s+عن\s+الكاتب|über\s+(?:den|die)\s+autor(?:in)?|à\s+propos\s+de\s+l['’]auteur|"
    r"dieses\s+thema\s+im\s+programm|schlagwörter|ähnliche(?:\s+artikel)?\W*$)",
    re.I,
)


def _cut_tail(paras: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Cut at such a heading when it comes after most of the text (early on it is more likely a real
    subheading)."""
    total = sum(len(t) for t, _ in paras)
    seen = 0
    for i, (text, _) in enumerate(paras):
        if len(text) < 60 and seen >= 0.6 * total and _TAIL_START.search(text):
            return paras[:i]
        seen += len(text)
    return paras
