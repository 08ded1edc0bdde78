"""What the page itself says, in the discussion's language (the comments are shown as written)."""

from __future__ import annotations

from bot.i18n import _


def words() -> dict[str, str]:
    """Called while `speaking` the page's language."""
    return {
        "contents": _("Contents"),
        "whole": _("On the whole article"),
        "none": _("No comments yet."),
        "edited": _("edited"),
        "comments": _("comments"),
        "original": _("Read the original"),
        "read_only": _("Read-only: comments are written in the chat, and new ones appear here as they come."),
        "live": _("Live"),
        "reconnecting": _("Reconnecting…"),
        "gone": _("This page's address was revoked. Ask an admin of the chat for the new one."),
        "no_article": _("No article has been chosen for this discussion yet."),
        "pages": _("Pages of comments"),
        "shown": _("Comments #{first} to #{last} are on this page."),
        "earlier": _("Earlier comments"),
        "latest": _("Latest comments"),
    }
