"""Registry workflow (issue 5), run with the unmodified MLflow client against MLFLOW_TRACKING_URI.

Registers a model from a run (`runs:/<id>/model`, both MLflow 2 style with the model in the run's
artifacts and MLflow 3 style through a logged model), adds versions, sets and resolves aliases
(`models:/name@champion`), searches, downloads a version's artifacts, updates descriptions and
tags, and deletes. Every step reads back what it wrote.

(MLflow 3's `mlflow.pyfunc` needs pydantic 2, which Debian 12 lacks: the model files are written by
hand and logged as MLflow 3 does: initialize_logged_model, log_model_artifacts, finalize. With a
2.x client, whose pyfunc imports, a real `mlflow.pyfunc.log_model` / `load_model` step runs too.)
"""

import hashlib
import os
import tempfile
import time

from common import Skip, Workflow, expect, expect_raises, mlflow_major, unique

import mlflow
from mlflow import MlflowClient

wf = Workflow("registry")
client = MlflowClient()
S = wf.state
NAME = unique("client-model")
WORK = tempfile.mkdtemp(prefix="ft-registry-")


def model_dir(tag: str) -> str:
    """A small MLflow model directory (MLmodel, weights, requirements) that differs by `tag`."""
    d = tempfile.mkdtemp(dir=WORK, prefix=f"model-{tag}-")
    with open(os.path.join(d, "MLmodel"), "w") as f:
        f.write(f"artifact_path: model\nflavors:\n  custom:\n    version: '{tag}'\nmodel_uuid: {tag}\n")
    with open(os.path.join(d, "weights.bin"), "wb") as f:
        f.write(hashlib.sha256(tag.encode()).digest() * 1000)
    os.makedirs(os.path.join(d, "code"))
    with open(os.path.join(d, "code", "predict.py"), "w") as f:
        f.write(f"VERSION = {tag!r}\n")
    return d


