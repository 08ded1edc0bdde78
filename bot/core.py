"""The core: one entry point that turns a neutral event into neutral replies, and never goes silent."""

from __future__ import annotations

import difflib
import logging
import time

from bot import commands  # noqa: F401  (registers every command in REGISTRY)
from bot.actions import Verb, decode
from bot.chat_config import ChatConfig
from bot.commands.discussing import comment_from_reply, comments_page
from bot.commands.moderation import approve_number, reject_number
from bot.commands.reading import help_for, select_article, show_section_by_key
from bot.commands.registry import REGISTRY, CommandSpec, HandlerResult
from bot.commands.votes import like_number
from bot.context import Context, Services
from bot.errors import BotError
from bot.i18n import ENGLISH, N_, _, normalize, speaking
from bot.permissions import Permissions
from bot.ports import Clock, FeedSource, Pages, Platform, Store, SystemClock
from bot.reviews import press as press_review
from bot.types import Anchor, ButtonPress, Chat, Command, Event, Outcome, PlainReply, Reaction, plain_text, text_reply
from bot.views import viewing_from

log = logging.getLogger("articlebot.core")

PRIVATE_HINT = N_("To comment, reply to a section I posted or send /comment <text>. /sections shows the "
                  "contents, /help everything else.")
APOLOGY = N_("Sorry, something went wrong on my side. Please try again in a moment.")


def _outcome(result: HandlerResult) -> Outcome:
    return result if isinstance(result, Outcome) else Outcome((result,))


