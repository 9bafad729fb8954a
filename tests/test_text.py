import pytest

from pipelines.ingest.errors import Rejected
from pipelines.ingest.text import decode, guess_language, normalise_text, report_id
from tests.inputs import ENGLISH, FRENCH, UKRAINIAN

RUSSIAN = "Министерство обороны России заявило, что подразделения группировки «Восток» продвинулись на два километра."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(UKRAINIAN, "cp1251"), (RUSSIAN, "cp1251"), (UKRAINIAN, "koi8-u"), (FRENCH, "latin-1"), (ENGLISH, "utf-8")],
)
def test_decode_recovers_legacy_encodings(text, encoding):
    decoded, _ = decode(text.encode(encoding))
    assert decoded == text


def test_decode_honours_byte_order_marks():
    assert decode("\ufeff".encode("utf-16-le") + UKRAINIAN.encode("utf-16-le"))[0].lstrip("\ufeff") == UKRAINIAN
    assert decode(b"\xef\xbb\xbf" + ENGLISH.encode())[0] == ENGLISH


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"), (b"\xef\xbb\xbfok \xff\xfe\xfd", "undecodable")],
)
def test_decode_rejects_non_text(data, reason):
    with pytest.raises(Rejected) as caught:
        decode(data)
    assert caught.value.reason == reason


def test_normalise_text_unifies_forms_and_spacing():
    decomposed = "Kyi\u0308v\r\nsaid\u200b  today\u00a0.\n\n\n\nNext \t"
    assert normalise_text(decomposed) == "Kyïv\nsaid today .\n\nNext"


def test_report_id_ignores_case_and_white_space_but_not_words():
    assert report_id(ENGLISH) == report_id("  " + ENGLISH.upper().replace(" ", "\n "))
    assert report_id(ENGLISH) != report_id(ENGLISH.replace("14", "15"))


@pytest.mark.parametrize(("text", "language"), [(UKRAINIAN, "uk"), (RUSSIAN, "ru"), (ENGLISH, "en"), ("12345 ...", None)])
def test_guess_language(text, language):
    assert guess_language(text) == language
