"""Tracing workflow (issue 18), run with the unmodified MLflow 3 client against MLFLOW_TRACKING_URI.

Traced functions with nested spans, a span that raises, manual spans with events, a trace inside a
run and one for an active model, trace tags and metadata, search_traces with filters, order and
paging, get_trace compared span by span with what the code recorded, a multi-MiB span, feedback
and expectations (log, read, update, override, delete), link_traces_to_run, access levels, and
deleting traces. Every step reads back what it wrote and compares.
"""

import os
import time

from common import Skip, Workflow, expect, expect_raises, mlflow_major, unique

import mlflow
from mlflow import MlflowClient

wf = Workflow("tracing")
if mlflow_major() < 3:
    print("SKIP  tracing needs an MLflow 3 client")
    raise SystemExit(0)

from mlflow.entities import AssessmentSource, AssessmentSourceType, SpanType  # noqa: E402

client = MlflowClient()
S = wf.state
EXP = unique("client-tracing")
HUMAN = AssessmentSource(source_type=AssessmentSourceType.HUMAN, source_id="alice@example.com")
JUDGE = AssessmentSource(source_type=AssessmentSourceType.LLM_JUDGE, source_id="gpt-judge")


def last_trace_id() -> str:
    mlflow.flush_trace_async_logging()
    return mlflow.get_last_active_trace_id()


def spans_by_name(trace) -> dict:
    return {s.name: s for s in trace.data.spans}


@wf.step("set_experiment for traces")
def _():
    S["exp_id"] = mlflow.set_experiment(EXP).experiment_id


@wf.step("a traced function with nested spans comes back from get_trace span by span", "set_experiment for traces")
def _():
    @mlflow.trace(span_type=SpanType.RETRIEVER)
    def retrieve(query):
        return [{"doc_id": "d1", "text": "MLflow is an open source MLOps platform."}]

    @mlflow.trace(span_type=SpanType.LLM, attributes={"model": "gpt-demo", "temperature": 0.2})
    def call_llm(prompt, max_tokens=64):
        return {"text": "MLflow tracks ML experiments.", "usage": {"prompt_tokens": 12, "completion_tokens": 6}}

    @mlflow.trace
    def agent(question):
        docs = retrieve(question)
        answer = call_llm(f"Context: {docs[0]['text']}\nQ: {question}")
        return {"answer": answer["text"], "sources": [d["doc_id"] for d in docs]}

    expect(agent("What is MLflow?"), {"answer": "MLflow tracks ML experiments.", "sources": ["d1"]}, "traced result")
    trace_id = last_trace_id()
    S["agent_trace"] = trace_id
    trace = mlflow.get_trace(trace_id)
    assert trace is not None, "get_trace found nothing"
    expect(trace.info.state.value if hasattr(trace.info.state, "value") else str(trace.info.state), "OK", "trace state")
    expect(trace.info.experiment_id, S["exp_id"], "trace experiment")
    expect(trace.info.tags.get("mlflow.traceName"), "agent", "trace name tag")
    spans = spans_by_name(trace)
    expect(sorted(spans), ["agent", "call_llm", "retrieve"], "span names")
    root = spans["agent"]
    expect(root.parent_id, None, "root has no parent")
    expect(spans["retrieve"].parent_id, root.span_id, "retrieve under agent")
    expect(spans["call_llm"].parent_id, root.span_id, "call_llm under agent")
    expect(spans["retrieve"].inputs, {"query": "What is MLflow?"}, "retrieve inputs")
    expect(spans["retrieve"].outputs, [{"doc_id": "d1", "text": "MLflow is an open source MLOps platform."}], "retrieve outputs")
    expect(spans["call_llm"].span_type, "LLM", "LLM span type")
    expect(spans["call_llm"].attributes.get("model"), "gpt-demo", "LLM attribute model")
    expect(spans["call_llm"].attributes.get("temperature"), 0.2, "LLM attribute temperature")
    expect(spans["call_llm"].inputs, {"prompt": "Context: MLflow is an open source MLOps platform.\nQ: What is MLflow?", "max_tokens": 64}, "LLM inputs")
    expect(spans["call_llm"].outputs["usage"], {"prompt_tokens": 12, "completion_tokens": 6}, "LLM outputs")
    expect(root.outputs, {"answer": "MLflow tracks ML experiments.", "sources": ["d1"]}, "root outputs")
    assert root.start_time_ns <= spans["retrieve"].start_time_ns <= spans["retrieve"].end_time_ns <= root.end_time_ns, "child times inside the root's"
    # The same trace read twice, and through search_traces, is the same to the byte.
    again = MlflowClient().get_trace(trace_id)
    expect([s.to_dict() for s in again.data.spans], [s.to_dict() for s in trace.data.spans], "get_trace twice")


