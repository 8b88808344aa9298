"""Near-duplicates (second dedup level) on real SQLite files: the same story republished with small edits.

All Arabic text below was written for these tests (invented events, people and numbers).
"""

from __future__ import annotations

import sqlite3

import pytest

from newscrawler import dedup
from newscrawler.store import _MIGRATIONS, SCHEMA_VERSION, Store
from newscrawler.text import match_key

# Three unrelated stories, one paragraph per list item.
FLOODS = [
    "شهدت مدينة تطوان صباح يوم الثلاثاء تساقطات مطرية غزيرة تسببت في غمر عدد من الأحياء المنخفضة بالمياه، "
    "وأدت إلى توقف حركة السير في الطريق الرابطة بين المدينة والمضيق لساعات طويلة.",
    "وقال مسؤول بالوقاية المدنية إن فرق الإنقاذ تدخلت لإجلاء أربعين أسرة من منازلها القريبة من الوادي، "
    "مؤكدا أن العملية مرت دون تسجيل أي إصابات في صفوف السكان أو عناصر التدخل.",
    "وأوضحت المديرية الإقليمية للتجهيز أن كمية الأمطار المسجلة خلال ست ساعات فاقت ما يسقط عادة في شهر كامل، "
    "وأن قنوات تصريف المياه لم تستوعب هذا الحجم الاستثنائي من السيول.",
    "من جهتهم، طالب تجار السوق المركزي بتعويضات عن السلع التي أتلفتها المياه، وقالوا إن خسائرهم تقدر "
    "بمئات الآلاف من الدراهم، داعين السلطات المحلية إلى فتح تحقيق في أسباب انسداد البالوعات.",
    "وأعلنت السلطات تعليق الدراسة في المؤسسات التعليمية بالمدينة يوم الأربعاء كإجراء احترازي، في انتظار "
    "تحسن الأحوال الجوية التي تتوقع النشرات استمرارها إلى نهاية الأسبوع.",
    "ويرى خبراء في التعمير أن توسع البناء فوق مجاري الأودية خلال العقدين الأخيرين جعل الأحياء الجديدة "
    "أكثر عرضة للفيضانات، وأن الحل يمر عبر مراجعة تصاميم التهيئة وإحداث أحواض لتجميع المياه.",
]
PORT = [
    "وقعت الوكالة الوطنية للموانئ اتفاقية مع شركة ملاحة متوسطية لتوسيع رصيف الحاويات بميناء أكادير، "
    "في مشروع تبلغ كلفته الإجمالية مليارا ومئتي مليون درهم على مدى أربع سنوات.",
    "ويهدف المشروع إلى رفع الطاقة الاستيعابية للميناء إلى ستمئة ألف حاوية سنويا، بعدما بلغت الحركة "
    "التجارية مستويات قياسية بفعل صادرات الخضر والفواكه نحو الأسواق الأوروبية والإفريقية.",
    "وأكد المدير العام للوكالة خلال حفل التوقيع أن الأشغال ستنطلق مطلع السنة المقبلة، وأنها ستوفر "
    "قرابة ألف وخمسمئة منصب شغل مباشر خلال مرحلة البناء وحدها.",
    "وعبر مهنيو النقل الطرقي بجهة سوس ماسة عن ارتياحهم للمشروع، غير أنهم نبهوا إلى ضرورة تأهيل الطريق "
    "المؤدية إلى الميناء التي تعرف اكتظاظا يوميا بالشاحنات في ساعات الذروة.",
    "ويتضمن الاتفاق بندا يلزم الشركة باعتماد معدات كهربائية للمناولة وتقليص انبعاثات السفن الراسية، "
    "وهو ما اعتبره فاعلون بيئيون خطوة إيجابية تحتاج إلى آليات مراقبة صارمة.",
    "وتراهن السلطات الجهوية على هذا التوسيع لجذب استثمارات صناعية جديدة إلى المنطقة الحرة المجاورة، "
    "خاصة في مجالات تعليب الأسماك وصناعة قطع الغيار.",
]
LIBRARY = [
    "افتتحت جماعة وجدة مكتبة عمومية جديدة في حي الطوبة تضم أكثر من عشرين ألف كتاب وقاعة للمطالعة "
    "تتسع لمئة وخمسين قارئا، إلى جانب فضاء مخصص للأطفال.",
    "وقالت رئيسة قسم الشؤون الثقافية إن المكتبة ستفتح أبوابها سبعة أيام في الأسبوع إلى غاية الساعة "
    "العاشرة ليلا، لتمكين التلاميذ والطلبة من المراجعة في ظروف مريحة.",
    "وتتوفر المكتبة على قاعة للحواسيب مرتبطة بالإنترنت وورشات أسبوعية في الكتابة والترجمة والرسم، "
    "يؤطرها أساتذة متطوعون من جامعة محمد الأول.",
    "ورحب سكان الحي بالمبادرة، معتبرين أنها تسد فراغا كبيرا في منطقة ظلت لسنوات بلا أي فضاء ثقافي، "
    "في حين دعا آخرون إلى تعميم التجربة على باقي المقاطعات.",
    "وخصصت الجماعة ميزانية سنوية لاقتناء الإصدارات الجديدة، مع إعطاء الأولوية للكتاب المغاربة "
    "وللمؤلفات الموجهة إلى اليافعين باللغتين العربية والأمازيغية.",
]
FOOTER = "تابعونا على صفحاتنا في مواقع التواصل الاجتماعي ليصلكم جديد الأخبار المحلية والوطنية أولا بأول"
INSERTED = [
    "وكانت مصالح الأرصاد الجوية قد أصدرت نشرة إنذارية من المستوى البرتقالي مساء الإثنين، "
    "توقعت فيها أمطارا قوية مصحوبة برياح عاتية في أقاليم الشمال.",
]


