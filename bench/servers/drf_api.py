"""Django REST framework for the `api` and `api-db` benchmarks (bench/workloads/api.ts).

POST /people/: an APIView validates the 10-field body with a Serializer and answers 201 with the
created object; for `api-db` (environment BENCH_API_WORKLOAD) the serializer's create() inserts a
row through a model on SQLite (a fresh file named by BENCH_API_DB, its table made at import).
DRF's default settings (JSON and browsable renderers, session and basic authentication, AllowAny);
no middleware, as the Portico and Node servers run none. Served by uWSGI (bench/servers/api/uwsgi-drf.ts).
"""
import os

import django
from django.conf import settings

WORKLOAD = os.environ.get("BENCH_API_WORKLOAD", "api")
settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="portico-bench-not-secret",
    MIDDLEWARE=[],
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "drfbench"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("BENCH_API_DB", ":memory:")}},
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()

from django.db import connection  # noqa: E402  (after setup)
from django.urls import path  # noqa: E402
from rest_framework import serializers, status  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from drfbench.models import Person  # noqa: E402

ROLES = ["admin", "editor", "viewer"]


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, read_only=WORKLOAD == "api-db")
    name = serializers.CharField(max_length=100)
    email = serializers.EmailField()
    age = serializers.IntegerField(min_value=0, max_value=150)
    score = serializers.FloatField(min_value=0, max_value=100)
    birthday = serializers.DateField()
    active = serializers.BooleanField()
    role = serializers.ChoiceField(choices=ROLES)
    tags = serializers.ListField(child=serializers.CharField(max_length=20), max_length=10)
    bio = serializers.CharField(max_length=500, allow_blank=True)

    def create(self, validated_data):
        return Person.objects.create(**validated_data)


class People(APIView):
    def post(self, request):
        serializer = PersonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if WORKLOAD == "api-db":
            serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)


urlpatterns = [path("people/", People.as_view())]

if WORKLOAD == "api-db":
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode = WAL")
    with connection.schema_editor() as editor:
        editor.create_model(Person)
    # uWSGI forks its worker after this import: the worker opens its own connection.
    connection.close()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
