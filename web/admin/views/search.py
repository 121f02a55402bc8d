"""A list's search box takes what is typed literally: Flask-Admin's sqla views build
``ilike('%term%')``, where a typed ``%`` or ``_`` is a wildcard (``%`` finds every row).
Here each word is escaped as the API's searches are (``autoescape=True``); Flask-Admin's
prefixes keep their meaning: ``^word`` starts with it, ``=word`` is all of it. A list with a
phone column also finds a number typed in any format (``6175550185``, ``(617) 555-0185``)
by its digits."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from domain.values import digits_of

PHONE_LIKE = re.compile(r"[+\d\s().\-/]+")
MIN_DIGITS = 4  # fewer would match most numbers


def matches(column: Any, word: str) -> Any:
    """``column`` (as text, case-insensitive) holds ``word``: its characters, none a wildcard."""
    text = sa.cast(column, sa.Unicode)
    if word.startswith("^"):
        return text.istartswith(word[1:], autoescape=True)
    if word.startswith("="):
        return sa.func.lower(text) == word[1:].lower()
    return text.icontains(word, autoescape=True)


def same_number(stored_digits: Any, typed_digits: str) -> Any:
    """Whether a stored number is the typed one, whatever the format and prefixes: without leading
    zeros (a trunk prefix, ``020`` / ``20``), the typed digits within the stored ones (a part of
    it), or the stored ones ending the typed (a country code typed, ``+1 312`` / ``312``). None when
    too few digits were typed to mean a number."""
    typed = typed_digits.lstrip("0")
    if len(typed) < MIN_DIGITS:
        return None
    stored = sa.func.ltrim(stored_digits, "0")
    return sa.or_(stored.contains(typed, autoescape=True),
                  sa.and_(sa.func.length(stored) >= 7, sa.literal(typed).like(sa.literal("%") + stored)))


class LiteralSearch:
    """Mixed into a Flask-Admin sqla ``ModelView``: its search, with ``matches`` for ``ilike``."""

    _search_fields: list[tuple[Any, Any]] | None
    _apply_path_joins: Any
    # The digits of the list's phone column (an expression on its table), or None.
    phone_digits: Any = None

    def _apply_search(self, query: Any, count_query: Any, joins: dict[Any, Any], count_joins: dict[Any, Any],
                      search: str) -> tuple[Any, Any, dict[Any, Any], dict[Any, Any]]:
        """Each word of ``search`` in one of the searchable columns (as Flask-Admin's own); or,
        for what reads as a phone number, its digits within the phone column's."""
        found_all, counted_all = [], []
        for word in filter(None, search.split(" ")):
            found, counted = [], []
            for field, path in self._search_fields or []:
                query, joins, alias = self._apply_path_joins(query, joins, path, inner_join=False)
                found.append(matches(field if alias is None else getattr(alias, field.key), word))
                if count_query is not None:
                    count_query, count_joins, alias = self._apply_path_joins(count_query, count_joins, path,
                                                                             inner_join=False)
                    counted.append(matches(field if alias is None else getattr(alias, field.key), word))
            found_all.append(sa.or_(*found))
            counted_all.append(sa.or_(*counted))
        if not found_all:
            return query, count_query, joins, count_joins
        where, counted_where = sa.and_(*found_all), sa.and_(*counted_all)
        if self.phone_digits is not None and PHONE_LIKE.fullmatch(search.strip()):
            number = same_number(self.phone_digits, digits_of(search))
            if number is not None:
                where, counted_where = sa.or_(where, number), sa.or_(counted_where, number)
        query = query.filter(where)
        if count_query is not None:
            count_query = count_query.filter(counted_where)
        return query, count_query, joins, count_joins
