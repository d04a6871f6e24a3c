"""Tracking workflow (issue 3), run with the unmodified MLflow client against MLFLOW_TRACKING_URI.

Experiments, runs with tags, nested runs, params, metric histories, batches, search with filters,
order and paging, delete and restore, rename, datasets, logged models. Every step reads back what
it wrote and compares.
"""

import math
import re
import time

from common import Skip, Workflow, expect, expect_raises, mlflow_major, unique

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType

wf = Workflow("tracking")


def raw_post(endpoint: str, body: dict):
    """POSTs to the MLflow REST API directly, for limits the client would never let through."""
    import os

    import requests

    return requests.post(
        f"{os.environ['MLFLOW_TRACKING_URI']}/api/2.0/mlflow/{endpoint}",
        json=body,
        headers={"Authorization": f"Bearer {os.environ['MLFLOW_TRACKING_TOKEN']}"},
    )


client = MlflowClient()
S = wf.state
EXP = unique("client-tracking")
STEPS = 300


@wf.step("set_experiment creates, get_experiment_by_name finds it")
def _():
    exp = mlflow.set_experiment(EXP)
    S["exp_id"] = exp.experiment_id
    expect(exp.name, EXP, "name")
    expect(exp.lifecycle_stage, "active", "lifecycle_stage")
    again = client.get_experiment_by_name(EXP)
    expect(again.experiment_id, exp.experiment_id, "experiment_id by name")
    expect(client.get_experiment(exp.experiment_id).name, EXP, "get_experiment name")
    assert exp.creation_time and exp.creation_time > 1.6e12, f"creation_time ms: {exp.creation_time}"
    expect(mlflow.set_experiment(EXP).experiment_id, exp.experiment_id, "set_experiment again is the same")


@wf.step("create_experiment with a taken name is RESOURCE_ALREADY_EXISTS", "set_experiment creates, get_experiment_by_name finds it")
def _():
    expect_raises(lambda: client.create_experiment(EXP), "RESOURCE_ALREADY_EXISTS", "duplicate name")
    expect_raises(lambda: client.get_experiment("987654321"), "RESOURCE_DOES_NOT_EXIST", "missing id")
    expect(client.get_experiment_by_name(unique("nope")), None, "get_experiment_by_name of a missing name")


@wf.step("start_run with name, tags, description", "set_experiment creates, get_experiment_by_name finds it")
def _():
    run = mlflow.start_run(run_name="train-1", tags={"team": "ml", "stage": "dev"}, description="first run")
    S["run_id"] = run.info.run_id
    assert re.fullmatch(r"[0-9a-f]{32}", run.info.run_id), f"run_id {run.info.run_id!r}"
    expect(run.info.run_name, "train-1", "run_name")
    expect(run.info.status, "RUNNING", "status")
    expect(run.info.experiment_id, S["exp_id"], "experiment_id")
    expect(run.info.lifecycle_stage, "active", "lifecycle_stage")
    assert "/mlflow-artifacts/artifacts" in run.info.artifact_uri or run.info.artifact_uri.startswith(
        "mlflow-artifacts:"
    ), f"artifact_uri {run.info.artifact_uri!r}"
    for k, v in {"team": "ml", "stage": "dev", "mlflow.note.content": "first run", "mlflow.runName": "train-1"}.items():
        expect(run.data.tags.get(k), v, f"tag {k}")
    assert run.data.tags.get("mlflow.user"), "mlflow.user tag"


@wf.step("log_param, log_params; same value again accepted, other value refused", "start_run with name, tags, description")
def _():
    mlflow.log_param("lr", 0.01)
    mlflow.log_params({"optimizer": "adam", "epochs": 10, "layers": "[64, 32]", "empty": ""})
    mlflow.log_param("lr", 0.01)  # idempotent
    expect_raises(lambda: mlflow.log_param("lr", 0.5), "INVALID_PARAMETER_VALUE", "changing a param")
    long_value = "x" * 6000
    mlflow.log_param("long", long_value)
    params = client.get_run(S["run_id"]).data.params
    expect(params, {"lr": "0.01", "optimizer": "adam", "epochs": "10", "layers": "[64, 32]", "empty": "", "long": long_value}, "params")


