"""Arabic news-portal pages written by the team, for the page-type tests: home, section and tag pages (listings)
and article pages (publisher stories and aggregator copies) inside heavy navigation.

Several markup families (a legacy table layout, a WordPress-like theme, a modern component layout, a portal with
Arabic-transliterated class names), so that no test can pass on one template's class names. All text is ours.
"""

from __future__ import annotations

from html import escape

HEADLINES = [
    "الحكومة تصادق على مشروع مرسوم يتعلق بتنظيم النقل المدرسي في العالم القروي",
    "ارتفاع أسعار الخضر في أسواق الدار البيضاء مع اقتراب نهاية الموسم",
    "فريق الوداد يتعادل خارج ميدانه ويحافظ على صدارة الترتيب",
    "أمطار رعدية مرتقبة بعدد من أقاليم المملكة ابتداء من مساء الغد",
    "مجلس جهة سوس ماسة يصادق على برنامج لدعم المقاولات الصغيرة",
    "افتتاح الدورة الجديدة لمهرجان السينما المتوسطية بمدينة تطوان",
    "وزارة الصحة تطلق حملة وطنية للتلقيح ضد الحصبة في المدارس",
    "انطلاق أشغال توسيع الطريق الساحلية بين الحسيمة والناظور",
    "بورصة الدار البيضاء تنهي تداولات الأسبوع على وقع الارتفاع",
    "جمعيات حماية المستهلك تطالب بمراقبة أسعار الأدوية في الصيدليات",
    "المنتخب الوطني للشبان يواجه نظيره المصري في مباراة ودية",
    "تعيين مدير جديد على رأس الوكالة الحضرية لمدينة مراكش",
    "ندوة بالرباط تناقش مستقبل الصحافة الرقمية في العالم العربي",
    "السلطات المحلية بطنجة تشن حملة لتحرير الملك العمومي",
    "تراجع حقينة السدود في جهة الشرق يقلق الفلاحين ومربي الماشية",
    "الجامعة الملكية لكرة القدم تكشف عن برنامج الموسم الجديد",
    "إطلاق خط بحري جديد يربط ميناء أكادير بموانئ غرب إفريقيا",
    "طلبة كلية الطب يواصلون مقاطعة الدروس احتجاجا على مدة التكوين",
    "تساقطات ثلجية مهمة على مرتفعات الأطلس المتوسط خلال الليلة الماضية",
    "المكتب الوطني للكهرباء يعلن عن انقطاع مبرمج في أحياء بفاس",
    "معرض الكتاب بالدار البيضاء يستقبل أزيد من ألف عارض هذه السنة",
    "توقيف شبكة متخصصة في تزوير الوثائق الإدارية بمدينة سلا",
    "الأرصاد الجوية تتوقع عودة الحرارة إلى المناطق الجنوبية",
    "برلمانيون يسائلون وزير التعليم حول الاكتظاظ في الأقسام",
    "مهنيو السياحة يتوقعون موسما صيفيا استثنائيا في مدن الشمال",
    "اتفاقية شراكة لتأهيل المدينة العتيقة بالصويرة وترميم أسوارها",
    "الرجاء يعزز صفوفه بلاعب إفريقي قبل انطلاق المنافسات القارية",
    "حريق يأتي على هكتارات من الغابة في ضواحي شفشاون",
    "نقابات التعليم تدعو إلى إضراب وطني الأسبوع المقبل",
    "الدرك الملكي يحجز كميات من السلع المهربة بضواحي وجدة",
    "افتتاح مستشفى إقليمي جديد بمدينة الرشيدية بطاقة مئتي سرير",
    "خبراء يحذرون من تراجع الفرشة المائية في سهل تادلة",
    "المغرب يحتضن اجتماعا إقليميا حول الأمن الغذائي في إفريقيا",
    "مجلس المنافسة يفتح تحقيقا في أسعار المحروقات بالمحطات",
    "أزيد من ثلاثين ألف عداء يشاركون في ماراطون مراكش الدولي",
    "تجار القيسارية بمكناس يشتكون من ركود غير مسبوق",
    "جماعة الرباط تطلق تطبيقا رقميا لأداء رسوم الخدمات",
    "وزير الفلاحة يتفقد مشاريع تحلية مياه البحر في الداخلة",
    "الفنانة المغربية تتوج بجائزة أفضل أداء في مهرجان قرطاج",
    "مباراة حاسمة تنتظر الجيش الملكي في دوري أبطال إفريقيا",
    "ارتفاع عدد السياح الوافدين على المملكة خلال الأشهر الأولى",
    "مدينة إفران تسجل أدنى درجة حرارة في المملكة هذا الأسبوع",
    "المحكمة الإدارية تلغي نتائج مباراة توظيف بإحدى الجماعات",
    "إطلاق برنامج لمحو الأمية الرقمية لفائدة النساء في القرى",
    "تدشين محطة طرقية جديدة بمدينة بني ملال بمواصفات حديثة",
]

