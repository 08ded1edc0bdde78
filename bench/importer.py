"""`importer`: articlebot's HTML import against trafilatura alone, on the corpus in tests/corpus/pages/.

Quality: each page's must-have sentences and must-not-have sentences (its chrome), counted over the corpus
(micro precision, recall, F1); ours is `parse_article` (title, byline, intro, headings and paragraphs), theirs
`trafilatura.extract(html)` with its defaults. Time: the median of N runs per page of each, summed over the
pages, as a ratio in the same run (ours ÷ trafilatura's)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import trafilatura

from bench.common import Options, Result, Row, fmt
from bot.importer import parse_article
from tests.import_corpus import Page, Score, article_text, pages

NAME = "importer"


def median_seconds(work: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        work()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def ours(page: Page) -> str:
    return article_text(parse_article(page.html, filename=f"{page.name}.html"))


def theirs(page: Page) -> str:
    return trafilatura.extract(page.html) or ""


def run(opts: Options) -> Result:
    runs = 5 if opts.quick else 25
    corpus = pages()
    scores = {"articlebot": Score(), "trafilatura": Score()}
    seconds = {"articlebot": 0.0, "trafilatura": 0.0}
    for page in corpus:
        for name, extract in (("articlebot", ours), ("trafilatura", theirs)):
            scores[name].add(page, extract(page))
            seconds[name] += median_seconds(lambda e=extract, p=page: e(p), runs)  # type: ignore[misc]
    result = Result(details={"pages": len(corpus), "runs": runs,
                             "scores": {k: {"precision": s.precision, "recall": s.recall, "f1": s.f1}
                                        for k, s in scores.items()}, "seconds": seconds})
    for name, score in scores.items():
        result.add(Row(NAME, f"{name} precision / recall", score.f1,
                       f"{fmt(score.precision, 3)} / {fmt(score.recall, 3)}"))
        result.add(Row(NAME, f"{name} F1", score.f1, fmt(score.f1, 3)))
    ratio = scores["articlebot"].f1 / scores["trafilatura"].f1 if scores["trafilatura"].f1 else 0.0
    result.add(Row(NAME, "F1 articlebot / trafilatura", ratio, fmt(ratio, 3), ">= 1", ratio >= 1.0))
    for name, total in seconds.items():
        result.add(Row(NAME, f"{name} ms for the corpus (median run)", total * 1000, fmt(total * 1000, 1)))
    slower = seconds["articlebot"] / seconds["trafilatura"]
    result.add(Row(NAME, "time articlebot / trafilatura", slower, fmt(slower, 2), "<= 1", slower <= 1.0))
    return result
