"""Hot reads compiled to SQL by the ORM once per process, then run with new values.

Django compiles a queryset to SQL each time it is evaluated. On the pages of the rush the
same few reads run on every request (the user with the family, the cart, the places left),
and compiling them costs the web process more CPU than PostgreSQL spends answering: about
0.8 ms of the 1 ms the user lookup takes (``scripts/profile_hot_path.py``).

``CompiledQuery(build)`` takes the function that builds the queryset from keyword values.
The first call of a given *shape* (which values are lists, and how long) builds it with
placeholder values, compiles it, and finds where each placeholder landed among the SQL's
parameters; every later call runs that SQL with the real values and builds the results as
Django's own iterables do. The rule stays written once, in the ORM.

What it takes: values that are integers, strings, dates, datetimes or UUIDs, or lists of them
(booleans and None are part of the shape: each compiles its own SQL). What it refuses, at
compile time: a value Django transforms before sending it (the placeholder would not be
found), ``prefetch_related``, and iterables other than model rows, ``values()`` and
``values_list()``.

``CompiledDelete(build)`` does the same for ``build(...).delete()`` where Django deletes in
one statement: a cart's lines leaving it at each payment and each waiting-list join, whose
DELETE (a join to the family's cart) cost more to compile than to run.
"""

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.deletion import Collector
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    RelatedPopulator,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql import DeleteQuery

M = TypeVar("M")

_SEQUENCES = (list, tuple, set, frozenset)
# Shapes kept per query: each length of a list is one (a cart of 1 to 40 lines, say).
MAX_SHAPES = 128
# Integers stand in as 30,001... and 31,001...: inside every integer column's range (Django
# turns a comparison with a value out of the column's range into "no row" or "every row",
# which would compile other SQL), and unlike the constants our queries hold (0, 1).
INTEGER_BASES = (30_001, 31_001)
MAX_VALUES = 700  # values in one call; more and the ORM compiles it as usual


def compiles_here() -> bool:
    """PostgreSQL only. SQLite (``make run``'s demo) receives dates and datetimes as strings
    Django formats, so their placeholders are not found among the parameters: there the ORM
    compiles each read as usual."""
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def _placeholder(value: Any, n: int, base: int) -> Any:
    """A value of the same type as ``value``, distinct for each ``n`` (and ``base``)."""
    if isinstance(value, bool) or value is None:
        raise TypeError("booleans and None belong to the shape")
    if isinstance(value, int):
        return base + n
    if isinstance(value, str):
        return f"\x1fplaceholder-{base}-{n}\x1f"
    if isinstance(value, datetime):
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(seconds=base + n)
    if isinstance(value, date):
        return date(1901, 1, 1) + timedelta(days=base + n)
    if isinstance(value, UUID):
        return UUID(int=base + n)  # no random (version 4) identifier looks like it
    raise TypeError(f"cannot compile a value of type {type(value).__name__}")


def _is_constant(value: Any) -> bool:
    return isinstance(value, bool) or value is None


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


class _Plan:
    """The SQL of one shape, where each value goes in its parameters, and how rows become
    results."""

    def __init__(
        self, queryset: QuerySet, slots: dict[Any, tuple[str, int | None]], *, delete: bool
    ) -> None:
        if queryset._prefetch_related_lookups:
            raise ValueError("prefetch_related is not supported")
        self.db = queryset.db
        query = queryset.query
        if delete:
            # Django's own « fast delete »: one DELETE, for rows nothing refers to and no
            # signal watches; anything else needs its collector.
            if query.is_sliced or queryset._fields is not None:
                raise ValueError("Django deletes neither a slice nor values()")
            if not Collector(using=self.db, origin=queryset).can_fast_delete(queryset):
                raise ValueError("rows others refer to, or watched by signals: use .delete()")
            query = query.chain(DeleteQuery)  # as QuerySet.delete() prepares it
            query.clear_ordering(force=True)
            query.select_related = query.select_for_update = False
        self.compiler = query.get_compiler(using=self.db)
        sql, params = self.compiler.as_sql()
        self.sql = sql
        # Each parameter: ("value", name, index) from the call, or ("constant", value).
        self.params: list[tuple] = []
        found = set()
        for param in params:
            slot = slots.get(param) if _hashable(param) and not _is_constant(param) else None
            if slot is None:
                self.params.append(("constant", param))
            else:
                found.add(param)
                self.params.append(("value", *slot))
        missing = [slots[p] for p in slots if p not in found]
        if missing:
            raise ValueError(f"values not found among the SQL parameters: {missing}")
        if delete:
            return
        # What ``results_iter`` would look up again on every call: the same for every row.
        self.columns = [column[0] for column in self.compiler.select[: self.compiler.col_count]]
        self.converters = self.compiler.get_converters(self.columns)
        self.composite = self.compiler.has_composite_fields(self.columns)
        self.iterable = queryset._iterable_class
        if self.iterable is ModelIterable:
            self._plan_models()
        elif self.iterable is ValuesIterable:
            query = queryset.query
            self.names = (
                list(query.selected)
                if query.selected
                else [
                    *query.extra_select,
                    *query.values_select,
                    *query.annotation_select,
                ]
            )
        elif self.iterable not in (ValuesListIterable, FlatValuesListIterable):
            raise ValueError(f"{self.iterable.__name__} is not supported")

    def _plan_models(self) -> None:
        klass_info, select = self.compiler.klass_info, self.compiler.select
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)
        self.annotations = dict(self.compiler.annotation_col_map or {})

    def bind(self, values: dict[str, Any]) -> list:
        bound = []
        for param in self.params:
            if param[0] == "constant":
                bound.append(param[1])
            else:
                _kind, name, index = param
                value = values[name]
                bound.append(value if index is None else value[index])
        return bound

    def results(self, rows: list) -> list:
        converted = rows
        if self.converters:
            converted = self.compiler.apply_converters(converted, self.converters)
        if self.composite:
            converted = self.compiler.composite_fields_to_tuples(converted, self.columns)
        if self.iterable is ModelIterable:
            shared: dict[tuple[RelatedPopulator, Any], Model] = {}
            return [self._model(row, shared) for row in converted]
        if self.iterable is ValuesListIterable:
            return [tuple(row) for row in converted]
        if self.iterable is FlatValuesListIterable:
            return [row[0] for row in converted]
        return [dict(zip(self.names, row, strict=False)) for row in converted]

    def _model(self, row, shared: dict) -> Model:
        obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
        for populator in self.populators:
            _populate(populator, row, obj, shared)
        for name, position in self.annotations.items():
            setattr(obj, name, row[position])
        return obj


