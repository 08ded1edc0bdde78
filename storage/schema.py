"""Schema migrations, applied in order; `PRAGMA user_version` records how many have run.

Never edit a migration that has shipped: append a new one. Tests build every earlier version and
migrate it forward.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: articles, comments, moderation
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        byline TEXT,
        intro TEXT NOT NULL,            -- JSON list of paragraphs
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE sections (
        article_id INTEGER NOT NULL REFERENCES articles(id),
        key TEXT NOT NULL,
        position INTEGER NOT NULL,      -- 0 once a re-import dropped the section
        heading TEXT NOT NULL,
        body TEXT NOT NULL,             -- JSON list of paragraphs
        PRIMARY KEY (article_id, key)
    ) WITHOUT ROWID;
    CREATE VIRTUAL TABLE section_fts USING fts5(
        heading, body, article_id UNINDEXED, key UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TABLE chats (
        chat_key TEXT PRIMARY KEY,
        article_id INTEGER,
        next_number INTEGER NOT NULL DEFAULT 1,
        settings TEXT NOT NULL DEFAULT '{}'
    ) WITHOUT ROWID;
    CREATE TABLE users (
        user_key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        name_fold TEXT NOT NULL,
        seen_at REAL NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX users_by_name ON users(name_fold);
    CREATE TABLE positions (
        chat_key TEXT NOT NULL,
        user_key TEXT NOT NULL,
        article_id INTEGER NOT NULL,
        section_key TEXT NOT NULL,
        PRIMARY KEY (chat_key, user_key)
    ) WITHOUT ROWID;
    CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        chat_key TEXT NOT NULL,
        number INTEGER NOT NULL,
        article_id INTEGER NOT NULL,
        section_key TEXT NOT NULL,      -- '' for the article as a whole
        parent_number INTEGER,
        author_key TEXT NOT NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at REAL NOT NULL,
        edited_at REAL,
        source_id TEXT,
        hold_reason TEXT,
        UNIQUE (chat_key, number)
    );
    CREATE UNIQUE INDEX comments_by_source ON comments(chat_key, source_id) WHERE source_id IS NOT NULL;
    CREATE INDEX comments_by_section ON comments(chat_key, article_id, section_key, status, number);
    CREATE INDEX comments_by_article ON comments(chat_key, article_id, status, number);
    CREATE INDEX comments_by_author ON comments(chat_key, author_key, number);
    CREATE INDEX comments_by_status ON comments(chat_key, status, number);
    -- visible-comment counts per section, kept in step with every status change so /sections stays
    -- constant-time however many comments a chat has
    CREATE TABLE section_counts (
        chat_key TEXT NOT NULL,
        article_id INTEGER NOT NULL,
        section_key TEXT NOT NULL,
        visible INTEGER NOT NULL,
        PRIMARY KEY (chat_key, article_id, section_key)
    ) WITHOUT ROWID;
    CREATE TABLE comment_edits (
        comment_id INTEGER NOT NULL REFERENCES comments(id),
        edited_at REAL NOT NULL,
        text_before TEXT NOT NULL,
        text_after TEXT NOT NULL
    );
    CREATE INDEX comment_edits_by_comment ON comment_edits(comment_id, edited_at);
    CREATE TABLE anchors (
        chat_key TEXT NOT NULL,
        message_id TEXT NOT NULL,
        article_id INTEGER NOT NULL,
        section_key TEXT,
        comment_number INTEGER,
        PRIMARY KEY (chat_key, message_id)
    ) WITHOUT ROWID;
    CREATE TABLE bans (
        chat_key TEXT NOT NULL,
        user_key TEXT NOT NULL,
        until REAL,
        reason TEXT,
        by_key TEXT NOT NULL,
        PRIMARY KEY (chat_key, user_key)
    ) WITHOUT ROWID;
    CREATE TABLE locks (
        chat_key TEXT NOT NULL,
        article_id INTEGER NOT NULL,
        section_key TEXT NOT NULL,      -- '' locks the whole article
        PRIMARY KEY (chat_key, article_id, section_key)
    ) WITHOUT ROWID;
    CREATE TABLE filters (
        chat_key TEXT NOT NULL,
        word_fold TEXT NOT NULL,
        word TEXT NOT NULL,
        mode TEXT NOT NULL,
        PRIMARY KEY (chat_key, word_fold)
    ) WITHOUT ROWID;
    CREATE TABLE reports (
        comment_id INTEGER NOT NULL REFERENCES comments(id),
        reporter_key TEXT NOT NULL,
        reason TEXT,
        at REAL NOT NULL,
        open INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (comment_id, reporter_key)
    ) WITHOUT ROWID;
    CREATE TABLE modlog (
        id INTEGER PRIMARY KEY,
        chat_key TEXT NOT NULL,
        at REAL NOT NULL,
        actor_key TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        reason TEXT,
        before_text TEXT,
        after_text TEXT
    );
    CREATE INDEX modlog_by_chat ON modlog(chat_key, id);
    """,
    # 2: durable receipt of platform updates; users' @handles for naming them in commands
    """
    CREATE TABLE inbox (
        platform TEXT NOT NULL,
        update_id INTEGER NOT NULL,
        payload TEXT NOT NULL,
        received_at REAL NOT NULL,
        done_at REAL,
        PRIMARY KEY (platform, update_id)
    ) WITHOUT ROWID;
    CREATE INDEX inbox_open ON inbox(platform, update_id) WHERE done_at IS NULL;
    ALTER TABLE users ADD COLUMN handle_fold TEXT;
    CREATE INDEX users_by_handle ON users(handle_fold) WHERE handle_fold IS NOT NULL;
    """,
    # 3: every listing is served by comments_by_section, _by_article or _by_author; one index fewer to
    # maintain on each new comment
    """
    DROP INDEX IF EXISTS comments_by_status;
    """,
    # 4: an article imported by link remembers where from, and what the site said to fetch it again cheaply
    """
    ALTER TABLE articles ADD COLUMN source_url TEXT;
    ALTER TABLE articles ADD COLUMN source_etag TEXT;
    ALTER TABLE articles ADD COLUMN source_modified TEXT;
    """,
    # 5: which process polls a platform (Telegram allows one getUpdates consumer per bot)
    """
    CREATE TABLE pollers (
        platform TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        expires_at REAL NOT NULL
    ) WITHOUT ROWID;
    """,
    # 6: the language each person chose to be answered in (/language)
    """
    ALTER TABLE users ADD COLUMN language TEXT;
    """,
    # 7: feeds each chat follows, the posts it has been shown, and which process polls each feed now
    """
    CREATE TABLE feeds (
        chat_key TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT NOT NULL,
        switch INTEGER NOT NULL,
        added_by TEXT NOT NULL,
        added_at REAL NOT NULL,
        next_poll REAL NOT NULL,
        etag TEXT,
        modified TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        holder TEXT,
        held_until REAL,
        PRIMARY KEY (chat_key, url)
    ) WITHOUT ROWID;
    CREATE INDEX feeds_due ON feeds(next_poll);
    CREATE TABLE feed_entries (
        chat_key TEXT NOT NULL,
        url TEXT NOT NULL,
        entry TEXT NOT NULL,
        seen_at REAL NOT NULL,
        PRIMARY KEY (chat_key, url, entry)
    ) WITHOUT ROWID;
    """,
    # 8: likes of comments, one per person
    """
    CREATE TABLE votes (
        comment_id INTEGER NOT NULL REFERENCES comments(id),
        voter_key TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (comment_id, voter_key)
    ) WITHOUT ROWID;
    CREATE INDEX comments_recent ON comments(chat_key, article_id, created_at);
    """,
    # 9: who asked not to be told of replies to their comments (/notify off)
    """
    ALTER TABLE users ADD COLUMN quiet INTEGER NOT NULL DEFAULT 0;
    """,
    # 10: /subscribe: who wants a private message for new comments where, what waits to be sent to them, and
    # when they were last written to (at most one message a minute) or refused private messages
    """
    CREATE TABLE subscriptions (
        chat_key TEXT NOT NULL,
        user_key TEXT NOT NULL,
        section_key TEXT NOT NULL,
        PRIMARY KEY (chat_key, section_key, user_key)
    ) WITHOUT ROWID;
    CREATE TABLE outbox (
        user_key TEXT NOT NULL,
        comment_id BIGINT NOT NULL,
        queued_at REAL NOT NULL,
        PRIMARY KEY (user_key, comment_id)
    ) WITHOUT ROWID;
    ALTER TABLE users ADD COLUMN written_at REAL;
    ALTER TABLE users ADD COLUMN unreachable INTEGER NOT NULL DEFAULT 0;
    """,
    # 11: the mod queue: held comments and appeals for the moderators, decisions told to people, where each
    # copy was sent, who gets private copies, and one-time codes carrying a step from one chat to another
    """
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        chat_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject_key TEXT NOT NULL,
        created_at REAL NOT NULL,
        comment_id INTEGER,
        number INTEGER,
        action TEXT,
        reason TEXT,
        body TEXT,
        parent_id INTEGER,
        chat_title TEXT,
        state TEXT NOT NULL DEFAULT 'open',
        decided_by TEXT,
        decided_at REAL,
        posted INTEGER NOT NULL DEFAULT 0,
        settled INTEGER NOT NULL DEFAULT 0,
        appealed INTEGER NOT NULL DEFAULT 0,
        announce INTEGER NOT NULL DEFAULT 0,
        holder TEXT,
        held_until REAL
    );
    CREATE UNIQUE INDEX reviews_held_once ON reviews(comment_id) WHERE kind = 'held' AND state = 'open';
    CREATE INDEX reviews_unsettled ON reviews(id) WHERE settled = 0;
    CREATE INDEX reviews_about ON reviews(subject_key, kind, id);
    CREATE INDEX reviews_open ON reviews(chat_key, kind, state);
    CREATE TABLE review_copies (
        review_id INTEGER NOT NULL,
        chat_key TEXT NOT NULL,
        message_id TEXT NOT NULL,
        PRIMARY KEY (review_id, chat_key)
    );
    CREATE TABLE moderators (
        chat_key TEXT NOT NULL,
        user_key TEXT NOT NULL,
        PRIMARY KEY (chat_key, user_key)
    );
    CREATE TABLE codes (
        code TEXT PRIMARY KEY,
        purpose TEXT NOT NULL,
        chat_key TEXT NOT NULL,
        user_key TEXT NOT NULL,
        expires_at REAL NOT NULL
    );
    """,
    # 12: several webhook workers: each update's chat, and which worker handles a chat's updates until when (one
    # chat's updates are handled by one worker at a time, in order; a dead worker's claim runs out)
    """
    ALTER TABLE inbox ADD COLUMN chat_key TEXT;
    CREATE INDEX inbox_open_chats ON inbox(platform, chat_key, update_id) WHERE done_at IS NULL;
    CREATE TABLE chat_claims (
        platform TEXT NOT NULL,
        chat_key TEXT NOT NULL,
        holder TEXT NOT NULL,
        held_until REAL NOT NULL,
        PRIMARY KEY (platform, chat_key)
    );
    """,
    # 13: rate limits the whole fleet shares: each key's theoretical arrival time (GCRA)
    """
    CREATE TABLE rate_limits (
        key TEXT PRIMARY KEY,
        tat REAL NOT NULL
    );
    """,
    # 14: where each Discord channel was last read, so a restarted process catches up on what it missed
    """
    CREATE TABLE channel_marks (
        chat_key TEXT PRIMARY KEY,
        message_id INTEGER NOT NULL
    );
    """,
    # 15: rooms that share one discussion (linked with /link): each linked room names the discussion it joined
    """
    CREATE TABLE room_links (
        room_key TEXT PRIMARY KEY,
        discussion_key TEXT NOT NULL,
        title TEXT,
        linked_at REAL NOT NULL
    );
    CREATE INDEX room_links_discussion ON room_links(discussion_key);
    """,
    # 16: what a web page and a mirror need: the room a comment was written in, when it last changed (the
    # database's clock: a live page asks for what changed since), and each room's web page (an unguessable token)
    """
    ALTER TABLE comments ADD COLUMN room_key TEXT;
    ALTER TABLE comments ADD COLUMN changed_at REAL;
    UPDATE comments SET changed_at = coalesce(edited_at, created_at);
    CREATE INDEX comments_by_change ON comments(chat_key, changed_at);
    CREATE TABLE web_pages (
        room_key TEXT PRIMARY KEY,
        token TEXT NOT NULL UNIQUE,
        embed INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    """,
    # 17: rooms that mirror the others' new comments (/mirror on): how far each has read the discussion's changes
    # (the database's clock), when it last posted (paced, batched when busy), and which message shows which comment
    """
    CREATE TABLE mirrors (
        room_key TEXT PRIMARY KEY,
        after_number INTEGER NOT NULL,
        cursor REAL NOT NULL,
        last_sent REAL NOT NULL DEFAULT 0,
        holder TEXT,
        held_until REAL
    );
    CREATE TABLE mirror_copies (
        room_key TEXT NOT NULL,
        comment_id INTEGER NOT NULL,
        number INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        shown_at REAL NOT NULL,
        PRIMARY KEY (room_key, comment_id)
    );
    CREATE INDEX mirror_copies_by_message ON mirror_copies(room_key, message_id);
    """,
    # 18: one person's accounts on several platforms (/me link): each linked account names the person's first
    # account, whose name their comments show; likes count once per person
    """
    CREATE TABLE people (
        user_key TEXT PRIMARY KEY,
        person_key TEXT NOT NULL,
        linked_at REAL NOT NULL
    );
    CREATE INDEX people_by_person ON people(person_key);
    """,
    # 19: which moderator or chat each mod queue copy was sent for, so a card that could not be sent to some of
    # them (the platform unreachable for a while) is sent to those later and to nobody twice
    """
    ALTER TABLE review_copies ADD COLUMN target TEXT NOT NULL DEFAULT '';
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
