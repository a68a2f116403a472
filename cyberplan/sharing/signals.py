"""Signals the sharing app sends, so other apps can act on what arrives without reaching into its code.

``envelope_stored`` is sent once the objects a partner POSTed to a collection of this instance are stored
and committed (sender: :class:`~cyberplan.sharing.models.Collection`; arguments ``collection``, ``status``,
the TAXII status of the request, and ``added``, the ``{"id", "version"}`` of each object version it added).
A receiver must be quick (it runs in the TAXII request): queue a worker job for anything slower.
"""

from __future__ import annotations

import django.dispatch

envelope_stored = django.dispatch.Signal()
