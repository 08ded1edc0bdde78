"""Slash commands built from the command table: typed options, autocomplete, and the args they make.

Commands are synced as raw application-command JSON (no `app_commands.CommandTree`): the table is data,
so building the payload from it directly is simpler than generating typed callbacks, and interactions are
answered in one place (`serve.py`).
"""

from __future__ import annotations

from typing import Any

from adapters.discord.limits import CHOICE_LIMIT, CHOICE_NAME_LIMIT, DESCRIPTION_LIMIT
from bot.commands.registry import REGISTRY, CommandSpec, Param, ParamKind
from bot.i18n import DISCORD_LOCALES, N_, in_language
from bot.ports import Store
from bot.types import Attachment, User

IMPORT_FILE_OPTION = "file"

# application command option types
STRING, INTEGER, USER, ATTACHMENT = 3, 4, 6, 11

_OPTION_TYPE = {
    ParamKind.TEXT: STRING,
    ParamKind.WORD: STRING,
    ParamKind.NUMBER: INTEGER,
    ParamKind.COMMENT: STRING,
    ParamKind.SECTION: STRING,
    ParamKind.ARTICLE: STRING,
    ParamKind.USER: USER,
    ParamKind.DURATION: STRING,
    ParamKind.CHOICE: STRING,
}
_AUTOCOMPLETED = {ParamKind.SECTION, ParamKind.ARTICLE}


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def described(message: str) -> dict[str, Any]:
    """A description in English, with a localization for each other catalog (Discord shows each user the
    one of their app's language)."""
    return {"description": clip(message, DESCRIPTION_LIMIT),
            "description_localizations": {locale: clip(in_language(language, message), DESCRIPTION_LIMIT)
                                          for language, locales in DISCORD_LOCALES.items() for locale in locales}}


def option_payload(param: Param) -> dict[str, Any]:
    option: dict[str, Any] = {
        "type": _OPTION_TYPE[param.kind],
        "name": param.name,
        **described(param.description or param.name),
        "required": param.required,
    }
    if param.kind in _AUTOCOMPLETED:
        option["autocomplete"] = True
    elif param.choices:
        option["choices"] = [{"name": c, "value": c} for c in param.choices[:CHOICE_LIMIT]]
    return option


def command_payload(spec: CommandSpec) -> dict[str, Any]:
    options = [option_payload(p) for p in spec.params]
    if spec.name == "import":
        # Discord only delivers a file to a slash command through a typed attachment option
        options.insert(0, {"type": ATTACHMENT, "name": IMPORT_FILE_OPTION,
                           **described(N_("The article file (.txt, .md or .html)")), "required": True})
    options.sort(key=lambda o: not o["required"])  # Discord wants required options first (stable sort)
    return {"type": 1, "name": spec.name, **described(spec.summary), "options": options}


def command_payloads() -> list[dict[str, Any]]:
    return [command_payload(spec) for spec in REGISTRY.all()]


# ---- invocation -------------------------------------------------------------------------------------


def _options(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(o.get("name")): o for o in data.get("options") or [] if isinstance(o, dict)}


def _resolved_user(data: dict[str, Any], user_id: str) -> User:
    resolved = data.get("resolved") or {}
    user = (resolved.get("users") or {}).get(user_id) or {}
    member = (resolved.get("members") or {}).get(user_id) or {}
    name = member.get("nick") or user.get("global_name") or user.get("username") or user_id
    handle = user.get("username")
    return User(f"discord:{user_id}", str(name), handle=str(handle) if handle else None)


def _resolved_attachment(data: dict[str, Any], attachment_id: str) -> Attachment | None:
    found = ((data.get("resolved") or {}).get("attachments") or {}).get(attachment_id)
    if not isinstance(found, dict) or not found.get("url"):
        return None
    size = found.get("size")
    return Attachment(str(found.get("filename") or "article.txt"), int(size) if size is not None else None,
                      str(found["url"]))


def command_args(spec: CommandSpec, data: dict[str, Any]) -> tuple[str, User | None, Attachment | None]:
    """The args line the core parses (option values in Param order, space-joined: the last TEXT param is
    the rest of the line), the user a USER option names, and an attached file."""
    options = _options(data)
    parts: list[str] = []
    target: User | None = None
    for param in spec.params:
        value = options.get(param.name, {}).get("value")
        if value is None or str(value).strip() == "":
            continue
        if param.kind is ParamKind.USER:
            user = _resolved_user(data, str(value))
            target = target or user
            parts.append(user.key)
        else:
            parts.append(str(value).strip())
    attachment = None
    file_option = options.get(IMPORT_FILE_OPTION) if spec.name == "import" else None
    if file_option is not None and file_option.get("value") is not None:
        attachment = _resolved_attachment(data, str(file_option["value"]))
    return " ".join(parts), target, attachment


# ---- autocomplete -----------------------------------------------------------------------------------


def focused_option(data: dict[str, Any]) -> tuple[str, str] | None:
    for option in _options(data).values():
        if option.get("focused"):
            return str(option.get("name")), str(option.get("value") or "")
    return None


def _filtered(pairs: list[tuple[str, str]], typed: str) -> list[tuple[str, str]]:
    wanted = typed.strip().lower()
    chosen = [(clip(name, CHOICE_NAME_LIMIT), value) for name, value in pairs if wanted in name.lower()]
    return chosen[:CHOICE_LIMIT]


async def article_choices(store: Store, typed: str) -> list[tuple[str, str]]:
    items = await store.list_articles()
    return _filtered([(f"{i}. {a.title}", str(i)) for i, a in enumerate(items, start=1)], typed)


async def section_choices(store: Store, chat_key: str, typed: str) -> list[tuple[str, str]]:
    """Sections of the article this chat reads (else the newest), as "2. Cost of Living" → "2"."""
    article_id = await store.chat_article(chat_key)
    article = await store.get_article(article_id) if article_id is not None else None
    if article is None:
        items = await store.list_articles()
        article = await store.get_article(items[-1].id) if items else None
    if article is None:
        return []
    return _filtered([(f"{s.position}. {s.heading}", str(s.position)) for s in article.sections], typed)


async def choices_for(store: Store, spec: CommandSpec, chat_key: str, option: str, typed: str) -> list[tuple[str, str]]:
    param = next((p for p in spec.params if p.name == option), None)
    if param is None:
        return []
    if param.kind is ParamKind.SECTION:
        return await section_choices(store, chat_key, typed)
    if param.kind is ParamKind.ARTICLE:
        return await article_choices(store, typed)
    return []
