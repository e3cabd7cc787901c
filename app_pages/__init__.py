"""The dashboard's pages, run by app.py's navigation, and what they share (shared.py)."""
