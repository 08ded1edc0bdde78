"""The import corpus (tests/corpus/pages/): each page imports with its title, byline and headings, every
sentence of the article, and none of the chrome around it; the whole corpus scores at least as well as
trafilatura alone (bench/importer.py measures both, and the time)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import trafilatura

from bot.importer import parse_article
from tests.import_corpus import PAGES, Page, Score, article_text, flat, pages


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.name)
def test_each_page_imports_whole_and_clean(page: Page) -> None:
    parsed = parse_article(page.html, filename=f"{page.name}.html")
    assert parsed.title == page.title
    assert parsed.byline == page.byline
    assert [s.heading for s in parsed.sections] == page.headings
    body = flat(article_text(parsed))
    assert [s for s in page.must if flat(s) not in body] == []
    assert [s for s in page.never if flat(s) in body] == []


def test_the_corpus_scores_at_least_as_well_as_trafilatura_alone() -> None:
    ours, theirs = Score(), Score()
    for page in pages():
        ours.add(page, article_text(parse_article(page.html, filename=f"{page.name}.html")))
        theirs.add(page, trafilatura.extract(page.html) or "")
    assert ours.recall >= theirs.recall and ours.precision >= theirs.precision


def test_the_committed_corpus_is_what_make_py_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("make_corpus", PAGES / "make.py")
    assert spec is not None and spec.loader is not None
    make = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_corpus", make)  # dataclasses look their module up there
    spec.loader.exec_module(make)
    monkeypatch.setattr(make, "HERE", tmp_path)
    make.main()
    for written in tmp_path.iterdir():
        assert written.read_bytes() == (PAGES / written.name).read_bytes(), written.name
