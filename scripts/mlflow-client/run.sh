#!/usr/bin/env bash
# Runs the MLflow client workflows against a flaretrack server started from a checkout.
#
#   scripts/mlflow-client/run.sh CHECKOUT [WORKFLOW...]     (default: tracking artifacts registry)
#
# CHECKOUT: a flaretrack checkout with node_modules (e.g. a throwaway worktree of main).
# Starts it on 127.0.0.1:$PORT (default 8899) with a fresh state folder, reads the tracking URI
# and token it prints, runs each workflow with Debian's python and the client set up by setup.sh
# ($MLFLOW_CLIENT_ENV, default /work/mlflow-client-env), then stops the server it started.
set -uo pipefail
CHECKOUT=$(cd "${1:?flaretrack checkout}" && pwd); shift
WORKFLOWS=("${@:-tracking artifacts registry}"); [ $# -eq 0 ] && WORKFLOWS=(tracking artifacts registry)
HERE=$(cd "$(dirname "$0")" && pwd)
ENV_DIR=${MLFLOW_CLIENT_ENV:-/work/mlflow-client-env}
PORT=${PORT:-8899}
STATE=$(mktemp -d /tmp/ft-client-state.XXXXXX)
LOG=$STATE/server.log
TOKEN=ftpat-client-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

# The server runs in a process group of its own (setsid) so that stopping it ends exactly
# npm, wrangler and workerd of this run, by that group's id.
(cd "$CHECKOUT" && FLARETRACK_STATE=$STATE PORT=$PORT FLARETRACK_BOOTSTRAP_TOKEN=$TOKEN exec setsid npm start >"$LOG" 2>&1) &
SERVER=$!
stop() { kill -TERM -- "-$SERVER" 2>/dev/null; sleep 1; kill -KILL -- "-$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }
trap stop EXIT
for _ in $(seq 1 240); do
  grep -q MLFLOW_TRACKING_TOKEN "$LOG" && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.5
done
export MLFLOW_TRACKING_URI=$(sed -n 's/.*export MLFLOW_TRACKING_URI=//p' "$LOG")
export MLFLOW_TRACKING_TOKEN=$(sed -n 's/.*export MLFLOW_TRACKING_TOKEN=//p' "$LOG")
[ -n "$MLFLOW_TRACKING_URI" ] || { echo "no tracking URI in:"; cat "$LOG"; exit 1; }
echo "server: $(git -C "$CHECKOUT" log --oneline -1)  $MLFLOW_TRACKING_URI  state $STATE"
echo "client: mlflow $(cat "$ENV_DIR/src/MLFLOW_COMMIT" 2>/dev/null)"
status=0
for w in "${WORKFLOWS[@]}"; do
  (cd "$HERE" && PYTHONPATH="$HERE:$ENV_DIR/src:$ENV_DIR/deps" timeout 1200 /usr/bin/python3 "$HERE/$w.py") || status=1
done
exit $status
