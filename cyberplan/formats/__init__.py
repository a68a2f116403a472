"""Date and number formats of the product's languages, where they differ from Django's.

Django looks here first (``FORMAT_MODULE_PATH``) and falls back to its own formats for anything not
set. Spanish follows Paraguay (es-PY): a point groups thousands and a comma marks decimals, as the
national authority writes figures in its own documents. Date-times in both languages name their time
zone, since a CSIRT reads times from feeds in UTC beside times of the deployment's zone.
"""
