"""Text handling shared by every input format: decoding bytes, Unicode normalisation, content-hash
report ids and a script-based language guess."""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata

import charset_normalizer

from pipelines.ingest.errors import Rejected

# Zero-width and bidi marks and C0/C1 controls other than tab and newline carry no meaning for
# extraction but would make identical texts hash differently.
_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_ODD_SPACE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_MANY_SPACES = re.compile(r"  +")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Below this share of printable characters a decoded file is treated as binary, not text.
_MIN_PRINTABLE_SHARE = 0.95


def decode(data: bytes) -> tuple[str, str]:
    """Decode raw bytes to text and name the encoding used.

    UTF-8 (and BOM-marked UTF-16/32) first; otherwise charset-normalizer picks among legacy
    encodings such as cp1251 and latin-1. Raises Rejected('binary') for non-text content and
    Rejected('undecodable') when no encoding fits.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise Rejected("undecodable", f"starts with a {encoding} byte-order mark but is not {encoding}: {exc}") from exc
    if b"\x00" in data[:8192]:
        raise Rejected("binary", "contains NUL bytes: not a text file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise Rejected("undecodable", "not UTF-8 and no known encoding fits")
    text = str(best)
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    if text and printable / len(text) < _MIN_PRINTABLE_SHARE:
        raise Rejected("binary", f"decodes as {best.encoding} only to mostly unprintable characters")
    return text, best.encoding


def normalise_text(text: str) -> str:
    """NFC, LF line ends, no invisible characters, single spaces, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _MANY_SPACES.sub(" ", _ODD_SPACE.sub(" ", text))
    text = "\n".join(line.strip(" ") for line in text.split("\n"))
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    return text.strip()


def report_id(text: str) -> str:
    """Content hash of a report: insensitive to case, compatibility forms and white space."""
    key = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return "rep_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
# Letters that only one of the two Cyrillic languages of the reporting uses.
_UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to in a is that for on was were said with by from as at has have are".split()
)


def guess_language(text: str) -> str | None:
    """A script-based guess (uk, ru, en) for reports whose metadata names no language; None when unsure."""
    sample = text[:2000]
    if len(_CYRILLIC.findall(sample)) > len(_LATIN.findall(sample)):
        uk = len(_UKRAINIAN_ONLY.findall(sample))
        ru = len(_RUSSIAN_ONLY.findall(sample))
        if uk > ru:
            return "uk"
        if ru > uk:
            return "ru"
        return None
    words = re.findall(r"[a-z]+", sample.lower())
    if words and sum(w in _ENGLISH_FUNCTION_WORDS for w in words) / len(words) > 0.1:
        return "en"
    return None
