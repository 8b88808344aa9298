"""Tests for newscrawler.urls: one test per canonicalisation rule, then the dedup folds and site checks."""

import pytest

from newscrawler.urls import (
    canonical_url,
    host_allowed,
    is_loopback_or_private,
    same_site,
    site_of,
    url_key,
)

ARABIC_SLUG = "/politique/الحكومة-تصادق"
ARABIC_SLUG_ESCAPED = (
    "/politique/%D8%A7%D9%84%D8%AD%D9%83%D9%88%D9%85%D8%A9-%D8%AA%D8%B5%D8%A7%D8%AF%D9%82"
)

# --- canonical_url -----------------------------------------------------------------------------------


def test_scheme_and_host_lowercased_path_case_kept():
    assert canonical_url("HTTPS://WWW.Hespress.COM/Politique/A") == "https://www.hespress.com/Politique/A"


def test_default_ports_dropped_other_ports_kept():
    assert canonical_url("http://example.com:80/a") == "http://example.com/a"
    assert canonical_url("https://example.com:443/a") == "https://example.com/a"
    assert canonical_url("http://127.0.0.1:8001/a") == "http://127.0.0.1:8001/a"
    assert canonical_url("https://example.com:80/a") == "https://example.com:80/a"


def test_fragment_dropped():
    assert canonical_url("https://example.com/a#comments") == "https://example.com/a"


def test_empty_path_becomes_slash():
    assert canonical_url("https://example.com") == "https://example.com/"


def test_resolves_against_base():
    assert canonical_url("../x.html", "https://example.com/a/b/c") == "https://example.com/a/x.html"
    assert canonical_url("/y?id=3", "https://example.com/a/") == "https://example.com/y?id=3"
    assert canonical_url("//cdn.example.com/z", "https://example.com/") == "https://cdn.example.com/z"


def test_dot_segments_removed():
    assert canonical_url("https://example.com/a/./b/../c") == "https://example.com/a/c"


@pytest.mark.parametrize(
    "param",
    [
        "utm_source=fb",
        "utm_medium=social",
        "utm_campaign=x",
        "utm_content=y",
        "utm_term=z",
        "fbclid=IwAR0",
        "gclid=abc",
        "mc_cid=1",
        "mc_eid=2",
        "_ga=2.1",
        "ref=twitter",
        "ref_src=twsrc",
        "igshid=abc",
        "at_medium=rss",
        "at_campaign=feed",
        "xtor=RSS-1",
        "spm=a.b.c",
        "UTM_Source=Upper",
    ],
)
def test_tracking_params_removed(param):
    assert canonical_url(f"https://example.com/a?{param}") == "https://example.com/a"
    assert canonical_url(f"https://example.com/a?id=7&{param}") == "https://example.com/a?id=7"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/article.php?id=12",
        "https://example.com/?p=4521",
        "https://example.com/news/view?nid=99",
        "https://example.com/index.php?option=com_content&view=article&id=5",
    ],
)
def test_id_params_kept(url):
    assert canonical_url(url + "&utm_source=x") == canonical_url(url)
    assert "?" in canonical_url(url)


def test_query_sorted():
    assert canonical_url("https://example.com/a?b=2&a=1&c=3") == "https://example.com/a?a=1&b=2&c=3"


def test_query_reserved_escapes_kept():
    # `%26` is a literal `&` inside a value: decoding it would split the parameter.
    assert canonical_url("https://example.com/s?q=a%26b") == "https://example.com/s?q=a%26b"
    assert canonical_url("https://example.com/s?q=a+b") == "https://example.com/s?q=a+b"


def test_arabic_slug_raw_and_escaped_agree():
    raw = canonical_url("https://www.hespress.com" + ARABIC_SLUG)
    esc = canonical_url("https://www.hespress.com" + ARABIC_SLUG_ESCAPED)
    lower = canonical_url("https://www.hespress.com" + ARABIC_SLUG_ESCAPED.lower())
    assert raw == esc == lower == "https://www.hespress.com" + ARABIC_SLUG_ESCAPED


