"""gunicorn's settings for production: ``gunicorn -c gunicorn.conf.py newsroom.wsgi``.

Each value can be set from the environment (see the README's Configuration table).
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Pages are mostly CPU (templates) with short database and Redis waits: two processes per
# core keep each core busy while a worker waits.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
# Sync workers: the fastest here (about twice gthread's cached pages per second in the
# benchmark). They need a buffering proxy (nginx) in front, as gunicorn's docs advise, so a
# slow client never holds a worker; "gthread" with GUNICORN_THREADS is there for setups without.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
keepalive = 5
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Recycle each worker now and then so slow leaks cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# Load the code once in the master: workers start faster and share its memory.
preload_app = True

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def worker_exit(server, worker):
    """A worker stopping (a restart, a deploy, max_requests) writes the views it counted."""
    from articles import view_counts

    view_counts.flush_at_exit()
