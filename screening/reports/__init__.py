"""Report content (pure) and its PDF rendering (the WeasyPrint adapter)."""
