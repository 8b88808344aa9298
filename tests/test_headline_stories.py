"""Headlines join stories: by their stored article's body, else conservatively by title (store.headline_stories).

Real SQLite files through ``Store.save_headlines`` / ``Store.save_article``. All Arabic text here was written for
these tests (invented events, people and figures).
"""

from __future__ import annotations

import itertools

from newscrawler.store import Store
from newscrawler.store.headline_stories import TitleIndex
from newscrawler.text import match_key
from newscrawler.title_match import same_story_title
from tests.test_neardup import art

SOURCES = [{"id": i, "name": i, "kind": "publisher"} for i in ("pub", "other", "third")] + [
    {"id": "agg", "name": "agg", "kind": "aggregator"}
]

NOBEL = [
    "أعلنت لجنة نوبل في معهد كارولينسكا بستوكهولم يوم الإثنين منح جائزة الطب لهذا العام لثلاثة باحثين "
    "عملوا على فهم الطريقة التي يميز بها الجهاز المناعي بين خلايا الجسم والأجسام الغريبة عنه.",
    "وقالت اللجنة في بيانها إن أبحاث الفائزين فتحت الباب أمام علاجات جديدة لأمراض المناعة الذاتية "
    "وزرع الأعضاء، بعدما كشفت عن نوع من الخلايا يعمل مثل حارس يمنع المناعة من مهاجمة الجسم نفسه.",
    "وسيتقاسم الباحثون الثلاثة قيمة الجائزة البالغة أحد عشر مليون كرونة سويدية، على أن تسلم لهم في حفل "
    "رسمي يقام في العاشر من دجنبر المقبل كما جرت العادة كل سنة.",
]
NOBEL_OTHER = [  # the same dispatch with a dateline and a closing line of its own
    "ستوكهولم (وكالات) - " + NOBEL[0],
    *NOBEL[1:],
    "وكانت الجائزة قد منحت في السنة الماضية لباحثين في مجال الحمض النووي الريبي.",
]
QUAKE_HAOUZ = [
    "ضربت هزة أرضية بلغت قوتها خمس درجات على سلم ريشتر إقليم الحوز فجر يوم الأربعاء، وشعر بها سكان "
    "مراكش والقرى المجاورة دون أن تخلف خسائر في الأرواح حسب المعطيات الأولية للسلطات المحلية.",
    "وأوضح المعهد الوطني للجيوفيزياء أن مركز الهزة حدد على عمق ثمانية كيلومترات قرب جماعة إيجوكاك، "
    "وأن عددا من الهزات الارتدادية الخفيفة سجلت خلال الساعات التالية.",
]
QUAKE_CRETE = [
    "هز زلزال بقوة ست درجات جزيرة كريت اليونانية مساء الخميس، ما دفع السكان إلى مغادرة منازلهم وقضاء "
    "الليل في الساحات العامة خوفا من هزات جديدة، فيما أغلقت السلطات عددا من المدارس للتحقق من سلامتها.",
    "وقال مسؤولون في الحماية المدنية اليونانية إن أضرارا طفيفة لحقت ببعض المباني القديمة في مدينة "
    "هيراكليون، وإن فرق الإنقاذ لم تتلق أي بلاغ عن مصابين إلى حدود منتصف الليل.",
]
MEASLES = [
    "أعلن وزير الصحة عن إطلاق حملة وطنية للتلقيح ضد الحصبة تستهدف الأطفال دون سن الثامنة عشرة في جميع "
    "المدارس والمراكز الصحية، بعد تسجيل ارتفاع في عدد الإصابات خلال الأشهر الأخيرة.",
    "وأوضح الوزير أن الحملة ستمتد ستة أسابيع، وأن فرقا متنقلة ستزور القرى البعيدة عن المراكز الصحية، "
    "داعيا الأسر إلى التحقق من دفاتر التلقيح الخاصة بأبنائها.",
]
HOSPITAL = [
    "افتتح وزير الصحة مستشفى جامعيا جديدا بمدينة أكادير بطاقة استيعابية تبلغ ثمانمئة سرير، ويضم أقساما "
    "لجراحة القلب وطب الأطفال ومركزا لعلاج الأورام كان سكان الجهة ينتظرونه منذ سنوات.",
    "وقال الوزير في كلمة بالمناسبة إن المستشفى سيشتغل بطاقم من ألف ومئتي إطار طبي وتمريضي، وإن تجهيزاته "
    "ستمكن من تقليص تنقل المرضى نحو مراكش والرباط لإجراء العمليات الدقيقة.",
]

