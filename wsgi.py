"""WSGI entry point: `gunicorn wsgi:app`, and the app the Flask CLI finds without --app."""

import sys

from quantum import create_app
from quantum.config import ConfigError

# gunicorn restarts a worker that exits with any code but this one (its WORKER_BOOT_ERROR), which
# stops the master instead: a setting only the app reads would otherwise crash-loop the workers.
GUNICORN_WORKER_BOOT_ERROR = 3

try:
    app = create_app()
except ConfigError as exc:
    # One clear line, no traceback: the operator only needs to know which variable to fix.
    from quantum.observability.logs import config_error_line

    print(config_error_line(str(exc)), file=sys.stderr)
    sys.exit(GUNICORN_WORKER_BOOT_ERROR if "gunicorn.arbiter" in sys.modules else exc.exit_code)
