"""``flask vg seed-demo`` (being built)."""
from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""
