"""A bare WSGI callable answering {"hello":"world"}: uWSGI's own cost, without a framework.

Served by uWSGI behind nginx in the `uwsgi-nginx` benchmark, next to the Django view, so the
table separates what the application server costs from what Django costs.
"""

BODY = b'{"hello":"world"}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
