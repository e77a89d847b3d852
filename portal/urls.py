import os

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from . import views

# Staff sign in through allauth like parents: its rate limits and the second factor apply.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # No CSRF check: switching the language changes nothing of anyone's, and the cached
    # public catalogue carries no token.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("compte/", include("allauth.urls")),
    path("", include("portal.app_urls")),
    path("dossier/", include("health.urls")),
    path("dossier/", include("accounts.urls")),
    path("activites/", include("activities.urls")),
    path("inscription/", include("registrations.urls")),
    path("liste-attente/", include("waitlist.urls")),
    path("camp/", include("camp.urls")),
    path("", include("finances.urls")),
    path("confidentialite/", include("privacy.urls")),
]

if os.environ.get("BENCH_CEILING_FILE"):  # the opening-night benchmark only
    urlpatterns.append(path("bench/ceiling", views.bench_ceiling, name="bench_ceiling"))

handler500 = "portal.views.server_error"
handler429 = "portal.views.too_many_requests"  # read by allauth's rate limits


admin.site.site_header = settings.MUNICIPALITY_NAME + " — Camps de jour"
admin.site.site_title = "Camps de jour"
