"""The regional report: Cybersecurity Trends in the region, from the latest accepted packages of a period."""
