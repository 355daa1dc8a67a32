"""People administration: operators and staff, their sign-in secrets and badges, CSV import, lines."""