def body_of(paras: list[str]) -> str:
    return "\n\n".join(paras)


def art(key: str, title: str, paras: list[str], *, published: str = "2025-10-08T10:00:00+00:00",
        fetched: str | None = None, **extra) -> dict:
    """A normalised article as the pipelines hand it to the store (keys through the real match_key)."""
    body = body_of(paras)
    title_key, body_key = match_key(title), match_key(body)
    row = {
        "url": f"https://{key}", "url_key": key, "source_id": key.split(".")[0],
        "title": title, "body": body, "title_key": title_key, "body_key": body_key,
        "content_hash": dedup.content_hash(title_key, body_key), "body_hash": dedup.body_hash(body_key),
        "published_at": published, "fetched_at": fetched or published,
    }  # fmt: skip
    row.update(extra)
    return row


FLOODS_TITLE = "أمطار غزيرة تغمر أحياء بتطوان وتوقف حركة السير"


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "news.db", batch_size=50, max_delay=3600)
    yield s
    s.close()


@pytest.fixture
def run(store):
    return store.start_run(sources=["pub", "other"])


def story_of(store: Store, article_id: int) -> int:
    return store.db.execute("SELECT story_id FROM articles WHERE id = ?", [article_id]).fetchone()[0]


# ---------------------------------------------------------------- pure functions


def test_shingles_words_or_char_grams_for_short_bodies():
    key = match_key(body_of(FLOODS))
    words = key.split()
    got = dedup.shingles(key)
    assert got == {" ".join(words[i : i + 5]).encode() for i in range(len(words) - 4)}
    short = "خبر قصير جدا"
    grams = dedup.shingles(short, title_key="عنوان")
    assert grams == {t.encode() for t in ("عنوان"[0:5], "نوان ", "وان خ", "ان خب", "ن خبر")} | {
        ("عنوان " + short)[i : i + 5].encode() for i in range(len("عنوان " + short) - 4)
    }


