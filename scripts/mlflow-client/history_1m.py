"""Logs 1,000,000 points of one metric to one run with the real MLflow client (log_batch of 1000,
values with every digit, NaN and +-Infinity among them), reads the history back with
get_metric_history and checks every value, step and timestamp. Runs against
MLFLOW_TRACKING_URI / MLFLOW_TRACKING_TOKEN (e.g. what `npm start` prints):

    PYTHONPATH=/work/mlflow-client-env/src:/work/mlflow-client-env/deps /usr/bin/python3 scripts/mlflow-client/history_1m.py [points]
"""
import math
import random
import sys
import time

from mlflow.entities import Metric
from mlflow.tracking import MlflowClient

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
T0 = 1_700_000_000_000


def value(i: int, rnd: random.Random) -> float:
    if i % 99_991 == 5:
        return math.nan
    if i % 99_991 == 6:
        return math.inf
    if i % 99_991 == 7:
        return -math.inf
    return rnd.random() * 10 ** rnd.randint(-12, 12) * (-1 if i % 3 == 0 else 1)


client = MlflowClient()
exp = client.create_experiment(f"history-1m-{int(time.time())}")
run = client.create_run(exp)
rid = run.info.run_id
rnd = random.Random(20261203)
expected = [(i, T0 + i * 7, value(i, rnd)) for i in range(N)]
t = time.time()
for b in range(0, N, 1000):
    client.log_batch(rid, metrics=[Metric("loss", v, ts, step) for step, ts, v in expected[b : b + 1000]])
print(f"logged {N} points in {time.time() - t:.1f} s", flush=True)
t = time.time()
history = client.get_metric_history(rid, "loss")
print(f"read {len(history)} points back in {time.time() - t:.1f} s", flush=True)
assert len(history) == N, len(history)
history.sort(key=lambda m: m.step)
bad = 0
for (step, ts, v), m in zip(expected, history):
    same = (math.isnan(v) and math.isnan(m.value)) or v == m.value
    if not (same and m.step == step and m.timestamp == ts and m.key == "loss"):
        bad += 1
        if bad < 5:
            print("MISMATCH", step, ts, v, "->", m.step, m.timestamp, m.value)
specials = [m.value for m in history if not math.isfinite(m.value)]
print(f"non-finite values read back: {sum(math.isnan(x) for x in specials)} NaN, {specials.count(math.inf)} +Inf, {specials.count(-math.inf)} -Inf")
print("PASS: every point exact" if bad == 0 else f"FAIL: {bad} points differ")
sys.exit(1 if bad else 0)
