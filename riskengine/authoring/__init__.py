"""For compliance staff: JSON Schema for editors, spreadsheet decision tables, the sign-off review."""
