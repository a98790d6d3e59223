"""Fixtures for the import tests: running a file through the services as a given user."""

from __future__ import annotations

import io

import pytest
from flask import current_app

from vendorguard.extensions import db
from vendorguard.imports import passes, services
from vendorguard.imports.registers import REGISTERS
from vendorguard.storage.factory import get_storage


@pytest.fixture
def importer(app):
    """``importer(user, register, data, filename)`` uploads, decides nothing and previews; returns the batch."""

    def run(
        user,
        register: str,
        data: bytes,
        filename: str = "台帳.xlsx",
        table: str = "",
        decisions=None,
        apply=False,
    ):
        storage = get_storage(current_app)
        batch = services.upload(
            db.session,
            storage,
            user,
            REGISTERS[register],
            io.BytesIO(data),
            filename,
            table,
            keep_hours=24,
            max_bytes=50 * 1024 * 1024,
        )
        if decisions is not None:
            services.decide(db.session, batch, decisions)
        if services.undecided(batch):
            db.session.commit()
            return batch
        passes.preview(db.session, storage, batch, user)
        if apply:
            passes.apply(db.session, storage, batch, user)
        db.session.commit()
        return batch

    return run
