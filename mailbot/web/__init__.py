"""The COTECH's intranet page: a small Starlette application served by mailbot (see app.py)."""
