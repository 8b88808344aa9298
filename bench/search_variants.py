"""Clitic and suffix search: the variant test set (words and forms written for this project) and the options.

    python bench/search_variants.py            # recall and precision of each option on the variant set
    python bench/search_variants.py DB         # and index sizes on a crawled database (keys only vs v5)

Options compared, each an FTS5 table over the same documents (one document per word form, plus distractors):

* ``keys``: the match keys only, as before schema v5 (a query word must be a whole token);
* ``prefix``: the keys with FTS5's prefix index, every query word searched as ``word*`` (endings only);
* ``stripped``: one clitic-stripped key column (each token with its longest proclitic sequence removed, on both
  sides: positions are kept, but ``وزير`` (stripped to ``زير``) and ``الوزير`` (to ``وزير``) part ways);
* ``variants`` (chosen, schema v5): the keys plus ``search_variants``, the readings of every token, and the
  query's own readings OR-ed (``newscrawler.search.fts_query``);
* ``variants+stem``: the same with ``stem=True`` (``--stem``).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawler.search import clitic_variants, fts_query, search_variants  # noqa: E402
from newscrawler.text import match_key  # noqa: E402

# Bare words, some starting with a letter that is also a clitic (و ف ب ك ل), which is where stripping errs.
CLITIC_BASES = ("قضاء", "وزير", "حكومة", "برلمان", "انتخابات", "شباب", "احتجاجات", "مدينة", "رئيس", "بلاد",
                "كتاب", "فلاحة", "ولاية", "لجنة", "مغرب", "صحة", "تعليم", "كركرات")  # fmt: skip
# A conjunction, a preposition and the article in the combinations the press writes.
CLITIC_PREFIXES = ("", "ال", "وال", "بال", "لل", "فال", "كال", "و", "ب", "ل", "وب", "ولل")
# Words that are not any of the above but look like a stripped or extended form of one of them.
CLITIC_DISTRACTORS = ("زير", "انقضاء", "فلان", "كتب", "لجان", "حكم", "شاب", "مدن", "رئاسة", "تعلم", "لاية")

# --stem: the forms that belong together (one lemma, suffixes ة/ات/ين/ون/ي), and words sharing the stem that
# do not (the precision cost).
STEM_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("الوطن", "الوطنية", "وطني", "الوطنيين"), ()),
    (("ناخب", "الناخبين", "ناخبون"), ()),
    (("محتج", "المحتجين", "محتجون"), ()),
    (("معلم", "المعلمون", "معلمين"), ()),
    (("مدرسة", "المدرسة", "مدرستها"), ("مدرس", "المدرسين")),
    (("رواية", "الرواية", "روايات"), ("رواتب",)),
    (("جامعة", "الجامعة", "جامعات"), ("جامع", "الجامعي")),
)


def clitic_forms(base: str) -> list[str]:
    out = []
    for p in CLITIC_PREFIXES:
        if p.endswith("لل") and base.startswith("ل"):
            form = p[:-1] + base  # ل + ال + لجنة is written للجنة
        else:
            form = p + base
        if form not in out:
            out.append(form)
    return out


def corpus() -> tuple[list[str], dict[str, set[int]], list[tuple[str, set[int]]], list[tuple[str, set[int]]]]:
    """Documents, and the queries of each set with the documents that should be found."""
    docs: list[str] = []
    filler = "قال مصدر مطلع إن {} سيكون موضوع نقاش"
    clitic_queries: list[tuple[str, set[int]]] = []
    groups: dict[str, set[int]] = {}
    for base in CLITIC_BASES:
        ids = set()
        for form in clitic_forms(base):
            ids.add(len(docs))
            docs.append(filler.format(form))
        groups[base] = ids
        clitic_queries += [(form, ids) for form in clitic_forms(base)]
    for word in CLITIC_DISTRACTORS:
        docs.append(filler.format(word))
    stem_queries: list[tuple[str, set[int]]] = []
    for forms, others in STEM_GROUPS:
        ids = set()
        for form in forms:
            ids.add(len(docs))
            docs.append(filler.format(form))
        for other in others:
            docs.append(filler.format(other))
        stem_queries += [(form, ids) for form in forms]
    return docs, groups, clitic_queries, stem_queries


def _stripped(token: str) -> str:
    variants = clitic_variants(token)
    return variants[-1] if variants else token  # the shortest reading: the longest proclitic removed


def build(option: str, docs: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    keys = [match_key(d) for d in docs]
    if option == "keys":
        conn.execute("CREATE VIRTUAL TABLE f USING fts5(k)")
        conn.executemany("INSERT INTO f(rowid, k) VALUES (?, ?)", enumerate(keys))
    elif option == "prefix":
        conn.execute("CREATE VIRTUAL TABLE f USING fts5(k, prefix='2 3 4 5')")
        conn.executemany("INSERT INTO f(rowid, k) VALUES (?, ?)", enumerate(keys))
    elif option == "stripped":
        conn.execute("CREATE VIRTUAL TABLE f USING fts5(k)")
        conn.executemany("INSERT INTO f(rowid, k) VALUES (?, ?)",
                         ((i, " ".join(_stripped(t) for t in k.split())) for i, k in enumerate(keys)))
    else:  # variants (schema v5): the columns of articles_fts
        conn.execute("CREATE VIRTUAL TABLE f USING fts5(title_key, body_key, search_variants, prefix='2 3')")
        conn.executemany("INSERT INTO f(rowid, title_key, body_key, search_variants) VALUES (?, '', ?, ?)",
                         ((i, k, search_variants(k)) for i, k in enumerate(keys)))
    return conn


def query_of(option: str) -> Callable[[str], str]:
    def quoted(words: list[str], star: str = "") -> str:
        return " ".join('"' + w + '"' + star for w in words)

    return {
        "keys": lambda q: quoted(match_key(q).split()),
        "prefix": lambda q: quoted(match_key(q).split(), "*"),
        "stripped": lambda q: quoted([_stripped(t) for t in match_key(q).split()]),
        "variants": lambda q: fts_query(q),
        "variants+stem": lambda q: fts_query(q, stem=True),
    }[option]


def score(option: str, docs: list[str], queries: list[tuple[str, set[int]]]) -> tuple[float, float]:
    """Micro-averaged recall and precision of the option on the queries."""
    conn = build(option.split("+")[0], docs)
    make = query_of(option)
    found = relevant = retrieved = 0
    for q, want in queries:
        got = {r[0] for r in conn.execute("SELECT rowid FROM f WHERE f MATCH ?", [make(q)])}
        found += len(got & want)
        relevant += len(want)
        retrieved += len(got)
    return found / relevant, (found / retrieved if retrieved else 1.0)


OPTIONS = ("keys", "prefix", "stripped", "variants", "variants+stem")


def _fts_bytes(conn: sqlite3.Connection, table: str, schema: str = "main") -> int:
    # the index proper: articles_fts keeps no copy of the text (content="articles"), so _content is not counted
    shadow = [table] + [f"{table}_{s}" for s in ("data", "idx", "docsize", "config")]
    row = conn.execute(f"SELECT sum(pgsize) FROM dbstat('{schema}') WHERE name IN ({', '.join('?' * 5)})",
                       shadow).fetchone()
    return int(row[0] or 0)


def index_sizes(db: str, synthetic: int = 5000) -> None:
    """Index sizes against the text indexed: keys only and v5 (keys and readings), with and without FTS5's
    prefix='2 3' index, built afresh and optimised over ``synthetic`` articles drawn from the vocabulary of a
    crawled database (10-word titles, 300-word bodies, word frequencies Zipf-like by rank); page overhead makes a
    small database's ratios meaningless."""
    import random

    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    words = [w for (k,) in src.execute("SELECT coalesce(title_key, '') || ' ' || coalesce(body_key, '') "
                                       "FROM articles") for w in k.split()]
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    vocab = sorted(counts, key=lambda w: -counts[w])
    weights = [1 / (i + 1) for i in range(len(vocab))]
    rnd = random.Random(1)
    docs = []
    for i in range(synthetic):
        title, body = " ".join(rnd.choices(vocab, weights, k=10)), " ".join(rnd.choices(vocab, weights, k=300))
        docs.append((i, title, body, search_variants(title, body)))
    keys = sum(len((t + " " + b).encode()) for _, t, b, _ in docs)
    readings = sum(len(v.encode()) for *_, v in docs)
    conn = sqlite3.connect(":memory:")
    print(f"{synthetic} articles from the vocabulary of {db} ({len(vocab)} words): key text {keys / 1e6:.1f} MB, "
          f"readings {readings / 1e6:.1f} MB (+{readings / keys:.0%})")
    for name, cols, prefix in (("keys_prefix", 2, ", prefix='2 3'"), ("keys", 2, ""),
                               ("v5_prefix", 3, ", prefix='2 3'"), ("v5", 3, "")):
        names = "title_key, body_key" + (", search_variants" if cols == 3 else "")
        conn.execute(f"CREATE VIRTUAL TABLE {name} USING fts5({names}, tokenize='unicode61 remove_diacritics 2'"
                     f"{prefix})")
        conn.executemany(f"INSERT INTO {name}(rowid, {names}) VALUES (?{', ?' * cols})", [d[: cols + 1] for d in docs])
        conn.execute(f"INSERT INTO {name}({name}) VALUES ('optimize')")
        size = _fts_bytes(conn, name)
        indexed = keys + (readings if cols == 3 else 0)
        print(f"  {name:<12} {size / 1e6:6.1f} MB  {size / indexed:.2f} x the text it indexes, {size / keys:.2f} x key text")


def main() -> None:
    if len(sys.argv) > 1:
        index_sizes(sys.argv[1])
    docs, _groups, clitic_q, stem_q = corpus()
    print(f"{len(docs)} documents; clitic set {len(clitic_q)} queries, stem set {len(stem_q)} queries")
    print(f"{'option':<15} {'clitic recall':>13} {'precision':>9} {'stem recall':>11} {'precision':>9}")
    for option in OPTIONS:
        cr, cp = score(option, docs, clitic_q)
        sr, sp = score(option, docs, stem_q)
        print(f"{option:<15} {cr:>13.3f} {cp:>9.3f} {sr:>11.3f} {sp:>9.3f}")


if __name__ == "__main__":
    main()
