"""Importing a strategy's structure from a spreadsheet or a document.

:mod:`.reading` reads the file into rows, :mod:`.checks` checks each row and :mod:`.writing` writes
what passed; :mod:`.importer` is the one call the page, the command and the demo use.
"""
