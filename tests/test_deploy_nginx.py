"""deploy/nginx.conf, run by Debian's real nginx (with a throwaway certificate, and this test's ports and paths
put in), in front of three real `articlebot run` webhook workers on one database: Telegram's webhooks go in
through nginx with TLS, a worker is killed with SIGKILL mid-stream and started again, and nginx sends what it was
given to the others. Every comment is stored exactly once and every sender answered; setWebhook is called once."""

from __future__ import annotations

import asyncio
import os
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
GROUPS = (-1001, -1002, -1003)
USERS = 12  # 100..111; user n % 3 writes in GROUPS[n % 3], so every user stays in one group
UPDATES = 120


def nginx_or_skip() -> str:
    if Path(NGINX).exists():
        return NGINX
    if os.environ.get("CI"):
        pytest.fail("nginx is missing: .ci/run installs Debian's nginx")
    pytest.skip("nginx is not installed here (CI installs it)")


def nginx_config(tmp: Path, port: int, workers: list[int]) -> Path:
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


async def test_nginx_spreads_webhooks_over_workers_and_a_killed_one_loses_nothing(database: Path | str,
                                                                                    tmp_path: Path) -> None:
    nginx = nginx_or_skip()
    certificate(tmp_path)
    port, ports = free_port(), [free_port() for _ in range(3)]
    conf = nginx_config(tmp_path, port, ports)
    url = f"https://127.0.0.1:{port}/telegram/webhook"
    async with FakeTelegram(token=TOKEN) as fake:
        env = bot_env(fake.url, TOKEN, database, TELEGRAM_WEBHOOK_SECRET=SECRET)
        workers = [Worker(env, p, url, tmp_path / f"worker{i}.log") for i, p in enumerate(ports)]
        for worker in workers:
            await worker.start()
        proxy = await asyncio.create_subprocess_exec(nginx, "-p", str(tmp_path), "-c", str(conf), "-g",
                                                     "daemon off;", stdin=asyncio.subprocess.DEVNULL)
        try:
            await wait_until(lambda: all(w.serving() for w in workers), 60)
            users = range(100, 100 + USERS)  # each in one group, sending one comment after another
            updates = [fake.message_update(GROUPS[i % 3], users[i % USERS], f"/comment note {i}")
                       for i in range(UPDATES)]
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
                if len(statuses) >= UPDATES // 3:
                    third.set()

            async def sender(session: aiohttp.ClientSession, user: int) -> None:
                for update in updates[user - 100::USERS]:  # in order: the next once the last was taken
                    await post(session, update)

            async def killer() -> None:
                await third.wait()
                await workers[0].stop(signal.SIGKILL)  # mid-stream
                await workers[0].start()  # restarted, it finishes what it had stored and not handled

            async with aiohttp.ClientSession() as session:
                await asyncio.gather(killer(), *(sender(session, user) for user in users))
                await wait_until(lambda: workers[0].serving(times=2), 60)
            assert statuses == [200] * UPDATES  # nginx gave what the dead worker dropped to another one
            keys = [f"telegram:{g}" for g in GROUPS]
            await wait_until(lambda: sum(len(stored_texts(database, k)) for k in keys) >= UPDATES, 90)
            stored = sorted(t for k in keys for t in stored_texts(database, k))
            assert stored == sorted(f"note {i}" for i in range(UPDATES))  # each exactly once
            for user in range(USERS):  # numbered in the order each person sent them
                chat = f"telegram:{GROUPS[user % 3]}"
                mine = [int(t.split()[1]) for t in stored_texts(database, chat) if int(t.split()[1]) % USERS == user]
                assert mine == sorted(mine), (user, mine)

            def answered(update: dict[str, object]) -> bool:
                message = update["message"]
                assert isinstance(message, dict)
                chat = message["chat"]["id"]
                return any((c.params.get("reply_parameters") or {}).get("message_id") == message["message_id"]
                           for c in fake.sent_messages(chat))

            await wait_until(lambda: all(answered(u) for u in updates), 60)  # every sender confirmed
            assert len(fake.calls_of("setWebhook")) == 1  # one worker set it; the others found it done
        finally:
            proxy.send_signal(signal.SIGQUIT)
            await asyncio.wait_for(proxy.wait(), 20)
            codes = [await w.stop() for w in workers]
        assert codes == [0, 0, 0]
        for worker in workers:
            assert TOKEN not in worker.log.read_text() and SECRET not in worker.log.read_text()


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
