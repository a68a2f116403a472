"""The strategy's documents: the strategy itself (from a version) and the monitoring and evaluation report.

:mod:`.content` builds what each document says as plain data in the active language; :mod:`.render`
writes it as HTML, PDF (WeasyPrint) and DOCX (python-docx); :mod:`.service` is the one call the
command line (:mod:`.command`) and the background job use.
"""
