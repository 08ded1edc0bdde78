"""The translation catalogs, kept with Babel: `python scripts/catalogs.py` (or `scripts/catalogs.py --check`).

1. extracts every message the bot can say from bot/ and adapters/ (`_`, `ngettext`, `N_`, and the first
   argument of `BotError`, `ImportRefused` and `RetryLater`) into bot/locale/articlebot.pot;
2. merges it into each language's .po (new messages arrive empty, for a translator; gone ones are dropped);
3. fills the English catalog (its text is the message itself) and compiles every .mo, which is what the bot
   reads at run time (Python's own gettext: Babel is needed only here and in the tests).

`--check` changes nothing and exits 1 listing what is missing: a message without a translation, a
translation that drops or adds a `{placeholder}`, or a .mo older than its .po.
"""

from __future__ import annotations

import copy
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "bot" / "locale"
DOMAIN = "articlebot"
SOURCES = ("bot", "adapters")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "BotError": None, "ImportRefused": None, "RetryLater": None}
LANGUAGES = ("en", "zh_Hans")
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_]+)\}(?!\})")


def extract() -> Catalog:
    template = Catalog(project="articlebot", domain=DOMAIN, fuzzy=False)
    for source in SOURCES:
        found = extract_from_dir(ROOT / source, method_map=[("**.py", "python")], keywords=KEYWORDS,
                                 comment_tags=("Translators:",), strip_comment_tags=True)
        for filename, lineno, message, comments, context in found:
            where = [(f"{source}/{filename}", lineno)]
            template.add(message, None, where, auto_comments=comments, context=context)
    return template


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN, project="articlebot", fuzzy=False)
    with path.open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def texts(message: Message) -> list[str]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    return [str(i) for i in ids]


def translations(message: Message) -> list[str]:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return [str(s or "") for s in strings]


def problems(template: Catalog, catalogs: dict[str, Catalog]) -> list[str]:
    found = []
    for language, catalog in catalogs.items():
        for message in template:
            if not message.id:
                continue
            mine = catalog.get(message.id, message.context)
            label = f"{language}: {texts(message)[0][:70]!r}"
            if mine is None or not all(translations(mine)) or mine.fuzzy:
                found.append(f"{label} has no translation")
                continue
            wanted = set().union(*(set(PLACEHOLDER.findall(t)) for t in texts(message)))
            for text in translations(mine):
                have = set(PLACEHOLDER.findall(text))
                if have != wanted:
                    found.append(f"{label} placeholders {sorted(have)} instead of {sorted(wanted)}")
    return found


def fill_english(catalog: Catalog) -> None:
    for message in catalog:
        if message.id and not all(translations(message)):
            ids = texts(message)
            message.string = tuple(ids) if isinstance(message.id, tuple) else ids[0]


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def main(argv: list[str]) -> int:
    template = extract()
    if "--check" in argv:  # the catalogs as they are on disk, against what the code says today
        catalogs = {language: load(language) for language in LANGUAGES}
        issues = problems(template, catalogs)
        for language, catalog in catalogs.items():
            mo = po_path(language).with_suffix(".mo")
            if not mo.exists() or mo.read_bytes() != compiled(catalog):
                issues.append(f"{language}: {mo.name} is not compiled from {po_path(language).name}")
        print("\n".join(issues) or "catalogs complete")
        return 1 if issues else 0
    catalogs = {}
    for language in LANGUAGES:
        catalog = load(language)
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)  # update() adopts the template's messages
        catalog.obsolete.clear()
        if language == "en":
            fill_english(catalog)
        catalogs[language] = catalog
    LOCALE.mkdir(parents=True, exist_ok=True)
    with (LOCALE / f"{DOMAIN}.pot").open("wb") as f:
        write_po(f, template, width=120, omit_header=False, sort_output=True, no_location=True)
    for language, catalog in catalogs.items():
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=120, sort_output=True, no_location=True)
        path.with_suffix(".mo").write_bytes(compiled(catalog))
    missing = problems(template, catalogs)
    print(f"{len(template)} messages; {len(missing)} to translate or fix")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
