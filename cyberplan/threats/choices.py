from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The job kind that runs an import in the worker (registered by cyberplan.threats.jobs).
THREAT_IMPORT = "threat_import"


class ImportFormat(models.TextChoices):
    AUTO = "auto", _("Recognise automatically")
    SHADOWSERVER = "shadowserver", _("Shadowserver CSV report")
    STIX = "stix", _("STIX 2.1 bundle")
    MISP = "misp", _("MISP event JSON")
    VERIS = "veris", _("VERIS incident JSON")
    CSV = "csv", _("CSV with a column mapping")


class ImportStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("import status", "Waiting")
    RUNNING = "running", pgettext_lazy("import status", "Running")
    SUCCEEDED = "succeeded", pgettext_lazy("import status", "Stored")
    FAILED = "failed", pgettext_lazy("import status", "Refused")
    SKIPPED = "skipped", pgettext_lazy("import status", "Already imported")


# Conversions offered when mapping a CSV column (see cyberplan.pipeline.importers.csvengine).
class Conversion(models.TextChoices):
    TEXT = "text", _("Text as it is")
    LOWER = "lower", _("Text in lower case")
    UPPER = "upper", _("Text in upper case")
    TIMESTAMP = "timestamp", _("Date and time (UTC unless it says otherwise)")
    INT = "int", _("Whole number")
    PORT = "port", _("Port number")
    FLOAT = "float", _("Number")
    ASN = "asn", _("AS number")
    IP = "ip", _("IP address")
    COUNTRY = "country", _("Two-letter country code")
    URL = "url", _("URL")
    FQDN = "fqdn", _("Domain name")


class HolderType(models.TextChoices):
    """What kind of owner holds a constituency network: the victim category of its events.

    A public body (a ministry, a state utility, a public university, a social-security institute) is
    counted as government and public bodies whatever its sector; the sector stays for the sector chart.
    """

    PUBLIC = "public", _("Public body")
    PRIVATE = "private", _("Private organisation")
    INDIVIDUALS = "individuals", _("Individuals and ISP customers")
