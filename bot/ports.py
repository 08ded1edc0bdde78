"""The contracts the core needs from the outside world: time, the platform, and storage as five small
protocols (articles, readers, comments, moderation, inbox) that every store implements."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

from bot.article import ParsedArticle
from bot.records import (
    Article,
    ArticleSource,
    ArticleSummary,
    Ban,
    Comment,
    CommentGate,
    FeedFollow,
    FetchedFeed,
    FetchedPage,
    Lease,
    Mirror,
    MirrorCopy,
    ModlogEntry,
    NewComment,
    Position,
    Report,
    Review,
    SavedArticle,
    SearchHit,
    Status,
    WebPage,
    WordFilter,
)
from bot.types import Anchor, Attachment, Chat, Reply, Sent, User


class Clock(Protocol):
    def now(self) -> float: ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class Platform(Protocol):
    """What the core asks of the adapter an event came through."""

    async def is_chat_admin(self, chat: Chat, user: User) -> bool:
        """Is this user an admin of this chat on the platform? (The core caches the answer.)"""
        ...

    async def fetch(self, attachment: Attachment) -> bytes:
        """The bytes of a file that came with a message, at most `attachment.size` bytes."""
        ...


class Pages(Protocol):
    """The web, for import by link. Refusals (private addresses, not an article, too big, too slow) are
    ImportRefused in plain words."""

    async def fetch_page(self, url: str, *, etag: str | None = None, last_modified: str | None = None
                         ) -> FetchedPage: ...


class FeedSource(Protocol):
    """Feeds on the web (RSS, Atom, JSON Feed), fetched as guardedly as pages. A site's page that names its
    feed (<link rel="alternate">) stands for that feed. Refusals are ImportRefused; RetryLater when the site
    asks for a pause."""

    async def fetch_feed(self, url: str, *, etag: str | None = None, last_modified: str | None = None
                         ) -> FetchedFeed: ...


class PlatformUnreachable(Exception):
    """The platform could not be reached just now (a network failure or server error that outlasted the
    adapter's own retries, or the bot not connected yet): nothing was sent, and the same message may be tried
    again later. A refusal (blocked, no such chat) is not this: it is None."""


class Announcer(Protocol):
    """Saying something in a chat nobody just spoke in (a followed feed's new post). None when the
    platform refused or the chat is gone; PlatformUnreachable when nothing could be sent for now; adapters
    remember what the message shows, as for answers."""

    async def announce(self, chat_key: str, reply: Reply) -> Sent | None:
        """The last message sent (the one carrying the buttons), or None when nothing could be sent."""
        ...

    async def announce_privately(self, user_key: str, reply: Reply) -> Sent | None:
        """A private message to a person; None when the platform won't let the bot write to them first."""
        ...

    async def edit(self, sent: Sent, reply: Reply) -> bool:
        """Replaces what a message sent by `announce` shows (and its buttons); False when it is gone."""
        ...

    def start_link(self, user_key: str) -> str | None:
        """Where the person opens a private chat with the bot, when the platform needs them to."""
        ...


class Articles(Protocol):
    """Imported articles: their sections (kept by key across re-imports) and full-text search."""

    async def save_article(self, slug: str, article: ParsedArticle, now: float) -> SavedArticle: ...
    async def list_articles(self) -> list[ArticleSummary]: ...
    async def get_article(self, article_id: int) -> Article | None: ...
    async def orphaned_sections(self, article_id: int) -> list[tuple[str, str]]: ...
    async def search(self, article_id: int, query: str, limit: int) -> list[SearchHit]: ...
    async def set_article_source(self, article_id: int, source: ArticleSource | None) -> None: ...
    async def article_source(self, article_id: int) -> ArticleSource | None: ...


class Readers(Protocol):
    """Who is here and where they are: people by name and the language they chose, the article each chat
    reads, each reader's place in it, and what each message the bot sent shows (so a reply to it lands on the
    right section or comment).
    Positions and anchors may trail their answer by a moment; everything else is durable on return."""

    async def remember_user(self, user: User, now: float) -> None: ...
    async def find_users(self, platform: str, name: str) -> list[User]: ...
    async def user_name(self, user_key: str) -> str | None: ...
    async def chat_article(self, chat_key: str) -> int | None: ...
    async def set_chat_article(self, chat_key: str, article_id: int) -> None: ...
    async def reading_state(self, chat_key: str, user_key: str) -> tuple[Article | None, Position | None]:
        """The article this chat reads (chosen here, else the newest imported) and where this user is."""
        ...
    async def set_position(self, chat_key: str, user_key: str, position: Position) -> None: ...
    async def save_anchor(self, chat_key: str, message_id: str, anchor: Anchor) -> None: ...
    async def languages(self, chat_key: str, user_key: str) -> tuple[str | None, str | None]:
        """(the chat's chosen language, the person's chosen language); None where none was chosen."""
        ...
    async def set_user_language(self, user_key: str, language: str | None) -> None: ...
    async def is_quiet(self, user_key: str) -> bool:
        """True when the person asked not to be told of replies to their comments (/notify off)."""
        ...

    async def set_quiet(self, user_key: str, quiet: bool) -> None: ...
    async def anchor(self, chat_key: str, message_id: str) -> Anchor | None: ...


class Comments(Protocol):
    """Comments, numbered per chat (#N) and recorded once per platform message; listings page by key."""

    async def add_comment(self, new: NewComment, log: ModlogEntry | None = None) -> tuple[Comment, bool]:
        """Stores it (once per platform message); a visible one is queued, in the same write, for everyone
        subscribed to its section or its chat except its author (see Subscriptions)."""
        ...
    async def comment(self, chat_key: str, number: int) -> Comment | None: ...
    async def comments(
        self,
        chat_key: str,
        article_id: int,
        section_key: str | None,
        statuses: Sequence[Status],
        before: int | None,
        limit: int,
    ) -> list[Comment]: ...
    async def comments_by(self, chat_key: str, author_key: str, before: int | None, limit: int) -> list[Comment]: ...
    async def all_comments(self, chat_key: str, after: int, limit: int) -> list[Comment]: ...
    async def section_counts(self, chat_key: str, article_id: int) -> dict[str, int]: ...
    async def section_state(self, chat_key: str, article_id: int, section_key: str) -> tuple[int, bool]:
        """A section's visible comments, and whether it is locked (itself, or the whole article)."""
        ...
    async def edit_comment(self, comment_id: int, text: str, now: float, log: ModlogEntry | None) -> Comment: ...
    async def set_status(
        self, comment_id: int, status: Status, log: ModlogEntry | None, hold_reason: str | None = None
    ) -> Comment: ...
    async def set_status_by_author(
        self, chat_key: str, author_key: str, status: Status, log: ModlogEntry
    ) -> int: ...


class Moderation(Protocol):
    """Bans, locks, word filters, reports, per-chat settings and the modlog every action writes to."""

    async def ban(self, ban: Ban, log: ModlogEntry) -> None: ...
    async def unban(self, chat_key: str, user_key: str, log: ModlogEntry) -> bool: ...
    async def comment_gate(self, chat_key: str, user_key: str, article_id: int, now: float) -> CommentGate: ...
    async def set_lock(
        self, chat_key: str, article_id: int, section_key: str, locked: bool, log: ModlogEntry
    ) -> bool: ...
    async def add_filter(self, chat_key: str, word: WordFilter, log: ModlogEntry) -> None: ...
    async def remove_filter(self, chat_key: str, word: str, log: ModlogEntry) -> bool: ...
    async def filters(self, chat_key: str) -> list[WordFilter]: ...
    async def add_report(self, report: Report, threshold: int, log_if_hidden: ModlogEntry) -> tuple[bool, int]: ...
    async def open_reports(self, chat_key: str, limit: int) -> list[tuple[Comment, int]]: ...
    async def resolve_reports(self, comment_id: int) -> None: ...
    async def chat_settings(self, chat_key: str) -> dict[str, str]: ...
    async def set_chat_setting(self, chat_key: str, name: str, value: str, log: ModlogEntry | None) -> None: ...
    async def modlog(self, chat_key: str, limit: int) -> list[ModlogEntry]: ...
    async def add_modlog(self, entry: ModlogEntry) -> None: ...


class Inbox(Protocol):
    """Durable receipt of platform updates: stored before the platform is told they arrived, marked done
    after their effect, so a crash between the two replays them (effects are idempotent)."""

    async def inbox_add(self, platform: str, updates: Sequence[tuple[int, str]], now: float,
                        chats: Sequence[str] | None = None) -> list[int]:
        """Stores updates (with each one's chat, for `claim_chats`); returns the ids not stored before."""
        ...

    async def claim_chats(self, platform: str, holder: str, now: float, hold_seconds: float, limit: int
                          ) -> list[str]:
        """Chats with unfinished updates that no other worker holds (or whose holder's claim ran out), now held
        by `holder` for `hold_seconds`; a chat already held by `holder` is renewed. Of several workers, one
        holds a chat at a time."""
        ...

    async def inbox_open_chat(self, platform: str, chat_key: str, limit: int) -> list[tuple[int, str]]:
        """A chat's unfinished updates in update order."""
        ...

    async def release_chat(self, platform: str, chat_key: str, holder: str) -> None: ...
    async def inbox_open(self, platform: str, after: int = -1, limit: int = 500) -> list[tuple[int, str]]: ...
    async def inbox_done(self, platform: str, update_ids: Sequence[int], now: float) -> None: ...
    async def inbox_last_id(self, platform: str) -> int | None: ...
    async def reserve(self, key: str, interval: float, burst: int, now: float) -> float:
        """A place under a rate limit the whole fleet shares (one request per `interval` seconds on average,
        `burst` at once): how many seconds to wait before using it (0: go)."""
        ...

    async def channel_marks(self, chat_keys: Sequence[str]) -> dict[str, int]:
        """The newest message id read in each of these channels (a platform without update ids: Discord)."""
        ...

    async def set_channel_marks(self, marks: dict[str, int]) -> None:
        """Moves the marks forward (never back)."""
        ...

    async def inbox_backlog(self, platform: str) -> int:
        """Updates stored and not yet done (for /metrics; reading it also shows the store answers)."""
        ...

    async def inbox_prune(self, platform: str, before: float) -> None: ...
    async def poller_lease(self, platform: str) -> Lease | None:
        """Who polls this platform for this database now (long polling allows one consumer per bot)."""
        ...
    async def claim_poller(self, platform: str, lease: Lease, replacing: str | None) -> bool:
        """Takes or renews the lease if its holder is still `replacing` (None: no lease yet); False when
        another process got there first."""
        ...
    async def release_poller(self, platform: str, holder: str) -> None: ...


class Feeds(Protocol):
    """The feeds each chat follows, which of their posts it has seen, and who polls each now (of several
    processes, exactly one: a claim is a lease that runs out if its holder dies)."""

    async def follow_feed(self, follow: FeedFollow, seen: Sequence[str], log: ModlogEntry) -> bool:
        """False when this chat already follows it (nothing changes)."""
        ...

    async def unfollow_feed(self, chat_key: str, url: str, log: ModlogEntry) -> bool: ...
    async def chat_feeds(self, chat_key: str) -> list[FeedFollow]: ...
    async def claim_due_feeds(self, now: float, holder: str, hold_seconds: float, limit: int) -> list[FeedFollow]:
        ...

    async def unseen_entries(self, chat_key: str, url: str, keys: Sequence[str]) -> list[str]: ...
    async def feed_polled(self, follow: FeedFollow, seen: Sequence[str], now: float) -> None:
        """Stores the poll's outcome (`follow` carries the new validators, next poll and failures), marks
        `seen` as announced, and releases the claim."""
        ...


class Votes(Protocol):
    """Likes: one per person per comment. Counts leave out people banned in the chat now, and only visible
    comments are counted or ranked."""

    async def set_vote(self, comment_id: int, voter_key: str, up: bool, now: float) -> bool:
        """True when it changed something (a second like, or taking back a like never given, does not)."""
        ...

    async def vote_counts(self, chat_key: str, comment_ids: Sequence[int], now: float) -> dict[int, int]: ...
    async def top_comments(self, chat_key: str, article_id: int, now: float, limit: int) -> list[tuple[Comment, int]]:
        ...

    async def recent_section_counts(self, chat_key: str, article_id: int, since: float) -> dict[str, int]:
        """Visible comments per section written since `since`: what is being discussed now."""
        ...


class Subscriptions(Protocol):
    """Who asked for a private message about new comments in a chat (a section, or "*" for all), what is
    waiting to be sent to them (queued by `add_comment`), and who cannot be written to first."""

    async def subscribe(self, chat_key: str, user_key: str, section_key: str) -> bool: ...
    async def unsubscribe(self, chat_key: str, user_key: str, section_key: str | None) -> int: ...
    async def subscriptions(self, chat_key: str, user_key: str) -> list[str]: ...
    async def due_digests(self, now: float, gap: float, limit: int) -> list[tuple[str, list[Comment]]]:
        """People with something queued who were last written to `gap` seconds ago or longer (or never),
        with what is queued for them (oldest first); taken off the queue."""
        ...

    async def digest_sent(self, user_key: str, now: float, reached: bool) -> bool:
        """Notes the attempt; True when this is the first time `user_key` could not be reached."""
        ...

    async def digest_again(self, user_key: str, comment_ids: Sequence[int], now: float) -> None:
        """Queues again what a digest taken by `due_digests` held, when the platform could not be reached: it
        goes with the next one (after `gap`)."""
        ...


class Reviews(Protocol):
    """The mod queue: held comments and appeals waiting for a decision, and what people are told about
    decisions, each sent once by whichever process claims it; where each copy went, so every moderator's copy
    shows the outcome; and who asked for private copies. A held comment's review closes by itself when the
    comment leaves the queue any other way (approved, rejected, removed or deleted in the chat)."""

    async def open_review(self, review: Review) -> int | None:
        """Stores it for sending; None when that comment is already waiting for review."""
        ...

    async def review(self, review_id: int) -> Review | None: ...
    async def decide_review(self, review_id: int, state: str, actor_key: str, now: float, announce: bool) -> bool:
        """True when this call decided it (it was open): of two moderators pressing at once, one wins."""
        ...

    async def reviews_due(self, now: float, holder: str, hold_seconds: float, limit: int) -> list[Review]:
        """Claims reviews to send or, once decided, to update everywhere they were sent."""
        ...

    async def review_posted(self, review_id: int, copies: Sequence[tuple[str, str]]) -> None:
        """Records where it went ((chat key, message id) each) and releases the claim."""
        ...

    async def review_copied(self, review_id: int, target: str, sent: Sent) -> None:
        """Records one copy as soon as it went (`target`: the moderators' chat or the moderator it was for), so
        a review sent to only some of its targets is sent to the rest later and to nobody twice."""
        ...

    async def review_targets(self, review_id: int) -> set[str]: ...
    async def review_settled(self, review_id: int) -> None: ...
    async def review_copies(self, review_id: int) -> list[tuple[str, str]]: ...
    async def open_appeals(self, chat_key: str, limit: int) -> list[Review]: ...
    async def last_decision(self, user_key: str, chat_key: str | None) -> Review | None:
        """The latest decision about this person in this chat (None: in any chat)."""
        ...

    async def add_appeal(self, appeal: Review, log: ModlogEntry) -> int | None:
        """Stores an appeal of `appeal.parent_id`; None when that decision was appealed already."""
        ...

    async def set_moderator(self, chat_key: str, user_key: str, on: bool) -> bool: ...
    async def moderators(self, chat_key: str) -> list[str]: ...
    async def clear_moderators(self, chat_key: str) -> int: ...


class Rooms(Protocol):
    """Rooms that share one discussion: a room joined with /link reads and writes the discussion of the room
    that gave the code (its key); every other room is its own discussion."""

    async def discussion_of(self, room_key: str) -> str: ...
    async def link_room(self, room_key: str, discussion_key: str, title: str | None, now: float,
                        log: ModlogEntry) -> bool:
        """False when the room already has comments of its own (only a room without can join another)."""
        ...

    async def unlink_room(self, room_key: str, log: ModlogEntry) -> bool:
        """The room leaves its discussion with a copy of it so far; False when it had joined none."""
        ...

    async def linked_rooms(self, discussion_key: str) -> list[tuple[str, str | None]]: ...


class Codes(Protocol):
    """One-time codes that carry a step from one chat to another (a moderators' chat named by its admin)."""

    async def issue_code(self, code: str, purpose: str, chat_key: str, user_key: str, expires_at: float) -> None: ...
    async def redeem_code(self, code: str, purpose: str, user_key: str, now: float) -> str | None:
        """The chat the code was issued in, once, to the person it was issued to (or to anyone, when issued
        to "*"), before it expires."""
        ...


# What changed since a moment is read again this far back: on PostgreSQL a transaction can commit after a later one
# that read the clock after it, so a change may appear "in the past" for as long as a write transaction takes.
# Readers of `comment_changes` (live pages, mirrors) skip what they already handled.
CHANGE_OVERLAP_SECONDS = 5.0


class WebPages(Protocol):
    """Each room's read-only web page, and what changed in a discussion since a moment, for pages that show
    changes live. Moments are the database's clock, so every process of a fleet agrees on their order."""

    async def web_page(self, room_key: str) -> WebPage | None: ...
    async def web_page_by_token(self, token: str) -> WebPage | None: ...
    async def open_web_page(self, room_key: str, token: str, now: float, log: ModlogEntry) -> WebPage:
        """The room's page: made with `token` unless the room has one already."""
        ...

    async def close_web_page(self, room_key: str, log: ModlogEntry) -> bool:
        """Revokes the room's page (its address stops working); False when it had none."""
        ...

    async def set_web_embed(self, room_key: str, embed: bool, log: ModlogEntry) -> bool:
        """False when the room has no page."""
        ...

    async def comment_changes(self, chat_key: str, since: float, limit: int) -> list[tuple[Comment, float]]:
        """Comments of every status that changed (were made, edited, hidden, shown) after `since`, with when,
        oldest change first."""
        ...

    async def latest_change(self, chat_key: str) -> float:
        """When a comment of the discussion last changed (0 when none has)."""
        ...


class Mirrors(Protocol):
    """Rooms that show the other linked rooms' new comments as they come (/mirror)."""

    async def set_mirror(self, room_key: str, discussion_key: str, on: bool, log: ModlogEntry) -> bool:
        """False when it was so already. Turned on, it posts the discussion's comments made from now on."""
        ...

    async def mirror_on(self, room_key: str) -> bool: ...
    async def mirrors_due(self, now: float, holder: str, hold_seconds: float, limit: int) -> list[Mirror]:
        """Claims mirrors nobody else holds, for `hold_seconds`."""
        ...

    async def mirror_copies(self, room_key: str, comment_ids: Sequence[int]) -> dict[int, MirrorCopy]: ...
    async def message_copies(self, room_key: str, message_id: str) -> list[MirrorCopy]:
        """The comments one mirrored message shows, in order."""
        ...

    async def mirror_done(self, room_key: str, holder: str, cursor: float, sent_at: float | None,
                          copies: Sequence[MirrorCopy]) -> None:
        """Records what was posted or edited and how far the changes are handled, and lets the mirror go."""
        ...


class People(Protocol):
    """One person's accounts on several platforms (/me link): one name on their comments, /mycomments lists
    all of them, and their likes count once."""

    async def person_accounts(self, user_key: str) -> list[tuple[str, str]]:
        """Every account of this account's person (key, name), the one whose name shows first; empty when it is
        not linked."""
        ...

    async def link_person(self, user_key: str, owner_key: str, now: float) -> None:
        """Makes `user_key` (and any accounts linked to it) one person with `owner_key`."""
        ...

    async def unlink_person(self, user_key: str) -> bool:
        """Takes this account out of its person; False when it was in none."""
        ...

    async def name_person(self, user_key: str) -> bool:
        """Makes this account the one whose name the person's comments show; False when it is linked to none."""
        ...


class Store(Articles, Readers, Comments, Moderation, Feeds, Votes, Subscriptions, Reviews, Rooms, Codes, WebPages,
            Mirrors, People, Protocol):
    """Everything the core stores, as one object: a store (SQLite or PostgreSQL) implements every small
    protocol above and `Inbox`. Each method is one transaction; writes are durable when they return."""
