"""URL canonicalisation and site checks.

Two levels, on purpose:

* ``canonical_url`` is still a URL you can fetch: it only removes what never changes the page
  (tracking parameters, fragments, default ports, AMP variants) and spells the rest one way
  (lower-case scheme and host, one percent-encoding, sorted query).
* ``url_key`` is the dedup key, never fetched: it also folds ``http``/``https``, ``www.``, ``m.`` and
  ``mobile.``, a trailing slash and ``index.html``/``index.php``. Two spellings of one article give one
  key; two articles (``?id=1`` and ``?id=2``) never do, because id parameters are always kept.

Pure functions on strings: no network, no DNS, never raises on odd input.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit, urlunsplit

__all__ = [
    "TRACKING_PARAMS",
    "canonical_url",
    "host_allowed",
    "is_loopback_or_private",
    "is_private_ip",
    "same_site",
    "site_of",
    "url_key",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Parameters that identify a campaign or a click, never the page. Compared lower-cased.
# Id-like parameters (id, p, page, article, nid, ...) are deliberately absent: fundus strips the
# whole query and merges `article.php?id=1` with `?id=2` (peers.md, section b).
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "hsctatracking",
        "mkt_tok", "ref", "ref_src", "ref_url", "referrer", "xtor", "xtref", "spm", "scm",
        "at_medium", "at_campaign", "at_campaign_type", "at_creation", "at_format", "at_platform",
        "at_send_date", "at_variant", "at_link", "at_ptr_name", "at_emailtype", "at_recipient_id",
        "at_recipient_list", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
        "fb_action_ids", "fb_action_types", "fb_ref", "fb_source", "action_object_map",
        "action_type_map", "action_ref_map", "__twitter_impression", "cmpid", "ocid", "ncid",
        "s_cid", "wt_mc", "wt.mc_id", "ito", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv",
        "rb_clickid", "soc_src", "soc_trk", "sr_share", "share", "shared", "ssr", "amp_js_v",
        "amp_gsa", "usqp", "outputtype",
    }
)
# Whole families of tracking parameters.
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hmb_", "ga_")

# `?amp=1`, `?amp`, `?amp=true` only select the AMP rendering of the same article.
_AMP_FLAG_VALUES = {"", "1", "true", "yes"}

# RFC 3986 characters that may appear unescaped. Everything else is percent-encoded.
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = frozenset(b"!$&'()*+,;=")
_PATH_SAFE = _UNRESERVED | _SUB_DELIMS | frozenset(b":@/")
# In a query key or value `&`, `=` and `+` carry meaning, so they stay as they are when literal and
# stay escaped when escaped; `/`, `?`, `:` and `@` are legal and left alone.
_QUERY_SAFE = _UNRESERVED | _SUB_DELIMS | frozenset(b":@/?")

_PCT_RE = re.compile(rb"%([0-9A-Fa-f]{2})")
_WWW_MOBILE_RE = re.compile(r"^(?:www\d{0,3}|m|mobile)\.")
_INDEX_RE = re.compile(r"/index\.(?:html?|php|aspx?|jsp)$", re.IGNORECASE)


def _normalise_component(text: str, safe: frozenset[int]) -> str:
    """Spell one path or query component in exactly one way.

    Escapes of unreserved ASCII and of non-ASCII bytes are decoded, everything else keeps (or gets)
    an upper-case ``%XX``. Working on bytes makes ``/%d8%a7`` and the raw ``/ا`` give the same
    string, and keeps a non-UTF-8 escape (``%C7`` from windows-1256) byte-for-byte intact.
    An escaped reserved character (``%2F``, ``%26``) stays escaped because decoding it would change
    the meaning of the URL.
    """
    raw = text.encode("utf-8", "surrogatepass")

    def _unescape(m: re.Match[bytes]) -> bytes:
        byte = int(m.group(1), 16)
        if byte in _UNRESERVED or byte >= 0x80:
            return bytes([byte])
        return b"%" + m.group(1).upper()

    raw = _PCT_RE.sub(_unescape, raw)
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        b = raw[i]
        if b == 0x25:  # '%': keep a valid escape (already upper-cased above), escape a stray '%'
            if _PCT_RE.match(raw, i):
                out.append(raw[i : i + 3].decode("ascii"))
                i += 3
                continue
            out.append("%25")
        elif b in safe:
            out.append(chr(b))
        else:
            out.append(f"%{b:02X}")
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, so `/a/./b/../c` and `/a/c` are one URL.
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for seg in segments:
        if seg == ".":
            continue
        if seg == "..":
            if len(out) > 1:
                out.pop()
            continue
        out.append(seg)
    if segments[-1] in (".", ".."):
        out.append("")
    result = "/".join(out)
    if path.startswith("/") and not result.startswith("/"):
        result = "/" + result
    return result


def _strip_amp_path(path: str) -> str:
    # `/slug/amp/`, `/slug/amp`, `/amp/slug` and `slug.amp.html` all name the AMP copy of `/slug`.
    segments = path.split("/")
    kept = [s for s in segments if s.lower() != "amp"]
    if len(kept) != len(segments):
        path = "/".join(kept)
        if not path.startswith("/"):
            path = "/" + path
    return re.sub(r"\.amp(\.html?)$", r"\1", path, flags=re.IGNORECASE)


def _normalise_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if host and not host.isascii():
        # IDN hosts: one spelling (punycode), which is also what the HTTP client sends.
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return host


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in TRACKING_PARAMS or k.startswith(_TRACKING_PREFIXES)


def _normalise_query(query: str) -> str:
    if not query:
        return ""
    pairs: list[tuple[str, str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        key, eq, value = part.partition("=")
        # Compare the decoded key, so `utm%5Fsource` is caught as well.
        key_n = _normalise_component(key, _QUERY_SAFE)
        plain_key = re.sub("%5F", "_", key_n, flags=re.IGNORECASE)
        if _is_tracking(plain_key):
            continue
        if plain_key.lower() == "amp" and value.lower() in _AMP_FLAG_VALUES:
            continue
        value_n = _normalise_component(value, _QUERY_SAFE)
        pairs.append((key_n, eq, value_n))
    pairs.sort(key=lambda p: (p[0], p[2]))
    return "&".join(k + eq + v for k, eq, v in pairs)


# The same URL is canonicalised several times per page (listing, request, extraction, storage): cache it.
@functools.lru_cache(maxsize=16384)
def canonical_url(url: str, base: str | None = None) -> str:
    """Return the fetchable canonical spelling of ``url`` (resolved against ``base`` when given).

    Lower-cases scheme and host, drops default ports, the fragment, tracking parameters and AMP
    variants, sorts the query, normalises percent-encoding (upper-case hex, Arabic slugs always
    escaped). Keeps ``www.`` and id parameters. Non-HTTP URLs (``mailto:``, ``javascript:``) and
    unparseable strings come back stripped but otherwise unchanged.
    """
    url = (url or "").strip()
    # Whitespace inside a pasted URL is noise, not part of the address.
    url = re.sub(r"[\t\r\n]", "", url)
    if base:
        try:
            url = urljoin(base.strip(), url)
        except ValueError:
            return url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return url
    host = _normalise_host(parts.hostname or "")
    # An `amp.` host serves the AMP copy of the same site (amp.example.com/x == www.example.com/x
    # is not guaranteed, but the bare domain always redirects to the site's main host).
    if host.startswith("amp.") and host.count(".") >= 2:
        host = host[4:]
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = _remove_dot_segments(parts.path or "/")
    path = _strip_amp_path(path)
    path = _normalise_component(path, _PATH_SAFE) or "/"
    query = _normalise_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


@functools.lru_cache(maxsize=16384)
def url_key(url: str) -> str:
    """Return the dedup key of ``url``: ``canonical_url`` with scheme, ``www.``/``m.``/``mobile.``,
    trailing slash and ``index.html``/``index.php`` folded. Not a URL; never fetch it."""
    canon = canonical_url(url)
    try:
        parts = urlsplit(canon)
    except ValueError:
        return canon
    if parts.scheme not in _DEFAULT_PORTS:
        return canon
    netloc = parts.netloc.rpartition("@")[2]
    netloc = _WWW_MOBILE_RE.sub("", netloc)
    path = _INDEX_RE.sub("/", parts.path)
    path = path.rstrip("/")
    key = netloc + path
    if parts.query:
        key += "?" + parts.query
    return key


def _split_host(url: str) -> tuple[str, int | None, int | None]:
    """Host (normalised, IPv6 without brackets), the explicit non-default port, and the effective
    port (explicit or the scheme's default; None when neither is known) of ``url``."""
    text = (url or "").strip()
    if "://" not in text and not text.startswith("//"):
        text = "//" + text  # a bare `example.com:8001/x` or `example.com`
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return "", None, None
    host = _normalise_host(parts.hostname or "")
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    effective = port if port is not None else default
    if port is not None and port == default:
        port = None
    return host, port, effective


def _host_port(url: str) -> tuple[str, int | None]:
    host, port, _ = _split_host(url)
    return host, port


def _fold_host(host: str) -> str:
    if host.startswith("amp.") and host.count(".") >= 2:
        host = host[4:]
    return _WWW_MOBILE_RE.sub("", host)


def site_of(url: str) -> str:
    """The site a URL belongs to: host without ``www.``/``m.``/``mobile.``/``amp.``, plus ``:port``
    when the port is not the scheme's default. ``''`` when there is no host."""
    host, port = _host_port(url)
    host = _fold_host(host)
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port is not None and host else host


def same_site(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are on one site: equal ``site_of``, or one host is a subdomain of the
    other (``ar.le360.ma`` and ``le360.ma``), with the same port. Sibling subdomains are different sites."""
    ha, pa = _host_port(a)
    hb, pb = _host_port(b)
    ha, hb = _fold_host(ha), _fold_host(hb)
    if not ha or not hb or pa != pb:
        return False
    return ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha)


def host_allowed(url: str, domains: Iterable[str]) -> bool:
    """True when the host of ``url`` is allowed by one entry of ``domains``.

    ``example.com`` (also written ``www.example.com``, ``.example.com`` or ``https://example.com/``)
    allows example.com and every subdomain, on any port. An entry with a port (``127.0.0.1:8001``)
    allows exactly that host and port.
    """
    host, port, effective = _split_host(url)
    if not host:
        return False
    for entry in domains:
        if not entry:
            continue
        e_host, e_port, e_effective = _split_host(entry.strip().lower().lstrip("."))
        if not e_host:
            continue
        if e_effective is not None and (e_port is not None or "://" not in entry):
            # An entry with a port: that host and port only (`example.com:80` also matches
            # `http://example.com/`, whose port is implied).
            if host == e_host and (effective == e_effective or port == e_effective):
                return True
            continue
        e_host = re.sub(r"^www\d{0,3}\.", "", e_host)
        if host == e_host or host.endswith("." + e_host):
            return True
    return False


def _ip_of(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # Legacy IPv4 spellings that resolvers still accept: `127.1`, `0x7f.0.0.1`, `2130706433`.
    if re.fullmatch(r"[0-9a-fx.]+", host) and not host.endswith("."):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_loopback_or_private(url: str) -> bool:
    """True when the host of ``url`` is loopback, private or link-local (127.0.0.0/8, ::1,
    ``localhost``, 10/8, 172.16/12, 192.168/16, 169.254/16, fc00::/7, ...). Literal hosts only: no DNS
    lookup here; a public name that resolves to a private address is refused at request time by
    `newscrawler.middlewares.PrivateAddressMiddleware`."""
    host, _port = _host_port(url)
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    return is_private_ip(host)


def is_private_ip(address: str) -> bool:
    """True when ``address`` is a literal IP address that is loopback, private, link-local or unspecified (an
    IPv4-mapped IPv6 address counts as its IPv4 address); False for anything else, names included."""
    ip = _ip_of(address)
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified
