"""Character-bigram indexes: PostgreSQL finds two-character search terms (「税務」) by index.

A trigram index cannot serve a term shorter than three characters, and pg_bigm is not offered
everywhere, so ``vg_bigrams(text)`` (the text's distinct two-character substrings, as
``text[]``) is indexed with GIN on the columns lists search most. A term's own bigram must be
among the row's for ``LIKE '%term%'`` to hold, so ``vg_bigrams(column) @> ARRAY[term]`` only
narrows the rows the LIKE then decides: the result stays exactly the LIKE's.

The function and indexes exist on PostgreSQL only (declared here for ``create_all``, made by a
migration for deployed databases); SQLite keeps the plain LIKE.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, Column, Index, Text, and_, event, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

from vendorguard.extensions import db

# The only term length the index serves: shorter ones have no bigram, longer ones a trigram.
BIGRAM = 2

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION vg_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(value, i, 2)), '{}')
    FROM generate_series(1, char_length(value) - 1) AS i
$$
"""

event.listen(db.metadata, "before_create", DDL(FUNCTION_SQL).execute_if(dialect="postgresql"))

# (table, column) of every bigram index, so a search adds the condition only where it helps:
# on a column without the index it would compute every row's bigrams besides the LIKE.
_INDEXED: set[tuple[str, str]] = set()


def bigram_index(name: str, column: Column[Any]) -> Index:
    """Declare a GIN index on ``column``'s bigrams (PostgreSQL only; ``name`` starts ``bigram_``)."""
    _INDEXED.add((column.table.name, column.name))
    index = Index(name, func.vg_bigrams(column), postgresql_using="gin")
    return index.ddl_if(dialect="postgresql")


def bigram_filter(column: Any, term: str) -> ColumnElement[bool] | None:
    """``column`` has ``term``'s bigram, by its index; None unless that index can serve it."""
    if len(term) != BIGRAM or db.engine.dialect.name != "postgresql":
        return None
    expression = column.expression if hasattr(column, "expression") else column
    if (expression.table.name, expression.name) not in _INDEXED:
        return None
    bigrams = func.vg_bigrams(expression, type_=ARRAY(Text))
    return bigrams.contains([term])


def narrowed(column: Any, term: str, exact: ColumnElement[bool]) -> ColumnElement[bool]:
    """``exact`` (a LIKE of ``term``) after the bigram index's narrowing, where there is one."""
    prefilter = bigram_filter(column, term)
    return exact if prefilter is None else and_(prefilter, exact)
