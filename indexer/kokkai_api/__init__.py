"""The Kokkai API client: query parameters, paged polite HTTP, and the JSON Lines download."""
