"""The collections of the sharing network as MISP feeds (manifest, hashes and one file per event)."""
