"""The Redis address of a distributed crawl: checked, masked in anything printed, and reachable for real."""

from __future__ import annotations

import pytest

from newscrawler.distributed.redis_url import (
    RedisKeys,
    RedisUrlError,
    check_redis_url,
    mask_redis_url,
    redis_client,
)


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "redis://h", "rediss://user:pw@h:6380/2",
                                 "unix:///run/redis.sock"])
def test_good_urls_pass_unchanged(url: str) -> None:
    assert check_redis_url(url) == url


@pytest.mark.parametrize(("url", "why"), [("http://h:6379/0", "expected redis://"), ("redis://:6379/0", "no host"),
                                          ("redis://h:99999/0", "out of range"), ("redis://h:6379/x", "a number")])
def test_bad_urls_say_why_in_one_line(url: str, why: str) -> None:
    with pytest.raises(RedisUrlError, match=why) as caught:
        check_redis_url(url)
    assert "\n" not in str(caught.value)


def test_the_password_never_shows() -> None:
    assert mask_redis_url("redis://crawler:s3cret@db.internal:6379/1") == "redis://crawler:***@db.internal:6379/1"
    assert mask_redis_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    with pytest.raises(RedisUrlError) as caught:
        check_redis_url("http://crawler:s3cret@h/0")
    assert "s3cret" not in str(caught.value)


def test_a_real_server_answers_and_keys_share_one_prefix(redis_server) -> None:
    client = redis_client(redis_server.url)
    assert client.ping() is True
    keys = RedisKeys("crawl-a")
    client.set(keys.host_next("example.ma"), 1)
    assert client.keys("crawl-a:*") == [b"crawl-a:host:example.ma:next"]
    assert all(name.startswith("crawl-a:") for name in (keys.requests, keys.items, keys.inflight("w1"),
                                                        keys.seen_bucket(3), keys.frontier))


def test_every_item_type_survives_the_stream_codec() -> None:
    from newscrawler.distributed.item_codec import ItemCodecError, decode_item, encode_item
    from newscrawler.items import (
        ITEM_TYPES,
        Article,
        Headline,
        HeadlineBatch,
        KnownArticles,
        PageRecord,
        PollSchedule,
        Reject,
    )

    items = [Article(url="https://a.ma/1", fetched_url="https://a.ma/1?x", source_id="a", title="عنوان",
                     body="نص " * 30, authors=["كاتب"], method={"body": "rules"}),
             HeadlineBatch([Headline(source_id="a", listing_url="https://a.ma/", title="خبر", url="https://a.ma/2",
                                     position=1)]),
             PollSchedule(url="https://a.ma/feed", source_id="a", kind="feed", interval_seconds=600.0,
                          next_due_at="2026-12-06T10:00:00+00:00"),
             Reject(url="https://a.ma/3", source_id="a", reason="http_404", http_status=404),
             Headline(source_id="a", listing_url="https://a.ma/feed", title="خبر آخر", url="https://a.ma/4",
                      position=None),
             KnownArticles(source_id="a", url_keys=["a.ma/5", "a.ma/6"], seen_at="2026-12-06T09:00:00+00:00"),
             PageRecord(url="https://a.ma/feed", source_id="a", kind="feed", http_status=304, etag='"v1"')]
    assert {type(item) for item in items} == set(ITEM_TYPES)  # every type the spider emits
    for item in items:
        assert decode_item(encode_item(item)) == item
    for bad in (b"not json", b'{"type": "Spam", "fields": {}}', b'{"type": "Reject", "fields": {"nope": 1}}'):
        with pytest.raises(ItemCodecError):
            decode_item(bad)
    with pytest.raises(ItemCodecError):
        encode_item({"url": "x"})
