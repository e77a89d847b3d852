import pytest

from portal.celery import app as celery_app

from . import factories


@pytest.fixture(autouse=True)
def celery_eager(request):
    """Tasks run in-process unless a test starts a real worker (marker ``celery_worker``)."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def family(db):
    """An approved resident family with two children (8 and 11 years old in summer 2027)."""
    from datetime import date

    family = factories.FamilyFactory()
    factories.PersonFactory(family=family, first_name="Léa", birth_date=date(2019, 3, 15))
    factories.PersonFactory(family=family, first_name="Noah", birth_date=date(2016, 5, 2))
    return family


@pytest.fixture
def parent_client(client, family):
    client.force_login(family.user)
    return client


@pytest.fixture
def staff_user(db):
    return factories.StaffFactory()


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture(scope="session", autouse=True)
def cache_prefix_of_this_run():
    """Cache keys carry a prefix of this run: two runs sharing a Redis database (developers,
    CI) never read or clear each other's keys."""
    import uuid

    from django.conf import settings
    from django.test import override_settings

    caches = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
        for alias, config in settings.CACHES.items()
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def fresh_catalogue():
    """The catalogue is kept a second per process: no test sees another's."""
    from activities import catalogue_cache

    catalogue_cache.forget()
    yield


@pytest.fixture(autouse=True)
def fresh_cache(cache_prefix_of_this_run):
    """allauth's rate limits live in the cache (Redis in CI): no test inherits another's.
    clear() deletes this run's keys only (portal.cache never runs FLUSHDB)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def broker_down():
    """Celery really publishes (not eager) to a broker nobody listens on; the real Redis
    server, shared with other runs, is left alone."""
    conf = celery_app.conf
    previous = conf.broker_url, conf.task_always_eager, conf.broker_connection_timeout
    # Producer pools are cached per broker: swap them out, and back in afterwards.
    previous_pools = celery_app._pool, celery_app.amqp._producer_pool
    conf.broker_url, conf.task_always_eager, conf.broker_connection_timeout = (
        "redis://127.0.0.1:1/0",
        False,
        1,
    )
    celery_app._pool = celery_app.amqp._producer_pool = None
    yield
    conf.broker_url, conf.task_always_eager, conf.broker_connection_timeout = previous
    celery_app._pool, celery_app.amqp._producer_pool = previous_pools


@pytest.fixture(autouse=True)
def waiting_room_keys(settings):
    """Each test's waiting rooms live under its own Redis prefix, and only those keys are
    deleted afterwards: runs sharing one Redis never see each other's queues."""
    import uuid

    from portal import waiting_room

    settings.WAITING_ROOM_KEY_PREFIX = f"test-{uuid.uuid4().hex}:wr"
    waiting_room.reset()
    yield settings.WAITING_ROOM_KEY_PREFIX
    queue = waiting_room._queue
    if queue is not None:
        prefix = settings.WAITING_ROOM_KEY_PREFIX
        for key in queue.client.scan_iter(match=f"{prefix}:*", count=1000):
            queue.client.delete(key)
        queue.client.close()
    waiting_room.reset()


@pytest.fixture
def redis_required(settings):
    """Tests of the waiting room itself: its state lives in Redis."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the waiting room keeps its queue in Redis (CI sets it)")