PROSE = [
    "عقدت اللجنة الجهوية للتنمية القروية اجتماعها السنوي بمقر الولاية، وخصصته لتقييم حصيلة البرامج التي أطلقت "
    "خلال السنتين الماضيتين، وعلى رأسها فك العزلة عن الدواوير الجبلية وتزويدها بالماء الصالح للشرب والكهرباء.",
    "وأوضح رئيس اللجنة في كلمته أن نسبة إنجاز المشاريع تجاوزت سبعين في المائة، مشيرا إلى أن التأخر المسجل في "
    "بعض الأوراش يعود أساسا إلى صعوبة التضاريس وإلى التساقطات المطرية التي عرفتها المنطقة في فصل الشتاء.",
    "ودعا عدد من المنتخبين إلى إعطاء الأولوية للطرق القروية التي تربط المدارس بالتجمعات السكنية، معتبرين أن "
    "انقطاع التلاميذ عن الدراسة في المناطق النائية مرتبط بطول المسافات وغياب النقل المدرسي المنتظم.",
    "من جهتهم، طالب ممثلو جمعيات المجتمع المدني بإشراكهم في تتبع المشاريع منذ مرحلة الدراسة، حتى تستجيب "
    "البرامج لحاجيات السكان الفعلية، ولا تبقى حبيسة المكاتب كما حدث في تجارب سابقة حسب تعبيرهم.",
    "وفي ختام الاجتماع، تقرر تشكيل لجنة تقنية تعقد لقاءات شهرية مع رؤساء الجماعات المعنية، على أن ترفع "
    "تقريرا مفصلا عن تقدم الأشغال قبل نهاية السنة الجارية، مع اقتراح حلول للمشاريع المتعثرة.",
    "ويرى متتبعون للشأن المحلي أن نجاح هذه البرامج رهين بتوفير الاعتمادات في وقتها، وبتبسيط مساطر الصفقات "
    "العمومية التي تؤخر انطلاق الأشغال لأشهر طويلة في كثير من الأحيان، خاصة في الجماعات الصغيرة.",
    "وتشير معطيات رسمية إلى أن أزيد من مئة وعشرين دوارا استفادت من الربط بالشبكة الكهربائية خلال هذه الفترة، "
    "بينما لا تزال عشرات الأسر تنتظر دورها في المرحلة الثانية التي يرتقب أن تنطلق في الربيع المقبل.",
]

LEADS = [
    "أعلنت السلطات المحلية عن برنامج استعجالي لمواجهة آثار موجة البرد في المناطق الجبلية، يشمل توزيع "
    "المساعدات وفتح الطرق المقطوعة بسبب الثلوج.",
    "كشفت دراسة حديثة أن الشباب المغاربة يقضون أزيد من أربع ساعات يوميا على شبكات التواصل، وأن نصفهم يتابع "
    "الأخبار عبرها بدل المواقع الإخبارية.",
    "تستعد المدينة لاحتضان الدورة الجديدة من المعرض الدولي للفلاحة، بمشاركة عارضين من أكثر من خمسين دولة "
    "وبرنامج غني من الندوات واللقاءات المهنية.",
]

EXCERPTS = [
    "تفاصيل جديدة حول القرار الذي اتخذته الجهات المختصة صباح اليوم بعد اجتماع مطول مع ممثلي القطاع.",
    "في تصريح خاص، أكد مسؤول محلي أن الأشغال ستنتهي قبل الموعد المحدد إذا استمرت الظروف الحالية.",
    "عبر عدد من المواطنين عن ارتياحهم للخطوة، فيما طالب آخرون بتوسيعها لتشمل أحياء أخرى من المدينة.",
    "ويأتي هذا الإعلان في سياق سلسلة من الإجراءات التي أعلنت عنها الحكومة خلال الأسابيع الأخيرة.",
]

OUTLETS = ["جريدة الساحل", "موقع الوادي بريس", "أخبار الأطلس", "صحيفة المدينة اليوم"]


