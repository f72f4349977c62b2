"""The report model (one unit's annual report), its JSON form, and how values are read."""
