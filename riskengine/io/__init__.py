"""Reading and writing files: case files, decision logs, masking of personal data."""
