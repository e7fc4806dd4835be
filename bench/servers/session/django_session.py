"""The `session` workloads' Django project: the same two views as Portico's (portico-app.ts).

- POST /login/ (form username, password): authenticate(), login(), then "theme" stored in the
  session; 200 "ok". The harness calls it once and keeps the session cookie.
- GET / : reads "theme" from the session and request.user, answers {"user":"bench","theme":"dark"}.

Served by uWSGI (`--master --processes 1`, HTTP on the worker's own socket). Settings in code,
from the environment: BENCH_SESSION_ENGINE (signedCookies, db or cache), BENCH_SESSION_DB (the
SQLite file), BENCH_REDIS_URL (for cache). The middleware is what the workload needs and no more:
SessionMiddleware and AuthenticationMiddleware. Django's best case for the database: persistent
connections (CONN_MAX_AGE None), not its default of a new connection per request.
Migrated and the user created at import, in uWSGI's master, before the worker is forked.
"""
import json
import os

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

ENGINES = {
    "signedCookies": "django.contrib.sessions.backends.signed_cookies",
    "db": "django.contrib.sessions.backends.db",
    "cache": "django.contrib.sessions.backends.cache",
}
engine = os.environ["BENCH_SESSION_ENGINE"]


def redis_cache_backend():
    """Django 4's own RedisCache when there is one, else django-redis (Django 3.2)."""
    if django.VERSION >= (4, 0):
        return "django.core.cache.backends.redis.RedisCache"
    return "django_redis.cache.RedisCache"


caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if engine == "cache":
    caches = {
        "default": {
            "BACKEND": redis_cache_backend(),
            "LOCATION": os.environ["BENCH_REDIS_URL"],
            "KEY_PREFIX": "sbench-django",
        }
    }

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="portico-bench-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["BENCH_SESSION_DB"],
            "CONN_MAX_AGE": None,
        }
    },
    CACHES=caches,
    SESSION_ENGINE=ENGINES[engine],
    USE_TZ=True,
)
django.setup()

from django.contrib.auth import authenticate, login  # noqa: E402  (after settings.configure)
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

USERNAME = "bench"
PASSWORD = "bench-password-5d1f"


def login_view(request):
    user = authenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))
    if user is None:
        return HttpResponse(b"bad credentials", status=401)
    login(request, user)
    request.session["theme"] = "dark"
    return HttpResponse(b"ok")


def page(request):
    user = request.user.username if request.user.is_authenticated else None
    body = json.dumps({"user": user, "theme": request.session.get("theme")}, separators=(",", ":"))
    response = HttpResponse(body, content_type="application/json")
    # What CommonMiddleware would add (Portico always sends it): without it the client can
    # only find the end of the body by the connection's close.
    response["Content-Length"] = str(len(response.content))
    return response


urlpatterns = [path("login/", login_view), path("", page)]

call_command("migrate", verbosity=0)
if not User.objects.filter(username=USERNAME).exists():
    User.objects.create_user(USERNAME, password=PASSWORD)
# The worker is forked from this process: it must not share this SQLite connection.
connections.close_all()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