@wf.step(f"log_metric over {STEPS} steps and log_metrics", "start_run with name, tags, description")
def _():
    base = int(time.time() * 1000)
    S["loss"] = [(1.0 / (i + 1), i, base + i) for i in range(STEPS)]
    for value, step, ts in S["loss"]:
        mlflow.log_metric("loss", value, step=step, timestamp=ts)
    for step in range(5):
        mlflow.log_metrics({"acc": 0.5 + step / 10, "f1": 0.4 + step / 10}, step=step)
    mlflow.log_metric("weird_nan", float("nan"))
    mlflow.log_metric("weird_inf", float("inf"))
    mlflow.log_metric("weird_ninf", float("-inf"))
    metrics = client.get_run(S["run_id"]).data.metrics
    expect(metrics["loss"], 1.0 / STEPS, "latest loss (largest step)")
    expect(metrics["acc"], 0.9, "latest acc")
    assert abs(metrics["f1"] - 0.8) < 1e-12, f"latest f1 {metrics['f1']}"
    assert math.isnan(metrics["weird_nan"]), f"NaN read back as {metrics['weird_nan']!r}"
    expect(metrics["weird_inf"], float("inf"), "Infinity")
    expect(metrics["weird_ninf"], float("-inf"), "-Infinity")


@wf.step("get_metric_history gives every point back", f"log_metric over {STEPS} steps and log_metrics")
def _():
    hist = client.get_metric_history(S["run_id"], "loss")
    got = sorted((m.value, m.step, m.timestamp) for m in hist)
    expect(len(got), STEPS, "history length")
    expect(got, sorted(S["loss"]), "history points")
    expect([m.key for m in hist[:1]], ["loss"], "history key")
    expect(client.get_metric_history(S["run_id"], "never-logged"), [], "history of a metric never logged")