class Core:
    def __init__(
        self,
        store: Store,
        *,
        owners: frozenset[str] = frozenset(),
        clock: Clock | None = None,
        defaults: ChatConfig | None = None,
        admin_cache_seconds: float = 60.0,
        import_max_bytes: int = 2_000_000,
        comment_max_chars: int = 16_000,
        pages: Pages | None = None,
        feeds: FeedSource | None = None,
        feed_poll_seconds: float = 900.0,
        web_base_url: str | None = None,
    ) -> None:
        clock = clock or SystemClock()
        self.services = Services(
            store=store,
            clock=clock,
            permissions=Permissions(owners, clock, admin_cache_seconds),
            defaults=defaults or ChatConfig(),
            import_max_bytes=import_max_bytes,
            comment_max_chars=comment_max_chars,
            pages=pages,
            feeds=feeds,
            feed_poll_seconds=feed_poll_seconds,
            web_base_url=web_base_url,
        )

    @property
    def store(self) -> Store:
        return self.services.store

    @staticmethod
    def commands() -> list[CommandSpec]:
        return REGISTRY.all()

    async def handle(self, event: Event, platform: Platform) -> Outcome:
        """Answers one event. Expected failures become a plain answer; anything else an apology. Answers are
        written in the chat's language, and what only the sender sees in the sender's (see `languages`)."""
        started = time.perf_counter()
        outcome, failed = await self._handle(event, platform)
        self.services.observe(event.chat.platform, type(event.payload).__name__, time.perf_counter() - started,
                              failed)
        return outcome

    async def _handle(self, event: Event, platform: Platform) -> tuple[Outcome, bool]:
        """The outcome, and whether it is the apology for an unexpected failure."""
        ctx = Context(self.services, event, platform)
        public = private = normalize(event.user.language) or ENGLISH
        try:
            await self.store.remember_user(event.user, ctx.now())
            discussion = await self.store.discussion_of(event.chat.key)
            if discussion != event.chat.key:
                ctx.discussion_key = discussion
            public, private = await self.languages(event)
            ctx.language, ctx.own_language = public, private
            with speaking(public), viewing_from(event.chat.platform):
                return await self._dispatch(ctx), False
        except BotError as err:
            with speaking(private if event.answers_privately or event.chat.private else public):
                text = str(err)
            return Outcome((text_reply(text, private=True),), notice=text), False  # adapters cut it to size
        except Exception:
            log.exception("failed to handle %s in %s from %s", type(event.payload).__name__, event.chat.key,
                          event.user.key)
            with speaking(private if event.answers_privately or event.chat.private else public):
                apology = _(APOLOGY)
            return Outcome((text_reply(apology, private=True),), notice=apology), True

    async def languages(self, event: Event) -> tuple[str, str]:
        """(the language of public answers, of answers only the sender sees). A person's own choice
        (/language) comes first for them, then the chat's (/language chat), then what the platform says
        about them, then English; in a group, public answers follow the chat's choice first."""
        chat, own = await self.store.languages(event.chat.key, event.user.key)
        hint = normalize(event.user.language)
        private = own or hint or chat or ENGLISH
        public = private if event.chat.private else chat or own or hint or ENGLISH
        return public, private

    async def remember_sent(self, chat: Chat, message_id: str, anchor: Anchor) -> None:
        """Adapters report what each sent message shows, so replies to it land in the right place."""
        try:
            await self.store.save_anchor(chat.key, message_id, anchor)
        except Exception:
            log.exception("could not remember what message %s in %s shows", message_id, chat.key)

    async def _dispatch(self, ctx: Context) -> Outcome:
        payload = ctx.event.payload
        if isinstance(payload, Command):
            return await self._command(ctx, payload)
        if isinstance(payload, ButtonPress):
            return await self._button(ctx, payload)
        if isinstance(payload, Reaction):
            return await self._reaction(ctx, payload)
        if isinstance(payload, PlainReply):
            anchor = await self.store.anchor(ctx.room_key, payload.reply_to_message)
            if anchor is None:
                if ctx.event.chat.private:
                    return Outcome((text_reply(_(PRIVATE_HINT)),))
                return Outcome()  # a reply to a message we don't track is conversation, not for us
            return _outcome(await comment_from_reply(ctx, anchor, payload.text))
        raise TypeError(f"unknown payload {payload!r}")

    async def _command(self, ctx: Context, command: Command) -> Outcome:
        spec = REGISTRY.get(command.name)
        if spec is None:
            name = command.name[:40]
            close = difflib.get_close_matches(name.lower(), REGISTRY.names(), n=1, cutoff=0.6)
            if close:
                raise BotError("I don't know /{name}. Did you mean /{close}? Send /help for the list of commands.",
                               name=name, close=close[0])
            raise BotError("I don't know /{name}. Send /help for the list of commands.", name=name)
        if spec.admin:
            await ctx.require_admin(spec.denied)
        return _outcome(await spec.handler(ctx, command.args))

    async def _reaction(self, ctx: Context, reaction: Reaction) -> Outcome:
        """A reaction to one of the bot's messages likes the comment it shows; reactions are answered with
        silence (a refused one too: people react to many things)."""
        anchor = await self.store.anchor(ctx.room_key, reaction.message_id)
        if anchor is None or anchor.comment_number is None:
            return Outcome()
        try:
            await like_number(ctx, anchor.comment_number, reaction.added)
        except BotError:
            pass
        return Outcome()

    async def _button(self, ctx: Context, press: ButtonPress) -> Outcome:
        action = decode(press.data)
        if action is None:
            raise BotError("This button is no longer valid.")
        if action.verb is Verb.LIKE:
            liked = await like_number(ctx, action.int_arg(0), None)
            return Outcome((liked,), notice=plain_text(liked.blocks[0]))
        if action.verb is Verb.REVIEW:
            decided = await press_review(ctx, action.int_arg(0), action.str_arg(1))
            return Outcome((decided,), notice=plain_text(decided.blocks[0]))
        if action.verb is Verb.SECTION:
            reply = await show_section_by_key(ctx, action.int_arg(0), action.str_arg(1))
        elif action.verb is Verb.COMMENTS:
            article = await ctx.article()
            if article.id != action.int_arg(0):
                raise BotError("That button belongs to an article this chat is no longer reading.")
            key = action.str_arg(1)
            reply = await comments_page(ctx, article, None if key == "*" else key, action.int_arg(2) or None)
        elif action.verb is Verb.ARTICLE:
            reply = await select_article(ctx, action.int_arg(0))
        elif action.verb in (Verb.APPROVE, Verb.REJECT):
            await ctx.require_admin(N_("Only admins can approve or reject comments."))
            handler = approve_number if action.verb is Verb.APPROVE else reject_number
            reply = await handler(ctx, action.int_arg(0), None)
        else:
            spec = REGISTRY.get(action.str_arg(0))
            if spec is None:
                raise BotError("This button is no longer valid.")
            reply = help_for(spec)
        return Outcome((reply,), notice=None)

