"""Old addresses that keep working: 301 to where a page moved, 410 for a story taken away."""