@wf.step("log_batch of 1000 metrics, 100 params, 100 tags; a retried batch adds no points", "start_run with name, tags, description")
def _():
    ts = int(time.time() * 1000)
    metrics = [Metric(f"batch_m{i % 10}", float(i), ts, i // 10) for i in range(800)]
    params = [Param(f"bp{i}", str(i)) for i in range(100)]
    tags = [RunTag(f"bt{i}", f"v{i}") for i in range(100)]
    client.log_batch(S["run_id"], metrics=metrics, params=params, tags=tags)
    client.log_batch(S["run_id"], metrics=metrics[:50], params=params[:5], tags=tags[:5])  # a retry
    run = client.get_run(S["run_id"])
    for i in range(100):
        expect(run.data.params.get(f"bp{i}"), str(i), f"param bp{i}")
        expect(run.data.tags.get(f"bt{i}"), f"v{i}", f"tag bt{i}")
    expect(run.data.metrics.get("batch_m3"), 793.0, "latest batch_m3")
    hist = client.get_metric_history(S["run_id"], "batch_m3")
    expect(len(hist), 80, "batch_m3 points (a retried batch must not duplicate)")
    # The client splits big batches itself, so the server's limit is checked with a raw request.
    too_many = [{"key": f"tm{i}", "value": "v"} for i in range(101)]
    r = raw_post("runs/log-batch", {"run_id": S["run_id"], "params": too_many, "metrics": [], "tags": []})
    expect((r.status_code, r.json().get("error_code")), (400, "INVALID_PARAMETER_VALUE"), "log-batch of 101 params")
    expect("tm0" in client.get_run(S["run_id"]).data.params, False, "a refused batch wrote a param")


@wf.step("a history of 26000 points (log_batch) read back through get_metric_history's paging", "start_run with name, tags, description")
def _():
    ts = int(time.time() * 1000)
    n = 26000
    for chunk in range(0, n, 1000):
        client.log_batch(S["run_id"], metrics=[Metric("long", float(i) / 7, ts + i, i) for i in range(chunk, chunk + 1000)])
    hist = client.get_metric_history(S["run_id"], "long")  # the client asks for pages of 25000
    expect(len(hist), n, "points read back")
    expect(sorted((m.step, m.value, m.timestamp) for m in hist), [(i, float(i) / 7, ts + i) for i in range(n)], "every point")
    # the server's own paging with a small page size
    import os

    import requests

    seen, token = 0, None
    for _ in range(10):
        q = {"run_id": S["run_id"], "metric_key": "long", "max_results": 5000}
        if token:
            q["page_token"] = token
        r = requests.get(
            f"{os.environ['MLFLOW_TRACKING_URI']}/api/2.0/mlflow/metrics/get-history",
            params=q,
            headers={"Authorization": f"Bearer {os.environ['MLFLOW_TRACKING_TOKEN']}"},
        )
        r.raise_for_status()
        body = r.json()
        assert len(body["metrics"]) <= 5000, f"page of {len(body['metrics'])}"
        seen += len(body["metrics"])
        token = body.get("next_page_token")
        if not token:
            break
    expect(seen, n, "points over pages of 5000")


@wf.step("set_tag, set_tags, delete_tag", "start_run with name, tags, description")
def _():
    mlflow.set_tag("release", "v1")
    mlflow.set_tags({"release": "v2", "owner": "alice", "gitlab.CI_JOB_ID": "1234"})
    mlflow.set_tag("to-delete", "x")
    client.delete_tag(S["run_id"], "to-delete")
    tags = client.get_run(S["run_id"]).data.tags
    expect(tags.get("release"), "v2", "overwritten tag")
    expect(tags.get("owner"), "alice", "owner tag")
    expect(tags.get("gitlab.CI_JOB_ID"), "1234", "CI tag")
    expect("to-delete" in tags, False, "deleted tag gone")
    expect(tags.get("team"), "ml", "start_run tag kept")


@wf.step("nested run links to its parent", "start_run with name, tags, description")
def _():
    with mlflow.start_run(run_name="child", nested=True) as child:
        S["child_id"] = child.info.run_id
        mlflow.log_param("fold", 1)
        mlflow.log_metric("loss", 0.7)
    got = client.get_run(S["child_id"])
    expect(got.data.tags.get("mlflow.parentRunId"), S["run_id"], "mlflow.parentRunId")
    expect(got.info.status, "FINISHED", "child status after with-block")
    expect(mlflow.active_run().info.run_id, S["run_id"], "parent still active")
    children = mlflow.search_runs(
        experiment_ids=[S["exp_id"]], filter_string=f"tags.mlflow.parentRunId = '{S['run_id']}'", output_format="list"
    )
    expect([r.info.run_id for r in children], [S["child_id"]], "search by parentRunId")


@wf.step("end_run sets FINISHED and end_time", "start_run with name, tags, description")
def _():
    mlflow.end_run()
    info = client.get_run(S["run_id"]).info
    expect(info.status, "FINISHED", "status")
    assert info.end_time and info.end_time >= info.start_time, f"end_time {info.end_time} start {info.start_time}"
    expect(mlflow.active_run(), None, "no active run")


@wf.step("a run without a name gets one; run_name and mlflow.runName stay in step", "set_experiment creates, get_experiment_by_name finds it")
def _():
    with mlflow.start_run() as run:
        S["anon_id"] = run.info.run_id
        assert run.info.run_name, "a generated run_name"
        expect(run.data.tags.get("mlflow.runName"), run.info.run_name, "mlflow.runName tag")
    client.update_run(S["anon_id"], name="renamed-run")
    got = client.get_run(S["anon_id"])
    expect(got.info.run_name, "renamed-run", "run_name after update_run")
    expect(got.data.tags.get("mlflow.runName"), "renamed-run", "mlflow.runName after update_run")
    client.set_tag(S["anon_id"], "mlflow.runName", "by-tag")
    expect(client.get_run(S["anon_id"]).info.run_name, "by-tag", "run_name after setting mlflow.runName")


@wf.step("a grid of runs for search", "set_experiment creates, get_experiment_by_name finds it")
def _():
    S["grid"] = {}
    for i, (lr, opt) in enumerate([(0.1, "sgd"), (0.01, "adam"), (0.001, "adam"), (0.05, "sgd"), (0.02, "rmsprop")]):
        with mlflow.start_run(run_name=f"grid-{i}", tags={"kind": "grid", "parity": "even" if i % 2 == 0 else "odd"}) as r:
            mlflow.log_params({"lr": lr, "optimizer": opt})
            mlflow.log_metrics({"acc": 0.6 + i * 0.05, "loss": 1.0 - i * 0.1})
            S["grid"][f"grid-{i}"] = r.info.run_id
        time.sleep(0.01)


def grid_search(filter_string, order_by=None, **kw):
    runs = client.search_runs([S["exp_id"]], filter_string, order_by=order_by, **kw)
    return [r.info.run_name for r in runs]


@wf.step("search_runs: metrics, params, tags, attributes filters", "a grid of runs for search")
def _():
    expect(set(grid_search("tags.kind = 'grid'")), set(S["grid"]), "tags.kind = grid")
    expect(set(grid_search("tags.kind = 'grid' and metrics.acc > 0.7")), {"grid-3", "grid-4"}, "metrics.acc > 0.7")
    expect(set(grid_search("tags.kind = 'grid' and params.optimizer = 'adam'")), {"grid-1", "grid-2"}, "params.optimizer = adam")
    expect(set(grid_search("params.optimizer != 'adam' and tags.kind = 'grid'")), {"grid-0", "grid-3", "grid-4"}, "params !=")
    expect(set(grid_search("attributes.run_name LIKE 'grid-%' and tags.parity = 'odd'")), {"grid-1", "grid-3"}, "LIKE and tag")
    expect(set(grid_search("run_name ILIKE 'GRID-1%'")), {"grid-1"}, "ILIKE")
    expect(set(grid_search("params.optimizer IN ('sgd', 'rmsprop')")), {"grid-0", "grid-3", "grid-4"}, "IN")
    expect(set(grid_search("tags.kind = 'grid' and params.optimizer NOT IN ('sgd')")), {"grid-1", "grid-2", "grid-4"}, "NOT IN")
    expect(set(grid_search("tags.kind = 'grid' and metrics.loss <= 0.7 and metrics.loss >= 0.65")), {"grid-3"}, "metric range")
    expect(set(grid_search(f"attributes.run_id = '{S['grid']['grid-2']}'")), {"grid-2"}, "run_id")
    expect(set(grid_search("attributes.status = 'FINISHED' and tags.kind = 'grid'")), set(S["grid"]), "status")
    expect(set(grid_search("`tags`.`parity` = 'even' and \"params\".lr = '0.1'")), {"grid-0"}, "quoted identifiers")
    start = client.get_run(S["grid"]["grid-2"]).info.start_time
    expect(set(grid_search(f"tags.kind = 'grid' and attributes.start_time >= {start}")), {"grid-2", "grid-3", "grid-4"}, "start_time")


@wf.step("search_runs: order_by and paging", "a grid of runs for search")
def _():
    expect(grid_search("tags.kind = 'grid'", order_by=["metrics.acc DESC"]), [f"grid-{i}" for i in (4, 3, 2, 1, 0)], "acc DESC")
    expect(grid_search("tags.kind = 'grid'", order_by=["params.lr ASC"]), ["grid-2", "grid-1", "grid-4", "grid-3", "grid-0"], "lr ASC (string order)")
    expect(
        grid_search("tags.kind = 'grid'", order_by=["params.optimizer ASC", "metrics.acc DESC"]),
        ["grid-2", "grid-1", "grid-4", "grid-3", "grid-0"],
        "two keys",
    )
    expect(grid_search("tags.kind = 'grid'", order_by=["attributes.start_time ASC"]), [f"grid-{i}" for i in range(5)], "start_time ASC")
    expect(grid_search("tags.kind = 'grid'"), [f"grid-{i}" for i in (4, 3, 2, 1, 0)], "default order: start_time DESC")
    seen, token = [], None
    while True:
        page = client.search_runs([S["exp_id"]], "tags.kind = 'grid'", max_results=2, page_token=token, order_by=["metrics.acc ASC"])
        assert len(page) <= 2, f"page of {len(page)}"
        seen += [r.info.run_name for r in page]
        token = page.token
        if not token:
            break
        assert len(seen) < 10, "paging does not end"
    expect(seen, [f"grid-{i}" for i in range(5)], "pages of 2 in order")
    df = mlflow.search_runs([S["exp_id"]], "tags.kind = 'grid'", order_by=["metrics.acc DESC"])
    expect(list(df["tags.mlflow.runName"]), [f"grid-{i}" for i in (4, 3, 2, 1, 0)], "fluent search_runs DataFrame")
    expect(list(df["params.optimizer"])[:2], ["rmsprop", "sgd"], "DataFrame params column")


@wf.step("search_runs beyond MLflow: OR and parentheses", "a grid of runs for search")
def _():
    expect(
        set(grid_search("tags.kind = 'grid' and (tags.parity = 'odd' or params.optimizer = 'rmsprop')")),
        {"grid-1", "grid-3", "grid-4"},
        "AND over a parenthesised OR",
    )
    expect(set(grid_search("attributes.run_name = 'grid-0' OR attributes.run_name = 'grid-2'")), {"grid-0", "grid-2"}, "OR")


@wf.step("search_runs: max_results over 50000 is INVALID_PARAMETER_VALUE (raw request)", "a grid of runs for search")
def _():
    r = raw_post("runs/search", {"experiment_ids": [S["exp_id"]], "max_results": 50001})
    expect((r.status_code, r.json().get("error_code")), (400, "INVALID_PARAMETER_VALUE"), "max_results 50001")
    r = raw_post("runs/search", {"experiment_ids": [S["exp_id"]], "max_results": 50000, "filter": "tags.kind = 'grid'"})
    expect((r.status_code, len(r.json().get("runs", []))), (200, 5), "max_results 50000")


@wf.step("search_runs: malformed filter is INVALID_PARAMETER_VALUE", "a grid of runs for search")
def _():
    # MLflow's client parses filters itself for some calls; send through the REST client to reach the server.
    for bad in ["metrics.acc >>> 1", "params.x = 'unterminated", "nonsense"]:
        expect_raises(lambda: client.search_runs([S["exp_id"]], bad), "INVALID_PARAMETER_VALUE", f"filter {bad!r}")


@wf.step("delete_run and restore_run with view types", "a grid of runs for search")
def _():
    victim = S["grid"]["grid-0"]
    client.delete_run(victim)
    expect(client.get_run(victim).info.lifecycle_stage, "deleted", "lifecycle_stage after delete")
    expect("grid-0" in grid_search("tags.kind = 'grid'"), False, "deleted run in ACTIVE_ONLY")
    expect(grid_search("tags.kind = 'grid'", run_view_type=ViewType.DELETED_ONLY), ["grid-0"], "DELETED_ONLY")
    expect(len(grid_search("tags.kind = 'grid'", run_view_type=ViewType.ALL)), 5, "ALL")
    client.restore_run(victim)
    expect(client.get_run(victim).info.lifecycle_stage, "active", "lifecycle_stage after restore")
    expect("grid-0" in grid_search("tags.kind = 'grid'"), True, "restored run back")
    expect(client.get_run(victim).data.params.get("optimizer"), "sgd", "data kept through delete")


@wf.step("log_input with a dataset; search by datasets.name", "a grid of runs for search")
def _():
    import pandas as pd

    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0]})
    ds = mlflow.data.from_pandas(df, name="train-set", targets="y")
    with mlflow.start_run(run_name="with-data") as r:
        mlflow.log_input(ds, context="training")
    got = client.get_run(r.info.run_id)
    inputs = got.inputs.dataset_inputs
    expect(len(inputs), 1, "dataset inputs")
    expect(inputs[0].dataset.name, "train-set", "dataset name")
    expect(inputs[0].dataset.digest, ds.digest, "dataset digest")
    expect({t.key: t.value for t in inputs[0].tags}.get("mlflow.data.context"), "training", "context tag")
    expect(grid_search("datasets.name = 'train-set'"), ["with-data"], "datasets.name filter")
    expect(grid_search("datasets.context = 'training'"), ["with-data"], "datasets.context filter")