def test_arabic_query_value():
    a = canonical_url("https://example.com/search?q=المغرب")
    b = canonical_url("https://example.com/search?q=%D8%A7%D9%84%D9%85%D8%BA%D8%B1%D8%A8")
    assert a == b == "https://example.com/search?q=%D8%A7%D9%84%D9%85%D8%BA%D8%B1%D8%A8"


def test_percent_encoding_of_unreserved_decoded_reserved_kept():
    assert canonical_url("https://example.com/%7Euser/%61bc") == "https://example.com/~user/abc"
    assert canonical_url("https://example.com/a%2fb") == "https://example.com/a%2Fb"
    assert canonical_url("https://example.com/100%") == "https://example.com/100%25"
    assert canonical_url("https://example.com/a b") == "https://example.com/a%20b"


def test_non_utf8_escape_kept_byte_for_byte():
    assert canonical_url("https://example.com/%c7%e1") == "https://example.com/%C7%E1"


@pytest.mark.parametrize(
    "amp,plain",
    [
        ("https://example.com/2025/10/07/slug/amp/", "https://example.com/2025/10/07/slug/"),
        ("https://example.com/2025/10/07/slug/amp", "https://example.com/2025/10/07/slug"),
        ("https://example.com/amp/news/slug.html", "https://example.com/news/slug.html"),
        ("https://example.com/news/slug.html?amp=1", "https://example.com/news/slug.html"),
        ("https://example.com/news/slug.html?amp", "https://example.com/news/slug.html"),
        ("https://example.com/news/slug.html?outputType=amp", "https://example.com/news/slug.html"),
        ("https://amp.example.com/news/slug.html", "https://example.com/news/slug.html"),
        ("https://example.com/news/slug.amp.html", "https://example.com/news/slug.html"),
    ],
)
def test_amp_variants_removed(amp, plain):
    assert canonical_url(amp) == plain


def test_www_kept_in_canonical():
    assert canonical_url("https://www.example.com/a") == "https://www.example.com/a"


def test_idn_host_punycode():
    assert canonical_url("https://مثال.إختبار/a") == canonical_url("https://xn--mgbh0fb.xn--kgbechtv/a")


@pytest.mark.parametrize("url", ["mailto:desk@example.com", "javascript:void(0)", "tel:+212500000000"])
def test_non_http_untouched(url):
    assert canonical_url(url) == url


@pytest.mark.parametrize("url", ["", "   ", "http://[::1", "https://example.com:99999/"])
def test_garbage_never_raises(url):
    assert isinstance(canonical_url(url), str)
    assert isinstance(url_key(url), str)


def test_idempotent():
    for url in [
        "HTTPS://WWW.Hespress.com:443" + ARABIC_SLUG + "/amp/?utm_source=fb&id=12#x",
        "https://example.com/a%2Fb?q=a%26b&z=1&a=",
        "https://example.com/100%",
    ]:
        once = canonical_url(url)
        assert canonical_url(once) == once


# --- url_key ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "http://hespress.com/politique/123.html",
        "https://hespress.com/politique/123.html",
        "https://www.hespress.com/politique/123.html",
        "https://m.hespress.com/politique/123.html",
        "https://mobile.hespress.com/politique/123.html",
        "https://amp.hespress.com/politique/123.html",
        "https://www.hespress.com/politique/123.html/",
        "https://www.hespress.com/amp/politique/123.html",
        "https://www.hespress.com/politique/123.html?utm_source=facebook&fbclid=abc",
        "https://WWW.HESPRESS.COM:443/politique/123.html#comments",
    ],
)
def test_url_key_folds_variants(variant):
    assert url_key(variant) == "hespress.com/politique/123.html"


def test_url_key_index_and_trailing_slash():
    assert url_key("https://example.com/news/index.html") == url_key("https://example.com/news/")
    assert url_key("https://example.com/news/index.php") == url_key("http://www.example.com/news")
    assert url_key("https://example.com/") == url_key("http://example.com")


def test_url_key_arabic_slug():
    assert url_key("https://www.hespress.com" + ARABIC_SLUG + "/") == url_key(
        "http://hespress.com" + ARABIC_SLUG_ESCAPED.lower()
    )