NOBEL_TITLE = "جائزة نوبل للطب لثلاثة باحثين في علم المناعة"
NOBEL_TITLE_OTHER = "منح جائزة نوبل للطب لثلاثة باحثين في علم المناعة"
NOBEL_REWRITTEN = "ثلاثة علماء يتقاسمون نوبل بفضل أبحاث عن الخلايا الحارسة"  # shares no wording: only the body tells
QUAKE_HAOUZ_TITLE = "زلزال بقوة 5 درجات يضرب إقليم الحوز دون خسائر"
QUAKE_CRETE_TITLE = "زلزال بقوة 6 درجات يهز جزيرة كريت اليونانية"
MEASLES_TITLE = "وزير الصحة يعلن إطلاق حملة وطنية للتلقيح ضد الحصبة"
HOSPITAL_TITLE = "وزير الصحة يفتتح مستشفى جامعيا جديدا بمدينة أكادير"


def at(day: int, hhmm: str) -> str:
    return f"2025-10-{day:02d}T{hhmm}:00+00:00"


def headline(key: str, title: str, seen: str, source: str = "agg") -> dict:
    return {"source_id": source, "url": f"https://{key}", "url_key": key, "title": title,
            "listing_url": f"https://{source}.ma/", "seen_at": seen}  # fmt: skip


def stories_of(s: Store) -> tuple[dict[str, int | None], dict[str, int]]:
    """({headline url_key: story canonical url_key or None}, {article url_key: story canonical url_key})."""
    key = dict(s.db.execute("SELECT id, url_key FROM articles").fetchall())
    heads = {k: key.get(sid) for k, sid in s.db.execute("SELECT url_key, story_id FROM headlines").fetchall()}
    arts = {key[i]: key[sid] for i, sid in s.db.execute("SELECT id, story_id FROM articles").fetchall()}
    return heads, arts


def test_the_title_rule_keeps_topic_words_apart_and_joins_the_same_title():
    assert same_story_title(match_key(NOBEL_TITLE), match_key(NOBEL_TITLE_OTHER))
    assert not same_story_title(match_key(QUAKE_HAOUZ_TITLE), match_key(QUAKE_CRETE_TITLE))
    assert not same_story_title(match_key(MEASLES_TITLE), match_key(HOSPITAL_TITLE))
    # most words shared, but the words that say which campaign differ
    assert not same_story_title(match_key(MEASLES_TITLE), match_key("وزير الصحة يعلن إطلاق حملة وطنية للكشف عن السرطان"))
    assert not same_story_title(match_key(NOBEL_TITLE), match_key(NOBEL_REWRITTEN))


