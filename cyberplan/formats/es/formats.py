"""Spanish as written in Paraguay (es-PY)."""

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i T"
SHORT_DATETIME_FORMAT = "d/m/Y H:i T"
