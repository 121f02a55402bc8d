"""WTForms forms of the panel's commands, one module per area (``common`` holds what they share)."""

import web.admin.views.sqla_compat  # noqa: F401 - before any form imports flask_admin.contrib.sqla