@wf.step("search_experiments: filter, order, paging; rename; tags", "set_experiment creates, get_experiment_by_name finds it")
def _():
    prefix = unique("se")
    ids = [client.create_experiment(f"{prefix}-{c}", tags={"letter": c}) for c in "cab"]
    got = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name ASC"])
    expect([e.name for e in got], [f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"], "by name ASC")
    got = client.search_experiments(filter_string=f"name LIKE '{prefix}-%' and tags.letter = 'b'")
    expect([e.experiment_id for e in got], [ids[2]], "tag filter")
    got = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["creation_time DESC"])
    expect([e.experiment_id for e in got], ids[::-1] if len({client.get_experiment(i).creation_time for i in ids}) == 3 else [e.experiment_id for e in got], "creation_time DESC")
    page1 = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", max_results=2, order_by=["name ASC"])
    expect(len(page1), 2, "page size")
    assert page1.token, "a next page token"
    page2 = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", max_results=2, order_by=["name ASC"], page_token=page1.token)
    expect([e.name for e in page2], [f"{prefix}-c"], "second page")
    client.rename_experiment(ids[0], f"{prefix}-renamed")
    expect(client.get_experiment(ids[0]).name, f"{prefix}-renamed", "renamed")
    expect(client.get_experiment_by_name(f"{prefix}-c"), None, "old name gone")
    client.set_experiment_tag(ids[0], "note", "hello")
    expect(client.get_experiment(ids[0]).tags.get("note"), "hello", "experiment tag")
    if hasattr(client, "delete_experiment_tag"):  # not in 2.x clients
        client.delete_experiment_tag(ids[0], "note")
        expect("note" in client.get_experiment(ids[0]).tags, False, "experiment tag deleted")
    S["se_ids"] = ids
    S["se_prefix"] = prefix


@wf.step("delete_experiment and restore_experiment", "search_experiments: filter, order, paging; rename; tags")
def _():
    eid = S["se_ids"][1]
    client.delete_experiment(eid)
    expect(client.get_experiment(eid).lifecycle_stage, "deleted", "deleted")
    active = client.search_experiments(filter_string=f"name LIKE '{S['se_prefix']}-%'")
    expect(eid in [e.experiment_id for e in active], False, "deleted experiment left ACTIVE_ONLY")
    deleted = client.search_experiments(view_type=ViewType.DELETED_ONLY, filter_string=f"name LIKE '{S['se_prefix']}-%'")
    expect([e.experiment_id for e in deleted], [eid], "DELETED_ONLY")
    client.restore_experiment(eid)
    expect(client.get_experiment(eid).lifecycle_stage, "active", "restored")


@wf.step("logged model: initialize, params, tags, finalize, get, search, delete", "start_run with name, tags, description")
def _():
    if mlflow_major() < 3:
        raise Skip("logged models are MLflow 3")
    from mlflow.entities import LoggedModelStatus

    model = mlflow.initialize_logged_model(
        name="clf", source_run_id=S["run_id"], tags={"framework": "none"}, params={"alpha": "0.5"}, experiment_id=S["exp_id"]
    )
    S["model_id"] = model.model_id
    expect(model.name, "clf", "name")
    expect(model.status, LoggedModelStatus.PENDING, "status after initialize")
    expect(model.source_run_id, S["run_id"], "source_run_id")
    client.log_model_params(model.model_id, {"beta": "2"})
    client.set_logged_model_tags(model.model_id, {"stage": "test", "gone": "x"})
    client.delete_logged_model_tag(model.model_id, "gone")
    done = mlflow.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
    expect(done.status, LoggedModelStatus.READY, "status after finalize")
    got = mlflow.get_logged_model(model.model_id)
    expect(got.params, {"alpha": "0.5", "beta": "2"}, "params")
    expect({k: v for k, v in got.tags.items() if not k.startswith("mlflow.")}, {"framework": "none", "stage": "test"}, "tags")
    expect(got.experiment_id, S["exp_id"], "experiment_id")
    found = mlflow.search_logged_models(experiment_ids=[S["exp_id"]], filter_string="name = 'clf'", output_format="list")
    expect([m.model_id for m in found], [model.model_id], "search_logged_models by name")
    client.delete_logged_model(model.model_id)
    found = mlflow.search_logged_models(experiment_ids=[S["exp_id"]], output_format="list")
    expect(model.model_id in [m.model_id for m in found], False, "deleted model left the search")


@wf.step("errors: missing run is RESOURCE_DOES_NOT_EXIST; limits are INVALID_PARAMETER_VALUE", "start_run with name, tags, description")
def _():
    expect_raises(lambda: client.get_run("0" * 32), "RESOURCE_DOES_NOT_EXIST", "missing run")
    expect_raises(lambda: client.log_param(S["run_id"], "k" * 251, "v"), "INVALID_PARAMETER_VALUE", "key of 251")
    expect_raises(lambda: client.set_tag(S["run_id"], "big", "v" * 8001), "INVALID_PARAMETER_VALUE", "tag value of 8001")
    # The client checks some limits itself; the server must too.
    for endpoint, body, what in [
        ("runs/log-parameter", {"run_id": S["run_id"], "key": "k" * 251, "value": "v"}, "key of 251"),
        ("runs/log-parameter", {"run_id": S["run_id"], "key": "p6001", "value": "v" * 6001}, "param value of 6001"),
        ("runs/set-tag", {"run_id": S["run_id"], "key": "t", "value": "v" * 8001}, "tag value of 8001"),
        ("experiments/create", {"name": "e" * 501}, "experiment name of 501"),
        ("runs/log-metric", {"run_id": S["run_id"], "key": "m", "value": "abc", "timestamp": 1, "step": 0}, "metric value not a number"),
    ]:
        r = raw_post(endpoint, body)
        expect((r.status_code, r.json().get("error_code")), (400, "INVALID_PARAMETER_VALUE"), f"raw {endpoint} {what}")


@wf.step("keys with '/', '.', '-' and spaces; int64 steps; backticked search", "set_experiment creates, get_experiment_by_name finds it")
def _():
    with mlflow.start_run(run_name="odd-keys") as run:
        mlflow.log_metric("train/loss", 0.25, step=2**40)
        mlflow.log_metric("train/loss", 0.5, step=-3)
        mlflow.log_metric("eval acc.top-1", 0.75)
        mlflow.log_param("model/depth", 12)
        mlflow.set_tag("a.b c", "x y")
    got = client.get_run(run.info.run_id).data
    expect(got.metrics, {"train/loss": 0.25, "eval acc.top-1": 0.75}, "metrics")
    expect(got.params, {"model/depth": "12"}, "params")
    expect(got.tags.get("a.b c"), "x y", "tag")
    hist = client.get_metric_history(run.info.run_id, "train/loss")
    expect(sorted(m.step for m in hist), [-3, 2**40], "int64 steps read back")
    expect(grid_search("metrics.`train/loss` < 0.3 and params.`model/depth` = '12'"), ["odd-keys"], "backticked keys")
    expect(grid_search('tags."a.b c" = \'x y\''), ["odd-keys"], "double-quoted tag key")


@wf.step("search_runs over several experiments, by experiment_names", "a grid of runs for search")
def _():
    other = mlflow.set_experiment(unique("second-exp"))
    with mlflow.start_run(run_name="other-exp-run", tags={"kind": "grid"}):
        mlflow.log_metric("acc", 0.99)
    mlflow.set_experiment(EXP)
    both = client.search_runs([S["exp_id"], other.experiment_id], "tags.kind = 'grid'", order_by=["metrics.acc DESC"])
    expect([r.info.run_name for r in both][:2], ["other-exp-run", "grid-4"], "runs of both experiments, ordered together")
    df = mlflow.search_runs(experiment_names=[EXP, other.name], filter_string="tags.kind = 'grid'")
    expect(len(df), 6, "fluent search by experiment_names")


@wf.step("asynchronous logging (MLFLOW_ENABLE_ASYNC_LOGGING) reads back complete", "set_experiment creates, get_experiment_by_name finds it")
def _():
    with mlflow.start_run(run_name="async") as run:
        for i in range(500):
            mlflow.log_metric("async_m", float(i), step=i, synchronous=False)
        for i in range(50):
            mlflow.log_param(f"ap{i}", i, synchronous=False)
            mlflow.set_tag(f"at{i}", i, synchronous=False)
        mlflow.flush_async_logging()
    hist = client.get_metric_history(run.info.run_id, "async_m")
    expect(sorted((m.step, m.value) for m in hist), [(i, float(i)) for i in range(500)], "async metric history")
    data = client.get_run(run.info.run_id).data
    expect(sum(1 for k in data.params if k.startswith("ap")), 50, "async params")
    expect(sum(1 for k in data.tags if k.startswith("at")), 50, "async tags")


@wf.step("concurrent log_batch from 4 threads to one run: history complete, latest is the largest step", "set_experiment creates, get_experiment_by_name finds it")
def _():
    from concurrent.futures import ThreadPoolExecutor

    run = client.create_run(S["exp_id"], run_name="concurrent")
    ts = int(time.time() * 1000)

    def worker(w):
        for chunk in range(5):
            steps = range(w * 250 + chunk * 50, w * 250 + chunk * 50 + 50)
            client.log_batch(run.info.run_id, metrics=[Metric("shared", float(s), ts + s, s) for s in steps])
            client.log_batch(run.info.run_id, params=[Param(f"w{w}c{chunk}", str(w))])

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(worker, range(4)))
    hist = client.get_metric_history(run.info.run_id, "shared")
    expect(sorted(m.step for m in hist), list(range(1000)), "every point, once")
    got = client.get_run(run.info.run_id).data
    expect(got.metrics.get("shared"), 999.0, "latest value is the largest step's")
    expect(len(got.params), 20, "params from every thread")
    client.set_terminated(run.info.run_id)


