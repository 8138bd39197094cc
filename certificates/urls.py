"""The pages. Every state change is a POST with CSRF; everything needs a login."""

from django.urls import path

from certificates.views import (
    audit,
    authorities,
    browser_keys,
    certificate_actions,
    certificate_table,
    certificates,
    dashboard,
    guides,
    home,
    new_request,
    requests,
    revocation,
    tokens,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("requests/new/", new_request.new_request, name="request-new"),
    path("requests/<int:pk>/", requests.request_detail, name="request-detail"),
    path("requests/<int:pk>/csr", requests.request_csr, name="request-csr"),
    path("requests/<int:pk>/submit", requests.submit, name="request-submit"),
    path("requests/<int:pk>/cancel", requests.cancel, name="request-cancel"),
    path("requests/<int:pk>/hide", requests.hide, name="request-hide"),
    path("requests/<int:pk>/reject", requests.reject, name="request-reject"),
    path("requests/<int:pk>/approve", requests.approve, name="request-approve"),
    path("requests/<int:pk>/certificate", requests.upload_certificate, name="request-upload"),
    path("certificates/", certificate_table.certificate_list, name="certificate-list"),
    path(
        "certificates/export.csv", certificate_table.certificate_export, name="certificate-export"
    ),
    path("certificates/import/", certificates.import_certificate, name="certificate-import"),
    path("certificates/<int:pk>/", certificates.certificate_detail, name="certificate-detail"),
    path(
        "certificates/<int:pk>/download/<str:fmt>",
        certificates.download,
        name="certificate-download",
    ),
    path(
        "certificates/<int:pk>/pkcs12",
        certificate_actions.pkcs12_download,
        name="certificate-pkcs12",
    ),
    path("certificates/<int:pk>/renew", certificate_actions.renew, name="certificate-renew"),
    path("certificates/<int:pk>/revoke", certificate_actions.revoke, name="certificate-revoke"),
    path(
        "certificates/<int:pk>/make-current",
        certificate_actions.make_current,
        name="certificate-make-current",
    ),
    path(
        "certificates/<int:pk>/test-mail",
        certificate_actions.send_test_mail,
        name="certificate-test-mail",
    ),
    path("guides/", guides.guide_list, name="guides"),
    path("guides/<slug:slug>/", guides.guide_detail, name="guide"),
    # Keys made in the browser (views/browser_keys.py).
    path("keys/", browser_keys.browser_keys_page, name="browser-keys"),
    path("keys/certificates.json", browser_keys.all_material, name="browser-keys-material"),
    path(
        "certificates/<int:pk>/browser-key.json",
        browser_keys.certificate_material,
        name="certificate-browser-material",
    ),
    path("requests/<int:pk>/encrypted-key", browser_keys.key_copy, name="request-key-copy"),
    path(
        "certificates/<int:pk>/check-revocation",
        revocation.check_now,
        name="certificate-check-revocation",
    ),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke", tokens.token_revoke, name="token-revoke"),
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("authorities/", authorities.authority_list, name="authority-list"),
    path("authorities/<int:pk>/", authorities.authority_edit, name="authority-edit"),
    path("authorities/<int:pk>/delete", authorities.authority_delete, name="authority-delete"),
]
