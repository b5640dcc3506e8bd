"""The Kokkai API client against a local server answering like the API."""
