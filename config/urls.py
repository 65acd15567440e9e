from django.contrib import admin
from django.urls import include, path

from . import views

# The admin has no login of its own: everyone logs in through allauth, with its second factor.
admin.site.login = views.admin_login
admin.site.site_header = "Saldo på studielån – forvaltning"
admin.site.site_title = "Saldo forvaltning"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sok/", views.search, name="search"),
    path("accounts/", include("allauth.urls")),
    path("konto/", include("accounts.urls")),
    path("feilmeldinger/", include("incidents.urls")),
    path("onboarding/", include("onboarding.urls")),
    path("driftsmeldinger/", include("notices.urls")),
    path("endringsonsker/", include("changerequests.urls")),
    path("sporsmal/", include("questions.urls")),
    path("saldo-api/", include("balances.urls")),
    # The Saldo API itself: /saldo/v1/Accounts (production), /test/saldo/v1/Accounts (test).
    path("", include("balances.api_urls")),
    path("varsler/", include("notifications.urls")),
    path("rapporter/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# The portal's own error pages (with DEBUG on too, for 404: config.middleware).
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