@wf.step("manual spans with attributes and an event", "set_experiment for traces")
def _():
    with mlflow.start_span(name="manual") as span:
        span.set_inputs({"question": "hi", "history": []})
        span.set_attribute("component", "router")
        with mlflow.start_span(name="manual-child", span_type=SpanType.TOOL) as child:
            child.set_inputs({"tool": "search", "args": {"q": "hi"}})
            child.add_event(mlflow.entities.SpanEvent("cache_miss", attributes={"key": "q:hi", "attempt": 1}))
            child.set_outputs({"hits": 0})
        span.set_outputs({"answer": "hello"})
    trace = mlflow.get_trace(last_trace_id())
    spans = spans_by_name(trace)
    expect(spans["manual"].attributes.get("component"), "router", "attribute")
    events = spans["manual-child"].events
    expect([(e.name, e.attributes) for e in events], [("cache_miss", {"key": "q:hi", "attempt": 1})], "event")
    expect(spans["manual-child"].inputs, {"tool": "search", "args": {"q": "hi"}}, "child inputs")
    S["manual_trace"] = trace.info.trace_id


@wf.step("a span that raises makes an ERROR trace with the exception", "set_experiment for traces")
def _():
    @mlflow.trace
    def failing_tool(x):
        raise ValueError(f"bad input: {x}")

    try:
        failing_tool(42)
        raise AssertionError("no error raised")
    except ValueError:
        pass
    trace = mlflow.get_trace(last_trace_id())
    S["error_trace"] = trace.info.trace_id
    expect(str(trace.info.state.value if hasattr(trace.info.state, "value") else trace.info.state), "ERROR", "trace state")
    span = trace.data.spans[0]
    expect(span.status.status_code.value if hasattr(span.status.status_code, "value") else str(span.status.status_code), "ERROR", "span status")
    exception = [e for e in span.events if e.name == "exception"]
    assert exception and exception[0].attributes["exception.message"] == "bad input: 42", f"exception event: {span.events}"


@wf.step("a trace inside a run is found by search_traces(run_id=...)", "set_experiment for traces")
def _():
    @mlflow.trace
    def in_run(q):
        return q.upper()

    with mlflow.start_run() as run:
        in_run("traced inside a run")
        trace_id = last_trace_id()
    S["run_id"], S["run_trace"] = run.info.run_id, trace_id
    found = mlflow.search_traces(run_id=run.info.run_id, locations=[S["exp_id"]], return_type="list")
    expect([t.info.trace_id for t in found], [trace_id], "traces of the run")
    expect(found[0].data.spans[0].outputs, "TRACED INSIDE A RUN", "spans come with search_traces")


@wf.step("a trace for an active model is found by search_traces(model_id=...)", "set_experiment for traces")
def _():
    model = mlflow.set_active_model(name=unique("agent"))

    @mlflow.trace
    def with_model(q):
        return q

    try:
        with_model("traced with an active model")
        trace_id = last_trace_id()
    finally:
        mlflow.clear_active_model()
    found = mlflow.search_traces(model_id=model.model_id, locations=[S["exp_id"]], return_type="list")
    expect([t.info.trace_id for t in found], [trace_id], "traces of the model")


@wf.step("update_current_trace, set_trace_tag and delete_trace_tag", "set_experiment for traces")
def _():
    @mlflow.trace
    def tagged(x):
        mlflow.update_current_trace(tags={"env": "dev", "team": "qa"}, metadata={"app_version": "1.2.3"}, client_request_id="req-001")
        return x * 2

    tagged(21)
    trace_id = last_trace_id()
    S["tagged_trace"] = trace_id
    client.set_trace_tag(trace_id, "reviewed", "yes")
    client.delete_trace_tag(trace_id, "team")
    info = client.get_trace(trace_id).info
    expect({k: v for k, v in info.tags.items() if not k.startswith("mlflow.")}, {"env": "dev", "reviewed": "yes"}, "tags")
    expect(info.trace_metadata.get("app_version"), "1.2.3", "metadata")
    expect(info.client_request_id, "req-001", "client request id")


