"""English: Django's formats, with the time zone named on date-times and a 24-hour clock."""

DATETIME_FORMAT = "N j, Y, H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
