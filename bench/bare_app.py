"""The baseline: a bare Flask route, served by gunicorn with the production gunicorn.conf.py."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/bare")
def bare():  # noqa: ANN201
    """The smallest JSON answer Flask gives: what every real route is compared with."""
    return jsonify(status="ok")