def _populate(populator: RelatedPopulator, row, from_obj: Model, shared: dict) -> None:
    """``RelatedPopulator.populate``, building each related object once per result: the
    rows of a cart, an order or a child's groups name the same person, activity, week and
    season again and again, and ``select_related`` built a new object for each row."""
    if populator.reorder_for_init:
        values = populator.reorder_for_init(row)
    else:
        values = row[populator.cols_start : populator.cols_end]
    pk = values[populator.pk_idx]
    obj = None
    if pk is not None:
        obj = shared.get((populator, pk))  # per path: another may load other fields
        if obj is None:
            obj = populator.model_cls.from_db(populator.db, populator.init_list, values)
            for related in populator.related_populators:
                _populate(related, row, obj, shared)
            shared[populator, pk] = obj
    populator.local_setter(from_obj, obj)
    if obj is not None:
        populator.remote_setter(obj, from_obj)


class _Compiled:
    """The plans of one queryset-building function, one per shape of its values."""

    deletes = False

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self._build = build
        self._plans: dict[tuple, _Plan] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _shape(values: dict[str, Any]) -> tuple:
        return tuple(
            (name, len(value))
            if isinstance(value, _SEQUENCES)
            else (name, ("constant", value) if _is_constant(value) else type(value))
            for name, value in sorted(values.items())
        )

    def _compile(self, values: dict[str, Any]) -> _Plan:
        """Compiled twice, with two sets of stand-ins: SQL that would differ with the values
        (Django optimising a comparison away, say) is refused rather than reused."""
        first, second = (self._compile_with(values, base) for base in INTEGER_BASES)
        if first.sql != second.sql or first.params != second.params:
            raise ValueError("the SQL depends on the values: it cannot be compiled once")
        return first

    def _compile_with(self, values: dict[str, Any], base: int) -> _Plan:
        placeholders: dict[str, Any] = {}
        slots: dict[Any, tuple[str, int | None]] = {}
        for name, value in values.items():
            if isinstance(value, _SEQUENCES):
                stand_ins = [
                    _placeholder(item, len(slots) + i, base) for i, item in enumerate(value)
                ]
                for i, stand_in in enumerate(stand_ins):
                    slots[stand_in] = (name, i)
                placeholders[name] = stand_ins
            elif _is_constant(value):
                placeholders[name] = value
            else:
                stand_in = _placeholder(value, len(slots), base)
                slots[stand_in] = (name, None)
                placeholders[name] = stand_in
        return _Plan(self._build(**placeholders), slots, delete=self.deletes)

    def _plan(self, values: dict[str, Any]) -> _Plan:
        shape = self._shape(values)
        plan = self._plans.get(shape)
        if plan is None:
            with self._lock:
                plan = self._plans.get(shape)
                if plan is None:
                    plan = self._compile(values)
                    if len(self._plans) < MAX_SHAPES:
                        self._plans[shape] = plan
        return plan

    @staticmethod
    def _listed(values: dict[str, Any]) -> dict[str, Any]:
        return {
            name: list(value) if isinstance(value, _SEQUENCES) else value
            for name, value in values.items()
        }

    @staticmethod
    def _compiles(values: dict[str, Any]) -> bool:
        """An empty IN (Django answers without SQL), too many values, or SQLite: the ORM
        compiles it as usual."""
        sizes = [len(value) for value in values.values() if isinstance(value, _SEQUENCES)]
        return 0 not in sizes and sum(sizes) <= MAX_VALUES and compiles_here()


class CompiledQuery(_Compiled, Generic[M]):
    """``CompiledQuery(lambda *, family_id, now: Order.objects.filter(...))``;
    ``.all(family_id=..., now=...)`` is ``list(build(...))`` without compiling again,
    ``.first(...)`` its first result or None (the queryset orders and slices itself)."""

    def all(self, **values: Any) -> list[M]:
        values = self._listed(values)
        if not self._compiles(values):
            return list(self._build(**values))
        plan = self._plan(values)
        with connections[plan.db].cursor() as cursor:
            cursor.execute(plan.sql, plan.bind(values))
            rows = cursor.fetchall()
        return plan.results(rows)

    def first(self, **values: Any) -> M | None:
        found = self.all(**values)
        return found[0] if found else None


class CompiledDelete(_Compiled):
    """``CompiledDelete(lambda *, family_id, ...: CartItem.objects.filter(...))``;
    ``.delete(family_id=...)`` is ``build(...).delete()`` without compiling again, for rows
    Django deletes in one statement (nothing refers to them, no signal watches them: checked
    when it compiles). Returns the number of rows deleted."""

    deletes = True

    def delete(self, **values: Any) -> int:
        values = self._listed(values)
        if not self._compiles(values):
            return self._build(**values).delete()[0]
        plan = self._plan(values)
        with connections[plan.db].cursor() as cursor:
            cursor.execute(plan.sql, plan.bind(values))
            return cursor.rowcount
