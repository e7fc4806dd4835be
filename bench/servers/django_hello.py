"""The smallest Django project: one view answering GET / with {"hello":"world"}.

Served by uWSGI behind nginx in the `uwsgi-nginx` benchmark (bench/workloads/uwsgi-nginx.ts).
Settings are configured in code, with no middleware and no installed apps: the cost measured is
Django's request/response cycle and URL resolution, not a default project's middleware stack.
The body is written out rather than produced by JsonResponse, whose json.dumps would add a space
after the colon and differ from what every other server of the benchmark sends.
"""
import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="portico-bench-not-secret",
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
)
django.setup()


def hello(request):
    return HttpResponse(b'{"hello":"world"}', content_type="application/json")


urlpatterns = [path("", hello)]

from django.core.wsgi import get_wsgi_application  # noqa: E402  (after settings.configure)

application = get_wsgi_application()
