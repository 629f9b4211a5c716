"""HTTP areas: each module parses requests, calls one service, renders or redirects."""
