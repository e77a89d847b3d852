import pytest


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of the drill's own on a free port: stopping it touches nobody else's."""
    import shutil
    import subprocess
    import time

    import redis

    from .drill_processes import free_port, missing

    if not shutil.which("redis-server"):
        missing("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            tmp_path,
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield server, port
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def drill_dir():
    """Logs and files of a drill's processes, outside pytest's temporary folders (which other
    runs on the machine prune), removed afterwards."""
    import shutil
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp(prefix="camps-drill-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def broker_at(own_redis):
    """This process publishes to the drill's Redis (not eagerly), and back afterwards."""
    from portal.celery import app as celery_app

    _server, port = own_redis
    conf = celery_app.conf
    previous = conf.broker_url, conf.task_always_eager
    previous_pools = celery_app._pool, celery_app.amqp._producer_pool
    conf.broker_url, conf.task_always_eager = f"redis://127.0.0.1:{port}/0", False
    celery_app._pool = celery_app.amqp._producer_pool = None
    yield conf.broker_url
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    conf.broker_url, conf.task_always_eager = previous
    celery_app._pool, celery_app.amqp._producer_pool = previous_pools
