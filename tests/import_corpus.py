"""The import corpus (tests/corpus/pages/, written by make.py there) and how an extraction is scored against it:
each page's sentences that must be imported and those that must not, counted over the whole corpus (micro
precision, recall and F1), the way main-content extraction is usually scored."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from bot.article import ParsedArticle

PAGES = Path(__file__).parent / "corpus" / "pages"


@dataclass(frozen=True)
class Page:
    name: str
    html: bytes
    title: str
    byline: str | None
    headings: list[str]
    must: list[str]
    never: list[str]


def pages() -> list[Page]:
    found = []
    for path in sorted(PAGES.glob("*.html")):
        expected = json.loads(path.with_suffix(".json").read_text())
        found.append(Page(path.stem, path.read_bytes(), expected["title"], expected["byline"], expected["headings"],
                          expected["must"], expected["never"]))
    return found


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def article_text(parsed: ParsedArticle) -> str:
    parts = [parsed.title, parsed.byline or "", *parsed.intro]
    for section in parsed.sections:
        parts += [section.heading, *section.paragraphs]
    return "\n".join(parts)


@dataclass
class Score:
    found: int = 0  # must-have sentences extracted
    missed: int = 0
    junk: int = 0  # must-not-have sentences extracted

    def add(self, page: Page, text: str) -> None:
        body = flat(text)
        hits = sum(1 for s in page.must if flat(s) in body)
        self.found += hits
        self.missed += len(page.must) - hits
        self.junk += sum(1 for s in page.never if flat(s) in body)

    @property
    def precision(self) -> float:
        return self.found / (self.found + self.junk) if self.found + self.junk else 0.0

    @property
    def recall(self) -> float:
        return self.found / (self.found + self.missed) if self.found + self.missed else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0