@wf.step("sklearn autolog: params, metrics, model artifacts, dataset input", "set_experiment creates, get_experiment_by_name finds it")
def _():
    try:
        import mlflow.pyfunc  # autolog logs the model through pyfunc (MLflow 3's needs pydantic 2)
        import mlflow.sklearn
        from sklearn.linear_model import LogisticRegression
    except ImportError as e:
        raise Skip(f"mlflow.sklearn does not import here ({e})") from None
    import numpy as np

    mlflow.sklearn.autolog(log_input_examples=False, silent=True)
    try:
        X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1]] * 10)
        y = np.array([0, 1, 0, 1] * 10)
        with mlflow.start_run(run_name="autolog") as run:
            LogisticRegression(C=0.5, max_iter=50).fit(X, y)
    finally:
        mlflow.sklearn.autolog(disable=True)
    got = client.get_run(run.info.run_id)
    expect((got.data.params.get("C"), got.data.params.get("max_iter")), ("0.5", "50"), "autologged params")
    expect(got.data.metrics.get("training_accuracy_score"), 1.0, "autologged training accuracy")
    files = [f.path for f in client.list_artifacts(run.info.run_id, "model")]
    if not files and mlflow_major() >= 3:  # MLflow 3 logs the model as a logged model
        models = mlflow.search_logged_models(experiment_ids=[S["exp_id"]], output_format="list")
        assert any(m.source_run_id == run.info.run_id for m in models), "no logged model for the autolog run"
    else:
        assert "model/MLmodel" in files, f"model artifacts: {files}"
    assert got.inputs.dataset_inputs, "autolog records the training dataset"


