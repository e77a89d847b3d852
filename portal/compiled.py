"""A hot lookup compiled to SQL by the ORM once per process, then run with a new value.

Django compiles a queryset to SQL each time it is evaluated. For the lookup every signed-in
request makes (the user with the family, ``accounts.backends``), compiling costs the web
process more CPU than PostgreSQL spends answering: about 0.8 ms of the 1 ms the lookup
takes (``scripts/profile_hot_path.py``). The SQL and the row-to-object plan are made once
from the queryset itself, so the rule stays written in the ORM, in one place; each call
runs the SQL and builds the objects as Django's own ``ModelIterable`` does.
"""

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

# Stands for the looked-up value while compiling: no row has it.
PLACEHOLDER = -918_273_645


class _Plan:
    def __init__(self, queryset: QuerySet) -> None:
        self.db = queryset.db
        self.compiler = queryset.query.get_compiler(using=self.db)
        self.sql, params = self.compiler.as_sql()
        if list(params) != [PLACEHOLDER]:
            raise ValueError(f"one parameter expected, the looked-up value; got {params!r}")
        klass_info, select = self.compiler.klass_info, self.compiler.select
        if self.compiler.annotation_col_map:
            raise ValueError("annotations are not supported")
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)


class CompiledLookup(Generic[M]):
    """``CompiledLookup(lambda value: Model.objects.select_related(...).filter(pk=value))``:
    ``.first(value)`` is ``build(value).first()`` without compiling. The queryset must take
    the value as its only parameter and select model rows (no annotations, no ordering
    needed: at most one row is expected)."""

    def __init__(self, build: Callable[[int], QuerySet[M]]) -> None:
        self._build = build
        self._plan: _Plan | None = None
        self._lock = threading.Lock()

    def _compiled(self) -> _Plan:
        if self._plan is None:  # on first use: the app registry is ready by then
            with self._lock:
                if self._plan is None:
                    self._plan = _Plan(self._build(PLACEHOLDER))
        return self._plan

    def first(self, value: int) -> M | None:
        plan = self._compiled()
        with connections[plan.db].cursor() as cursor:
            cursor.execute(plan.sql, [value])
            rows = cursor.fetchmany(1)
        for row in plan.compiler.results_iter(results=[rows]):
            obj = plan.model.from_db(plan.db, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            return obj
        return None
