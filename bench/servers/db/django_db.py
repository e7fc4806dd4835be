"""The `db` workload in Django: an `Item` model of a `bench` app over the benchmark's SQLite
file ($BENCH_DB_FILE, built by bench/servers/db/database.ts), two function views reading it
through the ORM — `Item.objects.get(pk=...)` and `Item.objects.order_by("id")[:limit]` — and
answering JSON, as a project would write them. Served by uWSGI (bench/servers/db/uwsgi-django.ts).

Settings are configured in code, with no middleware: the cost measured is Django's request
cycle, URL resolution and ORM. The JSON is dumped without spaces, as every other server of the
benchmark sends it.
"""
import json
import os

import django
from django.apps import AppConfig
from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import path


class BenchConfig(AppConfig):
    name = __name__
    label = "bench"


settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="portico-bench-not-secret",
    MIDDLEWARE=[],
    INSTALLED_APPS=[f"{__name__}.BenchConfig"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["BENCH_DB_FILE"]}},
    USE_TZ=True,
)
django.setup()

from django.db import models  # noqa: E402  (after setup)


class Item(models.Model):
    name = models.CharField(max_length=100)
    quantity = models.IntegerField()
    active = models.BooleanField()

    class Meta:
        app_label = "bench"


def as_json(item):
    return {"id": item.id, "name": item.name, "quantity": item.quantity, "active": item.active}


def respond(data):
    response = HttpResponse(json.dumps(data, separators=(",", ":")), content_type="application/json")
    # Framed by its length, as every other competitor's: without it the client reads to the close.
    response["Content-Length"] = str(len(response.content))
    return response


def detail(request, id):
    try:
        return respond(as_json(Item.objects.get(pk=id)))
    except Item.DoesNotExist:
        raise Http404("no such item")


def listing(request):
    try:
        limit = int(request.GET.get("limit", "20"))
    except ValueError:
        limit = 20
    if not 0 < limit <= 100:
        limit = 20
    return respond({"items": [as_json(item) for item in Item.objects.order_by("id")[:limit]]})


urlpatterns = [path("items/<int:id>/", detail), path("items/", listing)]

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings.configure)

application = get_wsgi_application()
