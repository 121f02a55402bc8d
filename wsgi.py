"""WSGI entry point for any server: ``gunicorn wsgi:app``."""

from web import create_app

app = create_app()