def test_url_key_keeps_different_articles_apart():
    assert url_key("https://example.com/article.php?id=1") != url_key("https://example.com/article.php?id=2")
    assert url_key("https://example.com/?p=1") != url_key("https://example.com/?p=2")
    assert url_key("https://example.com/a") != url_key("https://example.com/b")
    assert url_key("https://example.com/A") != url_key("https://example.com/a")
    assert url_key("https://example.com:8001/a") != url_key("https://example.com/a")
    assert url_key("https://fr.hespress.com/a") != url_key("https://hespress.com/a")


def test_url_key_query_order_irrelevant():
    assert url_key("https://example.com/a?id=1&cat=2") == url_key("https://example.com/a?cat=2&id=1")


# --- site checks ------------------------------------------------------------------------------------


def test_site_of():
    assert site_of("https://www.hespress.com/x") == "hespress.com"
    assert site_of("http://m.le360.ma/") == "le360.ma"
    assert site_of("https://fr.hespress.com/x") == "fr.hespress.com"
    assert site_of("http://127.0.0.1:8001/a") == "127.0.0.1:8001"
    assert site_of("https://example.com:443/") == "example.com"
    assert site_of("") == ""


def test_same_site():
    assert same_site("https://www.hespress.com/a", "http://hespress.com/b")
    assert same_site("https://m.hespress.com/a", "https://www.hespress.com/b")
    assert same_site("https://fr.hespress.com/a", "https://hespress.com/b")
    assert not same_site("https://hespress.com/a", "https://le360.ma/b")
    assert not same_site("https://fr.hespress.com/a", "https://en.hespress.com/b")
    assert not same_site("http://127.0.0.1:8001/", "http://127.0.0.1:8002/")
    assert not same_site("https://nothespress.com/", "https://hespress.com/")


def test_host_allowed_domains_and_subdomains():
    domains = ["hespress.com", "le360.ma"]
    assert host_allowed("https://hespress.com/a", domains)
    assert host_allowed("https://www.hespress.com/a", domains)
    assert host_allowed("https://fr.hespress.com/a", domains)
    assert host_allowed("https://le360.ma:8443/a", domains)
    assert not host_allowed("https://nothespress.com/a", domains)
    assert not host_allowed("https://hespress.com.evil.net/a", domains)
    assert not host_allowed("https://example.com/a", [])


def test_host_allowed_entry_spellings():
    assert host_allowed("https://hespress.com/a", ["www.hespress.com"])
    assert host_allowed("https://m.hespress.com/a", [".hespress.com"])
    assert host_allowed("https://hespress.com/a", ["https://www.hespress.com/"])
    assert host_allowed("https://HESPRESS.com/a", ["Hespress.COM"])


def test_host_allowed_with_port():
    assert host_allowed("http://127.0.0.1:8001/a", ["127.0.0.1:8001"])
    assert not host_allowed("http://127.0.0.1:8002/a", ["127.0.0.1:8001"])
    assert not host_allowed("http://127.0.0.1/a", ["127.0.0.1:8001"])
    assert not host_allowed("http://sub.127.0.0.1:8001/a", ["127.0.0.1:8001"])
    assert host_allowed("http://example.com/a", ["example.com:80"])
    # an entry without a port allows any port of that host
    assert host_allowed("http://127.0.0.1:8001/a", ["127.0.0.1"])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8001/",
        "http://127.5.6.7/",
        "http://localhost/",
        "http://LOCALHOST:8000/x",
        "http://api.localhost/",
        "http://[::1]:8000/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://172.31.255.255/",
        "http://192.168.1.10/",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/",
        "http://127.1/",
        "http://2130706433/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_loopback_or_private(url):
    assert is_loopback_or_private(url)


@pytest.mark.parametrize(
    "url",
    ["https://hespress.com/", "http://8.8.8.8/", "http://172.32.0.1/", "http://172.15.0.1/", "http://[2001:4860::8888]/", ""],
)
def test_public_hosts(url):
    assert not is_loopback_or_private(url)