def test_signature_estimates_jaccard_and_containment():
    a = dedup.shingles(match_key(body_of(FLOODS)))
    b = dedup.shingles(match_key(body_of(FLOODS[:4])))  # trimmed: b is inside a
    sig_a, sig_b = dedup.signature(a), dedup.signature(b)
    assert sig_a.shape == (dedup.NUM_PERM,) and (dedup.signature(set(a)) == sig_a).all()  # deterministic
    assert (dedup.deserialise(dedup.serialise(sig_a)) == sig_a).all()
    exact = len(a & b) / len(a | b)
    jaccard, containment = dedup.estimate_similarity(sig_a, sig_b, len(a), len(b))
    assert abs(jaccard - exact) < 0.15
    assert containment > 0.85
    other = dedup.signature(dedup.shingles(match_key(body_of(PORT))))
    assert dedup.estimate_similarity(sig_a, other, len(a), len(a))[0] < 0.1
    bands = dedup.band_hashes(sig_a)
    assert len(bands) == dedup.BANDS and all(-(2**63) <= h < 2**63 for h in bands)
    assert dedup.band_hashes(sig_a) == bands


def test_verification_rule():
    assert dedup.is_near_duplicate(0.55, 0.7, 2.0)
    assert dedup.is_near_duplicate(0.4, 0.85, 2.0)  # truncated republication
    assert not dedup.is_near_duplicate(0.45, 0.7, 2.0)
    assert not dedup.is_near_duplicate(0.9, 1.0, 80.0)  # more than 72 h apart
    assert dedup.is_near_duplicate(0.9, 1.0, None)
    assert not dedup.is_near_duplicate(0.9, 1.0, 1.0, short=True, title_overlap=0.1)


# ---------------------------------------------------------------- edit types found