def _links(start: int, n: int, href: str = "/news.php?id={}") -> list[tuple[str, str]]:
    return [(href.format(1000 + (start + i) * 7), HEADLINES[(start + i) % len(HEADLINES)]) for i in range(n)]


def _a(href: str, text: str, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<a href="{escape(href)}"{c}>{escape(text, False)}</a>'


# ---------------------------------------------------------------------------------------------- page furniture


def ticker(family: str, n: int = 40, start: int = 0) -> str:
    """A news ticker of ``n`` headline links, as each family draws it."""
    links = _links(start, n)
    if family == "legacy":
        return '<table width="100%"><tr><td><marquee direction="right">' + " &nbsp;|&nbsp; ".join(
            _a(h, t) for h, t in links) + "</marquee></td></tr></table>"
    if family == "wp":
        return '<div class="breaking-news"><span>عاجل</span><ul>' + "".join(
            f"<li>{_a(h, t)}</li>" for h, t in links) + "</ul></div>"
    if family == "modern":
        return '<div class="css-7fh2a" data-testid="ticker">' + "".join(
            f'<div class="css-1q8x"><span class="css-u2k">{_a(h, t)}</span></div>' for h, t in links) + "</div>"
    return '<div id="shareet" class="shareet-akhbar">' + "  ".join(_a(h, t) for h, t in links) + "</div>"


def link_box(family: str, heading: str, start: int, n: int, dated: bool = False) -> str:
    """A box of headline links ("most read", a section's latest, related stories)."""
    links = _links(start, n)
    if family == "legacy":
        rows = "".join(f'<tr><td><img src="/i/dot.gif"> {_a(h, t)}'
                       + (f' <font size="1">({10 + i % 12}/05/2012)</font>' if dated else "") + "</td></tr>"
                       for i, (h, t) in enumerate(links))
        return f'<table class="box"><tr><td bgcolor="#003366"><b>{heading}</b></td></tr>{rows}</table>'
    if family == "wp":
        return f'<section class="widget"><h3 class="widget-title">{heading}</h3><ul>' + "".join(
            f"<li>{_a(h, t)}" + (f'<span class="date">منذ {i + 2} ساعات</span>' if dated else "") + "</li>"
            for i, (h, t) in enumerate(links)) + "</ul></section>"
    if family == "modern":
        return f'<div class="css-9kk2"><div class="css-h1x">{heading}</div>' + "".join(
            f'<div class="css-c4rd">{_a(h, t, "css-lnk")}</div>' for h, t in links) + "</div>"
    return f'<div class="qism"><div class="onwan-qism">{heading}</div>' + "".join(
        f'<div class="khabar">{_a(h, t)}</div>' for h, t in links) + "</div>"


def footer(family: str) -> str:
    cols = "".join(link_box(family, name, 20 + 6 * i, 6) for i, name in enumerate(("سياسة", "رياضة", "اقتصاد")))
    small = " | ".join(_a(f"/page/{i}", t) for i, t in enumerate(
        ("من نحن", "اتصل بنا", "شروط الاستخدام", "سياسة الخصوصية", "الإعلانات")))
    return f'<div class="site-footer-links">{cols}<div>{small}</div><div>جميع الحقوق محفوظة 2012</div></div>'


def _menu() -> str:
    items = ("الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "مجتمع", "دولي", "فيديو", "كتاب وآراء")
    return '<div class="mainmenu">' + " ".join(_a(f"/cat/{i}", t) for i, t in enumerate(items)) + "</div>"


def _html(title: str, body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"{head}</head><body>{body}</body></html>")


# ---------------------------------------------------------------------------------------------- listings


def home_page(family: str, lead: int = 0, site: str = "بوابة الأخبار المغربية", cards: int = 6) -> str:
    """A portal's home page: a ticker, a featured story (linked headline, a lead paragraph, a "more" link),
    section boxes of headlines (some with short excerpts), most-read, a long footer."""
    feat_href, feat_title = "/news.php?id=5501", HEADLINES[(lead * 5 + 3) % len(HEADLINES)]
    text = LEADS[lead % len(LEADS)]
    if family == "legacy":
        featured = (f'<table><tr><td><img src="/up/feat.jpg"></td><td><font size="4" color="#990000">'
                    f'<b>{_a(feat_href, feat_title)}</b></font><br>{escape(text)}<br>'
                    f'{_a(feat_href, "التفاصيل")}</td></tr></table>')
    elif family == "wp":
        featured = (f'<article class="featured-post"><h2 class="entry-title">{_a(feat_href, feat_title)}</h2>'
                    f'<div class="entry-summary"><p>{escape(text)}</p></div>{_a(feat_href, "اقرأ المزيد", "more")}'
                    "</article>")
    elif family == "modern":
        featured = (f'<div class="css-hero"><a href="{feat_href}" class="css-hl"><span class="css-t">'
                    f'{escape(feat_title)}</span></a><div class="css-p">{escape(text)}</div></div>')
    else:
        featured = (f'<div class="khabar-raisi"><h1>{_a(feat_href, feat_title)}</h1><p>{escape(text)}</p></div>')
    teasers = ""
    for i, (h, t) in enumerate(_links(8, cards)):
        # Dated teaser cards with two-sentence excerpts: together they make a long "body" of prose.
        date = f"{1 + i % 28}/03/2011 - 1{i % 10}:30"
        excerpt = escape(EXCERPTS[i % len(EXCERPTS)] + " " + EXCERPTS[(i + 1) % len(EXCERPTS)])
        teasers += (f'<div class="card"><h3>{_a(h, t)}</h3><span class="date">{date}</span><p>{excerpt}</p></div>'
                    if family != "legacy" else
                    f'<tr><td>{_a(h, t)}<br><font size="1">{date}</font><br><font size="2">{excerpt}</font></td></tr>')
    teasers = f"<table>{teasers}</table>" if family == "legacy" else f'<div class="cards">{teasers}</div>'
    boxes = "".join(link_box(family, name, 14 + 7 * i, 7, dated=i % 2 == 0)
                    for i, name in enumerate(("أخبار وطنية", "رياضة", "اقتصاد", "الأكثر قراءة")))
    body = f"{_menu()}{ticker(family, 30, 2)}<div class=\"main\">{featured}{teasers}{boxes}</div>{footer(family)}"
    return _html(site, body)


def picture_home_page(family: str, cards: int = 12, site: str = "شبكة الأخبار المغاربية") -> str:
    """An older portal's home page whose teasers link only through a picture and a short "details" link: the
    headline itself is plain text, so the page has few long links; the excerpts add up to a long text."""
    teasers = []
    for i, (h, t) in enumerate(_links(6, cards)):
        excerpt = escape(EXCERPTS[i % len(EXCERPTS)] + " " + PROSE[i % len(PROSE)][:150] + "...")
        more = _a(h, "التفاصيل" if i % 2 else "المزيد")
        if family == "legacy":
            teasers.append(f'<tr><td><a href="{h}"><img src="/up/{i}.jpg" width="90"></a></td><td>'
                           f'<font color="#8b0000"><b>{escape(t)}</b></font><br><font size="1">{1 + i}/02/2010'
                           f"</font><br>{excerpt} {more}</td></tr>")
        elif family == "modern":
            teasers.append(f'<div class="css-tz"><a href="{h}" class="css-im"><img src="/i/{i}.webp"></a>'
                           f'<div class="css-tt">{escape(t)}</div><div class="css-ex">{excerpt}</div>'
                           f'<div class="css-mr">{more}</div></div>')
        else:
            teasers.append(f'<div class="news-item"><a href="{h}"><img src="/img/{i}.jpg"></a><h3>{escape(t)}</h3>'
                           f"<p>{excerpt}</p><p>{more}</p></div>")
    inner = f"<table>{''.join(teasers)}</table>" if family == "legacy" else "".join(teasers)
    body = f'{_menu()}<div class="content">{inner}</div>{link_box(family, "الأكثر قراءة", 30, 8)}{footer(family)}'
    return _html(site, body)


def section_page(family: str, name: str = "أخبار جهوية", excerpts: bool = True) -> str:
    """A section page: its name as a heading, then teaser cards (linked headline, date, excerpt), pagination."""
    cards = []
    for i, (h, t) in enumerate(_links(3, 14)):
        ex = escape(EXCERPTS[i % len(EXCERPTS)]) if excerpts else ""
        if family == "legacy":
            cards.append(f'<tr><td><font color="#004488"><b>{_a(h, t)}</b></font><br>'
                         f'<font size="1">{12 + i % 10}/06/2011</font><br>{ex}</td></tr>')
        elif family == "wp":
            cards.append(f'<article class="post"><h2 class="entry-title">{_a(h, t)}</h2><span class="posted-on">'
                         f'{3 + i} يونيو 2019</span><div class="entry-summary"><p>{ex}</p></div></article>')
        elif family == "modern":
            cards.append(f'<div class="css-row"><a class="css-x" href="{h}"><h4>{escape(t)}</h4></a>'
                         f'<time>2023-03-{10 + i % 18}</time><div class="css-d">{ex}</div></div>')
        else:
            cards.append(f'<div class="mawdoo">{_a(h, t)}<div class="tarikh">الأحد {5 + i} مارس 2013</div>'
                         f"<div>{ex}</div></div>")
    inner = f"<table>{''.join(cards)}</table>" if family == "legacy" else "".join(cards)
    pages = " ".join(_a(f"?page={i}", str(i)) for i in range(2, 6)) + " " + _a("?page=2", "التالي")
    body = (f"{_menu()}{ticker(family, 25, 9)}<h1>{escape(name)}</h1><div class=\"section-list\">{inner}</div>"
            f'<div class="pages">{pages}</div>{link_box(family, "الأكثر قراءة", 30, 8)}{footer(family)}')
    return _html(f"{name} - بوابة الأخبار", body)


def tag_page(family: str, tag: str = "الجفاف") -> str:
    items = "".join(f"<li>{_a(h, t)} <small>{2 + i}/04/2022</small></li>" for i, (h, t) in enumerate(_links(11, 9)))
    body = (f"{_menu()}{ticker(family, 20, 4)}<h1>الوسم: {escape(tag)}</h1><ul class=\"results\">{items}</ul>"
            f"{footer(family)}")
    return _html(f"{tag} | بوابة الأخبار", body)


# ---------------------------------------------------------------------------------------------- articles


def _story_paras(n: int, offset: int = 0) -> list[str]:
    return [PROSE[(offset + i) % len(PROSE)] for i in range(n)]


def aggregator_copy(family: str, attribution: str = "label", outlet: str = OUTLETS[0], paras: int = 5,
                    source_href: str = "https://www.sahil-news.example/regions/2024/03/02/lajna.html",
                    title: str = HEADLINES[4], self_href: str = "", br: bool = False, shown: str = "") -> str:
    """An aggregator's copy of an outlet's story: a short story (about 1,200 characters), its attribution, a
    "read it at the source" link, inside a ticker of 40 headlines, most-read and related boxes and a long footer.

    ``attribution``: ``label`` («المصدر: <outlet>»), ``label_dated`` («المصدر: <outlet> - نشر يوم ...»), ``line``
    («نشر في <outlet> يوم ...»), ``line_after`` (that line
    after the story), ``span`` (the name in a span beside the link), ``link`` (the link text is the outlet's name),
    ``none`` (no name shown). ``self_href``: the ticker's first entry is this page's own headline linked to it.
    ``br``: the story is one block whose paragraphs are separated by ``<br><br>``. ``shown``: the headline as the
    page writes it, when it differs from the title (tatweel, presentation forms).
    """
    if br:
        story = "<div>" + "<br>\n<br>\n".join(escape(t) for t in _story_paras(paras)) + "</div>"
    else:
        story = "".join(f"<p>{escape(t)}</p>" for t in _story_paras(paras))
    line = f'<div class="info">نشر في {escape(outlet)} يوم 02 - 03 - 2024 على الساعة 18:40</div>'
    if attribution == "line_after":
        story += line
    link_text = outlet if attribution == "link" else "انقر هنا لقراءة الخبر من مصدره"
    link = _a(source_href, link_text, "src-link")
    if attribution == "label":
        attr, after = f'<div class="info">المصدر: {escape(outlet)}</div>', f"<p>{link}</p>"
    elif attribution == "line":
        attr, after = line, f"<p>{link}</p>"
    elif attribution == "label_dated":
        attr = f'<div class="info">المصدر: {escape(outlet)} - نشر يوم 02/03/2024 على الساعة 18:40</div>'
        after = f"<p>{link}</p>"
    elif attribution == "span":
        attr, after = "", f'<div class="go-src"><span class="src-name">{escape(outlet)}</span> {link}</div>'
    elif attribution == "link":
        attr, after = "", f'<div class="go-src">اقرأ الخبر كاملا على {link}</div>'
    else:
        attr, after = "", f"<p>{link}</p>"
    head = escape(shown or title)
    if family == "legacy":
        main = (f'<table width="100%"><tr><td><font size="5"><b>{head}</b></font></td></tr>'
                f"<tr><td>{attr}</td></tr><tr><td>{story}</td></tr><tr><td>{after}</td></tr></table>")
    elif family == "modern":
        main = (f'<div class="css-main"><div class="css-hd"><h2 class="css-title">{head}</h2>{attr}</div>'
                f'<div class="css-bd">{story}</div>{after}</div>')
    else:
        main = (f'<div class="single"><h1>{head}</h1>{attr}<div class="report-note">شكرا على الإبلاغ! سيتم '
                f'إخفاء هذه الصورة تلقائيا</div><div class="text">{story}</div>{after}</div>')
    bar = ticker(family, 40)
    if self_href:
        bar = ticker(family, 39).replace(_a(*_links(0, 1)[0]), _a(self_href, shown or title), 1)
    body = (f"{_menu()}{bar}{main}{link_box(family, 'الأكثر قراءة', 12, 10)}"
            f"{link_box(family, 'أخبار ذات صلة', 24, 6)}{footer(family)}")
    return _html(f"{title} - ملتقى الأخبار", body)


BRIEF = [
    "أعلنت المديرية الإقليمية للفلاحة عن انطلاق عملية توزيع البذور المختارة على صغار الفلاحين بالإقليم.",
    "وتشمل العملية أزيد من ثلاثة آلاف فلاح، على أن تستمر إلى غاية نهاية الشهر الجاري.",
]


def legacy_brief(side: int = 12) -> bytes:
    """A hand-made site's brief (two sentences, under 200 characters, split by ``<br><br>``): the title a bold line
    in a table cell, the date and the author in cells of their own, a column of "other news" beside it; no
    metadata, no h1, windows-1256."""
    text = "<br><br>\n".join(escape(t) for t in BRIEF)
    others = "".join(f"<tr><td><font size=\"2\">&raquo; {_a(h, t)}</font></td></tr>" for h, t in _links(30, side))
    page = (f'<html dir="rtl"><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
            f"<title>جريدة الساحل - {escape(HEADLINES[7])}</title></head><body>"
            '<table width="780"><tr><td colspan="2"><font size="2">' + " | ".join(
                _a(f"/index.php?cat={i}", t) for i, t in enumerate(("الرئيسية", "اقتصاد", "رياضة", "جهات"))) +
            '</font></td></tr><tr><td width="600"><table>'
            f'<tr><td><font size="4" color="#990000"><b>{escape(HEADLINES[7])}</b></font></td></tr>'
            '<tr><td><font size="1">12-03-2024 10:15</font></td></tr><tr><td><font size="2">هيئة التحرير</font></td></tr>'
            f'<tr><td><font face="Tahoma" size="2">{text}</font></td></tr>'
            '<tr><td><font size="1"><a href="/print.php?id=5">طباعة</a> | <a href="/send.php?id=5">أرسل لصديق</a>'
            '</font></td></tr></table></td><td width="180"><table><tr><td><b>أخبار أخرى</b></td></tr>'
            f"{others}</table></td></tr>"
            '<tr><td colspan="2"><font size="1">جميع الحقوق محفوظة &copy; 2004-2024 جريدة الساحل</font></td></tr>'
            "</table></body></html>")
    return page.encode("cp1256")


def publisher_article(family: str, paras: int = 5, lead_repeats_title: bool = False,
                      title: str = HEADLINES[0]) -> str:
    """A publisher's story without article metadata inside heavy navigation; optionally a first paragraph that
    restates the headline and goes on (a lead the title-repeat filter must keep)."""
    texts = _story_paras(paras, 2)
    if lead_repeats_title:
        texts[0] = title + "، وذلك خلال اجتماعه الأسبوعي الذي ترأسه رئيس الحكومة صباح اليوم بالرباط."
    story = "".join(f"<p>{escape(t)}</p>" for t in texts)
    date = '<span class="date">الثلاثاء 12 مارس 2024 - 10:15</span>'
    if family == "legacy":
        main = (f'<table><tr><td><font size="5" color="#333"><b>{escape(title)}</b></font><br>{date}</td></tr>'
                f"<tr><td>{story}</td></tr></table>")
    elif family == "modern":
        main = f'<div class="css-art"><h1 class="css-h">{escape(title)}</h1>{date}<div class="css-b">{story}</div></div>'
    else:
        main = f'<article class="post"><h1 class="entry-title">{escape(title)}</h1>{date}<div class="entry-content">{story}</div></article>'
    body = (f"{_menu()}{ticker(family, 40, 5)}{main}{link_box(family, 'الأكثر قراءة', 12, 10)}"
            f"{link_box(family, 'مقالات ذات صلة', 24, 6)}{footer(family)}")
    return _html(f"{title} - جريدة الساحل", body)
