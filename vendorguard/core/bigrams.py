"""Character-bigram indexes: PostgreSQL finds two-character search terms (「税務」) by index.

A trigram index cannot serve a term shorter than three characters, and pg_bigm is not offered
everywhere, so ``vg_bigrams(text)`` (the text's two-character substrings, as ``text[]``; GIN
keeps each once) is indexed with GIN on the columns lists search most. A term's own bigram must
be among the row's for ``LIKE '%term%'`` to hold, so ``vg_bigrams(column) @> ARRAY[term]`` only
narrows the rows the LIKE then decides: the result stays exactly the LIKE's.

Computing a text's bigrams costs ~5 µs against ~0.2 µs for its LIKE, so they must come from the
index, never be computed row by row. The term is therefore given as ``(SELECT ARRAY[term])``:
unseen at planning, it is estimated as rare, and PostgreSQL reads the index even for a bigram in
every title (「委託」, which a seen term would have it compute for 20,000 rows, 150 ms).

The function and indexes exist on PostgreSQL only (declared here for ``create_all``, made by a
migration for deployed databases); SQLite keeps the plain LIKE.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Index, Text, cast, event, func, literal, select, text
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.sql.elements import ColumnElement

from vendorguard.extensions import db

# The only term length the index serves: shorter ones have no bigram, longer ones a trigram.
BIGRAM = 2

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION vg_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT substr(value, i, 2) FROM generate_series(1, char_length(value) - 1) AS i)
$$
"""


@event.listens_for(db.metadata, "before_create")
def _create_function(_metadata: Any, connection: Connection, **_kw: Any) -> None:
    """``create_all`` makes the function before the indexes on it (PostgreSQL only)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(FUNCTION_SQL))


# (table, column) of every bigram index: on a column without one, the condition would compute
# every row's bigrams besides the LIKE.
_INDEXED: set[tuple[str, str]] = set()


def bigram_index(name: str, column: ColumnElement[Any]) -> Index:
    """Declare a GIN index on ``column``'s bigrams (PostgreSQL only; ``name`` starts ``bigram_``)."""
    _INDEXED.add(_key(column))
    index = Index(name, func.vg_bigrams(column), postgresql_using="gin")
    return index.ddl_if(dialect="postgresql")


def bigram_filter(column: Any, term: str) -> ColumnElement[bool] | None:
    """``column`` has ``term``'s bigram, by its index; None unless that index can serve it."""
    # (A term with letter case is matched with ILIKE, which the bigrams, as written, cannot serve.)
    if len(term) != BIGRAM or term.lower() != term.upper():
        return None
    if db.engine.dialect.name != "postgresql":
        return None
    expression = column.expression if hasattr(column, "expression") else column
    if _key(expression) not in _INDEXED:
        return None
    hidden = select(array([cast(literal(term), Text)])).scalar_subquery()
    return func.vg_bigrams(expression).bool_op("@>")(hidden)


def _key(column: Any) -> tuple[str, str]:
    return column.table.name, column.name
