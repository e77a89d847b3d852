"""Real concurrency for the race tests: one thread and one database connection per caller."""

import threading
from collections.abc import Callable, Iterable

from django.db import connections


def run_concurrently(
    action: Callable, arguments: Iterable, *, start_together: bool = True, timeout: float = 60
) -> tuple[list, list[Exception]]:
    """Call ``action(argument)`` in a thread per argument; returns (results, errors).

    With ``start_together`` the threads wait at a barrier so they hit the database at once.
    """
    arguments = list(arguments)
    start = threading.Barrier(len(arguments)) if start_together else None
    results: list = []
    errors: list[Exception] = []

    def run(argument) -> None:
        try:
            if start is not None:
                start.wait(timeout=10)
            results.append(action(argument))
        except Exception as exc:  # reported to the test: a thread must not die silently
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
