"""The SQL of each schema migration step, by the version it brings a database to (``schema.MIGRATIONS`` names and
orders them; docs/schema.md describes the tables). Kept apart from the migration logic because it is most of the
text: a new step appends a constant here and a ``Migration`` line there. Never edit a released step."""

V1 = """
    CREATE TABLE IF NOT EXISTS sources (
        id TEXT PRIMARY KEY,
        name TEXT,
        homepage TEXT,
        kind TEXT,
        language TEXT,
        country TEXT,
        timezone TEXT,
        config_hash TEXT,
        added_at TEXT,
        updated_at TEXT
    );

    CREATE TABLE IF NOT EXISTS crawl_runs (
        id INTEGER PRIMARY KEY,
        spider TEXT,
        sources TEXT,
        settings TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        articles_new INTEGER NOT NULL DEFAULT 0,
        articles_seen INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        articles_touched INTEGER NOT NULL DEFAULT 0,
        repointed INTEGER NOT NULL DEFAULT 0,
        headlines_new INTEGER NOT NULL DEFAULT 0,
        headlines_seen INTEGER NOT NULL DEFAULT 0,
        pages INTEGER NOT NULL DEFAULT 0,
        rejects INTEGER NOT NULL DEFAULT 0,
        rejects_fetched INTEGER NOT NULL DEFAULT 0,
        rejects_by_reason TEXT NOT NULL DEFAULT '{}',
        by_source TEXT NOT NULL DEFAULT '{}',
        accounted INTEGER NOT NULL DEFAULT 0,
        pages_fetched INTEGER,
        unaccounted INTEGER,
        requests INTEGER,
        bytes INTEGER,
        errors INTEGER,
        items_dropped INTEGER,
        stats TEXT
    );

    CREATE TABLE IF NOT EXISTS articles (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        url_key TEXT NOT NULL,
        fetched_url TEXT,
        fetched_url_key TEXT,
        source_id TEXT,
        source_url TEXT,
        source_url_key TEXT,
        source_name TEXT,
        title TEXT,
        body TEXT,
        summary TEXT,
        title_key TEXT,
        body_key TEXT,
        content_hash TEXT,
        body_hash TEXT,
        authors TEXT NOT NULL DEFAULT '[]',
        tags TEXT NOT NULL DEFAULT '[]',
        section TEXT,
        language TEXT,
        image_url TEXT,
        published_at TEXT,
        published_local TEXT,
        published_raw TEXT,
        published_rule TEXT,
        modified_at TEXT,
        fetched_at TEXT,
        http_status INTEGER,
        methods TEXT NOT NULL DEFAULT '{}',
        norm_version TEXT,
        duplicate_of INTEGER REFERENCES articles(id),
        dup_reason TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        first_run_id INTEGER,
        last_run_id INTEGER
    );
    CREATE UNIQUE INDEX IF NOT EXISTS idx_articles_url_key ON articles(url_key);
    CREATE INDEX IF NOT EXISTS idx_articles_fetched_url_key ON articles(fetched_url_key);
    CREATE INDEX IF NOT EXISTS idx_articles_content_hash ON articles(content_hash);
    CREATE INDEX IF NOT EXISTS idx_articles_body_hash ON articles(body_hash);
    CREATE INDEX IF NOT EXISTS idx_articles_source_url_key ON articles(source_url_key);
    CREATE INDEX IF NOT EXISTS idx_articles_source_id ON articles(source_id);
    CREATE INDEX IF NOT EXISTS idx_articles_published_at ON articles(published_at);
    CREATE INDEX IF NOT EXISTS idx_articles_duplicate_of ON articles(duplicate_of);

    CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
        title_key, body_key,
        content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3'
    );
    CREATE TRIGGER IF NOT EXISTS articles_fts_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title_key, body_key) VALUES (new.id, new.title_key, new.body_key);
    END;
    CREATE TRIGGER IF NOT EXISTS articles_fts_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title_key, body_key)
        VALUES ('delete', old.id, old.title_key, old.body_key);
    END;
    -- only key changes touch the index: last_seen_at updates happen on every re-visit
    CREATE TRIGGER IF NOT EXISTS articles_fts_au AFTER UPDATE OF title_key, body_key ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title_key, body_key)
        VALUES ('delete', old.id, old.title_key, old.body_key);
        INSERT INTO articles_fts(rowid, title_key, body_key) VALUES (new.id, new.title_key, new.body_key);
    END;

    CREATE TABLE IF NOT EXISTS headlines (
        id INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL,
        url TEXT NOT NULL,
        url_key TEXT NOT NULL,
        title TEXT,
        title_key TEXT,
        listing_url TEXT,
        section TEXT,
        position INTEGER,
        first_position INTEGER,
        first_listing_url TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        first_run_id INTEGER,
        last_run_id INTEGER,
        article_id INTEGER REFERENCES articles(id)
    );
    CREATE UNIQUE INDEX IF NOT EXISTS idx_headlines_source_url_key ON headlines(source_id, url_key);
    CREATE INDEX IF NOT EXISTS idx_headlines_url_key ON headlines(url_key);
    CREATE INDEX IF NOT EXISTS idx_headlines_article_id ON headlines(article_id);
    CREATE INDEX IF NOT EXISTS idx_headlines_first_seen_at ON headlines(first_seen_at);

    CREATE TABLE IF NOT EXISTS pages (
        url TEXT PRIMARY KEY,
        source_id TEXT,
        kind TEXT,
        http_status INTEGER,
        etag TEXT,
        last_modified TEXT,
        content_hash TEXT,
        items INTEGER,
        first_fetched_at TEXT,
        fetched_at TEXT,
        changed_at TEXT,
        fetch_count INTEGER NOT NULL DEFAULT 0,
        last_run_id INTEGER
    );
    CREATE INDEX IF NOT EXISTS idx_pages_source_id ON pages(source_id);

    CREATE TABLE IF NOT EXISTS rejects (
        id INTEGER PRIMARY KEY,
        run_id INTEGER,
        url TEXT,
        source_id TEXT,
        reason TEXT NOT NULL,
        detail TEXT,
        http_status INTEGER,
        fetched INTEGER NOT NULL DEFAULT 1,
        at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS idx_rejects_run_id ON rejects(run_id);
    CREATE INDEX IF NOT EXISTS idx_rejects_source_reason ON rejects(source_id, reason);
    CREATE INDEX IF NOT EXISTS idx_rejects_url ON rejects(url);
"""

