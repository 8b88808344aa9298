"""Display-clean text and the keys and hashes that dedup and search use."""

from __future__ import annotations

from typing import Any

from newscrawler.dedup import body_hash, content_hash
from newscrawler.items import Article, Headline, HeadlineBatch
from newscrawler.text import NORMALISER_VERSION, display_clean, match_key, normalise_fields
from newscrawler.urls import url_key


def normalise_article(article: Article) -> Article:
    # The news spider's articles arrive normalised by the extraction worker (same function, same version):
    # the reactor thread then only adds the URL key and the hashes.
    if article.norm_version != NORMALISER_VERSION:
        for name, value in normalise_fields(article.title, article.body, article.summary).items():
            setattr(article, name, value)
    article.url_key = url_key(article.url)
    article.content_hash = content_hash(article.title_key, article.body_key)
    article.body_hash = body_hash(article.body_key)
    return article


def normalise_headline(headline: Headline) -> Headline:
    headline.title = display_clean(headline.title)
    headline.title_key = match_key(headline.title)
    headline.url_key = url_key(headline.url)
    return headline


class NormalisePipeline:
    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Article):
            return normalise_article(item)
        if isinstance(item, Headline):
            return normalise_headline(item)
        if isinstance(item, HeadlineBatch):
            for headline in item.headlines:
                normalise_headline(headline)
        return item