@wf.step(
    "search_traces filters on status, tags, metadata, times; orders and pages",
    "a traced function with nested spans comes back from get_trace span by span",
    "a span that raises makes an ERROR trace with the exception",
    "update_current_trace, set_trace_tag and delete_trace_tag",
)
def _():
    locs = [S["exp_id"]]
    ids = lambda **kw: [t.info.trace_id for t in mlflow.search_traces(locations=locs, return_type="list", **kw)]  # noqa: E731
    everything = ids()
    assert len(everything) >= 6, f"all traces: {everything}"
    expect(ids(filter_string="status = 'ERROR'"), [S["error_trace"]], "status = 'ERROR'")
    assert S["error_trace"] not in ids(filter_string="status = 'OK'"), "an ERROR trace in status = 'OK'"
    expect(ids(filter_string="tags.env = 'dev'"), [S["tagged_trace"]], "tags.env")
    expect(ids(filter_string="metadata.app_version = '1.2.3'"), [S["tagged_trace"]], "metadata")
    expect(ids(filter_string="name = 'agent'"), [S["agent_trace"]], "name")
    expect(sorted(ids(filter_string="timestamp_ms > 0")), sorted(everything), "timestamp_ms > 0")
    assert S["agent_trace"] in ids(filter_string="execution_time_ms >= 0"), "execution_time_ms"
    newest_first = ids(order_by=["timestamp_ms DESC"])
    expect(newest_first, everything, "default order is newest first")
    expect(ids(order_by=["timestamp_ms ASC"]), list(reversed(newest_first)), "oldest first")
    page1 = client.search_traces(locations=locs, max_results=2, order_by=["timestamp_ms DESC"])
    page2 = client.search_traces(locations=locs, max_results=2, order_by=["timestamp_ms DESC"], page_token=page1.token)
    expect([t.info.trace_id for t in page1] + [t.info.trace_id for t in page2], newest_first[:4], "two pages")
    expect_raises(lambda: mlflow.search_traces(locations=locs, filter_string="colour = 'red'"), "INVALID_PARAMETER_VALUE", "an unknown attribute")
    infos = mlflow.search_traces(locations=locs, include_spans=False, return_type="list")
    expect(sorted(t.info.trace_id for t in infos), sorted(everything), "include_spans=False")


@wf.step("a span carrying 3 MiB comes back whole", "set_experiment for traces")
def _():
    blob = "x" * (3 * 1024 * 1024)

    @mlflow.trace
    def big(n):
        return {"blob": blob, "n": n}

    big(1)
    trace = mlflow.get_trace(last_trace_id())
    expect(len(trace.data.spans[0].outputs["blob"]), len(blob), "output length")


@wf.step("feedback and expectations: log, read, update, override, delete", "a traced function with nested spans comes back from get_trace span by span")
def _():
    trace_id = S["agent_trace"]
    helpful = mlflow.log_feedback(trace_id=trace_id, name="helpful", value=True, source=HUMAN)
    relevance = mlflow.log_feedback(trace_id=trace_id, name="relevance", value=0.8, source=JUDGE, rationale="Mostly on topic", metadata={"judge_version": "2"})
    expected = mlflow.log_expectation(trace_id=trace_id, name="expected_answer", value="MLflow is an MLOps platform.", source=HUMAN)
    got = mlflow.get_assessment(trace_id, helpful.assessment_id)
    expect((got.name, got.value, got.source.source_type), ("helpful", True, "HUMAN"), "feedback read back")
    from mlflow.entities import Expectation, Feedback

    updated = mlflow.update_assessment(trace_id, helpful.assessment_id, Feedback(name="helpful", value=False, rationale="Missed the point"))
    expect((updated.value, updated.rationale), (False, "Missed the point"), "updated feedback")
    mlflow.update_assessment(trace_id, expected.assessment_id, Expectation(name="expected_answer", value="MLflow: MLOps platform"))
    override = mlflow.override_feedback(trace_id=trace_id, assessment_id=relevance.assessment_id, value=0.3, rationale="Human override", source=HUMAN)
    by_id = {a.assessment_id: a for a in mlflow.get_trace(trace_id).info.assessments}
    expect(by_id[helpful.assessment_id].value, False, "feedback on the trace")
    expect(by_id[expected.assessment_id].value, "MLflow: MLOps platform", "expectation on the trace")
    expect(by_id[relevance.assessment_id].valid, False, "overridden feedback is invalid")
    expect((by_id[override.assessment_id].value, by_id[override.assessment_id].overrides), (0.3, relevance.assessment_id), "the override")
    mlflow.delete_assessment(trace_id, override.assessment_id)
    by_id = {a.assessment_id: a for a in mlflow.get_trace(trace_id).info.assessments}
    assert override.assessment_id not in by_id, "deleted assessment still there"
    expect(by_id[relevance.assessment_id].valid, True, "overridden feedback valid again")
    expect_raises(lambda: mlflow.get_assessment(trace_id, override.assessment_id), "RESOURCE_DOES_NOT_EXIST", "a deleted assessment")
    expect([t.info.trace_id for t in mlflow.search_traces(locations=[S["exp_id"]], filter_string="feedback.helpful = 'false'", return_type="list")], [trace_id], "filter on feedback")


