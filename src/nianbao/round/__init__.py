"""A collection round: a whole inbox read, checked and rendered; the summary and its rows."""
