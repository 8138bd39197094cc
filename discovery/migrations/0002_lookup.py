# Publications are found by their file name stem with ASCII letters lower-cased (the portal's
# address rule, certificates.pki.emails.ascii_lower); 0001's code folded every letter with
# str.lower(). Stems with non-ASCII letters are keyed again so they keep being served. Two keys
# that differed under str.lower() still differ, so the unique constraint holds.

from django.db import migrations

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def rekey(apps, schema_editor):
    Publication = apps.get_model("discovery", "Publication")
    for publication in Publication.objects.select_related("certificate"):
        if publication.lookup_name.isascii():
            continue
        local = publication.certificate.email.strip().rpartition("@")[0]
        publication.lookup_name = local.replace(".", "_").translate(_ASCII_LOWER)
        publication.save(update_fields=["lookup_name"])


class Migration(migrations.Migration):
    dependencies = [("discovery", "0001_discovery")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
