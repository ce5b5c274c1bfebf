"""Real Optuna on a storage studyopt wrote, for test/storage/optuna-python.test.ts.

  optuna-interop.py dump URL             every study as Optuna loads it, as JSON on stdout
  optuna-interop.py continue URL STUDY   Optuna's TPE runs 4 trials of the test's space on STUDY
                                         and enqueues one (left WAITING for studyopt to run)

Debian's python3-optuna is 3.1, whose newest schema revision is v3.0.0.d; Optuna 4.9's (and so
studyopt's) is v3.2.0.a, which only adds the index trials_study_id_key. The tables and columns
are the same, so the version check is skipped (RDBStorage's own skip_compatibility_check).
"""
import json
import math
import sys

import optuna
from optuna.distributions import distribution_to_json

optuna.logging.set_verbosity(optuna.logging.WARNING)


def number(v):
    """JSON has no inf or NaN: spell them as Python does."""
    if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
        return repr(v)
    return v


def trial_json(t):
    return {
        "number": t.number,
        "state": t.state.name,
        "values": [number(v) for v in t.values] if t.values is not None else None,
        "params": t.params,
        "distributions": {k: json.loads(distribution_to_json(d)) for k, d in t.distributions.items()},
        "user_attrs": t.user_attrs,
        "intermediate_values": {str(k): number(v) for k, v in t.intermediate_values.items()},
        "has_start": t.datetime_start is not None,
        "has_complete": t.datetime_complete is not None,
    }


def dump(storage):
    out = []
    for summary in sorted(optuna.get_all_study_summaries(storage), key=lambda s: s.study_name):
        study = optuna.load_study(study_name=summary.study_name, storage=storage)
        entry = {
            "name": summary.study_name,
            "directions": [d.name for d in study.directions],
            "user_attrs": study.user_attrs,
            "trials": [trial_json(t) for t in study.trials],
        }
        if len(study.directions) == 1:
            entry["best_number"] = study.best_trial.number
        else:
            entry["pareto_numbers"] = sorted(t.number for t in study.best_trials)
        out.append(entry)
    print(json.dumps(out))


def objective(trial):
    x = trial.suggest_float("x", -5, 5)
    lr = trial.suggest_float("lr", 1e-4, 1, log=True)
    n = trial.suggest_int("n", 1, 9, step=2)
    kind = trial.suggest_categorical("kind", ["a", "b", None, 3])
    if kind == "a":
        trial.suggest_float("cond", 0, 1, step=0.25)
    trial.set_user_attr("sharpe", x * 2)
    trial.report(x * x, 0)
    return (x - 1) ** 2 + lr + n


def continue_study(storage, name):
    study = optuna.load_study(study_name=name, storage=storage, sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(objective, n_trials=4)
    study.enqueue_trial({"x": 0.5, "lr": 0.01, "n": 3, "kind": "b"})


if __name__ == "__main__":
    command, url = sys.argv[1], sys.argv[2]
    storage = optuna.storages.RDBStorage(url, skip_compatibility_check=True)
    if command == "dump":
        dump(storage)
    elif command == "continue":
        continue_study(storage, sys.argv[3])
    else:
        sys.exit(f"unknown command {command!r}: use dump or continue")