def hashes(root: str) -> dict[str, str]:
    """SHA-256 of every file under root; the client's own `registered_model_meta` (written when
    it downloads a models:/ URI) is left out."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name == "registered_model_meta" and dirpath == root:
                continue
            full = os.path.join(dirpath, name)
            with open(full, "rb") as f:
                out[os.path.relpath(full, root)] = hashlib.sha256(f.read()).hexdigest()
    return out


@wf.step("a run with a model in its artifacts (MLflow 2 style)")
def _():
    mlflow.set_experiment(unique("client-registry"))
    with mlflow.start_run(run_name="train-a") as run:
        S["run_a"] = run.info.run_id
        S["dir_a"] = model_dir("a")
        mlflow.log_artifacts(S["dir_a"], artifact_path="model")
    names = [f.path for f in client.list_artifacts(S["run_a"], "model")]
    expect(sorted(names), ["model/MLmodel", "model/code", "model/weights.bin"], "run artifacts")


@wf.step("register_model('runs:/<id>/model') creates the model and version 1", "a run with a model in its artifacts (MLflow 2 style)")
def _():
    mv = mlflow.register_model(f"runs:/{S['run_a']}/model", NAME, tags={"origin": "run-artifacts"})
    expect(mv.name, NAME, "name")
    expect(str(mv.version), "1", "version")
    expect(mv.run_id, S["run_a"], "run_id")
    expect(mv.status, "READY", "status")
    expect(mv.tags.get("origin"), "run-artifacts", "version tag")
    print(f"      source = {mv.source}")
    rm = client.get_registered_model(NAME)
    expect(rm.name, NAME, "registered model name")
    expect([str(v.version) for v in rm.latest_versions], ["1"], "latest_versions")


@wf.step("a logged model in a run (MLflow 3 style); register_model('runs:/<id>/model') is version 2", "register_model('runs:/<id>/model') creates the model and version 1")
def _():
    S["dir_b"] = model_dir("b")
    with mlflow.start_run(run_name="train-b") as run:
        S["run_b"] = run.info.run_id
        if mlflow_major() >= 3:
            from mlflow.entities import LoggedModelStatus

            model = mlflow.initialize_logged_model(name="model", source_run_id=run.info.run_id)
            client.log_model_artifacts(model.model_id, S["dir_b"])
            mlflow.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
            S["model_b"] = model.model_id
        else:  # MLflow 2: the model lives in the run's artifacts
            mlflow.log_artifacts(S["dir_b"], artifact_path="model")
    mv = mlflow.register_model(f"runs:/{S['run_b']}/model", NAME)
    expect(str(mv.version), "2", "version")
    expect(mv.run_id, S["run_b"], "run_id")
    print(f"      source = {mv.source}")
    if mlflow_major() >= 3:
        tags = client.get_logged_model(S["model_b"]).tags
        assert NAME in tags.get("mlflow.modelVersions", ""), f"logged model tags {tags}"


@wf.step("register_model('models:/<model_id>') and create_model_version make versions 3 and 4", "a logged model in a run (MLflow 3 style); register_model('runs:/<id>/model') is version 2")
def _():
    if mlflow_major() >= 3:
        mv = mlflow.register_model(f"models:/{S['model_b']}", NAME)
    else:
        mv = mlflow.register_model(f"runs:/{S['run_b']}/model", NAME)
    expect(str(mv.version), "3", "version from models:/<model_id> (MLflow 3) or the same run again (2.x)")
    mv = client.create_model_version(NAME, f"runs:/{S['run_a']}/model", run_id=S["run_a"], description="made directly", tags={"k": "v"})
    expect(str(mv.version), "4", "version from create_model_version")
    expect(mv.description, "made directly", "description")
    got = client.get_model_version(NAME, "4")
    expect((got.run_id, got.description, got.tags, got.status), (S["run_a"], "made directly", {"k": "v"}, "READY"), "get_model_version")


@wf.step("create_model_version from an http artifact URI of this project", "register_model('models:/<model_id>') and create_model_version make versions 3 and 4")
def _():
    uri = client.get_run(S["run_a"]).info.artifact_uri + "/model"
    client.create_registered_model(NAME + "-src")
    mv = client.create_model_version(NAME + "-src", uri, run_id=S["run_a"])
    expect(str(mv.version), "1", "version")
    expect(mv.source, uri, "source kept")
    dst = mlflow.artifacts.download_artifacts(f"models:/{NAME}-src/1", dst_path=tempfile.mkdtemp(dir=WORK))
    expect(hashes(dst), hashes(S["dir_a"]), "download")
    client.delete_registered_model(NAME + "-src")


@wf.step("aliases: set, get, models:/name@champion, move, delete", "register_model('models:/<model_id>') and create_model_version make versions 3 and 4")
def _():
    client.set_registered_model_alias(NAME, "champion", "2")
    client.set_registered_model_alias(NAME, "challenger", "1")
    expect(str(client.get_model_version_by_alias(NAME, "champion").version), "2", "champion -> 2")
    expect(client.get_registered_model(NAME).aliases, {"champion": "2", "challenger": "1"}, "registered model aliases")
    expect(client.get_model_version(NAME, "2").aliases, ["champion"], "version aliases")
    dst = mlflow.artifacts.download_artifacts(f"models:/{NAME}@champion", dst_path=tempfile.mkdtemp(dir=WORK))
    expect(hashes(dst), hashes(S["dir_b"]), "models:/name@champion downloads version 2's files")
    client.set_registered_model_alias(NAME, "champion", "1")
    expect(str(client.get_model_version_by_alias(NAME, "champion").version), "1", "champion moved to 1")
    expect(client.get_model_version(NAME, "2").aliases, [], "version 2 lost the alias")
    dst = mlflow.artifacts.download_artifacts(f"models:/{NAME}@champion", dst_path=tempfile.mkdtemp(dir=WORK))
    expect(hashes(dst), hashes(S["dir_a"]), "models:/name@champion now downloads version 1's files")
    client.delete_registered_model_alias(NAME, "challenger")
    expect(client.get_registered_model(NAME).aliases, {"champion": "1"}, "challenger deleted")
    # MLflow answers a missing alias with INVALID_PARAMETER_VALUE (sqlalchemy_store.py, "Registered model alias ... not found.")
    expect_raises(lambda: client.get_model_version_by_alias(NAME, "challenger"), "INVALID_PARAMETER_VALUE", "deleted alias")
    for bad in ("latest", "v12", "has space"):
        expect_raises(lambda: client.set_registered_model_alias(NAME, bad, "1"), "INVALID_PARAMETER_VALUE", f"alias {bad!r}")


@wf.step("download a version's artifacts: models:/name/<v>, get_model_version_download_uri", "register_model('models:/<model_id>') and create_model_version make versions 3 and 4")
def _():
    for version, src in (("1", "dir_a"), ("2", "dir_b"), ("3", "dir_b"), ("4", "dir_a")):
        dst = mlflow.artifacts.download_artifacts(f"models:/{NAME}/{version}", dst_path=tempfile.mkdtemp(dir=WORK))
        expect(hashes(dst), hashes(S[src]), f"models:/{NAME}/{version}")
    uri = client.get_model_version_download_uri(NAME, "1")
    print(f"      download uri v1 = {uri}")
    dst = mlflow.artifacts.download_artifacts(uri, dst_path=tempfile.mkdtemp(dir=WORK))
    expect(hashes(dst), hashes(S["dir_a"]), "download from get_model_version_download_uri")
    dst = mlflow.artifacts.download_artifacts(f"models:/{NAME}/latest", dst_path=tempfile.mkdtemp(dir=WORK))
    expect(hashes(dst), hashes(S["dir_a"]), "models:/name/latest is version 4")


@wf.step("search_registered_models and search_model_versions", "register_model('models:/<model_id>') and create_model_version make versions 3 and 4")
def _():
    prefix = unique("srch")
    for c in "cab":
        client.create_registered_model(f"{prefix}-{c}", tags={"letter": c}, description=f"model {c}")
    got = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%'", order_by=["name ASC"])
    expect([m.name for m in got], [f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"], "LIKE, name ASC")
    got = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"], max_results=2)
    expect([m.name for m in got], [f"{prefix}-c", f"{prefix}-b"], "name DESC, page 1")
    assert got.token, "a next page token"
    got = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"], max_results=2, page_token=got.token)
    expect([m.name for m in got], [f"{prefix}-a"], "page 2")
    got = client.search_registered_models(filter_string=f"name ILIKE '{prefix.upper()}-%' and tags.letter = 'b'")
    expect([m.name for m in got], [f"{prefix}-b"], "ILIKE and tag")
    expect(client.get_registered_model(f"{prefix}-b").description, "model b", "description on create")
    got = client.search_model_versions(f"name = '{NAME}'", order_by=["version_number DESC"])
    expect([str(v.version) for v in got], ["4", "3", "2", "1"], "versions of the model")
    got = client.search_model_versions(f"name = '{NAME}' and run_id = '{S['run_a']}'")
    expect(sorted(str(v.version) for v in got), ["1", "4"], "versions by run_id")
    got = client.search_model_versions(f"name = '{NAME}' and tags.k = 'v'")
    expect([str(v.version) for v in got], ["4"], "versions by tag")
    got = mlflow.search_registered_models(filter_string=f"name = '{NAME}'")
    expect([m.name for m in got], [NAME], "fluent search_registered_models")


@wf.step("update descriptions and tags on models and versions", "register_model('models:/<model_id>') and create_model_version make versions 3 and 4")
def _():
    client.update_registered_model(NAME, description="the classifier")
    expect(client.get_registered_model(NAME).description, "the classifier", "model description")
    client.update_model_version(NAME, "2", description="MLflow 3 style")
    expect(client.get_model_version(NAME, "2").description, "MLflow 3 style", "version description")
    client.set_registered_model_tag(NAME, "team", "vision")
    client.set_registered_model_tag(NAME, "tmp", "x")
    client.delete_registered_model_tag(NAME, "tmp")
    expect(client.get_registered_model(NAME).tags, {"team": "vision"}, "model tags")
    client.set_model_version_tag(NAME, "2", "validated", "yes")
    client.delete_model_version_tag(NAME, "4", "k")
    expect(client.get_model_version(NAME, "2").tags.get("validated"), "yes", "version tag")
    expect(client.get_model_version(NAME, "4").tags, {}, "version tag deleted")
    before = client.get_registered_model(NAME).last_updated_timestamp
    time.sleep(0.01)
    client.update_registered_model(NAME, description="the classifier v2")
    assert client.get_registered_model(NAME).last_updated_timestamp >= before, "last_updated_timestamp moves"


@wf.step("transition_model_version_stage and get_latest_versions (deprecated, still called)", "register_model('models:/<model_id>') and create_model_version make versions 3 and 4")
def _():
    mv = client.transition_model_version_stage(NAME, "3", "Staging")
    expect(mv.current_stage, "Staging", "stage")
    latest = client.get_latest_versions(NAME, stages=["Staging"])
    expect([str(v.version) for v in latest], ["3"], "latest Staging")
    latest = client.get_latest_versions(NAME, stages=["None"])
    expect([str(v.version) for v in latest], ["4"], "latest None")


@wf.step("mlflow.pyfunc.log_model, register, load_model('models:/name@prod').predict")
def _():
    try:
        import mlflow.pyfunc
    except ImportError as e:
        raise Skip(f"mlflow.pyfunc does not import here ({e}); MLflow 3 needs pydantic 2") from None

    class AddN(mlflow.pyfunc.PythonModel):
        def __init__(self, n):
            self.n = n

        def predict(self, context, model_input, params=None):
            return model_input + self.n

    import pandas as pd

    name = NAME + "-pyfunc"
    with mlflow.start_run(run_name="pyfunc") as run:
        mlflow.pyfunc.log_model("model", python_model=AddN(5), pip_requirements=["pandas"])
    mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
    client.set_registered_model_alias(name, "prod", mv.version)
    loaded = mlflow.pyfunc.load_model(f"models:/{name}@prod")
    expect(loaded.predict(pd.DataFrame({"x": [1, 2]}))["x"].tolist(), [6, 7], "prediction of the loaded model")
    client.delete_registered_model(name)


@wf.step("rename the model; versions and aliases follow", "aliases: set, get, models:/name@champion, move, delete")
def _():
    new = NAME + "-renamed"
    client.rename_registered_model(NAME, new)
    expect(client.get_registered_model(new).aliases, {"champion": "1"}, "aliases after rename")
    expect(str(client.get_model_version(new, "4").version), "4", "versions after rename")
    expect_raises(lambda: client.get_registered_model(NAME), "RESOURCE_DOES_NOT_EXIST", "old name")
    client.rename_registered_model(new, NAME)


@wf.step("errors: duplicate model, missing model and version", "register_model('runs:/<id>/model') creates the model and version 1")
def _():
    expect_raises(lambda: client.create_registered_model(NAME), "RESOURCE_ALREADY_EXISTS", "duplicate")
    expect_raises(lambda: client.get_registered_model(unique("none")), "RESOURCE_DOES_NOT_EXIST", "missing model")
    expect_raises(lambda: client.get_model_version(NAME, "99"), "RESOURCE_DOES_NOT_EXIST", "missing version")


@wf.step("delete a version (its alias goes), then the model", "aliases: set, get, models:/name@champion, move, delete")
def _():
    client.delete_model_version(NAME, "1")
    expect_raises(lambda: client.get_model_version(NAME, "1"), "RESOURCE_DOES_NOT_EXIST", "deleted version")
    expect(client.get_registered_model(NAME).aliases, {}, "alias of the deleted version removed")
    got = client.search_model_versions(f"name = '{NAME}'")
    expect(sorted(str(v.version) for v in got), ["2", "3", "4"], "remaining versions")
    mv = client.create_model_version(NAME, f"runs:/{S['run_a']}/model", run_id=S["run_a"])
    expect(str(mv.version), "5", "numbers are not reused")
    client.delete_registered_model(NAME)
    expect_raises(lambda: client.get_registered_model(NAME), "RESOURCE_DOES_NOT_EXIST", "deleted model")
    expect(client.search_model_versions(f"name = '{NAME}'"), [], "versions gone with the model")


wf.finish()
