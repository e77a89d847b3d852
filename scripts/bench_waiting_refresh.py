"""CPU per refresh of the waiting page, in the waiting room's own process, at steady rates.

    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python scripts/bench_waiting_refresh.py
    ... --servers threads,event-loop --rates 20,200 --rounds 2

Starts the process as ``scripts/stack.sh`` does (``event-loop``: gunicorn's uvicorn worker on
``registrations.waiting_asgi``) or as it did before (``threads``: gunicorn's threads on
Django's WSGI application, 1 worker x 4 threads), puts 200 families in a room that opens in
an hour, then asks for their places at each rate for ``--seconds`` and divides the
process's CPU (its own and its worker's, from /proc) by the refreshes answered. Servers
alternate within each round, so that a machine whose speed drifts favours neither. No
database row is read: any ``DATABASE_URL`` does (the default is the embedded SQLite).
"""

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.update(
    DJANGO_SETTINGS_MODULE="portal.settings",
    DEBUG="0",
    SECRET_KEY=os.environ.get("SECRET_KEY", f"refresh-bench-{uuid.uuid4().hex}"),
    FIELD_ENCRYPTION_KEY="bG9jYWwtbGF5b3V0LW9ubHktbm90LWEtc2VjcmV0ISE=",
    ALLOWED_HOSTS="127.0.0.1",
    SECURE_COOKIES="0",
    ALLOW_SIMULATED_PAYMENTS="1",
    WAITING_ROOM_KEY_PREFIX=f"refresh-bench-{uuid.uuid4().hex[:8]}:wr",
)

SERVERS = {
    "threads": ["--threads", "4", "portal.wsgi:application"],
    "event-loop": [
        *("--max-requests", "0", "-k", "uvicorn_worker.UvicornWorker"),
        "registrations.waiting_asgi:application",
    ],
}
FAMILIES = 200


def process_cpu_seconds(pid: int) -> float:
    """The gunicorn master's CPU, its live children's (the worker) and its reaped ones' (a
    worker replaced after ``max_requests``, with its start-up)."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    total = 0
    for each in [pid, *map(int, children.stdout.split())]:
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        if each == pid:
            total += int(fields[13]) + int(fields[14])  # cutime + cstime: reaped workers
    return total / os.sysconf("SC_CLK_TCK")


async def measure(server: str, urls: list[str], rates: list[int], seconds: float) -> list[float]:
    port = 8790
    command = [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "--workers", "1"]
    process = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}", *SERVERS[server]],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    costs = []
    try:
        async with aiohttp.ClientSession(base_url=base) as http:
            for _ in range(100):
                try:
                    async with http.get(urls[0]) as response:
                        if "waiting-status" not in await response.text():
                            raise SystemExit(f"{server}: the refresh shows no place")
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.2)
            for rate in rates:
                for url in urls[:20]:  # warm
                    async with http.get(url) as response:
                        await response.read()
                count = int(rate * seconds)
                before = process_cpu_seconds(process.pid)

                async def one(i: int, rate: int = rate) -> None:
                    await asyncio.sleep(i / rate)
                    async with http.get(urls[i % len(urls)]) as response:
                        assert response.status == 200, response.status
                        await response.read()

                await asyncio.gather(*(one(i) for i in range(count)))
                costs.append((process_cpu_seconds(process.pid) - before) / count * 1000)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", default="threads,event-loop")
    parser.add_argument("--rates", default="20,200", help="refreshes per second")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is required: the waiting room lives in Redis")
    import django

    django.setup()
    from portal import waiting_room as queue_module
    from registrations.waiting_room import path_of, place_ticket

    queue = queue_module.get_queue()
    now = time.time()
    room = queue_module.Room(
        key="refresh-bench", opens_at=now + 3600, closes_at=now + 7200, capacity=5, idle_seconds=600
    )
    for member in range(1, FAMILIES + 1):
        queue.check_in(room, str(member), now=now)
    poll = path_of("registrations:waiting_room_status")
    tickets = [place_ticket(room_key=room.key, user_id=m) for m in range(1, FAMILIES + 1)]
    urls = [f"{poll}?ticket={ticket}&next=%2Finscription%2Fpanier%2F" for ticket in tickets]
    rates = [int(rate) for rate in args.rates.split(",")]
    print(f"CPU per refresh, ms ({os.cpu_count()} CPUs; {args.seconds:.0f} s per rate)")
    print(f"{'server':12} " + " ".join(f"{rate:>7}/s" for rate in rates))
    try:
        for _round in range(args.rounds):
            for server in args.servers.split(","):
                costs = asyncio.run(measure(server, urls, rates, args.seconds))
                print(f"{server:12} " + " ".join(f"{cost:9.2f}" for cost in costs), flush=True)
    finally:
        queue.client.delete(*queue.keys(room.key))


if __name__ == "__main__":
    main()
