"""Reading the handler's narrative: signals found in free text."""
