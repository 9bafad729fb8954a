"""Builders of input folders for tests: good inputs in every format and one broken input per failure mode."""

from __future__ import annotations

import json
from pathlib import Path

UKRAINIAN = (
    "Російські війська обстріляли Харків уночі, повідомив голова обласної військової адміністрації "
    "Олег Синєгубов. Постраждали п'ятеро людей. За даними Генерального штабу ЗСУ, українські захисники "
    "відбили чотирнадцять атак поблизу Вугледара та Курахового."
)
FRENCH = (
    "Les forces russes ont frappé Kharkiv pendant la nuit, a déclaré le gouverneur régional. "
    "Cinq personnes ont été blessées, selon les autorités ukrainiennes; le ministère russe a démenti."
)
ENGLISH = "The Ukrainian General Staff said its forces repelled 14 assaults near Vuhledar on Tuesday."

# Small caps so that an oversized input costs kilobytes, not megabytes.
MAX_INPUT_BYTES = 20_000
MAX_REPORT_CHARS = 5_000


def write(root: Path, relative: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode(encoding)
    path.write_bytes(content)
    return path


def write_good_inputs(root: Path) -> dict[str, str]:
    """Valid inputs of every format; returns source_uri -> expected status (ingested or duplicate)."""
    write(root, "cp1251.txt", UKRAINIAN, "cp1251")
    write(root, "latin1.txt", FRENCH, "latin-1")
    write(root, "utf16.txt", "\ufeff" + ENGLISH + " Second copy in UTF-16.", "utf-16-le")
    write(
        root,
        "front.md",
        "---\ntitle: Vuhledar update\npublished: 2024-09-03T18:30:00+03:00\noutlet: Test desk\n"
        "url: https://example.org/a\nlanguage: en\n---\n" + ENGLISH,
    )
    write(root, "later/same-text.txt", "  " + ENGLISH.upper().replace(" ", "   ") + "\n")
    write(
        root,
        "feed.jsonl",
        "\n".join(
            json.dumps({"id": f"r{i}", "date": "2024-09-0" + str(i), "title": f"Item {i}", "source": "Feed", "text": f"Report number {i}: {ENGLISH}"})
            for i in (1, 2)
        )
        + "\n",
    )
    write(
        root,
        "array.json",
        json.dumps([{"text": "Russian sources claimed an advance near Pokrovsk.", "date": "2024-08-30"}]),
    )
    write(
        root,
        "page.html",
        "<html><head><title>Strike on Kharkiv</title>"
        '<meta property="article:published_time" content="2024-09-02T14:10:00+03:00"></head>'
        "<body><nav>Home | News</nav><article><h1>Strike on Kharkiv</h1>"
        "<p>Kharkiv Oblast Head Oleh Syniehubov said that Russian forces struck Kharkiv overnight with two guided "
        "bombs, injuring five people in a residential district of the city.</p>"
        "<p>The Ukrainian Air Force said it shot down eleven of fifteen drones launched overnight.</p></article>"
        "<footer>Copyright</footer></body></html>",
    )
    write(
        root,
        "tg/result.json",
        json.dumps(
            {
                "name": "Test channel",
                "type": "public_channel",
                "id": 1234567890,
                "messages": [
                    {"id": 1, "type": "service", "action": "create_channel", "text": ""},
                    {
                        "id": 7,
                        "type": "message",
                        "date": "2024-09-01T09:15:00",
                        "date_unixtime": "1725182100",
                        "text": ["Zaporizhzhia: ", {"type": "bold", "text": "Russian MoD claims"}, " gains near Robotyne."],
                    },
                ],
            }
        ),
    )
    return {
        "cp1251.txt": "ingested",
        "latin1.txt": "ingested",
        "utf16.txt": "ingested",
        "front.md": "ingested",
        "later/same-text.txt": "duplicate",
        "feed.jsonl#r1": "ingested",
        "feed.jsonl#r2": "ingested",
        "array.json#item-0": "ingested",
        "page.html": "ingested",
        "tg/result.json#7": "ingested",
    }


def write_broken_inputs(root: Path) -> dict[str, str]:
    """One input per failure mode; returns source_uri -> expected rejection reason."""
    write(root, "broken/empty.txt", b"")
    write(root, "broken/blank.md", "---\ntitle: Nothing here\n---\n   \n")
    write(root, "broken/binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    write(root, "broken/bad-bom.txt", b"\xef\xbb\xbf" + b"valid start \xff\xfe\xfd then garbage")
    write(root, "broken/huge.txt", ("Russian forces advanced. " * 1000))
    write(root, "broken/bad.json", '{"text": "unterminated, "date": }')
    write(root, "broken/scalar.json", "42")
    write(root, "broken/yaml.md", "---\ntitle: [unclosed\npublished: 2024-09-03\n---\n" + ENGLISH)
    write(root, "broken/list-front.md", "---\n- just\n- a list\n---\n" + ENGLISH)
    write(root, "broken/bad-date.md", "---\npublished: sometime soon\n---\n" + ENGLISH + " Bad date.")
    write(root, "broken/report.pdf", b"%PDF-1.7\n")
    write(root, "broken/nomain.html", "<html><head><title>Gallery</title></head><body><img src='a.jpg'><script>track()</script></body></html>")
    write(
        root,
        "broken/records.jsonl",
        "\n".join(
            [
                json.dumps({"id": "ok", "text": "Good record in a file with bad ones: Russian forces shelled Orikhiv."}),
                '{"id": "cut", "text": "no closing brace"',
                json.dumps({"id": "weird", "headline": "a record of an unknown shape"}),
                json.dumps({"id": "nulltext", "text": None}),
                json.dumps({"id": "baddate", "date": "2024-13-45", "text": "Record with an impossible date."}),
                json.dumps({"id": "long", "text": "Claimed advance. " * 400}),
            ]
        ),
    )
    write(
        root,
        "broken/tg/result.json",
        json.dumps({"name": "Photos", "id": 5, "messages": [{"id": 3, "type": "message", "photo": "p.jpg", "text": ""}]}),
    )
    (root / "broken/dangling.txt").symlink_to(root / "broken/does-not-exist.txt")
    return {
        "broken/empty.txt": "empty",
        "broken/blank.md": "empty",
        "broken/binary.txt": "binary",
        "broken/bad-bom.txt": "undecodable",
        "broken/huge.txt": "oversized",
        "broken/bad.json": "malformed_json",
        "broken/scalar.json": "unmapped_record",
        "broken/yaml.md": "bad_front_matter",
        "broken/list-front.md": "bad_front_matter",
        "broken/bad-date.md": "bad_date",
        "broken/report.pdf": "unsupported_format",
        "broken/nomain.html": "no_main_text",
        "broken/records.jsonl#line-2": "malformed_json",
        # A record that no mapping reads has no known id field: it is named by its line.
        "broken/records.jsonl#line-3": "unmapped_record",
        "broken/records.jsonl#nulltext": "missing_text",
        "broken/records.jsonl#baddate": "bad_date",
        "broken/records.jsonl#long": "oversized",
        "broken/tg/result.json#3": "empty",
        "broken/dangling.txt": "unreadable",
    }
