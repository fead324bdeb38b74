"""Who may see and change videos (issue 4); used by resolvers and services alike.

Videos are public by design: every field of a video someone may see is public, anonymous
callers included. What is private is a video's existence when its owner chose so:
- PRIVATE videos are seen only by their owner and administrators (moderation); for anyone else
  they do not exist (null, or NOT_FOUND when changed), so their existence never leaks.
- PUBLIC and UNLISTED videos open by id for everyone; lists shown to people other than the owner
  (and administrators) hold only PUBLIC, READY videos.
- Only the owner (or an administrator) changes a video: someone who can see it but does not own
  it is FORBIDDEN.
"""

from __future__ import annotations

from subgraphs.kernel.access import ADMIN, is_staff
from subgraphs.kernel.context import Viewer
from subgraphs.kernel.errors import Forbidden
from subgraphs.media.models import Video, VideoVisibility


def sees_everything_of(viewer: Viewer, owner_id: str) -> bool:
    """Whether the viewer sees all of `owner_id`'s videos (the owner, administrators)."""
    return viewer.user_id == owner_id or is_staff(viewer, ADMIN)


def can_see(viewer: Viewer, video: Video) -> bool:
    return video.visibility is not VideoVisibility.PRIVATE or sees_everything_of(
        viewer, video.owner_id
    )


def check_can_change(viewer: Viewer, video: Video) -> None:
    """FORBIDDEN unless the viewer owns the video or is an administrator."""
    viewer.require_user_id()
    if not sees_everything_of(viewer, video.owner_id):
        raise Forbidden(f"Only its owner may change video {video.id}.")
