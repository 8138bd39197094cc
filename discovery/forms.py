"""The domain publishing settings form, shared by the portal's domain page and Django admin.
It checks shape only; discovery.services.domains.update judges and saves."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from discovery.models import DomainPublishing
from discovery.services.domains import Changes


class DomainPublishingForm(forms.ModelForm[DomainPublishing]):
    tsig_secret_text = forms.CharField(
        label=_("TSIG secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Base64, as in the DNS server's key file. Stored encrypted; never shown again. "
            "Leave empty to keep the stored secret."
        ),
    )

    class Meta:
        model = DomainPublishing
        fields = [
            "smimea_forms",
            "lowercase_owner",
            "caa_issuers",
            "update_server",
            "tsig_key_name",
            "tsig_algorithm",
        ]
        widgets = {"smimea_forms": forms.RadioSelect}
        labels = {
            "smimea_forms": _("SMIMEA records in the zone"),
            "lowercase_owner": _("Local parts are case-insensitive"),
            "caa_issuers": _("CA domains for CAA issuemail"),
            "update_server": _("RFC 2136 update server"),
            "tsig_key_name": _("TSIG key name"),
            "tsig_algorithm": _("TSIG algorithm"),
        }

    def changes(self) -> Changes:
        data = self.cleaned_data
        return Changes(
            smimea_forms=data["smimea_forms"],
            lowercase_owner=data["lowercase_owner"],
            caa_issuers=data["caa_issuers"],
            update_server=data["update_server"],
            tsig_key_name=data["tsig_key_name"],
            tsig_algorithm=data["tsig_algorithm"],
            tsig_secret=data["tsig_secret_text"] or None,
        )


class LookupForm(forms.Form):
    """The sender-side lookup's one field; discovery.lookup judges the address itself."""

    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"inputmode": "email", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_("Anyone's address, for instance jane.doe@example.org."),
    )
