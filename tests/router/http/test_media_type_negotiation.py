import pytest

from router.http.serialise import negotiate_media_type

JSON = "application/json"
GRAPHQL_JSON = "application/graphql-response+json"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_JSON, GRAPHQL_JSON),
        (f"{GRAPHQL_JSON}, {JSON}", GRAPHQL_JSON),
        (f"{JSON}, {GRAPHQL_JSON}", GRAPHQL_JSON),
        (f"{GRAPHQL_JSON};q=0.5, {JSON}", JSON),
        (f"{GRAPHQL_JSON};q=0, {JSON}", JSON),
        (f"{GRAPHQL_JSON}; charset=utf-8, */*;q=0.1", GRAPHQL_JSON),
        ("text/html", JSON),
    ],
)
def test_the_response_media_type_follows_the_accept_header(
    accept: str | None, expected: str
) -> None:
    assert negotiate_media_type(accept) == expected
