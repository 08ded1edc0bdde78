"""The baseline for the Discord benchmark: the thinnest discord.py bot that answers every message.

`python -m bench.bare_discord --api-url http://127.0.0.1:PORT/api/v10 --gateway-url ws://127.0.0.1:PORT/ --token T`

A plain `discord.Client` with the default intents plus message content (articlebot asks for the same), default
`guild_ready_timeout`, no mentions allowed. `on_message` answers each message not sent by a bot with exactly one
`channel.send` replying to it (`fail_if_not_exists=False`, as articlebot's replies), its text about as long as
articlebot's answers; `on_interaction` answers each slash command with one interaction response. With
`--nav-buttons N` the answer to `/section K` or `!section K` also carries the row of buttons articlebot's
answer has (◀ Intro or ◀ Previous, 💬 Comments, and Next ▶ unless K is the last of N sections), as a
discord.py bot sends buttons: a `discord.ui.View` built for the answer. No storage, no parsing: whatever this
reaches is what discord.py and the fake allow.
Prints "bare discord bot ready" (stderr) once `on_ready` fired.
"""

from __future__ import annotations

import argparse
import logging
import sys

import discord
import yarl

# articlebot's answers in the benchmark's workload average about this many characters (a `!section N` is the
# section's text, a `!comment` a one-line confirmation); the bare bot pads its answer to this length
ANSWER_CHARS = 430
FILLER = "lorem ipsum dolor sit amet " * (ANSWER_CHARS // 27 + 1)


class BareClient(discord.Client):
    answer_chars = ANSWER_CHARS
    nav_sections = 0  # > 0: section answers carry articlebot's navigation buttons for an article of this many sections

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A slash command answered with one message, as long as articlebot's answer to the same command."""
        data: dict[str, object] = dict(interaction.data or {})
        head = f"/{data.get('name', '?')}: "
        options = data.get("options")
        first = options[0] if isinstance(options, list) and options and isinstance(options[0], dict) else {}
        view = self.nav_view(first.get("value")) if self.nav_sections else discord.utils.MISSING
        await interaction.response.send_message(head + FILLER[: max(0, self.answer_chars - len(head))],
                                                allowed_mentions=discord.AllowedMentions.none(), view=view)

    def nav_view(self, section: object) -> discord.ui.View:
        """The buttons under articlebot's answer to `/section K` or `!section K` (labels and custom_id lengths
        alike)."""
        try:
            k = int(str(section))
        except ValueError:
            k = 1
        view = discord.ui.View(timeout=None)  # persistent, as articlebot's buttons work after a restart
        back = "◀ Intro" if k == 1 else "◀ Previous"
        view.add_item(discord.ui.Button(label=back, custom_id=f"ab:s:1:section-{k - 1}"))
        view.add_item(discord.ui.Button(label="💬 Comments (0)", custom_id=f"ab:c:1:section-{k}:0"))
        if k < self.nav_sections:
            view.add_item(discord.ui.Button(label="Next ▶", custom_id=f"ab:s:1:section-{k + 1}"))
        return view

    async def on_ready(self) -> None:
        print("bare discord bot ready", file=sys.stderr, flush=True)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        head = f"got {len(message.content)} characters: "
        words = message.content.split()
        section = self.nav_sections and len(words) == 2 and words[0] == "!section"
        await message.channel.send(head + FILLER[: max(0, ANSWER_CHARS - len(head))],
                                   reference=message.to_reference(fail_if_not_exists=False),
                                   allowed_mentions=discord.AllowedMentions.none(),
                                   view=self.nav_view(words[1]) if section else discord.utils.MISSING)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-url", required=True, help="the fake's REST base, like http://127.0.0.1:8081/api/v10")
    parser.add_argument("--gateway-url", required=True, help="the fake's gateway, like ws://127.0.0.1:8081/")
    parser.add_argument("--token", required=True)
    parser.add_argument("--answer-chars", type=int, default=ANSWER_CHARS, help="length of each answer")
    parser.add_argument("--nav-buttons", type=int, default=0, metavar="N",
                        help="section answers carry articlebot's navigation buttons for an article of N sections")
    args = parser.parse_args(argv)
    if not args.api_url.startswith("http://127.") or not args.gateway_url.startswith("ws://127."):
        parser.error("the benchmark bot only talks to a fake Discord on this machine")
    logging.basicConfig(level=logging.WARNING)
    discord.http.Route.BASE = args.api_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(args.gateway_url)
    intents = discord.Intents.default()
    intents.message_content = True
    client = BareClient(intents=intents, allowed_mentions=discord.AllowedMentions.none())
    client.answer_chars = args.answer_chars
    client.nav_sections = args.nav_buttons
    global FILLER
    FILLER = "lorem ipsum dolor sit amet " * (args.answer_chars // 27 + 1)
    client.run(args.token, log_handler=None)


if __name__ == "__main__":
    main()
