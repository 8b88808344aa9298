"""newscrawler.encoding.decode_html on Arabic text we wrote, encoded in each charset."""

from __future__ import annotations

import codecs

import pytest

from newscrawler.encoding import decode_html

TEXT = (
    "أعلنت وزارة التربية الوطنية عن برنامج جديد لدعم التلاميذ في المناطق القروية، "
    "ويشمل توزيع الكتب المدرسية ووسائل النقل على آلاف الأسر قبل الدخول المدرسي المقبل."
)
PAGE = "<html><head><title>خبر</title></head><body><p>{}</p></body></html>"


def page(enc: str, meta: str = "") -> bytes:
    head = f'<meta charset="{meta}">' if meta else ""
    text = PAGE.format(TEXT).replace("<head>", "<head>" + head)
    if enc == "cp720":
        text = text.replace("،", ",")  # cp720 has no Arabic comma
    return text.encode(enc)


@pytest.mark.parametrize("enc", ["utf-8", "windows-1256", "iso-8859-6", "cp720"])
def test_detects_without_declaration(enc: str) -> None:
    text, used = decode_html(page(enc))
    assert TEXT.replace("،", ",") in text or TEXT in text
    assert codecs.lookup(used).name == codecs.lookup(enc).name


@pytest.mark.parametrize("enc", ["windows-1256", "iso-8859-6", "cp720"])
@pytest.mark.parametrize("wrong", ["windows-1252", "iso-8859-1"])
def test_wrong_latin_declaration_is_overruled(enc: str, wrong: str) -> None:
    expected = TEXT.replace("،", ",") if enc == "cp720" else TEXT
    text, used = decode_html(page(enc), declared=wrong)
    assert expected in text and codecs.lookup(used).name == codecs.lookup(enc).name
    text, used = decode_html(page(enc, meta=wrong))
    assert expected in text


def test_utf8_declared_latin1_is_utf8() -> None:
    text, used = decode_html(page("utf-8"), declared="iso-8859-1")
    assert TEXT in text and used == "utf-8"


def test_declared_utf8_but_windows_1256() -> None:
    text, used = decode_html(page("windows-1256"), declared="utf-8")
    assert TEXT in text and used == "windows-1256"


def test_meta_charset_trusted_when_right() -> None:
    text, used = decode_html(page("windows-1256", meta="windows-1256"))
    assert TEXT in text and used == "cp1256"  # codecs' name for windows-1256


def test_bom_wins() -> None:
    text, used = decode_html(codecs.BOM_UTF8 + page("utf-8"), declared="windows-1256")
    assert TEXT in text and used == "utf-8" and not text.startswith("\ufeff")


def test_double_encoded_utf8_is_repaired() -> None:
    for wrong in ("latin-1", "cp1252"):
        mojibake = PAGE.format(TEXT).encode("utf-8").decode(wrong, "ignore").encode("utf-8")
        text, used = decode_html(mojibake, declared="utf-8")
        assert used == "utf-8"
        assert "الوطنية" in text


def test_few_bad_bytes_stay_utf8() -> None:
    body = page("utf-8").replace(b"<p>", b"<p>\xff")
    text, used = decode_html(body, declared="utf-8")
    assert used == "utf-8" and TEXT in text


def test_french_latin1_page_unchanged() -> None:
    body = "<html><body><p>Le ministère a annoncé une réforme très attendue à Rabat.</p></body></html>"
    text, used = decode_html(body.encode("latin-1"), declared="iso-8859-1")
    assert "ministère" in text and "réforme" in text


def test_empty_and_ascii() -> None:
    assert decode_html(b"")[0] == ""
    assert decode_html(b"<p>hello</p>") == ("<p>hello</p>", "utf-8")


@pytest.mark.parametrize(
    ("header", "charset"),
    [("text/html; charset=windows-1256", "windows-1256"), ('text/html; charset="UTF-8"', "UTF-8"),
     ("text/html", None), (None, None), ("text/html; charset=", None)],
)
def test_charset_from_content_type(header, charset):
    from newscrawler.encoding import charset_from_content_type

    assert charset_from_content_type(header) == charset
