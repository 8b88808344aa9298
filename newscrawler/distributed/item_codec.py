"""Items as bytes on the Redis stream between the workers and the ingest: JSON with the item's type name.

The items are plain dataclasses (newscrawler.items); a `HeadlineBatch` nests its `Headline`s. JSON rather than
pickle: the ingest must never run code that a worker (or anyone who can write to the stream) put there.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from newscrawler.items import ITEM_TYPES, Headline, HeadlineBatch

# the types by class name: the name on the stream
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in ITEM_TYPES}


class ItemCodecError(ValueError):
    """Bytes on the stream that are not an item of ours (the ingest records and acknowledges them)."""


def encode_item(item: Any) -> bytes:
    name = type(item).__name__
    if _BY_NAME.get(name) is not type(item) or not dataclasses.is_dataclass(item) or isinstance(item, type):
        raise ItemCodecError(f"not a newscrawler item: {name}")
    return json.dumps({"type": name, "fields": dataclasses.asdict(item)}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def decode_item(data: bytes) -> Any:
    try:
        obj = json.loads(data)
        cls = _BY_NAME[obj["type"]]
        fields = dict(obj["fields"])
        if cls is HeadlineBatch:
            fields["headlines"] = [Headline(**h) for h in fields.get("headlines", [])]
        return cls(**fields)
    except (ValueError, KeyError, TypeError) as exc:
        raise ItemCodecError(f"undecodable stream entry: {type(exc).__name__}: {exc}") from None
