"""The capacity-building report: programmes, hours, people trained by audience, coverage and trends."""
