"""Paragraphs and sentences of a report, as character spans, and the endnotes that close ISW-style reports.

A sentence keeps the citation markers that follow its full stop ("... on March 24.[12]"), so its
evidence travels with it. Endnote lines ("[12] https://...") are not prose: they are returned
separately as a marker -> URLs map and never split into sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAGRAPH = re.compile(r"[^\n]+")
# A sentence ends at . ! ? (plus closing quotes, brackets and citation markers) before white space and
# a capital, digit, quote or emoji; abbreviations are checked separately.
_END = re.compile(r"[.!?]+[\"”’')\]]*(?:\s*\[\d+\])*(?=\s+[\"“‘(\[#A-Z0-9\u0400-\u04ff\U0001F000-\U0001FFFF])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Sept|Sep|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Oct|Nov|Dec|Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|St|No|Nos|approx|est|vs|etc|km|reg|obl|Jr|Sr|Prof|Rep|Sen|Gov)|\b[A-Z]|\b(?:[A-Z]\.){1,3}[A-Z])$"
)
_NOTE = re.compile(r"^\[(\d+)\]\s*(.*)$")
_URL = re.compile(r"https?://[^\s;,]+")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int


def endnotes_start(text: str) -> int:
    """Offset where the endnotes begin (the first line "[1] http..."), or the text's length."""
    match = re.search(r"^\[1\]\s*(?:https?://|\S+\.\S+)", text, re.MULTILINE)
    return match.start() if match else len(text)


def endnotes(text: str, start: int) -> dict[int, list[str]]:
    """Citation number -> the URLs of its endnote."""
    notes: dict[int, list[str]] = {}
    for line in _PARAGRAPH.finditer(text, start):
        match = _NOTE.match(line.group())
        if match:
            notes[int(match.group(1))] = [u.rstrip(".)") for u in _URL.findall(match.group(2))]
    return notes


def sentences(text: str, end: int | None = None) -> list[Sentence]:
    """Sentences of text[:end] in order, each tagged with the index of its paragraph."""
    result = []
    for number, paragraph in enumerate(_PARAGRAPH.finditer(text, 0, len(text) if end is None else end)):
        start = paragraph.start()
        for stop in _END.finditer(text, paragraph.start(), paragraph.end()):
            if _ABBREVIATION.search(text, max(start, stop.start() - 12), stop.start()) and text[stop.start()] == ".":
                continue
            result.append(Sentence(start, stop.end(), number))
            start = stop.end() + 1
            while start < paragraph.end() and text[start].isspace():
                start += 1
        if start < paragraph.end():
            result.append(Sentence(start, paragraph.end(), number))
    return result
