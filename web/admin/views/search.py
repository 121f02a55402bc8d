"""A list's search box takes what is typed literally: Flask-Admin's sqla views build
``ilike('%term%')``, where a typed ``%`` or ``_`` is a wildcard (``%`` finds every row).
Here each word is escaped as the API's searches are (``autoescape=True``); Flask-Admin's
prefixes keep their meaning: ``^word`` starts with it, ``=word`` is all of it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def matches(column: Any, word: str) -> Any:
    """``column`` (as text, case-insensitive) holds ``word``: its characters, none a wildcard."""
    text = sa.cast(column, sa.Unicode)
    if word.startswith("^"):
        return text.istartswith(word[1:], autoescape=True)
    if word.startswith("="):
        return sa.func.lower(text) == word[1:].lower()
    return text.icontains(word, autoescape=True)


class LiteralSearch:
    """Mixed into a Flask-Admin sqla ``ModelView``: its search, with ``matches`` for ``ilike``."""

    _search_fields: list[tuple[Any, Any]] | None
    _apply_path_joins: Any

    def _apply_search(self, query: Any, count_query: Any, joins: dict[Any, Any], count_joins: dict[Any, Any],
                      search: str) -> tuple[Any, Any, dict[Any, Any], dict[Any, Any]]:
        """Each word of ``search`` in one of the searchable columns (as Flask-Admin's own)."""
        for word in filter(None, search.split(" ")):
            found, counted = [], []
            for field, path in self._search_fields or []:
                query, joins, alias = self._apply_path_joins(query, joins, path, inner_join=False)
                found.append(matches(field if alias is None else getattr(alias, field.key), word))
                if count_query is not None:
                    count_query, count_joins, alias = self._apply_path_joins(count_query, count_joins, path,
                                                                             inner_join=False)
                    counted.append(matches(field if alias is None else getattr(alias, field.key), word))
            query = query.filter(sa.or_(*found))
            if count_query is not None:
                count_query = count_query.filter(sa.or_(*counted))
        return query, count_query, joins, count_joins
