"""The starting template: one axis per focus area of the international strategy guide.

:mod:`.template` holds the axes and creates them; :mod:`.views` and :mod:`.urls` are its page.
"""
