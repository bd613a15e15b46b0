"""charterdesk: a service desk that runs a published customer service standard."""
