"""schemathesis GraphQL fuzzing of a running router: every root query and mutation field of the
introspected schema gets generated operations (valid ones and, where the field has arguments to
violate, invalid ones), and every answer must be a GraphQL answer: no 5xx, no hang, and every
error carrying an `extensions.code`.

Synchronous (schemathesis calls with `requests`): run it in a thread while the servers' event
loop keeps serving (`asyncio.to_thread`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case

REQUEST_TIMEOUT_SECONDS = 10.0
LEAKS = ("Traceback (most recent call last)", 'File "/')


@dataclass
class FuzzReport:
    """What the run sent and what went wrong (each problem with the operation that caused it)."""

    requests: int = 0
    operations: int = 0
    answered_with_data: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def add(self, case: Case, problem: str) -> None:
        body = case.body if isinstance(case.body, dict) else {}
        sent = json.dumps({"query": body.get("query"), "variables": body.get("variables")})
        self.problems.append(f"{case.operation.label}: {problem}\n    sent: {sent[:2000]}")

    def summary(self) -> str:
        codes = ", ".join(f"{code} {count}" for code, count in self.codes.most_common())
        return (
            f"{self.operations} root fields, {self.requests} requests, "
            f"{self.answered_with_data} answered with data; error codes: {codes or 'none'}"
        )

    def count(self, response: Response) -> None:
        try:
            body = json.loads(response.content)
        except ValueError:
            return
        if not isinstance(body, dict):
            return
        if body.get("data"):
            self.answered_with_data += 1
        for error in body.get("errors") or []:
            extensions = error.get("extensions") if isinstance(error, dict) else None
            if isinstance(extensions, dict) and isinstance(extensions.get("code"), str):
                self.codes[extensions["code"]] += 1


def problems_with(response: Response) -> list[str]:
    """Why `response` is not a clean GraphQL answer (empty when it is one)."""
    text = response.content.decode("utf-8", "replace")
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}: {text[:500]}"]
    if any(leak in text for leak in LEAKS):
        return [f"a stack trace reached the client: {text[:500]}"]
    try:
        body = json.loads(text)
    except ValueError:
        return [f"HTTP {response.status_code}, not JSON: {text[:500]}"]
    if not isinstance(body, dict):
        return [f"HTTP {response.status_code}, not a GraphQL response: {text[:500]}"]
    problems: list[str] = []
    for error in body.get("errors") or []:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        if not isinstance(code, str) or not code:
            problems.append(f"an error without extensions.code: {json.dumps(error)[:500]}")
    return problems


def fuzz_router(graphql_url: str, headers: dict[str, str], examples: int, seed: int) -> FuzzReport:
    """Up to `examples` generated operations per root field and generation mode."""
    report = FuzzReport()
    schema = schemathesis.graphql.from_url(graphql_url, headers=headers, timeout=30)
    session = requests.Session()
    session.headers.update(headers)

    def check(case: Case) -> None:
        report.requests += 1
        try:
            response = case.call(session=session, timeout=REQUEST_TIMEOUT_SECONDS)
        except requests.Timeout:
            report.add(case, f"no answer within {REQUEST_TIMEOUT_SECONDS} s")
            return
        report.count(response)
        for problem in problems_with(response):
            report.add(case, problem)

    for result in schema.get_all_operations():
        operation = result.ok()
        report.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = hypothesis.given(case=operation.as_strategy(generation_mode=mode))(check)
            run = hypothesis.seed(seed)(run)
            run = hypothesis.settings(
                max_examples=examples,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
                derandomize=False,
                print_blob=False,
            )(run)
            run()
    session.close()
    return report
