"""Shared harness for the MLflow client workflows: PASS/FAIL steps and a record of the HTTP exchanges.

Each workflow runs the unmodified MLflow client against MLFLOW_TRACKING_URI / MLFLOW_TRACKING_TOKEN.
A step is a function; it passes when it returns without raising. On a failure the harness prints
the exception and the last HTTP exchanges the client made (method, URL, status, start of the
answer), which is what a finding needs. Exit status: 0 when every step passed, 1 otherwise.
"""

import os
import sys
import time
import traceback
import uuid

# Fail fast instead of MLflow's default of 7 retries with exponential backoff on 5xx.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")

import requests  # noqa: E402

EXCHANGES: list[str] = []
_real_send = requests.Session.send


def _recording_send(self, request, **kwargs):
    """Keeps a one-line summary of every request the client sends and the answer it gets."""
    body = request.body
    if isinstance(body, bytes):
        body = body[:300].decode("utf-8", "replace")
    elif body is not None and not isinstance(body, str):
        body = f"<{type(body).__name__}>"
    line = f"{request.method} {request.url}" + (f" body={body[:300]!s}" if body else "")
    try:
        response = _real_send(self, request, **kwargs)
    except Exception as e:
        EXCHANGES.append(f"{line}\n      -> {type(e).__name__}: {e}")
        raise
    answer = ""
    if not kwargs.get("stream"):
        answer = response.text[:400]
    EXCHANGES.append(f"{line}\n      -> {response.status_code} {answer}")
    del EXCHANGES[:-200]
    return response


requests.Session.send = _recording_send


class Skip(Exception):
    """Raised by a step that cannot run with this client (e.g. an MLflow 3 API on a 2.x client)."""


def mlflow_major() -> int:
    import mlflow

    return int(mlflow.__version__.split(".")[0])


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Workflow:
    """Runs named steps in order, prints one PASS/FAIL line each, and a summary table at the end."""

    def __init__(self, name: str):
        self.name = name
        self.results: list[tuple[str, bool, str]] = []
        self.state: dict = {}
        print(f"== {name} against {os.environ.get('MLFLOW_TRACKING_URI')}", flush=True)

    def step(self, title: str, *needs: str):
        """Decorator: runs the step now. When a step it needs has failed, it is skipped as FAIL."""

        def run(fn):
            failed_needs = [n for n in needs if not self.passed(n)]
            if failed_needs:
                self.results.append((title, False, f"skipped: needs {', '.join(failed_needs)}"))
                print(f"FAIL  {title}  (skipped: needs {', '.join(failed_needs)})", flush=True)
                return fn
            start = len(EXCHANGES)
            t0 = time.monotonic()
            try:
                fn()
            except Skip as e:
                self.results.append((title, None, str(e)))
                print(f"SKIP  {title}  ({e})", flush=True)
            except Exception as e:  # noqa: BLE001 - every failure is reported, none hidden
                detail = f"{type(e).__name__}: {str(e)[:600]}"
                self.results.append((title, False, detail))
                print(f"FAIL  {title}  ({time.monotonic() - t0:.1f}s)\n      {detail}", flush=True)
                tb = traceback.extract_tb(e.__traceback__)
                here = [f for f in tb if "mlflow-client" in f.filename]
                if here:
                    print(f"      at {here[-1].filename.split('/')[-1]}:{here[-1].lineno}", flush=True)
                for ex in EXCHANGES[max(start, len(EXCHANGES) - 4):]:
                    print(f"      http: {ex}", flush=True)
            else:
                self.results.append((title, True, ""))
                print(f"PASS  {title}  ({time.monotonic() - t0:.1f}s)", flush=True)
            return fn

        return run

    def passed(self, title: str) -> bool:
        return any(t == title and ok for t, ok, _ in self.results)

    def finish(self) -> None:
        import mlflow

        ok = sum(1 for _, p, _ in self.results if p)
        skipped = sum(1 for _, p, _ in self.results if p is None)
        failed = len(self.results) - ok - skipped
        print(f"\n== {self.name} (mlflow {mlflow.__version__}): {ok} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""), flush=True)
        print(f"| {self.name} step (mlflow {mlflow.__version__}) | result |\n|---|---|")
        for title, p, detail in self.results:
            result = "PASS" if p else (f"SKIP: {detail}" if p is None else "FAIL: " + detail[:160].replace("|", "/"))
            print(f"| {title} | {result} |")
        sys.exit(0 if failed == 0 else 1)


def expect(actual, expected, what: str) -> None:
    """Asserts equality with a message that shows both sides."""
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def expect_raises(fn, error_code: str, what: str) -> None:
    """Asserts that fn raises an MlflowException carrying error_code."""
    from mlflow.exceptions import MlflowException

    try:
        fn()
    except MlflowException as e:
        if e.error_code != error_code:
            raise AssertionError(f"{what}: expected {error_code}, got {e.error_code}: {e}") from e
        return
    raise AssertionError(f"{what}: expected {error_code}, but the call succeeded")
