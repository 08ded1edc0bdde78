"""deploy/nginx.conf, run by Debian's real nginx (with a throwaway certificate, and this test's ports and paths
put in), in front of three real `articlebot run` webhook workers on one database: Telegram's webhooks go in
through nginx with TLS, a worker is killed with SIGKILL mid-stream and started again, and nginx sends what it was
given to the others. Every comment is stored exactly once and every sender answered; setWebhook is called once."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import ssl
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.telegram_server import FakeTelegram
from tests.pg_cluster import free_port
from tests.telegram_process import bot_env, stored_texts
from tests.test_telegram_process import TOKEN, wait_until

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SECRET = "fleet-secret_shared-by-all-workers"


def nginx_or_skip() -> str:
    if Path(NGINX).exists():
        return NGINX
    if os.environ.get("CI"):
        pytest.fail("nginx is missing: .ci/run installs Debian's nginx")
    pytest.skip("nginx is not installed here (CI installs it)")


def nginx_config(tmp: Path, port: int, workers: list[int], web: tuple[int, int] = (8101, 8102)) -> Path:
    """deploy/nginx.conf with this test's port, certificate, files and worker ports; nothing else changed."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    replaced = {
        "pid /run/articlebot-nginx.pid;": f"pid {tmp}/nginx.pid;",
        "error_log /var/log/nginx/articlebot-error.log warn;": f"error_log {tmp}/error.log warn;",
        "listen 8443 ssl;": f"listen 127.0.0.1:{port} ssl;",
        "/etc/articlebot/tls/fullchain.pem": str(tmp / "cert.pem"),
        "/etc/articlebot/tls/privkey.pem": str(tmp / "key.pem"),
        "127.0.0.1:8081": f"127.0.0.1:{workers[0]}",
        "127.0.0.1:8082": f"127.0.0.1:{workers[1]}",
        "127.0.0.1:8083": f"127.0.0.1:{workers[2]}",
        "127.0.0.1:8101": f"127.0.0.1:{web[0]}",
        "127.0.0.1:8102": f"127.0.0.1:{web[1]}",
    }
    for old, new in replaced.items():
        assert old in text, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    temp = "".join(f"    {kind}_temp_path {tmp}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                              "scgi"))
    text = text.replace("http {\n", "http {\n" + temp, 1)
    if os.geteuid() == 0:
        text = "user root;\n" + text  # the test's files are root's alone
    path = tmp / "nginx.conf"
    path.write_text(text)
    return path


def certificate(tmp: Path) -> None:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
                   check=True, capture_output=True, timeout=60)


class Worker:
    def __init__(self, env: dict[str, str], port: int, url: str, log: Path) -> None:
        self.env, self.port, self.url, self.log = env, port, url, log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "articlebot", "run", "--webhook-url", self.url, "--listen", "127.0.0.1",
                "--port", str(self.port), cwd=str(self.log.parent), env=self.env, stdin=asyncio.subprocess.DEVNULL,
                stdout=out, stderr=out)

    def serving(self, times: int = 1) -> bool:
        """Has it started serving (`times` times, counting restarts)?"""
        return self.log.exists() and self.log.read_text().count("receiving updates by webhook") >= times

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        try:
            return await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()


