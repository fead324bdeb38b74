"""media's domain errors."""

from __future__ import annotations

from subgraphs.kernel.errors import BadUserInput, NotFound


class InvalidVisibility(BadUserInput):
    def __init__(self) -> None:
        super().__init__("visibility cannot be null.", field="visibility")


class NothingToUpdate(BadUserInput):
    def __init__(self) -> None:
        super().__init__("Give at least one of title, description or visibility to change.")


class VideoNotFound(NotFound):
    def __init__(self, video_id: str) -> None:
        super().__init__(f"There is no video {video_id}.", field="videoId")
