"""support: customer tickets (owner of the `Ticket` entity; extends `User` with `tickets`)."""
