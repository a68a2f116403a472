"""Monitoring and evaluation of a strategy: the figures (:mod:`.overview`) and their pages.

:mod:`.overview` computes the progress, alerts and KPI status that the pages, the API and the
monitoring report all read; :mod:`.views`, :mod:`.forms` and :mod:`.urls` are the web side.
"""