# near-duplicates (docs/schema.md "Dedup rules, second level")
V2 = """
    ALTER TABLE articles ADD COLUMN minhash BLOB;
    ALTER TABLE articles ADD COLUMN shingle_count INTEGER;
    ALTER TABLE articles ADD COLUMN story_id INTEGER;
    ALTER TABLE articles ADD COLUMN dup_score REAL;
    UPDATE articles SET story_id = coalesce(duplicate_of, id);
    CREATE INDEX IF NOT EXISTS idx_articles_story_id ON articles(story_id);
    CREATE INDEX IF NOT EXISTS idx_articles_first_seen_at ON articles(first_seen_at);

    -- WITHOUT ROWID: the table is its own (band, hash) index, one B-tree to write instead of two
    -- (one row per band and article on the crawl's hot path)
    CREATE TABLE IF NOT EXISTS article_bands (
        band INTEGER NOT NULL,
        hash INTEGER NOT NULL,
        article_id INTEGER NOT NULL,
        PRIMARY KEY (band, hash, article_id)
    ) WITHOUT ROWID;

    CREATE TABLE IF NOT EXISTS boilerplate_paragraphs (
        source_id TEXT NOT NULL,
        hash INTEGER NOT NULL,
        articles INTEGER NOT NULL DEFAULT 0,
        first_seen_at TEXT,
        last_seen_at TEXT,
        PRIMARY KEY (source_id, hash)
    ) WITHOUT ROWID;
"""

# the crawl frontier: article URLs scheduled (pending) and finished (done), to resume an interrupted run
V3 = """
    CREATE TABLE IF NOT EXISTS frontier (
        url TEXT PRIMARY KEY,
        source_id TEXT,
        state TEXT NOT NULL,
        run_id INTEGER,
        updated_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS idx_frontier_state ON frontier(state, source_id);
"""

