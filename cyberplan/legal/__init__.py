"""Legal alignment with the Convention on Cybercrime (ETS 185) and its protocols.

The treaty catalogue is versioned data under ``treaties/`` (``catalogue``); national instruments and
their articles, alignment reviews with a coverage per Convention provision, and the treaty status of
countries are models. See docs/how-to/legal-alignment.md and docs/reference/treaty-catalogue.md.
"""
