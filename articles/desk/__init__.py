"""The editor's own work in the admin: the dashboard, notes on drafts, autosaved form drafts."""
