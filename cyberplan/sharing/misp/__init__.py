"""The collections of the sharing network as MISP feeds (manifest, hashes and one file per event, the manifest
cached per state and rights) and as MISP JSON downloads, both holding only what the release rule lets go."""
