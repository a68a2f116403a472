from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.kinds import declare


class WorkspaceConfig(AppConfig):
    name = "cyberplan.workspace"
    label = "workspace"
    verbose_name = _("Workspace")

    def ready(self) -> None:
        # By dotted path, like every job kind: the export's module reads the models, loaded only by now.
        declare("audit_export", _("Audit log export (CSV)"), "cyberplan.workspace.exports.export_audit_log")
