"""Artifacts workflow (issue 4), run with the unmodified MLflow client against MLFLOW_TRACKING_URI.

Logs files, a nested directory tree (with and without artifact_path), dicts, text, a figure, an
image and a file over 100 MB through MLflow's multipart upload; lists every level; downloads a
file and directories back and compares SHA-256; checks the generic package API lists the same files.
"""

import hashlib
import json
import os
import random
import re
import tempfile

from common import EXCHANGES, Skip, Workflow, expect, mlflow_major, unique

import mlflow
import requests
from mlflow import MlflowClient

wf = Workflow("artifacts")
client = MlflowClient()
S = wf.state
WORK = tempfile.mkdtemp(prefix="ft-artifacts-")
BIG_MB = int(os.environ.get("FT_BIG_FILE_MB", "110"))


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def tree_hashes(root: str) -> dict[str, str]:
    """SHA-256 of every file under root, by relative path; the client's own
    `registered_model_meta` (written when it downloads a models:/ URI) is left out."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name == "registered_model_meta" and dirpath == root:
                continue
            full = os.path.join(dirpath, name)
            out[os.path.relpath(full, root).replace(os.sep, "/")] = sha256(full)
    return out


def listing(path=None) -> dict[str, tuple[bool, int | None]]:
    return {f.path: (f.is_dir, f.file_size) for f in client.list_artifacts(S["run_id"], path)}


@wf.step("start a run; artifact_uri points at the candidate's package")
def _():
    mlflow.set_experiment(unique("client-artifacts"))
    run = mlflow.start_run(run_name="artifacts")
    S["run_id"] = run.info.run_id
    uri = run.info.artifact_uri
    S["artifact_uri"] = uri
    print(f"      artifact_uri = {uri}")
    assert "/mlflow-artifacts/artifacts" in uri or uri.startswith("mlflow-artifacts:"), uri
    m = re.search(r"ml_candidate_(\d+)/-", uri)
    assert m, f"artifact_uri does not name the package ml_candidate_<id>/-: {uri}"
    S["candidate"] = m.group(1)
    expect(client.list_artifacts(S["run_id"]), [], "a new run has no artifacts")


@wf.step("log_artifact of one file, at the root and under artifact_path", "start a run; artifact_uri points at the candidate's package")
def _():
    f = os.path.join(WORK, "single", "notes.txt")
    write(f, b"hello artifacts\n")
    mlflow.log_artifact(f)
    mlflow.log_artifact(f, artifact_path="docs/v1")
    root = listing()
    expect(root.get("notes.txt"), (False, 16), "notes.txt at the root")
    expect(root.get("docs", (None,))[0], True, "docs is a directory")
    expect(listing("docs"), {"docs/v1": (True, None)}, "docs lists v1 (a directory, no file_size)")
    expect(listing("docs/v1"), {"docs/v1/notes.txt": (False, 16)}, "docs/v1 lists the file")


@wf.step("log_artifacts of a nested tree, with and without artifact_path", "start a run; artifact_uri points at the candidate's package")
def _():
    rnd = random.Random(7)
    src = os.path.join(WORK, "tree")
    files = {
        "a.bin": rnd.randbytes(3000),
        "sub/b.json": json.dumps({"k": 1}).encode(),
        "sub/deeper/c.csv": b"x,y\n1,2\n",
        "sub/deeper/deepest/d.bin": rnd.randbytes(1 << 20),
        "sub/deeper/deepest/e with space.txt": b"spaces in names",
        "other/f.txt": b"",
    }
    for rel, data in files.items():
        write(os.path.join(src, rel), data)
    S["tree"] = tree_hashes(src)
    S["tree_sizes"] = {rel: len(data) for rel, data in files.items()}
    mlflow.log_artifacts(src, artifact_path="tree")
    mlflow.log_artifacts(os.path.join(src, "sub"))  # without artifact_path: lands at the root


@wf.step("list_artifacts at every depth", "log_artifacts of a nested tree, with and without artifact_path")
def _():
    sizes = S["tree_sizes"]
    expect(listing("tree"), {"tree/a.bin": (False, 3000), "tree/sub": (True, None), "tree/other": (True, None)}, "tree/")
    expect(listing("tree/sub"), {"tree/sub/b.json": (False, sizes["sub/b.json"]), "tree/sub/deeper": (True, None)}, "tree/sub/")
    expect(
        listing("tree/sub/deeper"),
        {"tree/sub/deeper/c.csv": (False, 8), "tree/sub/deeper/deepest": (True, None)},
        "tree/sub/deeper/",
    )
    expect(
        listing("tree/sub/deeper/deepest"),
        {"tree/sub/deeper/deepest/d.bin": (False, 1 << 20), "tree/sub/deeper/deepest/e with space.txt": (False, 15)},
        "deepest/",
    )
    expect(listing("tree/other"), {"tree/other/f.txt": (False, 0)}, "an empty file")
    root = listing()
    for name in ("b.json", "deeper", "tree", "notes.txt", "docs"):
        assert name in root, f"{name} missing at the root: {sorted(root)}"
    expect(root["deeper"][0], True, "deeper (logged without artifact_path) is a directory at the root")
    expect(client.list_artifacts(S["run_id"], "tree/a.bin"), [], "listing a file path gives [] (as MLflow's server)")
    expect(client.list_artifacts(S["run_id"], "no/such/dir"), [], "listing a missing dir gives []")


@wf.step("download_artifacts of a file and of directories, SHA-256 equal", "log_artifacts of a nested tree, with and without artifact_path")
def _():
    dst = tempfile.mkdtemp(dir=WORK, prefix="dl-file-")
    got = mlflow.artifacts.download_artifacts(run_id=S["run_id"], artifact_path="tree/sub/deeper/deepest/d.bin", dst_path=dst)
    expect(sha256(got), S["tree"]["sub/deeper/deepest/d.bin"], "d.bin sha256")
    dst = tempfile.mkdtemp(dir=WORK, prefix="dl-dir-")
    got = mlflow.artifacts.download_artifacts(run_id=S["run_id"], artifact_path="tree", dst_path=dst)
    expect(tree_hashes(got), S["tree"], "tree/ downloaded byte-identical")
    dst = tempfile.mkdtemp(dir=WORK, prefix="dl-all-")
    got = client.download_artifacts(S["run_id"], "", dst)
    expect(tree_hashes(os.path.join(got, "tree")), S["tree"], "whole run download: tree/")
    expect(sha256(os.path.join(got, "deeper", "c.csv")), S["tree"]["sub/deeper/c.csv"], "whole run download: root copy")


@wf.step("file names with unicode, %, +, brackets, quotes round-trip", "start a run; artifact_uri points at the candidate's package")
def _():
    names = ["résumé ü.txt", "50%.txt", "a+b=c.txt", "[x](y).txt", "it's.txt", "日本語.txt", "dots..in..name.txt"]
    src = os.path.join(WORK, "names")
    for i, n in enumerate(names):
        write(os.path.join(src, n), f"file {i}".encode())
    mlflow.log_artifacts(src, artifact_path="names")
    expect(sorted(listing("names")), sorted(f"names/{n}" for n in names), "listing")
    dst = mlflow.artifacts.download_artifacts(run_id=S["run_id"], artifact_path="names", dst_path=tempfile.mkdtemp(dir=WORK))
    expect(tree_hashes(dst), tree_hashes(src), "downloaded identical")


@wf.step("log_dict, log_text, load_dict, load_text", "start a run; artifact_uri points at the candidate's package")
def _():
    d = {"lr": 0.01, "layers": [64, 32], "nested": {"ok": True, "name": "é ü"}}
    mlflow.log_dict(d, "config/params.json")
    mlflow.log_dict(d, "config/params.yaml")
    mlflow.log_text("line one\nline two ✓\n", "notes/readme.md")
    base = S["artifact_uri"]
    expect(mlflow.artifacts.load_dict(f"{base}/config/params.json"), d, "load_dict json")
    import yaml  # load_dict reads JSON only; log_dict wrote YAML for a .yaml name

    expect(yaml.safe_load(mlflow.artifacts.load_text(f"{base}/config/params.yaml")), d, "log_dict yaml read back")
    expect(mlflow.artifacts.load_text(f"{base}/notes/readme.md"), "line one\nline two ✓\n", "load_text")
    expect(mlflow.artifacts.load_dict(f"runs:/{S['run_id']}/config/params.json"), d, "load_dict runs:/ URI")


@wf.step("log_figure (matplotlib) and log_image (PIL), load_image", "start a run; artifact_uri points at the candidate's package")
def _():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [2, 1, 3])
    mlflow.log_figure(fig, "plots/curve.png")
    plt.close(fig)
    arr = (np.arange(48 * 32 * 3) % 251).astype("uint8").reshape(48, 32, 3)
    mlflow.log_image(arr, artifact_file="images/grid.png")
    img = mlflow.artifacts.load_image(f"{S['artifact_uri']}/images/grid.png")
    expect(img.size, (32, 48), "image size")
    expect(np.asarray(img.convert("RGB")).tolist(), arr.tolist(), "image pixels")
    curve = mlflow.artifacts.download_artifacts(run_id=S["run_id"], artifact_path="plots/curve.png", dst_path=WORK)
    expect(Image.open(curve).format, "PNG", "figure is a PNG")


@wf.step(f"a {BIG_MB} MB file through multipart upload, downloaded back identical", "start a run; artifact_uri points at the candidate's package")
def _():
    os.environ["MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD"] = "true"
    # MLflow only uses multipart from 500 MB by default; lower the threshold so the file takes it.
    os.environ["MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE"] = str(5 * 1024 * 1024)
    big = os.path.join(WORK, "big", "weights.bin")
    os.makedirs(os.path.dirname(big), exist_ok=True)
    rnd = random.Random(42)
    with open(big, "wb") as f:
        for _ in range(BIG_MB):
            f.write(rnd.randbytes(1 << 20))
        f.write(b"tail")  # not a multiple of the part size
    start = len(EXCHANGES)
    try:
        mlflow.log_artifact(big, artifact_path="big")
    finally:
        os.environ.pop("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD")
        os.environ.pop("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE")
    calls = EXCHANGES[start:]
    creates = [c for c in calls if "/mpu/create/" in c.split("\n")[0]]
    completes = [c for c in calls if "/mpu/complete/" in c.split("\n")[0]]
    assert creates and completes, "the client did not use multipart: " + " | ".join(c.split("\n")[0][:120] for c in calls[:5])
    parts = [c for c in calls if c.startswith("PUT")]
    assert not [c for c in parts if c.split("\n")[0].rstrip().endswith("/weights.bin")], "the file was also PUT whole"
    print(f"      multipart: {len(parts)} parts PUT, create+complete answered")
    expect(listing("big"), {"big/weights.bin": (False, os.path.getsize(big))}, "listing shows the size")
    dst = tempfile.mkdtemp(dir=WORK, prefix="dl-big-")
    got = mlflow.artifacts.download_artifacts(run_id=S["run_id"], artifact_path="big/weights.bin", dst_path=dst)
    expect(sha256(got), sha256(big), "big file sha256")
    os.remove(big)
    os.remove(got)


@wf.step("a 12 MB multipart upload at the run's root (no artifact_path)", "start a run; artifact_uri points at the candidate's package")
def _():
    os.environ["MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD"] = "true"
    os.environ["MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE"] = str(5 * 1024 * 1024)
    f = os.path.join(WORK, "rootbig", "root-weights.bin")
    write(f, random.Random(5).randbytes(12 * 1024 * 1024 + 3))
    start = len(EXCHANGES)
    try:
        mlflow.log_artifact(f)
    finally:
        os.environ.pop("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD")
        os.environ.pop("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE")
    assert any("/mpu/complete/" in c.split("\n")[0] for c in EXCHANGES[start:]), "the client did not complete a multipart upload"
    expect(listing().get("root-weights.bin"), (False, os.path.getsize(f)), "listed at the root")
    got = mlflow.artifacts.download_artifacts(run_id=S["run_id"], artifact_path="root-weights.bin", dst_path=tempfile.mkdtemp(dir=WORK))
    expect(sha256(got), sha256(f), "sha256")


@wf.step("the generic package API lists the same files", "log_artifacts of a nested tree, with and without artifact_path")
def _():
    base = os.environ["MLFLOW_TRACKING_URI"].split("/ml/mlflow")[0]
    headers = {"Authorization": f"Bearer {os.environ['MLFLOW_TRACKING_TOKEN']}"}
    name = f"ml_candidate_{S['candidate']}"
    r = requests.get(f"{base}/packages", params={"package_name": name, "package_type": "generic"}, headers=headers)
    r.raise_for_status()
    pkgs = [p for p in r.json() if p["name"] == name]
    expect([(p["name"], p["version"]) for p in pkgs], [(name, "-")], "one package ml_candidate_<id> version -")
    files, page = {}, 1
    while page:
        r = requests.get(f"{base}/packages/{pkgs[0]['id']}/package_files", params={"per_page": 100, "page": page}, headers=headers)
        r.raise_for_status()
        for pf in r.json():
            files[pf["file_name"]] = pf
        page = int(r.headers["X-Next-Page"]) if r.headers.get("X-Next-Page") else None
    for rel, digest in S["tree"].items():
        entry = files.get(f"tree/{rel}")
        assert entry, f"tree/{rel} missing from package_files: {sorted(files)[:20]}"
        expect(entry.get("file_sha256"), digest, f"file_sha256 of tree/{rel}")
        expect(entry.get("size"), S["tree_sizes"][rel], f"size of tree/{rel}")
    r = requests.get(f"{base}/packages/generic/{name}/-/tree/sub/deeper/c.csv", headers=headers)
    expect((r.status_code, r.content), (200, b"x,y\n1,2\n"), "generic download of a nested file")
    # ...and the reverse: a file put through the package API is visible to the MLflow client.
    r = requests.put(f"{base}/packages/generic/{name}/-/from-api/hello.txt", data=b"from the package API", headers=headers)
    assert r.status_code in (200, 201), f"generic upload: {r.status_code} {r.text[:200]}"
    expect(listing("from-api"), {"from-api/hello.txt": (False, 20)}, "package upload seen by list_artifacts")
    expect(mlflow.artifacts.load_text(f"{S['artifact_uri']}/from-api/hello.txt"), "from the package API", "and by load_text")


@wf.step("path traversal attempts are refused with 400", "start a run; artifact_uri points at the candidate's package")
def _():
    base = os.environ["MLFLOW_TRACKING_URI"] + "/api/2.0/mlflow-artifacts/artifacts"
    headers = {"Authorization": f"Bearer {os.environ['MLFLOW_TRACKING_TOKEN']}"}
    pkg = f"ml_candidate_{S['candidate']}/-"
    bad = [f"{pkg}/../x.txt", f"{pkg}/a/%2e%2e/%2e%2e/x.txt", f"{pkg}/a/..%2f..%2fx.txt", f"{pkg}/a\\..\\x.txt", f"{pkg}/a/%00x.txt"]
    for p in bad:
        # requests would normalise "..": prepare the URL by hand.
        req = requests.Request("PUT", f"{base}/{p}", data=b"x", headers=headers).prepare()
        req.url = f"{base}/{p}"
        r = requests.Session().send(req)
        expect(r.status_code, 400, f"PUT {p}")
    r = requests.get(base, params={"path": f"{pkg}/../../"}, headers=headers)
    expect(r.status_code, 400, "list ../..")


@wf.step("delete_artifacts (the client's artifact repository) removes a file and a directory", "log_artifact of one file, at the root and under artifact_path")
def _():
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    repo = get_artifact_repository(S["artifact_uri"])
    repo.delete_artifacts("docs/v1/notes.txt")
    expect("docs/v1/notes.txt" in listing("docs/v1"), False, "file deleted")
    mlflow.log_artifact(os.path.join(WORK, "single", "notes.txt"), artifact_path="gone/deep")
    repo.delete_artifacts("gone")
    expect("gone" in listing(), False, "directory deleted")
    expect(listing().get("notes.txt"), (False, 16), "other files kept")


@wf.step("logged model artifacts: log_model_artifacts, list, download models:/<model_id>", "start a run; artifact_uri points at the candidate's package")
def _():
    if mlflow_major() < 3:
        raise Skip("logged models are MLflow 3")
    from mlflow.entities import LoggedModelStatus

    model = mlflow.initialize_logged_model(name="art-model", source_run_id=S["run_id"])
    src = os.path.join(WORK, "lm")
    write(os.path.join(src, "MLmodel"), b"artifact_path: model\nflavors: {}\n")
    write(os.path.join(src, "data", "w.bin"), random.Random(3).randbytes(50000))
    client.log_model_artifacts(model.model_id, src)
    mlflow.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
    print(f"      logged model artifact_location = {client.get_logged_model(model.model_id).artifact_location}")
    names = sorted((f.path, f.is_dir) for f in client.list_logged_model_artifacts(model.model_id))
    expect(names, [("MLmodel", False), ("data", True)], "list_logged_model_artifacts")
    dst = mlflow.artifacts.download_artifacts(f"models:/{model.model_id}", dst_path=tempfile.mkdtemp(dir=WORK))
    expect(tree_hashes(dst), tree_hashes(src), "models:/<model_id> downloaded identical")


@wf.step("end_run", "start a run; artifact_uri points at the candidate's package")
def _():
    mlflow.end_run()
    expect(client.get_run(S["run_id"]).info.status, "FINISHED", "status")


wf.finish()
