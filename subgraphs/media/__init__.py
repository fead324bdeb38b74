"""media: videos and their metadata (owner of the `Video` entity; extends `User` with `videos`)."""
