import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.template import engines
from django.urls import get_resolver
from django.utils import translation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cyberplan.settings")
application = get_wsgi_application()
# Load every page's code, the URL map (one per language) and the template engines now, as the
# server process starts, rather than on its first request, which would wait seconds for them.
for code, _name in settings.LANGUAGES:
    with translation.override(code):
        get_resolver().reverse_dict  # noqa: B018 - reading the URL map imports the views and builds it
engines.all()