@wf.step("access: a reporter reads but may not write (PERMISSION_DENIED); a non-member sees nothing", "start_run with name, tags, description")
def _():
    import os

    import requests

    uri, admin = os.environ["MLFLOW_TRACKING_URI"], os.environ["MLFLOW_TRACKING_TOKEN"]
    base = uri.split("/api/v4/projects/")[0] + "/api/v4"
    project_id = uri.split("/api/v4/projects/")[1].split("/")[0]
    h = {"Authorization": f"Bearer {admin}"}

    def user_token(level):
        name = unique("u").replace("-", "")
        r = requests.post(f"{base}/users", headers=h, json={"username": name, "name": name, "email": f"{name}@example.com", "password": "a-long-password-1"})
        assert r.status_code == 201, f"create user: {r.status_code} {r.text[:200]}"
        user_id = r.json()["id"]
        if level:
            r = requests.post(f"{base}/projects/{project_id}/members", headers=h, json={"user_id": user_id, "access_level": level})
            assert r.status_code == 201, f"add member: {r.status_code} {r.text[:200]}"
        r = requests.post(f"{base}/users/{user_id}/personal_access_tokens", headers=h, json={"name": "client", "scopes": ["api"]})
        assert r.status_code == 201, f"create token: {r.status_code} {r.text[:200]}"
        return r.json()["token"]

    reporter, outsider = user_token(20), user_token(None)
    try:
        os.environ["MLFLOW_TRACKING_TOKEN"] = reporter
        as_reporter = MlflowClient()
        expect(as_reporter.get_run(S["run_id"]).data.params.get("lr"), "0.01", "a reporter reads the run")
        expect(len(as_reporter.search_runs([S["exp_id"]], "tags.kind = 'grid'")), 5, "a reporter searches")
        expect_raises(lambda: as_reporter.log_param(S["run_id"], "by-reporter", "x"), "PERMISSION_DENIED", "a reporter logs a param")
        expect_raises(lambda: as_reporter.create_experiment(unique("by-reporter")), "PERMISSION_DENIED", "a reporter creates an experiment")
        os.environ["MLFLOW_TRACKING_TOKEN"] = outsider
        as_outsider = MlflowClient()
        from mlflow.exceptions import MlflowException

        try:
            as_outsider.get_run(S["run_id"])
            raise AssertionError("a non-member read a run")
        except MlflowException as e:
            assert e.error_code in ("RESOURCE_DOES_NOT_EXIST", "ENDPOINT_NOT_FOUND", "NOT_FOUND"), f"non-member: {e.error_code}: {e}"
    finally:
        os.environ["MLFLOW_TRACKING_TOKEN"] = admin
    expect("by-reporter" in client.get_run(S["run_id"]).data.params, False, "nothing written by the reporter")


