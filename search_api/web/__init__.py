"""The web page for analysts: HTML views of the same service calls the JSON API makes."""
