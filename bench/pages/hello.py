"""The baseline: a bare Flask app with one view, served by the same gunicorn settings as the portal."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The least a Flask page can do."""
    return "hello"
