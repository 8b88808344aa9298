"""The crawl state in Redis (NEWSCRAWLER_CRAWL_STATE_CLASS of a worker; newscrawler.crawlstate's protocol).

The keys and their value formats are RedisKeys' (redis_url.py). The ingest publishes what it committed to SQLite
(known article keys, rejects, page validators, poll schedules) and ends frontier entries (``mark_done``); the
workers read all of it and write the frontier's pending entries (``mark_pending``). Semantics follow
SqliteCrawlState, with the shared crawl in place of "this run":

- a URL that ended (stored: its key is known; rejected: it has a reject) is not marked pending again when a
  listing shows it once more (the duplicate filter drops the repeat, which would then stay pending for ever);
- a URL stays pending from when it first started waiting (``since`` is kept), so ``expire`` can tell a URL that
  has waited a week from one listed this morning;
- expired URLs leave the frontier and are requested again only when a listing shows them anew.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from newscrawler.crawlstate import PageValidators, PollState
from newscrawler.distributed.redis_url import RedisKeys, redis_client
from newscrawler.urls import url_key

# KEYS: known, rejected, frontier, frontier_by_source; ARGV: url, url key, JSON entry, unix since
_MARK_PENDING = """
if redis.call('SISMEMBER', KEYS[1], ARGV[2]) == 1 or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  return 0
end
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[3]) == 1 then
  redis.call('ZADD', KEYS[4], 'NX', ARGV[4], ARGV[1])
  return 1
end
return 0
"""

# KEYS: frontier; ARGV: unix seconds, frontier_by_source key prefix. Every source's URLs waiting since before.
_EXPIRE = """
local expired = 0
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local entry = cjson.decode(entries[i + 1])
  local key = ARGV[2] .. entry['source_id']
  local score = redis.call('ZSCORE', key, entries[i])
  if score and tonumber(score) < tonumber(ARGV[1]) then
    redis.call('ZREM', key, entries[i])
    redis.call('HDEL', KEYS[1], entries[i])
    expired = expired + 1
  end
end
return expired
"""


def _text(value: Any) -> str | None:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class RedisCrawlState:
    def __init__(self, client: Any, keys: RedisKeys) -> None:
        self.client, self.keys = client, keys
        self._mark_pending = client.register_script(_MARK_PENDING)
        self._expire = client.register_script(_EXPIRE)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisCrawlState:
        settings = crawler.settings
        return cls(redis_client(settings.get("REDIS_URL") or settings.get("NEWSCRAWLER_REDIS_URL")),
                   RedisKeys(settings.get("NEWSCRAWLER_REDIS_PREFIX")))

    def article_known(self, url_key: str) -> bool:
        return bool(self.client.sismember(self.keys.known_articles, url_key))

    def page_validators(self, url: str) -> PageValidators | None:
        raw = self.client.hget(self.keys.validators, url)
        if not raw:
            return None
        data = json.loads(raw)
        return PageValidators(data.get("http_status"), data.get("etag"), data.get("last_modified"))

    def mark_pending(self, url: str, source_id: str) -> None:
        now = datetime.now(UTC)
        entry = json.dumps({"source_id": source_id, "since": now.isoformat(timespec="seconds")})
        self._mark_pending(keys=[self.keys.known_articles, self.keys.rejected, self.keys.frontier,
                                 self.keys.frontier_by_source(source_id)],
                           args=[url, url_key(url), entry, now.timestamp()])

    def mark_done(self, url: str, source_id: str, reason: str | None = None) -> None:
        """The frontier entry ends; a reject's ``reason`` is kept for ``rejected_reason`` (a stored article
        clears an earlier one), as SqliteCrawlState keeps it on the frontier row. The ingest calls this after its
        commit (or writes the same keys itself)."""
        raw = self.client.hget(self.keys.frontier, url)
        owner = json.loads(raw).get("source_id") if raw else source_id
        with self.client.pipeline() as pipe:  # MULTI: all or nothing
            pipe.hdel(self.keys.frontier, url)
            pipe.zrem(self.keys.frontier_by_source(owner or source_id), url)
            if owner != source_id:
                pipe.zrem(self.keys.frontier_by_source(source_id), url)
            if reason:
                pipe.hset(self.keys.rejected, url, reason)
            else:
                pipe.hdel(self.keys.rejected, url)
            pipe.execute()

    def rejected_reason(self, url: str) -> str | None:
        return _text(self.client.hget(self.keys.rejected, url))

    def pending(self, source_id: str, limit: int | None = None) -> list[str]:
        end = int(limit) - 1 if limit else -1
        return [str(_text(u)) for u in self.client.zrange(self.keys.frontier_by_source(source_id), 0, end)]

    def expire(self, older_than: datetime, reason: str = "max_age") -> int:
        if older_than.tzinfo is None:
            older_than = older_than.replace(tzinfo=UTC)
        return int(self._expire(keys=[self.keys.frontier],
                                args=[older_than.timestamp(), self.keys.frontier_by_source("")]))

    def poll_state(self, url: str) -> PollState | None:
        raw = self.client.hget(self.keys.polls, url)
        if not raw:
            return None
        data = json.loads(raw)
        return PollState(float(data["interval_seconds"]), str(data["next_due_at"]), int(data.get("failures") or 0))

    def close(self) -> None:
        self.client.close()
