from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from childfirst.api import api
from childfirst.api import not_found as api_not_found
from childfirst.web import favicon, plan_views
from childfirst.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("childfirst.accounts.urls")),
    path("inbox/", include("childfirst.notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The indicator list of the user's plan, for the navigation bar.
    path("indicators/", plan_views.indicators_default, name="indicators"),
    path("plans/", include("childfirst.web.plan_urls")),
    # Pages of one plan name it in their URL (the plan code is every view's `plan` argument).
    path("plans/<slug:plan>/collection/", include("childfirst.collection.excel_urls")),
    path("plans/<slug:plan>/collection/", include("childfirst.collection.urls")),
    path("plans/<slug:plan>/homes/", include("childfirst.homes.plan_urls")),
    path("plans/<slug:plan>/evaluation/", include("childfirst.evaluation.urls")),
    path("plans/<slug:plan>/reports/", include("childfirst.reports.urls")),
    path("plans/<slug:plan>/implementation/", include("childfirst.implementation.urls")),
    path("areas/", include("childfirst.web.area_urls")),
    path("api/", api.urls),
    re_path(r"^api/", api_not_found),  # an unknown path under /api/ gets the API's JSON 404, not a page
    path("registry/", include("childfirst.registry.urls")),
    path("linkage/", include("childfirst.linkage.urls")),
    # Links from before every page named its plan: on to the user's current plan (plan_views.old_link).
    *[
        route
        for section in ("collection", "evaluation", "reports")
        for route in (
            path(f"{section}/", plan_views.old_link, {"section": section}),
            path(f"{section}/<path:rest>", plan_views.old_link, {"section": section}),
        )
    ],
    # The public portal: no login.
    path("open/", include("childfirst.reports.portal_urls")),
]