# Arabic clitics in search (docs/analysts.md): articles.search_variants holds the clitic readings of every key
# token (newscrawler.search.search_variants; the writer registers it as a SQL function for this backfill). The
# index is re-created as sqlite-utils' enable_fts would name and configure it (content="articles" in double
# quotes is what `sqlite-utils search` and Datasette look for), over the match-key columns and the readings,
# without v1's prefix='2 3' index (59% of the index; prefix queries of 4+ letters never used it).
V5 = """
    ALTER TABLE articles ADD COLUMN search_variants TEXT;
    UPDATE articles SET search_variants = newscrawler_search_variants(title_key, body_key)
    WHERE title_key IS NOT NULL OR body_key IS NOT NULL;
    DROP TRIGGER IF EXISTS articles_fts_ai;
    DROP TRIGGER IF EXISTS articles_fts_ad;
    DROP TRIGGER IF EXISTS articles_fts_au;
    DROP TABLE IF EXISTS articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title_key, body_key, search_variants,
        content="articles", content_rowid="id",
        tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
    CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title_key, body_key, search_variants)
        VALUES (new.id, new.title_key, new.body_key, new.search_variants);
    END;
    CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title_key, body_key, search_variants)
        VALUES ('delete', old.id, old.title_key, old.body_key, old.search_variants);
    END;
    -- only key changes touch the index: last_seen_at updates happen on every re-visit
    CREATE TRIGGER articles_fts_au AFTER UPDATE OF title_key, body_key, search_variants ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title_key, body_key, search_variants)
        VALUES ('delete', old.id, old.title_key, old.body_key, old.search_variants);
        INSERT INTO articles_fts(rowid, title_key, body_key, search_variants)
        VALUES (new.id, new.title_key, new.body_key, new.search_variants);
    END;
"""

# Ready-made views for analysts (docs/analysts.md). Plain SQL, so they work in the sqlite3 shell. Days are UTC
# days: substr of the stored ISO text, compared as text with 'YYYY-MM-DD' (like with like).
V6 = """
    CREATE VIEW IF NOT EXISTS originals AS
    SELECT id, source_id, source_name, title, summary, published_at, url, source_url, story_id, section, tags,
           image_url, first_seen_at
    FROM articles WHERE duplicate_of IS NULL;

    CREATE VIEW IF NOT EXISTS latest_headlines AS
    SELECT source_id, title, url, listing_url, position, first_seen_at, last_seen_at, article_id, rank
    FROM (
        SELECT h.*, row_number() OVER (PARTITION BY h.source_id ORDER BY h.first_seen_at DESC, h.id DESC) AS rank
        FROM headlines h
    ) WHERE rank <= 20;

    CREATE VIEW IF NOT EXISTS articles_per_source_day AS
    SELECT source_id, substr(coalesce(published_at, first_seen_at), 1, 10) AS day,
           count(*) AS articles, count(*) FILTER (WHERE duplicate_of IS NULL) AS originals
    FROM articles GROUP BY source_id, day;

    -- publisher: the cluster's root (the original an aggregator copy points to); first_source: who published
    -- first by date (ties: the first stored)
    CREATE VIEW IF NOT EXISTS stories AS
    SELECT a.story_id, r.title, r.source_id AS publisher, r.url AS publisher_url,
           (SELECT b.source_id FROM articles b WHERE b.story_id = a.story_id
            ORDER BY coalesce(b.published_at, b.first_seen_at), b.id LIMIT 1) AS first_source,
           min(coalesce(a.published_at, a.first_seen_at)) AS first_published,
           max(coalesce(a.published_at, a.first_seen_at)) AS last_published,
           count(*) AS articles, count(DISTINCT a.source_id) AS outlets,
           group_concat(DISTINCT a.source_id) AS sources
    FROM articles a JOIN articles r ON r.id = a.story_id
    GROUP BY a.story_id;

    CREATE VIEW IF NOT EXISTS source_health AS
    SELECT s.id AS source_id, s.name,
           (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS articles,
           (SELECT count(*) FROM articles a WHERE a.source_id = s.id AND a.duplicate_of IS NULL) AS originals,
           (SELECT max(a.first_seen_at) FROM articles a WHERE a.source_id = s.id) AS last_new_article_at,
           (SELECT max(coalesce(a.published_at, a.first_seen_at)) FROM articles a WHERE a.source_id = s.id)
               AS last_published_at,
           (SELECT count(*) FROM rejects r WHERE r.source_id = s.id) AS rejects,
           (SELECT count(*) FROM rejects r WHERE r.source_id = s.id
               AND r.at >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-1 day')) AS rejects_last_day,
           (SELECT count(*) FROM headlines h WHERE h.source_id = s.id) AS headlines,
           (SELECT max(r.id) FROM crawl_runs r, json_each(r.sources) j WHERE j.value = s.id) AS last_run_id
    FROM sources s;
"""