async def fleet_run(database: Path | str, tmp_path: Path, *, users: int, groups: int, comments: int,
                    kill_every: float | None) -> None:
    """Three workers behind deploy/nginx.conf; `users` people in `groups` groups (each person in one) send
    `comments` comments, each person one after another, 40 in flight; a worker is SIGKILLed once a third were
    sent (or, with `kill_every`, a random one every so many seconds) and started again. Then: every comment
    stored exactly once, each person's numbered in the order sent, every sender answered."""
    nginx = nginx_or_skip()
    certificate(tmp_path)
    port, ports = free_port(), [free_port() for _ in range(3)]
    conf = nginx_config(tmp_path, port, ports)
    url = f"https://127.0.0.1:{port}/telegram/webhook"
    chats = [-1001 - g for g in range(groups)]
    async with FakeTelegram(token=TOKEN) as fake:
        env = bot_env(fake.url, TOKEN, database, TELEGRAM_WEBHOOK_SECRET=SECRET)
        workers = [Worker(env, p, url, tmp_path / f"worker{i}.log") for i, p in enumerate(ports)]
        for worker in workers:
            await worker.start()
        proxy = await asyncio.create_subprocess_exec(nginx, "-p", str(tmp_path), "-c", str(conf), "-g",
                                                     "daemon off;", stdin=asyncio.subprocess.DEVNULL)
        starts = [1, 1, 1]
        try:
            await wait_until(lambda: all(w.serving() for w in workers), 60)
            people = range(100, 100 + users)  # person n writes in chats[n % groups] only
            updates = [fake.message_update(chats[i % users % groups], people[i % users], f"/comment note {i}")
                       for i in range(comments)]
            for i, update in enumerate(updates):
                update["update_id"] = 1000 + i
            statuses: list[int] = []
            no_check = ssl.create_default_context()
            no_check.check_hostname, no_check.verify_mode = False, ssl.CERT_NONE  # the throwaway certificate
            gate = asyncio.Semaphore(40)  # in flight at once, as Telegram's max_connections allows
            third = asyncio.Event()

            async def post(session: aiohttp.ClientSession, update: dict[str, object]) -> None:
                async with gate, session.post(url, json=update, ssl=no_check,
                                              headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as resp:
                    statuses.append(resp.status)
                if len(statuses) >= comments // 3:
                    third.set()

            async def sender(session: aiohttp.ClientSession, person: int) -> None:
                for update in updates[person - 100::users]:  # in order: the next once the last was taken
                    await post(session, update)

            async def kill(index: int) -> None:
                await workers[index].stop(signal.SIGKILL)
                await workers[index].start()  # restarted, it finishes what it had stored and not handled
                starts[index] += 1
                await wait_until(lambda: workers[index].serving(times=starts[index]), 60)

            def answered(update: dict[str, object]) -> bool:
                message = update["message"]
                assert isinstance(message, dict)
                chat = message["chat"]["id"]
                return any((c.params.get("reply_parameters") or {}).get("message_id") == message["message_id"]
                           for c in fake.sent_messages(chat))

            def finished() -> bool:
                return len(statuses) == comments and all(answered(u) for u in updates)

            async def killer() -> None:
                await third.wait()
                await kill(0)  # mid-stream: a third sent, the rest on its way
                if kill_every is None:
                    return
                while not finished():  # and then a random one every few seconds until all are answered
                    await asyncio.sleep(kill_every)
                    if not finished():
                        await kill(random.randrange(3))

            async with aiohttp.ClientSession() as session:
                killing = asyncio.ensure_future(killer())
                await asyncio.gather(*(sender(session, person) for person in people))
                await wait_until(finished, 180)  # every sender confirmed
                await killing
            assert statuses == [200] * comments  # nginx gave what a dead worker dropped to another one
            kills = sum(starts) - 3
            assert kills >= 1, kills
            keys = [f"telegram:{c}" for c in chats]
            await wait_until(lambda: sum(len(stored_texts(database, k)) for k in keys) >= comments, 120)
            stored = sorted(t for k in keys for t in stored_texts(database, k))
            assert stored == sorted(f"note {i}" for i in range(comments))  # each exactly once
            for person in range(users):  # numbered in the order each person sent them
                chat = f"telegram:{chats[person % groups]}"
                mine = [int(t.split()[1]) for t in stored_texts(database, chat) if int(t.split()[1]) % users == person]
                assert mine == sorted(mine), (person, mine)
            assert len(fake.calls_of("setWebhook")) == 1  # one worker set it; the others found it done
        finally:
            proxy.send_signal(signal.SIGQUIT)
            await asyncio.wait_for(proxy.wait(), 20)
            codes = [await w.stop() for w in workers]
        assert codes == [0, 0, 0]
        for worker in workers:
            assert TOKEN not in worker.log.read_text() and SECRET not in worker.log.read_text()


async def test_nginx_spreads_webhooks_over_workers_and_a_killed_one_loses_nothing(database: Path | str,
                                                                                    tmp_path: Path) -> None:
    await fleet_run(database, tmp_path, users=12, groups=3, comments=120, kill_every=None)


async def test_two_thousand_comments_while_a_random_worker_is_killed_every_few_seconds(pg_url: str,
                                                                                      tmp_path: Path) -> None:
    await fleet_run(pg_url, tmp_path, users=50, groups=10, comments=2000, kill_every=3.0)


async def test_a_webhook_worker_on_a_shared_database_refuses_to_start_without_the_shared_secret(
        pg_url: str, tmp_path: Path) -> None:
    async with FakeTelegram(token=TOKEN) as fake:
        worker = Worker(bot_env(fake.url, TOKEN, pg_url), free_port(), "https://127.0.0.1:8443/telegram/webhook",
                        tmp_path / "worker.log")
        await worker.start()
        assert worker.proc is not None
        code = await asyncio.wait_for(worker.proc.wait(), 60)
        assert code != 0 and "needs TELEGRAM_WEBHOOK_SECRET" in worker.log.read_text()
        assert not fake.calls_of("setWebhook")
