"""The permission matrix through the real Telegram adapter: admin status comes from getChatMember."""

from __future__ import annotations

from pathlib import Path

from bot.commands import REGISTRY
from tests.telegram_harness import OWNER, telegram_rig, texts
from tests.test_permission_matrix import snapshot

CHAT_A, CHAT_B = -3001, -3002
MEMBER, ADMIN_A, ADMIN_B = 201, 202, 203


async def test_every_admin_command_by_role_and_chat(tmp_path: Path) -> None:
    async with telegram_rig(tmp_path) as rig:
        rig.fake.set_admins(CHAT_A, [ADMIN_A])
        rig.fake.set_admins(CHAT_B, [ADMIN_B])
        for chat in (CHAT_A, CHAT_B):
            await rig.say(MEMBER, "/comment a comment to act on", chat=chat)
            await rig.say(ADMIN_A, "/comment another one", chat=chat)
        checked = 0
        for spec in (s for s in REGISTRY.all() if s.admin):
            command = f"/{spec.name} {spec.example}".strip()
            for chat, here, there in ((CHAT_A, ADMIN_A, ADMIN_B), (CHAT_B, ADMIN_B, ADMIN_A)):
                for who in (MEMBER, there):
                    before = snapshot(rig.db)
                    answer = texts(await rig.say(who, command, chat=chat))
                    assert answer.startswith("Only admins can"), (command, who, chat, answer)
                    assert snapshot(rig.db) == before, (command, who, chat)
                for who in (here, OWNER):
                    answer = texts(await rig.say(who, command, chat=chat))
                    assert "Only admins" not in answer, (command, who, chat, answer)
                checked += 4
        assert checked == 4 * 2 * len([s for s in REGISTRY.all() if s.admin])
        assert rig.fake.calls_of("getChatMember"), "admin status must be asked of Telegram"
