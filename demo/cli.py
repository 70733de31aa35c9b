"""The ``flask demo`` command group, registered beside the product by ``wsgi.py``."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from . import load_demo

demo_cli = AppGroup("demo", help="The demo archive.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the catalogue already has files.")
def demo_load(if_empty: bool) -> None:
    """Build the demo archive (fonds, files, scans, accounts) and print the logins."""
    load_demo(if_empty=if_empty, echo=click.echo)
