import os

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("compte/", include("allauth.urls")),
    path("", include("portal.app_urls")),
    path("dossier/", include("health.urls")),
    path("dossier/", include("accounts.urls")),
    path("activites/", include("activities.urls")),
    path("inscription/", include("registrations.urls")),
    path("liste-attente/", include("waitlist.urls")),
    path("camp/", include("camp.urls")),
]

if os.environ.get("BENCH_CEILING_FILE"):  # the opening-night benchmark only
    urlpatterns.append(path("bench/ceiling", views.bench_ceiling, name="bench_ceiling"))

admin.site.site_header = settings.MUNICIPALITY_NAME + " — Camps de jour"
admin.site.site_title = "Camps de jour"
