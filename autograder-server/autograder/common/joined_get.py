"""A row by primary key with the chain of foreign keys above it, as `select_related(path)
.get(pk=...)` reads it, but with the SQL written once per process.

On the hottest reads (a browser's results, live status) the ORM spent more time compiling
the same four-table join than PostgreSQL spent running it: about 0.8 ms of CPU per request
against 0.3 ms for the same row read with ready SQL. This builds that SQL from the models'
metadata once, then per call runs it and turns the row into model instances the way the ORM
does: every concrete field, each value through the field's and the backend's converters,
`Model.from_db`, and each link cached on the object below it (so `obj.a.b` asks no query).

Only non-null foreign keys (the ORM joins those with INNER JOIN too).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Field, ForeignKey, Model

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Part:
    model: type[Model]
    attnames: list[str]
    start: int
    end: int
    converters: list[tuple[int, list[Converter], Any]]
    """(index in this part, converters, the column expression they are given)."""


@dataclass(frozen=True)
class _Plan:
    sql: str
    parts: list[_Part]
    links: list["ForeignKey[Any, Any]"]


class JoinedGet(Generic[M]):
    def __init__(self, model: type[M], path: str) -> None:
        self._model = model
        self._path = path.split("__") if path else []
        self._plan: _Plan | None = None

    def _build(self) -> _Plan:
        quote = connection.ops.quote_name
        models: list[type[Model]] = [self._model]
        links: list[ForeignKey[Any, Any]] = []
        for name in self._path:
            link = models[-1]._meta.get_field(name)
            if not isinstance(link, ForeignKey) or link.null:
                raise TypeError(f"{models[-1].__name__}.{name} is not a non-null foreign key")
            links.append(link)
            models.append(link.related_model)  # type: ignore[arg-type]  # a model class
        columns: list[str] = []
        parts: list[_Part] = []
        for index, model in enumerate(models):
            alias = f"t{index}"
            fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
            converters = []
            for position, field in enumerate(fields):
                column = field.get_col(alias)
                found = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if found:
                    converters.append((position, found, column))
            parts.append(
                _Part(
                    model,
                    [field.attname for field in fields],
                    len(columns),
                    len(columns) + len(fields),
                    converters,
                )
            )
            columns += [f"{alias}.{quote(field.column)}" for field in fields]
        joins = [f"{quote(self._model._meta.db_table)} t0"]
        for index, link in enumerate(links):
            target = quote(link.target_field.column)
            table = quote(models[index + 1]._meta.db_table)
            here, below = f"t{index + 1}", f"t{index}"
            joins.append(f"JOIN {table} {here} ON {here}.{target} = {below}.{quote(link.column)}")
        pk = quote(self._model._meta.pk.column)
        sql = f"SELECT {', '.join(columns)} FROM {' '.join(joins)} WHERE t0.{pk} = %s"
        return _Plan(sql, parts, links)

    def get(self, pk: int) -> M | None:
        """The row and its chain, or None when there is no such row."""
        plan = self._plan
        if plan is None:
            plan = self._plan = self._build()
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        objects: list[Model] = []
        for part in plan.parts:
            values = list(row[part.start : part.end])
            for position, converters, column in part.converters:
                value = values[position]
                for converter in converters:
                    value = converter(value, column, connection)
                values[position] = value
            objects.append(part.model.from_db(connection.alias, part.attnames, values))
        for link, below, above in zip(plan.links, objects, objects[1:], strict=False):
            link.set_cached_value(below, above)
        return objects[0]  # type: ignore[return-value]  # built from self._model
