"""cyberplan: the national cyber security strategy platform."""

import sys

# jsonschema checks the "iri" and "iri-reference" formats with rfc3987-syntax whenever that package is
# installed (it comes with stix2-validator's format extra), and rfc3987-syntax builds a Lark grammar when it
# is imported: 2 to 4 seconds of CPU in every process that loads Django (the legal and training catalogues
# import jsonschema), more than the rest of the start-up. No schema of the project or of stix2-validator
# uses those two formats (tests/core/test_process_start.py checks both), so the package is kept from
# loading: jsonschema then leaves the two formats unchecked, which changes no verdict.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: "import" raises ImportError
