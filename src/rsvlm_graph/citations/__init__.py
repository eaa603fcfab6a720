"""Citation tracking: refresh files, the changes between refreshes, trends."""
