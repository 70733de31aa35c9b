"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask`` in the project root."""
from portal import create_app

app = create_app()
