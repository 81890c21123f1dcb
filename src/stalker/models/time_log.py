"""Bookings that the database keeps apart (the TimeLog class is in task.py)."""
