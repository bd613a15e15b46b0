"""Writing many rows at once.

:func:`copy_insert` writes model instances with PostgreSQL's ``COPY … FROM STDIN``: the values
travel as data, not as SQL text the server has to parse, which matters for raw e-mail bytes and
long message bodies (an ``INSERT`` of 500 raw messages is a statement of tens of megabytes).  The
primary keys, when wanted, are taken from the table's sequence first, so the instances know them
as ``bulk_create`` would set them.  On other databases, and for a handful of rows (one
``INSERT … RETURNING`` is then one round trip instead of two), it is ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import connections, router
from django.db import models as m
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)

#: Below this many rows ``bulk_create`` (one statement) is cheaper than sequence + ``COPY``.
COPY_FROM = 8


def _concrete_fields(model: type[Model], with_pk: bool) -> list[Field[Any, Any]]:
    fields: list[Field[Any, Any]] = []
    for field in model._meta.concrete_fields:
        if field.primary_key and not with_pk:
            continue
        if getattr(field, "generated", False):
            continue
        fields.append(field)
    return fields


# Fields whose Python value psycopg takes as it is, when it has the expected type (Django's
# ``get_db_prep_save`` would only check and convert it): exactly these classes, not subclasses,
# which may prepare values their own way.  Anything else goes through ``get_db_prep_save``.
_INTEGERS = (
    m.IntegerField,
    m.BigIntegerField,
    m.SmallIntegerField,
    m.PositiveIntegerField,
    m.PositiveSmallIntegerField,
    m.PositiveBigIntegerField,
    m.AutoField,
    m.BigAutoField,
)


def _plain_type(field: Field[Any, Any]) -> type | None:
    if type(field) is m.ForeignKey:
        field = field.target_field
    kind = type(field)
    if kind in (m.CharField, m.TextField):
        return str
    if kind is m.BooleanField:
        return bool
    if kind in _INTEGERS:
        return int
    if kind is m.DateTimeField:
        return datetime
    return None


def preparer(field: Field[Any, Any], connection: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """``field.get_db_prep_save`` for ``connection``, skipped for a value psycopg takes as it is
    (PostgreSQL only: other backends convert even plain values their own way)."""
    slow = field.get_db_prep_save
    if connection.vendor != "postgresql":
        return lambda v: slow(v, connection)
    plain = _plain_type(field)
    if plain is datetime:  # aware only: a naive one is made aware by Django's rules
        return lambda v: (
            v
            if v is None or (type(v) is datetime and v.tzinfo is not None)
            else slow(v, connection)
        )
    if plain is not None:
        return lambda v: v if v is None or type(v) is plain else slow(v, connection)
    return lambda v: slow(v, connection)


def copy_insert(objs: Sequence[M], *, with_pks: bool = False) -> Sequence[M]:
    """Insert ``objs`` (all of one model) in one ``COPY``; with ``with_pks`` their primary keys
    are allocated from the sequence first and set on them.  Returns ``objs``."""
    if not objs:
        return objs
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        model._default_manager.using(alias).bulk_create(objs)
        return objs
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    for obj in objs:  # as ``bulk_create``: related ids, then defaults and auto_now(_add)
        obj._prepare_related_fields_for_save(operation_name="copy_insert")  # type: ignore[attr-defined]
        for field in meta.concrete_fields:
            if not field.primary_key:
                field.pre_save(obj, add=True)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if with_pks and any(obj.pk is None for obj in objs):
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(objs)],
            )
            for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
        include_pk = all(obj.pk is not None for obj in objs)
        fields = _concrete_fields(model, include_pk)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        prepared = [(f.attname, preparer(f, connection)) for f in fields]
        raw_cursor = cursor.cursor  # psycopg's own cursor
        with raw_cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                values = obj.__dict__
                copy.write_row([prep(values[name]) for name, prep in prepared])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return objs
