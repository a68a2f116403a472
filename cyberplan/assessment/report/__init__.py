"""The assessment report: content built from the results, rendered as HTML, PDF and DOCX."""
