"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask`` in the project root.

The demo's command group is added here, beside the product: the portal package
itself knows nothing of the demo.
"""
from demo.cli import demo_cli
from portal import create_app

app = create_app()
app.cli.add_command(demo_cli)
