"""Instance choice without a network: round-robin, taking out, thresholds, replacing URLs."""

import pytest

from router.errors import SupergraphError
from router.instance_settings import InstanceSettings
from router.transport.instances import SubgraphInstances, instance_urls

A, B, C = (f"http://10.0.0.{n}:4000/graphql" for n in (1, 2, 3))
THRESHOLDS = InstanceSettings(unhealthy_after=2, healthy_after=2)


def test_requests_go_round_robin_over_the_instances() -> None:
    pool = SubgraphInstances({"s": [A, B, C]}).pool("s")
    assert pool is not None

    chosen = [instance.url for instance in (pool.choose() for _ in range(6)) if instance]

    assert chosen == [A, B, C, A, B, C]


def test_an_instance_taken_out_gets_no_requests_until_it_passes_enough_checks() -> None:
    pool = SubgraphInstances({"s": [A, B]}).pool("s")
    assert pool is not None
    a, b = pool.instances

    assert a.take_out("cannot connect") is True
    assert a.take_out("cannot connect") is False  # already out
    assert {pool.choose() for _ in range(4)} == {b}

    pool.record_check(a, None, THRESHOLDS)
    assert {pool.choose() for _ in range(4)} == {b}
    pool.record_check(a, None, THRESHOLDS)
    assert {pool.choose() for _ in range(4)} == {a, b}


def test_failed_checks_take_an_instance_out_only_after_the_threshold() -> None:
    pool = SubgraphInstances({"s": [A, B]}).pool("s")
    assert pool is not None
    a, _ = pool.instances

    pool.record_check(a, "HTTP 503", THRESHOLDS)
    assert a.healthy
    pool.record_check(a, None, THRESHOLDS)  # a pass in between resets the count
    pool.record_check(a, "HTTP 503", THRESHOLDS)
    assert a.healthy
    pool.record_check(a, "HTTP 503", THRESHOLDS)

    assert not a.healthy
    assert [(r.url, r.status, r.reason) for r in pool.report()] == [
        (A, "fail", "HTTP 503"),
        (B, "pass", None),
    ]


def test_when_every_instance_is_out_there_is_nothing_to_choose() -> None:
    pool = SubgraphInstances({"s": [A, B]}).pool("s")
    assert pool is not None
    for instance in pool.instances:
        instance.take_out("refused")

    assert pool.choose() is None
    assert pool.choose_untried(()) is None


def test_a_single_instance_is_never_taken_out_nor_checked() -> None:
    pool = SubgraphInstances({"s": A}).pool("s")
    assert pool is not None
    (only,) = pool.instances

    assert only.take_out("refused") is False
    assert pool.choose() is only
    assert not pool.balanced
    assert [r.status for r in pool.report()] == ["unchecked"]


def test_a_retry_goes_to_an_instance_not_tried_yet() -> None:
    pool = SubgraphInstances({"s": [A, B, C]}).pool("s")
    assert pool is not None
    first = pool.choose()
    assert first is not None

    second = pool.choose_untried([first])
    assert second is not None and second is not first
    third = pool.choose_untried([first, second])

    assert third is not None and third not in (first, second)
    assert pool.choose_untried([first, second, third]) is None


def test_new_endpoints_keep_the_state_of_instances_whose_url_stays() -> None:
    instances = SubgraphInstances({"s": [A, B], "t": C})
    old = instances.pool("s")
    assert old is not None
    a, _ = old.instances
    a.take_out("refused")

    instances.set_endpoints({"s": [A, C]})

    pool = instances.pool("s")
    assert pool is not None and pool is not old
    assert pool.instances[0] is a and not a.healthy
    assert [i.url for i in pool.instances] == [A, C]
    assert instances.pool("t") is None
    assert {pool.choose() for _ in range(3)} == {pool.instances[1]}


def test_instance_urls_come_from_overrides_else_the_supergraph() -> None:
    urls = instance_urls({"s": A, "t": C}, {"s": [A, B]})

    assert urls == {"s": (A, B), "t": (C,)}
    with pytest.raises(SupergraphError, match=r"unknown subgraph.*nosuch"):
        instance_urls({"s": A}, {"nosuch": B})
    with pytest.raises(ValueError, match="not an http"):
        instance_urls({"s": A}, {"s": ["ftp://x/graphql"]})
    with pytest.raises(ValueError, match="twice"):
        instance_urls({"s": A}, {"s": [A, A]})