@wf.step("a tracking URI with a trailing slash works", "start_run with name, tags, description")
def _():
    import os

    uri = os.environ["MLFLOW_TRACKING_URI"]
    expect(MlflowClient(uri + "/").get_run(S["run_id"]).info.run_name, "train-1", "get_run via .../ml/mlflow/")


@wf.step("project by url-encoded path; basic auth with username and token", "start_run with name, tags, description")
def _():
    import os

    import requests

    uri, token = os.environ["MLFLOW_TRACKING_URI"], os.environ["MLFLOW_TRACKING_TOKEN"]
    base = uri.split("/api/v4/projects/")[0]
    project_id = uri.split("/api/v4/projects/")[1].split("/")[0]
    project = requests.get(f"{base}/api/v4/projects/{project_id}", headers={"Authorization": f"Bearer {token}"}).json()
    encoded = project["path_with_namespace"].replace("/", "%2F")
    try:
        mlflow.set_tracking_uri(f"{base}/api/v4/projects/{encoded}/ml/mlflow")
        by_path = MlflowClient()
        expect(by_path.get_run(S["run_id"]).info.run_name, "train-1", "get_run through the encoded path")
        exp = mlflow.set_experiment(unique("by-path"))
        with mlflow.start_run() as run:
            mlflow.log_param("via", "path")
        expect(by_path.get_run(run.info.run_id).data.params, {"via": "path"}, "a run logged through the encoded path")
        expect(MlflowClient(uri).get_experiment(exp.experiment_id).name, exp.name, "same project through the id")
    finally:
        mlflow.set_tracking_uri(uri)
    os.environ.pop("MLFLOW_TRACKING_TOKEN")
    os.environ["MLFLOW_TRACKING_USERNAME"] = "root"
    os.environ["MLFLOW_TRACKING_PASSWORD"] = token
    try:
        expect(MlflowClient().get_run(S["run_id"]).info.run_name, "train-1", "get_run with basic auth")
        os.environ["MLFLOW_TRACKING_PASSWORD"] = "wrong"
        expect_raises(lambda: MlflowClient().get_run(S["run_id"]), "UNAUTHENTICATED", "a wrong token")
    finally:
        os.environ.pop("MLFLOW_TRACKING_USERNAME")
        os.environ.pop("MLFLOW_TRACKING_PASSWORD")
        os.environ["MLFLOW_TRACKING_TOKEN"] = token


@wf.step("a traced function works beside tracking; search_traces answers cleanly (tracing.py judges tracing)", "set_experiment creates, get_experiment_by_name finds it")
def _():
    if not hasattr(client, "search_traces"):
        raise Skip("no tracing in this client")

    @mlflow.trace
    def add(a, b):
        return a + b

    expect(add(2, 3), 5, "traced function result")
    from mlflow.exceptions import MlflowException

    try:
        client.search_traces(experiment_ids=[S["exp_id"]])
    except MlflowException as e:
        assert e.error_code in ("ENDPOINT_NOT_FOUND", "NOT_IMPLEMENTED", "FEATURE_DISABLED"), f"error_code {e.error_code}: {e}"
    else:
        pass  # a server may answer an empty list: that is clean too


wf.finish()
