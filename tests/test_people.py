"""One person on two platforms, on both stores: /me link gives a code in a private message, the other account
redeems it; then their comments show one name, /mycomments lists both accounts' comments, and their likes count
once. /me unlink separates them again."""

from __future__ import annotations

import re

from tests.support import Harness


async def link(h: Harness, owner: str, other: str) -> None:
    said = await h.say(owner, "/me link", f"test:{owner}", private=True)
    code = re.search(r"/me link ([A-Z0-9]{8})", said)
    assert code is not None, said
    assert "one person now" in await h.say(other, f"/me link {code[1]}", f"test:{other}", private=True)


async def likes(h: Harness, number: int) -> int:
    comment = await h.store.comment("test:group", number)
    assert comment is not None
    return (await h.store.vote_counts("test:group", [comment.id], h.clock.now())).get(comment.id, 0)


async def test_two_accounts_become_one_person_and_can_part_again(harness: Harness) -> None:
    h = harness
    assert "#1" in await h.say("ann", "/comment from Ann's first account")
    assert "#2" in await h.say("annie", "/comment from Ann's other account")
    assert "#3" in await h.say("cat", "/comment liked by Ann twice")
    await h.say("ann", "/like #3")
    await h.say("annie", "/like #3")
    assert await likes(h, 3) == 2
    assert "not linked" in await h.say("annie", "/me")

    await link(h, "ann", "annie")
    listing = await h.say("dan", "/comments")
    assert "Annie" not in listing and listing.count("Ann") >= 2  # one name on both accounts' comments
    mine = await h.say("annie", "/mycomments")
    assert "first account" in mine and "other account" in mine
    assert await likes(h, 3) == 1  # one person, one like
    accounts = await h.say("ann", "/me")
    assert "Ann" in accounts and "Annie" in accounts

    assert "on its own again" in await h.say("annie", "/me unlink")
    assert "Annie" in await h.say("dan", "/comments")
    assert "first account" not in await h.say("annie", "/mycomments")
    assert await likes(h, 2 + 1) == 2
    assert "not linked" in await h.say("ann", "/me")  # a person of one account is no person
    assert "not linked" in await h.say("annie", "/me unlink")


async def test_codes_are_private_single_use_and_for_another_account(harness: Harness) -> None:
    h = harness
    assert "private message" in await h.say("ann", "/me link")  # in the group: everyone would see the code
    said = await h.say("ann", "/me link", "test:ann", private=True)
    code = re.search(r"/me link ([A-Z0-9]{8})", said)
    assert code is not None
    assert "other account" in await h.say("ann", f"/me link {code[1]}", "test:ann", private=True)
    assert "one person" in await h.say("annie", f"/me link {code[1]}")  # the code can be given anywhere
    assert "not valid" in await h.say("eve", f"/me link {code[1]}")  # used
    assert "not valid" in await h.say("eve", "/me link NOPE2345")
    assert "/me, /me link, /me name or /me unlink" in await h.say("eve", "/me please")


async def test_a_third_account_joins_and_the_first_can_leave(harness: Harness) -> None:
    h = harness
    await h.say("annie", "/comment from the second account")
    await link(h, "ann", "annie")
    h.clock.advance(1)
    await link(h, "annie", "anna")  # a code from any account of the person brings the new one in
    accounts = await h.say("anna", "/me")
    assert all(name in accounts for name in ("Ann", "Annie", "Anna"))
    assert "#1 Ann ·" in await h.say("dan", "/comments")
    await h.say("ann", "/me unlink")
    listing = await h.say("dan", "/comments")
    assert "Annie" in listing  # the next account names the person now
    accounts = await h.say("anna", "/me")
    assert "Annie" in accounts and "Anna" in accounts and "Ann," not in accounts


async def test_a_ban_of_one_account_holds_for_every_account_of_the_person(harness: Harness) -> None:
    h = harness
    h.admin("boss")
    assert "#1" in await h.say("cat", "/comment something to like")
    await link(h, "ann", "annie")
    await h.say("boss", "/ban annie 2h spamming")
    refused = await h.say("ann", "/comment from the account that was not named")
    assert "banned from commenting in this chat until" in refused and "spamming" in refused
    assert "banned" in await h.say("ann", "/like #1")
    assert "on its own again" in await h.say("annie", "/me unlink")
    assert "#2" in await h.say("ann", "/comment once the accounts are apart")  # the ban was Annie's
    await link(h, "ann", "annie")
    h.clock.advance(2 * 3600 + 1)
    assert "#3" in await h.say("ann", "/comment after the ban ran out")
    assert "#4" in await h.say("annie", "/comment and from the banned account too")
    assert "ban expired" in await h.say("boss", "/modlog")


async def test_me_name_chooses_which_accounts_name_the_persons_comments_show(harness: Harness) -> None:
    h = harness

    async def names() -> dict[int, str]:
        return {int(n): name for n, name in re.findall(r"#(\d+) (\w+) ·", await h.say("dan", "/comments"))}

    assert "not linked" in await h.say("annie", "/me name")
    assert "#1" in await h.say("ann", "/comment the first one")
    await link(h, "ann", "annie")
    assert "#2" in await h.say("annie", "/comment the second one")
    assert await names() == {1: "Ann", 2: "Ann"}  # the first account's name, until they choose
    assert "the name of Ann" in await h.say("annie", "/me")
    assert "this account's name now: Annie" in await h.say("annie", "/me name")
    assert await names() == {1: "Annie", 2: "Annie"}
    accounts = await h.say("ann", "/me")
    assert "the name of Annie" in accounts and "one person on: Annie, Ann." in accounts, accounts
    assert "on its own again" in await h.say("annie", "/me unlink")  # the naming account leaves
    assert await names() == {1: "Ann", 2: "Annie"}  # each account its own name again