def test_two_outlets_headlines_of_one_story_become_one_story_with_two_outlets(tmp_path):
    """The seed page lists the story under two outlets with titles that share no wording: their stored bodies
    (one dispatch, edited) make them one story."""
    with Store(tmp_path / "news.db") as s:
        s.upsert_sources(SOURCES)
        run = s.start_run(sources=["pub", "other", "agg"])
        s.save_headlines([headline("pub.ma/n1", NOBEL_TITLE, at(6, "10:05")),
                          headline("other.ma/n2", NOBEL_REWRITTEN, at(6, "10:05"))], run_id=run)  # fmt: skip
        assert stories_of(s)[0] == {"pub.ma/n1": None, "other.ma/n2": None}  # no article, no shared wording
        s.save_article(art("other.ma/n2", NOBEL_REWRITTEN, NOBEL_OTHER, published=at(6, "09:40")), run_id=run)
        s.save_article(art("pub.ma/n1", NOBEL_TITLE, NOBEL, published=at(6, "09:30")), run_id=run)
        heads, _ = stories_of(s)
        assert heads == {"pub.ma/n1": "pub.ma/n1", "other.ma/n2": "pub.ma/n1"}
        row = s.db.execute("SELECT first_publisher, outlets, sources, headlines FROM stories").fetchall()
        assert row == [("pub", 2, "other,pub", 2)]


def test_a_headline_whose_article_is_not_stored_joins_by_title_in_any_order(tmp_path):
    """Article first or headlines first, the headline of an unstored article joins the story its title names; the
    other story sharing a topic word does not take it."""
    items = [
        ("article", art("pub.ma/q1", QUAKE_HAOUZ_TITLE, QUAKE_HAOUZ, published=at(8, "06:00"))),
        ("article", art("third.ma/q2", QUAKE_CRETE_TITLE, QUAKE_CRETE, published=at(8, "20:00"))),
        ("article", art("pub.ma/m1", MEASLES_TITLE, MEASLES, published=at(8, "11:00"))),
        ("article", art("third.ma/h1", HOSPITAL_TITLE, HOSPITAL, published=at(8, "12:00"))),
        # other outlets' headlines of the same stories, their articles never fetched
        ("headline", headline("other.ma/q9", "زلزال بقوة 5 درجات يضرب إقليم الحوز دون تسجيل خسائر", at(8, "07:00"),
                              "other")),
        ("headline", headline("other.ma/m9", "وزير الصحة يعلن عن إطلاق حملة وطنية للتلقيح ضد الحصبة", at(8, "13:00"),
                              "other")),
        # a headline of the measles story first listed 5 days later: outside the 72 h window
        ("headline", headline("other.ma/m8", MEASLES_TITLE, at(13, "13:00"), "other")),
        # headline-only: a second headline that matches the first headline, not the article's title directly
        ("headline", headline("agg.ma/q8", "زلزال بقوة 5 درجات يضرب إقليم الحوز دون تسجيل أي خسائر", at(8, "08:00"))),
    ]  # fmt: skip
    results = []
    orders = [list(range(len(items))), list(reversed(range(len(items)))), [4, 7, 5, 6, 0, 1, 2, 3]]
    orders += [list(p) for p in itertools.islice(itertools.permutations(range(len(items))), 1000, 1001)]
    for n, order in enumerate(orders):
        with Store(tmp_path / f"o{n}.db") as s:
            s.upsert_sources(SOURCES)
            run = s.start_run(sources=[x["id"] for x in SOURCES])
            for i in order:
                kind, item = items[i]
                if kind == "article":
                    s.save_article(dict(item), run_id=run)
                else:
                    s.save_headlines([dict(item)], run_id=run)
            heads, _ = stories_of(s)
            counts = dict(s.db.execute(
                "SELECT a.url_key, s.headlines FROM stories s JOIN articles a ON a.id = s.story_id").fetchall())
        results.append((heads, counts))  # fmt: skip
    assert all(r == results[0] for r in results[1:])
    heads, counts = results[0]
    assert heads == {"other.ma/q9": "pub.ma/q1", "other.ma/m9": "pub.ma/m1", "other.ma/m8": None,
                     "agg.ma/q8": "pub.ma/q1"}  # fmt: skip
    assert counts == {"pub.ma/q1": 2, "third.ma/q2": 0, "pub.ma/m1": 1, "third.ma/h1": 0}


