"""Versions of a strategy, their consultation and approval.

:mod:`.actions` holds the audited writes (freeze, refresh, move along the workflow, comment,
resolve); :mod:`.views`, :mod:`.forms` and :mod:`.urls` are the web side.
"""
