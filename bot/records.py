"""What the core reads from and writes to storage, as plain frozen records."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

WHOLE_ARTICLE = ""  # section key of comments on the article as a whole


class Status(Enum):
    VISIBLE = "visible"
    PENDING = "pending"  # waiting in the approval queue
    REMOVED = "removed"  # hidden by a moderator (or by reports); kept for the modlog
    DELETED = "deleted"  # deleted by its author
    REJECTED = "rejected"  # refused from the approval queue


class FilterMode(Enum):
    BLOCK = "block"
    HOLD = "hold"


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    position: int  # 1-based among live sections; 0 for sections gone after a re-import
    heading: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    slug: str
    title: str
    byline: str | None
    intro: tuple[str, ...]
    sections: tuple[Section, ...]  # live sections in order
    source: str | None = None  # the page it was imported from, for an article brought in by link

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    id: int
    slug: str
    title: str
    section_count: int


@dataclass(frozen=True, slots=True)
class SavedArticle:
    id: int
    created: bool
    orphaned: tuple[str, ...]  # keys of sections that disappeared but still have comments


@dataclass(frozen=True, slots=True)
class SearchHit:
    section_key: str
    heading: str
    snippet: str  # plain text; the matched words are wrapped in the MARK characters below


MARK_START = "\x02"
MARK_END = "\x03"


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    chat_key: str
    number: int
    article_id: int
    section_key: str
    parent_number: int | None
    author_key: str
    author_name: str
    text: str
    status: Status
    created_at: float
    edited_at: float | None
    hold_reason: str | None = None
    source_id: str | None = None  # the platform message that made it, when a message did
    room_key: str | None = None  # the room it was written in (of the rooms sharing its discussion)


@dataclass(frozen=True, slots=True)
class NewComment:
    chat_key: str
    article_id: int
    section_key: str
    parent_number: int | None
    author_key: str
    text: str
    status: Status
    created_at: float
    source_id: str | None  # platform message id; a second delivery of it makes no second comment
    hold_reason: str | None = None
    room_key: str | None = None  # the room it was written in (a mirror never posts a room's own comments back)


@dataclass(frozen=True, slots=True)
class ModlogEntry:
    chat_key: str
    at: float
    actor_key: str  # `system` for automatic actions
    action: str
    target: str
    reason: str | None = None
    before: str | None = None
    after: str | None = None
    id: int = 0


@dataclass(frozen=True, slots=True)
class Ban:
    chat_key: str
    user_key: str
    until: float | None  # None: permanent
    reason: str | None
    by_key: str


@dataclass(frozen=True, slots=True)
class WordFilter:
    word: str
    mode: FilterMode


@dataclass(frozen=True, slots=True)
class Report:
    comment_id: int
    reporter_key: str
    reason: str | None
    at: float


@dataclass(frozen=True, slots=True)
class Position:
    article_id: int
    section_key: str


@dataclass(frozen=True, slots=True)
class CommentGate:
    """Everything a new comment is checked against in its chat, read together."""

    ban: Ban | None
    settings: dict[str, str]
    locks: frozenset[str]
    filters: tuple[WordFilter, ...]
    last_comment_at: float | None


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A web page brought in by link: its final address (after redirects), what kind of document it is
    ("html", "markdown", "text", or "unchanged" for a conditional fetch that found nothing new), its text,
    and the validators for fetching it again."""

    url: str
    kind: str
    text: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleSource:
    """Where an article imported by link came from, and the validators for fetching it again."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class WebPage:
    """A room's read-only web page: served at a path with `token` (unguessable) until revoked."""

    room_key: str
    token: str
    embed: bool  # other sites may show it in an <iframe>


@dataclass(frozen=True, slots=True)
class Mirror:
    """A room that shows the other rooms' new comments (/mirror on)."""

    room_key: str
    after_number: int  # the discussion's comments up to this one were there before: they are not posted
    cursor: float  # the discussion's changes up to here are handled (the database's clock)
    last_sent: float  # when it last posted (the bot's clock)


@dataclass(frozen=True, slots=True)
class MirrorCopy:
    """One comment shown in one message of a mirroring room, as it was at `shown_at` (its change time)."""

    comment_id: int
    number: int
    message_id: str
    shown_at: float


@dataclass(frozen=True, slots=True)
class Lease:
    """Who holds a platform's single poller: a process (host and pid) until `expires_at` unless renewed."""

    holder: str
    host: str
    pid: int
    expires_at: float


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One post of a feed. `key` tells posts apart across polls: the entry's id, else its link."""

    key: str
    link: str | None
    title: str
    content_html: str | None = None  # the whole post, when the feed carries it (not just a summary)


@dataclass(frozen=True, slots=True)
class FetchedFeed:
    """A feed as fetched: its own address (a site's page may have named it), title, entries newest first,
    and the validators for fetching it again; `unchanged` when the site said nothing is new."""

    url: str
    title: str = ""
    entries: tuple[FeedEntry, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    unchanged: bool = False


@dataclass(frozen=True, slots=True)
class FeedFollow:
    """A chat following a feed: where to fetch it, whether its new posts become the chat's article, and the
    poller's state (validators, when next, how many failures in a row)."""

    chat_key: str
    url: str
    title: str
    switch: bool
    added_by: str
    added_at: float
    next_poll: float
    etag: str | None = None
    modified: str | None = None
    failures: int = 0


class ReviewKind(Enum):
    HELD = "held"  # a held comment, brought to the moderators
    APPEAL = "appeal"  # a person asks the moderators to look again, brought to them
    DECISION = "decision"  # a removal, rejection or ban, told to the person it was about
    ANSWER = "answer"  # the moderators' answer to an appeal, told to the person who appealed


OPEN = "open"  # a review's state until someone decides it; then the decision (approved, rejected, banned, ...)


@dataclass(frozen=True, slots=True)
class Review:
    """Something for moderators to decide, or something to tell a person about a decision, sent by the
    mod queue loop to wherever the chat's moderators asked for it. `id` is 0 until stored."""

    id: int
    chat_key: str  # the chat it is about (where its buttons act)
    kind: ReviewKind
    subject_key: str  # whose comment, or who was banned or appealed
    created_at: float
    comment_id: int | None = None
    number: int | None = None  # the comment's #N in its chat
    action: str | None = None  # DECISION: remove, reject or ban; ANSWER: accepted or upheld
    reason: str | None = None
    body: str | None = None  # an appeal's own words
    parent_id: int | None = None  # APPEAL and ANSWER: the decision appealed
    chat_title: str | None = None
    state: str = OPEN
    decided_by: str | None = None
    posted: bool = False
    appealed: bool = False
    announce: bool = False  # decided outside its chat: show the outcome in the chat too
