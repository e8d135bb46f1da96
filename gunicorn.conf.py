"""Gunicorn settings for production; validates configuration before any worker starts."""

import os
import shutil
import sys
import tempfile

# Prometheus multiprocess mode: every worker writes its samples to this directory and
# /metrics sums them. It must exist before anything imports quantum (and so prometheus_client).
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="quantum-metrics-")
else:
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from quantum.config import ConfigError, load_settings  # noqa: E402
from quantum.observability.logs import config_error_line  # noqa: E402

try:
    _server = load_settings().server  # every setting checked here, before any worker starts
except ConfigError as exc:
    print(config_error_line(str(exc)), file=sys.stderr)
    sys.exit(exc.exit_code)

bind = _server.bind
workers = _server.workers
threads = _server.threads
worker_class = "gthread"
timeout = _server.timeout
graceful_timeout = 20
keepalive = 5
accesslog = "-"
# The same access lines, without building ~40 header/environ atoms the default format never uses
# (a sixth of a bare request's CPU). With statsd, name gunicorn.instrument.statsd.Statsd here instead.
logger_class = "quantum.observability.accesslog.AccessLogger"
# No preload: each worker opens its own pool after the fork, so no connection crosses a fork.
preload_app = False
# gunicorn 27 opens a control socket at one fixed path per user ($HOME/.gunicorn/gunicorn.ctl), so
# several masters on one host (two "hosts" in the tests, blue/green deploys) would fight over it;
# nothing here uses gunicornc.
control_socket_disable = True


def post_fork(server, worker):
    """Drop any engine inherited from the master so the worker starts with fresh connections."""
    from quantum.extensions import db

    try:
        for engine in db.engines.values():
            engine.dispose(close=False)
    except RuntimeError:
        pass  # no app context yet: nothing was inherited


def worker_exit(server, worker):
    """Close pooled connections when a worker stops."""
    try:
        from quantum.extensions import db
        from wsgi import app

        with app.app_context():
            db.engine.dispose()
    except Exception:  # noqa: BLE001 - shutting down; nothing left to report to
        pass


def child_exit(server, worker):
    """Drop a dead worker's live gauges from the multiprocess metrics."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
