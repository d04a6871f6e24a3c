#!/usr/bin/env bash
# Sets up the real, unmodified MLflow Python client (3.x) on a machine without PyPI, outside the repo.
#
#   scripts/mlflow-client/setup.sh MLFLOW_GIT_DIR OTEL_GIT_DIR TYPING_EXTENSIONS_GIT_DIR CACHETOOLS_GIT_DIR [DEST]
#
# MLFLOW_GIT_DIR: a git directory holding MLflow's source (the search tool's `fetch` of
#   github:mlflow/mlflow, or of a fork that mirrors its master, e.g. harupy/mlflow, when the
#   upstream snapshot is over the fetch size limit). Ref used: $MLFLOW_REF (default: master).
# OTEL_GIT_DIR: open-telemetry/opentelemetry-python (api, sdk, proto, semantic-conventions:
#   pure Python; MLflow imports them at module load and service_pb2 needs OTel's trace.proto).
#   Ref: $OTEL_REF (default v1.44.0).
# TYPING_EXTENSIONS_GIT_DIR: python/typing_extensions (Debian 12 ships 4.4, OTel needs >= 4.5).
#   Ref: $TE_REF (default 4.15.0).
# CACHETOOLS_GIT_DIR: tkem/cachetools (Debian 12 ships 5.2; MLflow imports cachetools.func.cached,
#   which is newer). Ref: $CACHETOOLS_REF (default v7.0.6).
# DEST: where everything goes (default /work/mlflow-client-env): DEST/src (MLflow's `mlflow/`
#   package only, no Java client or JS UI), DEST/deps (OTel and typing_extensions).
#
# Nothing of this is committed: it lands outside the repo. Run the workflows with
#   PYTHONPATH=DEST/src:DEST/deps /usr/bin/python3 scripts/mlflow-client/<workflow>.py
# (Debian's /usr/bin/python3 3.11, where the apt packages below install.)
set -euo pipefail
MLFLOW_GIT=${1:?MLflow git dir}; OTEL_GIT=${2:?opentelemetry-python git dir}; TE_GIT=${3:?typing_extensions git dir}
CT_GIT=${4:?cachetools git dir}; DEST=${5:-/work/mlflow-client-env}
MLFLOW_REF=${MLFLOW_REF:-master}; OTEL_REF=${OTEL_REF:-v1.44.0}; TE_REF=${TE_REF:-4.15.0}; CACHETOOLS_REF=${CACHETOOLS_REF:-v7.0.6}

# 1. MLflow's client dependencies from Debian (about 2 minutes on a fresh machine).
#    Missing from Debian 12: opentelemetry (step 3), pyarrow, databricks-sdk (step 3), pydantic 2
#    (Debian has 1.10 and pydantic 2 needs the compiled pydantic-core: `import mlflow`, tracking,
#    artifacts and the registry work; `mlflow.pyfunc` and the MLflow server do not import).
if [ ! -e /usr/lib/python3/dist-packages/requests ]; then apt-get update -qq; fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  python3-requests python3-protobuf python3-yaml python3-packaging python3-click python3-cloudpickle \
  python3-git python3-sqlparse python3-cachetools python3-pydantic python3-importlib-metadata \
  python3-numpy python3-pandas python3-matplotlib python3-pil python3-dotenv python3-typing-extensions \
  python3-sqlalchemy python3-alembic python3-flask python3-scipy python3-sklearn \
  python3-fastapi python3-starlette python3-uvicorn >/dev/null

# 2. MLflow's Python package, unmodified, from the snapshot (pre-generated *_pb2.py included).
rm -rf "$DEST/src" "$DEST/deps"; mkdir -p "$DEST/src" "$DEST/deps"
# (not `git archive`: it stops at the first blob the snapshot lacks, e.g. files of 4 MiB and more)
/usr/bin/python3 "$(dirname "$0")/extract_tree.py" "$MLFLOW_GIT" "$MLFLOW_REF" mlflow "$DEST/src" \
  mlflow/java mlflow/server/js mlflow/assistant/skills
git --git-dir="$MLFLOW_GIT" show "$MLFLOW_REF:pyproject.toml" > "$DEST/src/pyproject.toml"
git --git-dir="$MLFLOW_GIT" rev-parse "$MLFLOW_REF^{commit}" > "$DEST/src/MLFLOW_COMMIT"

# 3. OpenTelemetry (real packages, pure Python), newer typing_extensions (one file) and cachetools.
for p in opentelemetry-api opentelemetry-sdk opentelemetry-proto opentelemetry-semantic-conventions; do
  git --git-dir="$OTEL_GIT" archive "$OTEL_REF" "$p/src" | tar -x --strip-components=2 -C "$DEST/deps"
done
git --git-dir="$TE_GIT" show "$TE_REF:src/typing_extensions.py" > "$DEST/deps/typing_extensions.py"
git --git-dir="$CT_GIT" archive "$CACHETOOLS_REF" src/cachetools | tar -x --strip-components=1 -C "$DEST/deps"
# databricks-sdk is not in Debian; MLflow only probes `importlib.util.find_spec("databricks.agents")`,
# which raises when the parent package is absent: an empty namespace folder answers "not installed".
mkdir -p "$DEST/deps/databricks"

# 4. Distribution metadata, as `pip install` would write it: MLflow decides what it is
#    (full / skinny / tracing-only) from installed distributions, and OTel finds its runtime
#    context and SDK parts through entry points.
write_dist_info() { # $1 site dir, $2 pyproject.toml path, $3 version
  /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import sys, tomllib, pathlib
site, pyproject, version = sys.argv[1:]
project = tomllib.load(open(pyproject, "rb"))["project"]
name = project["name"]
d = pathlib.Path(site) / f"{name.replace('-', '_')}-{version}.dist-info"
d.mkdir(parents=True, exist_ok=True)
(d / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
lines = []
for group, entries in project.get("entry-points", {}).items():
    lines.append(f"[{group}]")
    lines += [f"{k} = {v}" for k, v in entries.items()]
    lines.append("")
(d / "entry_points.txt").write_text("\n".join(lines))
PY
}
MLFLOW_VERSION=$(sed -n 's/^VERSION = "\(.*\)"/\1/p' "$DEST/src/mlflow/version.py")
write_dist_info "$DEST/src" "$DEST/src/pyproject.toml" "$MLFLOW_VERSION"
for p in opentelemetry-api opentelemetry-sdk opentelemetry-proto opentelemetry-semantic-conventions; do
  git --git-dir="$OTEL_GIT" show "$OTEL_REF:$p/pyproject.toml" > "$DEST/deps/$p.pyproject.toml"
  write_dist_info "$DEST/deps" "$DEST/deps/$p.pyproject.toml" "${OTEL_REF#v}"
done

# 5. Check.
cd /tmp && PYTHONPATH="$DEST/src:$DEST/deps" /usr/bin/python3 -c \
  'import mlflow, mlflow.artifacts, mlflow.data; from mlflow import MlflowClient; print("mlflow", mlflow.__version__, "imports")'
echo "PYTHONPATH=$DEST/src:$DEST/deps  (MLflow commit $(cat "$DEST/src/MLFLOW_COMMIT"))"
