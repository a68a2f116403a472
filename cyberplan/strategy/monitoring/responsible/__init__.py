"""What a lead or supporting institution's members see and report: their own actions only."""
