"""Admin for the working calendar (CalendarDay)."""