# the pending frontier across runs (docs/schema.md, frontier): since when a URL waits, why it expired
V7 = """
    ALTER TABLE frontier ADD COLUMN pending_since TEXT;
    ALTER TABLE frontier ADD COLUMN reason TEXT;
    UPDATE frontier SET pending_since = updated_at WHERE state = 'pending';
    CREATE INDEX IF NOT EXISTS idx_frontier_source_pending ON frontier(source_id, state, pending_since);
"""

# adaptive polling (docs/schema.md, poll_schedule): when each feed, sitemap and listing is next due
V8 = """
    CREATE TABLE IF NOT EXISTS poll_schedule (
        url TEXT PRIMARY KEY,
        source_id TEXT,
        kind TEXT,
        interval_seconds REAL NOT NULL,
        next_due_at TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        seen_share REAL,
        polled_at TEXT
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS idx_poll_schedule_source_due ON poll_schedule(source_id, next_due_at);
"""

# Stories as their own table (docs/schema.md "Stories"), replacing v6's view of the same name and columns. The
# backfill moves every story to its canonical article (newscrawler.store.stories.CANONICAL_ORDER, inlined here):
# an old root that ranks lower becomes a copy of the new canonical, for the reason that tied the two.
V9 = """
    DROP VIEW IF EXISTS stories;
    CREATE TABLE stories (
        story_id INTEGER PRIMARY KEY,
        canonical_id INTEGER NOT NULL,
        title TEXT,
        first_publisher TEXT,
        first_published TEXT,
        publisher TEXT,
        publisher_url TEXT,
        first_source TEXT,
        last_published TEXT,
        articles INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        outlets INTEGER NOT NULL DEFAULT 0,
        sources TEXT,
        headlines INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS idx_stories_first_published ON stories(first_published);
    ALTER TABLE headlines ADD COLUMN story_id INTEGER;

    -- articles.bands: 1 = its article_bands rows are stored, 0 = none (exact copy, stub, or pruned outside the
    -- window), NULL = never fingerprinted (stored before v2; store.bands.backfill_signatures does them)
    ALTER TABLE articles ADD COLUMN bands INTEGER;
    -- (stubs stored since v2 are NULL too: fingerprinting them again finds them still too short, harmlessly)
    UPDATE articles SET bands = CASE WHEN minhash IS NOT NULL THEN 1 WHEN duplicate_of IS NOT NULL THEN 0 END;
    CREATE INDEX IF NOT EXISTS idx_articles_banded ON articles(first_seen_at) WHERE bands = 1;
    CREATE INDEX IF NOT EXISTS idx_articles_unsigned ON articles(id) WHERE bands IS NULL;

    CREATE TEMP TABLE _canon AS
    SELECT story_id, id AS canonical, dup_reason, dup_score FROM (
        SELECT a.story_id, a.id, a.dup_reason, a.dup_score, row_number() OVER (
            PARTITION BY a.story_id ORDER BY
            (coalesce(s.kind, 'publisher') = 'aggregator' OR coalesce(a.source_url_key, a.url_key) != a.url_key),
            a.published_at IS NULL, a.published_at, a.first_seen_at, a.id) AS rn
        FROM articles a LEFT JOIN sources s ON s.id = a.source_id
    ) WHERE rn = 1 AND id != story_id;
    UPDATE articles SET
        dup_reason = (SELECT coalesce(c.dup_reason, 'near_duplicate') FROM _canon c WHERE c.story_id = articles.id),
        dup_score = (SELECT c.dup_score FROM _canon c WHERE c.story_id = articles.id)
    WHERE duplicate_of IS NULL AND id IN (SELECT story_id FROM _canon);
    UPDATE articles SET story_id = (SELECT c.canonical FROM _canon c WHERE c.story_id = articles.story_id)
    WHERE story_id IN (SELECT story_id FROM _canon);
    UPDATE articles SET
        duplicate_of = CASE WHEN id = story_id THEN NULL ELSE story_id END,
        dup_reason = CASE WHEN id = story_id THEN NULL ELSE dup_reason END,
        dup_score = CASE WHEN id = story_id THEN NULL ELSE dup_score END
    WHERE story_id IN (SELECT canonical FROM _canon);
    DROP TABLE _canon;

    UPDATE headlines SET story_id = (SELECT a.story_id FROM articles a WHERE a.id = headlines.article_id)
    WHERE article_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS idx_headlines_story_id ON headlines(story_id);

    INSERT INTO stories (story_id, canonical_id, title, first_publisher, first_published, publisher,
        publisher_url, first_source, last_published, articles, duplicates, outlets, sources, headlines)
    SELECT c.id, c.id, c.title, c.source_id, coalesce(c.published_at, c.first_seen_at), c.source_id, c.url,
           c.source_id, m.last_published, m.articles, m.articles - 1, m.outlets, m.sources,
           (SELECT count(*) FROM headlines h WHERE h.story_id = c.id)
    FROM (SELECT story_id, max(coalesce(published_at, first_seen_at)) AS last_published, count(*) AS articles,
                 count(DISTINCT source_id) AS outlets, group_concat(DISTINCT source_id) AS sources
          FROM (SELECT story_id, source_id, published_at, first_seen_at FROM articles ORDER BY story_id, source_id)
          GROUP BY story_id) m
    JOIN articles c ON c.id = m.story_id;
"""