@wf.step("link_traces_to_run adds traces to a run's traces", "a trace inside a run is found by search_traces(run_id=...)", "manual spans with attributes and an event")
def _():
    run = client.create_run(S["exp_id"])
    client.link_traces_to_run([S["manual_trace"], S["error_trace"]], run.info.run_id)
    found = mlflow.search_traces(run_id=run.info.run_id, locations=[S["exp_id"]], return_type="list")
    expect(sorted(t.info.trace_id for t in found), sorted([S["manual_trace"], S["error_trace"]]), "linked traces")


@wf.step("access: a reporter reads traces but may not write; a non-member sees none", "a traced function with nested spans comes back from get_trace span by span")
def _():
    import requests

    uri, admin = os.environ["MLFLOW_TRACKING_URI"], os.environ["MLFLOW_TRACKING_TOKEN"]
    base = uri.split("/api/v4/projects/")[0] + "/api/v4"
    project_id = uri.split("/api/v4/projects/")[1].split("/")[0]
    h = {"Authorization": f"Bearer {admin}"}

    def user_token(level):
        name = unique("u").replace("-", "")
        r = requests.post(f"{base}/users", headers=h, json={"username": name, "name": name, "email": f"{name}@example.com", "password": "a-long-password-1"})
        user_id = r.json()["id"]
        if level:
            requests.post(f"{base}/projects/{project_id}/members", headers=h, json={"user_id": user_id, "access_level": level})
        return requests.post(f"{base}/users/{user_id}/personal_access_tokens", headers=h, json={"name": "client", "scopes": ["api"]}).json()["token"]

    reporter, outsider = user_token(20), user_token(None)
    try:
        os.environ["MLFLOW_TRACKING_TOKEN"] = reporter
        trace = MlflowClient().get_trace(S["agent_trace"])
        expect(len(trace.data.spans), 3, "a reporter reads the spans")
        assert MlflowClient().search_traces(locations=[S["exp_id"]]), "a reporter searches"
        expect_raises(lambda: MlflowClient().set_trace_tag(S["agent_trace"], "by", "reporter"), "PERMISSION_DENIED", "a reporter tags")
        expect_raises(lambda: mlflow.log_feedback(trace_id=S["agent_trace"], name="x", value=1, source=HUMAN), "PERMISSION_DENIED", "a reporter logs feedback")
        os.environ["MLFLOW_TRACKING_TOKEN"] = outsider
        expect(mlflow.get_trace(S["agent_trace"]), None, "a non-member's get_trace")
    finally:
        os.environ["MLFLOW_TRACKING_TOKEN"] = admin


@wf.step("delete_traces by id and by time", "search_traces filters on status, tags, metadata, times; orders and pages")
def _():
    deleted = client.delete_traces(S["exp_id"], trace_ids=[S["error_trace"], S["manual_trace"]])
    expect(deleted, 2, "deleted by id")
    expect(mlflow.get_trace(S["error_trace"]), None, "get_trace of a deleted trace")
    left = len(mlflow.search_traces(locations=[S["exp_id"]], include_spans=False, return_type="list"))
    deleted = client.delete_traces(S["exp_id"], max_timestamp_millis=int(time.time() * 1000) + 1000)
    expect(deleted, left, "deleted by time")
    expect(mlflow.search_traces(locations=[S["exp_id"]], return_type="list"), [], "nothing left")


wf.finish()
