"""Turning an assessment into text, Markdown or HTML, and knowledge into listings."""
