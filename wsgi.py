"""WSGI entry point: `gunicorn wsgi:app`, and the app the Flask CLI finds without --app."""

import sys

from quantum import create_app
from quantum.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # One clear line, no traceback: the operator only needs to know which variable to fix.
    print(f"quantum: configuration error: {exc}", file=sys.stderr)
    sys.exit(exc.exit_code)