# Revisits of young articles and the revisions they find (newscrawler.revisits): how many revisits an article has had,
# when the next is due (NULL: none), and one row per edit found (the old and the new text; the article keeps its id
# and carries the new text).
V10 = """
    ALTER TABLE articles ADD COLUMN revisits INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE articles ADD COLUMN next_revisit_at TEXT;
    CREATE INDEX IF NOT EXISTS idx_articles_next_revisit_at ON articles(source_id, next_revisit_at)
        WHERE next_revisit_at IS NOT NULL;
    CREATE TABLE IF NOT EXISTS article_revisions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        run_id INTEGER REFERENCES crawl_runs(id),
        revised_at TEXT NOT NULL,
        fields TEXT NOT NULL,
        old_title TEXT,
        new_title TEXT,
        old_body TEXT,
        new_body TEXT
    );
    CREATE INDEX IF NOT EXISTS idx_article_revisions_article_id ON article_revisions(article_id);
"""

# The LSH band layout went from 25 bands x 5 rows to dedup.BANDS x dedup.ROWS (32 x 4, issue 17: a J ~ 0.6 pair was a
# candidate only ~87 % of the time). Every stored band hash depends on the layout, so article_bands is rebuilt from
# the stored signatures of the rows that have bands (articles.bands = 1); pruned rows (0, signature kept) and rows
# never fingerprinted (NULL) stay without, as before. The layout comes from the writer's SQL functions
# newscrawler_band_count() and newscrawler_band_hash(minhash, band) (connection.register_functions: the code's
# dedup.BANDS and dedup.band_hashes), so this text never changes and always builds the layout of the code that runs
# it: a later layout change appends a step with the same text. CROSS JOIN keeps the articles as the outer loop (the
# function computes an article's bands once); ORDER BY inserts in primary-key order, appending to the B-tree instead
# of writing random pages (7.6 s against 17.4 s for 98,098 articles). DELETE without WHERE is SQLite's truncate.
V11 = """
    DELETE FROM article_bands;
    WITH RECURSIVE n(band) AS (SELECT 0 UNION ALL SELECT band + 1 FROM n WHERE band + 1 < newscrawler_band_count())
    INSERT INTO article_bands (band, hash, article_id)
    SELECT n.band, newscrawler_band_hash(a.minhash, n.band) AS hash, a.id
    FROM articles a CROSS JOIN n
    WHERE a.bands = 1 AND a.minhash IS NOT NULL
    ORDER BY n.band, hash, a.id;
"""
