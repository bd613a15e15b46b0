"""gunicorn, the production WSGI server: ``gunicorn -c config/gunicorn.conf.py config.wsgi``.

Two worker processes by default (``CHARTERDESK_WORKERS``): the site and the exchanges' call-event
API share them; gthread workers keep an exchange's HTTP connection open between events (keep-alive)
and a killed or crashed worker is replaced by the master while the other one serves.  Database
connections are kept by each worker (``CONN_MAX_AGE``).  See docs/phone.md for the figures.
"""

import os

bind = os.environ.get("CHARTERDESK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CHARTERDESK_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("CHARTERDESK_THREADS", "2"))
keepalive = int(os.environ.get("CHARTERDESK_KEEPALIVE", "30"))  # seconds an idle connection stays
timeout = 30
graceful_timeout = 20
accesslog = None
loglevel = os.environ.get("CHARTERDESK_GUNICORN_LOG_LEVEL", "warning")
os.environ.setdefault("CONN_MAX_AGE", "600")
