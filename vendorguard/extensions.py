"""Flask extensions, created unbound and initialised in ``create_app``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Session

# Named constraints keep Alembic migrations reviewable and portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Database(SQLAlchemy):
    """Flask-SQLAlchemy, typed so that ``db.session`` reads as the ``Session`` it proxies."""

    if TYPE_CHECKING:
        # The scoped session forwards every Session method; services take a plain ``Session``.
        session: Session  # type: ignore[assignment]


db = Database(model_class=Base)

if TYPE_CHECKING:
    Model = Base
else:
    # Flask-SQLAlchemy's subclass of Base (adds ``__tablename__`` defaults and ``query``).
    Model = db.Model
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