EDITS = {
    "dateline": ("الرباط (و م ع) - " + FLOODS[0], *FLOODS[1:]),
    "footer": (*FLOODS, FOOTER),
    "inserted": (FLOODS[0], *INSERTED, *FLOODS[1:]),
    "trimmed_70": tuple(FLOODS[:4]),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_each_edit_type_is_a_near_duplicate(store, run, edit):
    words = len(match_key(body_of(FLOODS)).split())
    if edit == "trimmed_70":
        assert 0.6 < len(match_key(body_of(list(EDITS[edit]))).split()) / words < 0.8
    original = store.save_article(art("pub.ma/1", FLOODS_TITLE, FLOODS), run_id=run)
    copy = store.save_article(
        art("other.ma/7", FLOODS_TITLE, list(EDITS[edit]), published="2025-10-08T11:30:00+00:00"), run_id=run
    )
    assert (copy.status, copy.duplicate_of, copy.dup_reason) == ("duplicate", original.article_id, "near_duplicate")
    score = store.db.execute("SELECT dup_score FROM articles WHERE id = ?", [copy.article_id]).fetchone()[0]
    assert 0.5 <= score <= 1.0 or edit == "trimmed_70"
    assert story_of(store, copy.article_id) == story_of(store, original.article_id) == original.article_id
    assert store.run_counts(run)["duplicates"] == 1


def test_rewritten_headline_does_not_matter_for_long_bodies(store, run):
    original = store.save_article(art("pub.ma/1", FLOODS_TITLE, FLOODS), run_id=run)
    copy = store.save_article(art("other.ma/2", "السيول تحاصر سكان تطوان", list(EDITS["dateline"])), run_id=run)
    assert copy.duplicate_of == original.article_id


# ---------------------------------------------------------------- not near-duplicates


def test_unrelated_articles_are_not_near_duplicates(store, run):
    results = [
        store.save_article(art("pub.ma/1", FLOODS_TITLE, FLOODS), run_id=run),
        store.save_article(art("pub.ma/2", "توسيع ميناء أكادير", PORT), run_id=run),
        store.save_article(art("other.ma/3", "مكتبة جديدة بوجدة", LIBRARY), run_id=run),
    ]
    assert [r.status for r in results] == ["new", "new", "new"]
    assert store.db.execute("SELECT count(DISTINCT story_id) FROM articles").fetchone()[0] == 3


CITIES = ["طنجة", "فاس", "مراكش", "آسفي", "الناظور", "بني ملال", "خريبكة", "العيون"]
TEAMS = ["النجم الأزرق", "شباب الواحة", "اتحاد الساحل", "نادي الأطلس", "الرجاء الجبلي", "أولمبيك السهل",
         "وداد الضفة", "مولودية الجبل"]  # fmt: skip


def match_report(i: int) -> tuple[str, list[str]]:
    """Same-category stories written from one template: sport results differ in teams, city, numbers."""
    home, away, city = TEAMS[i], TEAMS[(i + 3) % len(TEAMS)], CITIES[i]
    goals, minute, crowd = i % 4 + 1, 20 + 7 * i, 3000 + 450 * i
    scorer = ["يوسف", "حمزة", "أنس", "مهدي", "إلياس", "زكرياء", "عمر", "بلال"][i]
    paras = [
        f"فاز فريق {home} على ضيفه {away} بنتيجة {goals} مقابل هدف واحد، في المباراة التي جرت مساء السبت "
        f"بالملعب البلدي لمدينة {city} ضمن الجولة {i + 3} من البطولة الوطنية.",
        f"وافتتح {scorer} باب التسجيل في الدقيقة {minute} بتسديدة قوية من خارج منطقة العمليات، قبل أن يضيف "
        f"زملاؤه {'هدفين آخرين' if goals > 2 else 'هدفا آخر'} في الشوط الثاني.",
        f"وتابع المباراة حوالي {crowd} متفرج، في أجواء احتفالية رغم الأمطار التي تهاطلت على {city} "
        f"طيلة فترات اللقاء.",
        f"وبهذا الفوز يرتقي {home} إلى المركز {9 - i} في سلم الترتيب، بينما يتجمد رصيد {away} "
        f"في انتظار مباراته المقبلة أمام {TEAMS[(i + 5) % len(TEAMS)]}.",
    ]
    return f"{home} يتغلب على {away} في {city}", paras


def test_same_category_template_articles_are_not_near_duplicates(store, run):
    results = []
    for i in range(len(TEAMS)):
        title, paras = match_report(i)
        results.append(store.save_article(art(f"pub.ma/m{i}", title, paras), run_id=run))
    assert [r.status for r in results] == ["new"] * len(TEAMS)


def test_publications_more_than_72_hours_apart_are_not_near_duplicates(store, run):
    store.save_article(art("pub.ma/1", FLOODS_TITLE, FLOODS, published="2025-10-01T10:00:00+00:00"), run_id=run)
    late = store.save_article(
        art("other.ma/2", FLOODS_TITLE, list(EDITS["dateline"]), published="2025-10-05T10:00:00+00:00"), run_id=run
    )
    assert late.status == "new"
    within = store.save_article(
        art("other.ma/3", FLOODS_TITLE, list(EDITS["footer"]), published="2025-10-03T09:00:00+00:00"), run_id=run
    )
    assert within.status == "duplicate"


# ---------------------------------------------------------------- order, restart, boilerplate


def test_copy_first_then_original_end_in_one_cluster(store, run):
    copy = store.save_article(art("other.ma/7", FLOODS_TITLE, list(EDITS["dateline"])), run_id=run)
    original = store.save_article(art("pub.ma/1", FLOODS_TITLE, FLOODS, published="2025-10-08T09:00:00+00:00"),
                                  run_id=run)  # fmt: skip
    trimmed = store.save_article(art("third.ma/4", FLOODS_TITLE, list(EDITS["trimmed_70"])), run_id=run)
    # the original was published an hour before the copy: it becomes the canonical article when it arrives,
    # and the copy (first stored) becomes its near-duplicate, with the score that tied them
    assert copy.status == "new"
    assert (original.status, original.duplicate_of, original.repointed) == ("new", None, (copy.article_id,))
    got = store.db.execute("SELECT duplicate_of, dup_reason, dup_score FROM articles WHERE id = ?",
                           [copy.article_id]).fetchone()  # fmt: skip
    assert got[:2] == (original.article_id, "near_duplicate") and got[2] > 0.5
    assert trimmed.duplicate_of == original.article_id
    assert {story_of(store, r.article_id) for r in (copy, original, trimmed)} == {original.article_id}


def test_reopened_store_still_finds_near_duplicates(tmp_path):
    path = tmp_path / "news.db"
    with Store(path) as s:
        run_id = s.start_run(sources=["pub"])
        first = s.save_article(art("pub.ma/1", FLOODS_TITLE, FLOODS), run_id=run_id)
    with Store(path) as s:
        assert s.db.execute("SELECT count(*) FROM article_bands").fetchone()[0] == dedup.BANDS
        run_id = s.start_run(sources=["other"])
        copy = s.save_article(art("other.ma/2", FLOODS_TITLE, list(EDITS["inserted"])), run_id=run_id)
        assert (copy.duplicate_of, copy.dup_reason) == (first.article_id, "near_duplicate")


def test_article_bridging_two_clusters_merges_them(store, run):
    # the first and the last two thirds of one story arrive first (a third in common: not enough) ...
    a = store.save_article(art("pub.ma/1", FLOODS_TITLE, FLOODS[:4]), run_id=run)
    b = store.save_article(art("other.ma/2", FLOODS_TITLE, FLOODS[2:]), run_id=run)
    assert a.status == b.status == "new"
    # ... then the whole story contains both: one cluster, one root
    whole = store.save_article(art("third.ma/3", FLOODS_TITLE, FLOODS), run_id=run)
    assert whole.dup_reason == "near_duplicate"
    roots = store.db.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NULL").fetchone()[0]
    assert roots == 1
    assert len({story_of(store, r.article_id) for r in (a, b, whole)}) == 1
    assert whole.repointed


def test_site_footer_paragraphs_do_not_make_unrelated_articles_alike(tmp_path):
    """Short briefs of one site, each followed by the same long footer block (boilerplate)."""
    footer = [
        FOOTER,
        "جميع الحقوق محفوظة لموقع الأخبار الجهوية، ولا يسمح بإعادة نشر المواد دون إذن مكتوب من إدارة التحرير "
        "مع الإشارة إلى المصدر ووضع رابط مباشر نحو المقال الأصلي",
        "للتواصل مع هيئة التحرير أو لإرسال صور وأخبار من مدينتكم يمكنكم مراسلتنا عبر البريد الإلكتروني "
        "أو عبر تطبيق المراسلة الفورية على الرقم المخصص لذلك",
    ]
    briefs = [[p] for p in (*FLOODS, *PORT, *LIBRARY)]

    def crawl(min_articles: int) -> list[str]:
        path = tmp_path / f"b{min_articles}.db"
        with Store(path, boilerplate_min_articles=min_articles) as s:
            run_id = s.start_run(sources=["site"])
            out = []
            for i, brief in enumerate(briefs):
                result = s.save_article(art(f"site.ma/{i}", f"خبر رقم {i}", brief + footer), run_id=run_id)
                out.append(result.status)
            return out

    # without the boilerplate table the shared footer alone makes the briefs look like one story ...
    assert "duplicate" in crawl(0)[3:]
    # ... with it, once the footer was seen in 2 earlier articles it is left out of the signature
    assert crawl(2)[2:] == ["new"] * (len(briefs) - 2)


def test_migration_from_v1_backfills_story_id(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(_MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    for i, dup in ((1, None), (2, 1)):
        conn.execute("INSERT INTO articles (id, url, url_key, duplicate_of, first_seen_at, last_seen_at) "
                     "VALUES (?, ?, ?, ?, 'x', 'x')", [i, f"u{i}", f"k{i}", dup])  # fmt: skip
    conn.commit()
    conn.close()
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION >= 2
        assert s.db.execute("SELECT id, story_id FROM articles ORDER BY id").fetchall() == [(1, 1), (2, 1)]
        assert "article_bands" in s.db.table_names()


def test_near_duplicates_can_be_turned_off(tmp_path):
    with Store(tmp_path / "off.db", near_duplicates=False) as s:
        run_id = s.start_run(sources=["pub"])
        s.save_article(art("pub.ma/1", FLOODS_TITLE, FLOODS), run_id=run_id)
        copy = s.save_article(art("other.ma/2", FLOODS_TITLE, list(EDITS["dateline"])), run_id=run_id)
        assert copy.status == "new"
        assert s.db.execute("SELECT count(*) FROM article_bands").fetchone()[0] == 0