def test_a_stored_article_body_outranks_its_headline_title(tmp_path):
    """A headline whose article is stored follows that article, even when its title would match another story."""
    with Store(tmp_path / "news.db") as s:
        s.upsert_sources(SOURCES)
        run = s.start_run(sources=["pub", "other"])
        measles = s.save_article(art("pub.ma/m1", MEASLES_TITLE, MEASLES, published=at(8, "11:00")), run_id=run)
        # another outlet's article under a near-identical title, about the hospital (a different body)
        other = s.save_article(art("other.ma/x1", MEASLES_TITLE + " والأمراض المعدية", HOSPITAL,
                                   published=at(8, "12:00")), run_id=run)  # fmt: skip
        s.save_headlines([headline("other.ma/x1", MEASLES_TITLE + " والأمراض المعدية", at(8, "12:30"), "other")],
                         run_id=run)  # fmt: skip
        assert other.duplicate_of is None and measles.article_id != other.article_id
        assert s.db.execute("SELECT story_id FROM headlines").fetchall() == [(other.article_id,)]


def test_a_window_older_than_the_title_index_is_scanned(tmp_path):
    """The writer's title index covers the last 14 days of headlines; an article published long before (a backfill)
    still finds the headlines of its own time, by a scan of that window."""
    with Store(tmp_path / "news.db") as s:
        s.upsert_sources(SOURCES)
        run = s.start_run(sources=["pub", "other", "agg"])
        s.save_headlines([headline("other.ma/late", HOSPITAL_TITLE, "2025-11-20T10:00:00+00:00", "other")],
                         run_id=run)  # fmt: skip
        s.save_headlines([headline("other.ma/m9", MEASLES_TITLE, at(8, "13:00"), "other")], run_id=run)
        assert s._titles.since is not None and s._titles.since > at(8, "13:00")  # not in the index
        measles = s.save_article(art("pub.ma/m1", MEASLES_TITLE, MEASLES, published=at(8, "11:00")), run_id=run)
        got = dict(s.db.execute("SELECT url_key, story_id FROM headlines").fetchall())
        assert got == {"other.ma/late": None, "other.ma/m9": measles.article_id}


def test_a_lookup_reads_the_rarest_words_and_returns_a_bounded_number_of_candidates(tmp_path):
    """A feed of titles that differ only in a number ("خبر عاجل رقم 17") shares three words between any two of them,
    so every title is a candidate of every other: a lookup returns at most MAX_CANDIDATES, the most recent (the whole
    feed cost 8 s of the crawl's reactor at 3,000 titles). A title with more words is looked up by its rarest ones."""
    with Store(tmp_path / "news.db") as s:
        s.upsert_sources(SOURCES)
        run = s.start_run(sources=["pub", "other", "agg"])
        flood = TitleIndex.MAX_CANDIDATES + 100
        s.save_headlines([headline(f"agg.ma/flood/{i}", f"خبر عاجل رقم {i}", at(6, "10:00")) for i in range(flood)],
                         run_id=run)  # fmt: skip
        lo, hi = at(5, "10:00"), at(7, "10:00")
        found = s._titles.ids(s.db.conn, match_key("خبر عاجل رقم 17"), lo, hi)
        assert found is not None and len(found) == TitleIndex.MAX_CANDIDATES
        assert max(found) == max(h for (h,) in s.db.execute("SELECT id FROM headlines"))  # the most recent kept
        # two words of the flood's three, and four of its own: only its rarest words are read, not the flood
        s.save_headlines([headline("other.ma/q1", "خبر عاجل زلزال يضرب إقليم الحوز", at(6, "11:00"), "other"),
                          headline("pub.ma/q2", "خبر عاجل زلزال يضرب إقليم الحوز ليلا", at(6, "11:05"), "pub")],
                         run_id=run)  # fmt: skip
        assert len(s._titles.ids(s.db.conn, match_key("خبر عاجل زلزال يضرب إقليم الحوز"), lo, hi) or []) == 2
        assert s.db.execute("SELECT count(*) FROM headlines WHERE story_id IS NOT NULL").fetchone() == (0,)
