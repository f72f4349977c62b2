"""The returned workbook: its layout, the template writer, the lean reader, the roster."""
