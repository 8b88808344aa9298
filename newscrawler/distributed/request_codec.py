"""Scheduled requests as bytes in Redis: JSON (SCHEDULER_SERIALIZER), never scrapy-redis's default pickle.

scrapy-redis pickles ``Request.to_dict()``; a worker unpickling what it pops would run whatever anyone who can
write to the queue put there. The dict is JSON but for its bytes (headers, body), which are tagged base64.
"""

from __future__ import annotations

import base64
import json
from typing import Any

_BYTES = "__b64__"


def _default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {_BYTES: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"a scheduled request holds a {type(value).__name__}, which the queue cannot keep")


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _BYTES in obj:
        return base64.b64decode(obj[_BYTES])
    return obj


def _str_keys(obj: Any) -> Any:
    # JSON keys are strings: header names (bytes in Scrapy, which takes them back as str) are decoded as latin-1
    if isinstance(obj, dict):
        return {(k.decode("latin-1") if isinstance(k, bytes) else k): _str_keys(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_str_keys(v) for v in obj]
    return obj


def dumps(obj: dict[str, Any]) -> bytes:
    return json.dumps(_str_keys(obj), default=_default, ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(data, object_hook=_hook)
    return result
