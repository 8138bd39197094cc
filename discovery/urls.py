"""Pages of publishing: actions on a certificate, the domain pages for admins, and the public
sender-side lookup."""

from django.urls import path

from discovery import lookup_views, views

urlpatterns = [
    path("certificates/<int:pk>/publish", views.publish, name="certificate-publish"),
    path("certificates/<int:pk>/withdraw", views.withdraw, name="certificate-withdraw"),
    path(
        "certificates/<int:pk>/follow-renewals",
        views.follow_renewals,
        name="certificate-follow-renewals",
    ),
    path("certificates/<int:pk>/check-dns", views.check_dns, name="certificate-check-dns"),
    path("domains/", views.domain_list, name="domains"),
    path("domains/<str:name>/", views.domain_detail, name="domain-detail"),
    path("domains/<str:name>/zone", views.domain_zone, name="domain-zone"),
    path("domains/<str:name>/verify", views.domain_verify, name="domain-verify"),
    path("domains/<str:name>/push", views.domain_push, name="domain-push"),
    path("lookup/", lookup_views.lookup_page, name="lookup"),
    path("lookup/certificate", lookup_views.lookup_download, name="lookup-download"),
]
