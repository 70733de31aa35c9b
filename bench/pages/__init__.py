"""Page-speed benchmark: the portal's pages against a bare Flask "hello" under the same gunicorn."""
