#!/usr/bin/env python3
"""A `flatmin train --export DIR` run replayed in PyTorch, side by side with flatmin's.

What is replayed
    The run the export describes (cli/cmd_train.cpp): the map A (A.txt, row i = row-major
    vec(A_i), A_i d_L x d_0), labels b, truth M, the initial layers W0_1..W0_L (W0_j d_j x
    d_{j-1}) and schedule.txt (per update: the B batch indices, then the B signs +-1). One update
    of flatmin/train.hpp, written the way PyTorch is normally used:
        E = W_L @ ... @ W_1                                  (layers: float64 leaf tensors,
        loss = mean_k (<A_{i_k}, E> - (b_{i_k} + delta s_k))^2      requires_grad=True)
        loss.backward()
        with torch.no_grad():  W_j -= eta * W_j.grad          (every layer from the same W)
        W_j.grad.zero_()
    for gd / sgd / label-noise-sgd (sgd and gd: no noise; gd: the full batch). SAM is not
    replayed. Float64 on the CPU, torch.set_num_threads(1) unless --threads says otherwise
    (--threads 0: PyTorch's default; on 2-core machines it is often 1 anyway).

What is compared
    At every step of log.csv: train_loss (clean labels b, all n measurements) and test_loss
    (||E - M||_F^2), recomputed from the PyTorch layers under no_grad; printed is the largest
    relative difference |torch - flatmin| / |flatmin| over the curve of each. Both programs run
    the same arithmetic in a different order (BLAS / autograd against Eigen's coefficient-based
    products), so the curves agree up to floating-point rounding, amplified only by the dynamics.
    --curve prints the difference at every log step (to see how it grows).

What is timed
    The PyTorch training loop alone: the updates, with the schedule already in tensors; the
    loss evaluations at the log steps are outside the clock. Steps/s = updates / seconds.
    With --bench-json FILE (bench/bench_train's --benchmark_format=json output) flatmin's
    steps/s is BM_Train/L:<L>/log_every:0/track:0 (no logging: the training loop alone, with
    train()'s one-off setup, see BM_TrainSetup), the ratio is flatmin's / PyTorch's, and a second
    table gives the cost of the tracked records: time with track_sharpness / time without, at the
    same cadence, minus 1 (and the same against no logging at all).

usage: train_vs_torch.py [--threads N] [--bench-json FILE] [--curve] DIR [DIR ...]
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch


def load_run(folder):
    """The exported run as float64 tensors (and log.csv as a numpy structured array)."""
    with open(os.path.join(folder, "run.json")) as f:
        run = json.load(f)
    d1, d2, n, L = run["d1"], run["d2"], run["n"], run["depth"]
    A = np.loadtxt(os.path.join(folder, "A.txt"), ndmin=2).reshape(n, d1, d2)
    b = np.loadtxt(os.path.join(folder, "b.txt"), ndmin=1)
    M = np.loadtxt(os.path.join(folder, "M.txt"), ndmin=2)
    W0 = [np.loadtxt(os.path.join(folder, f"W0_{j}.txt"), ndmin=2) for j in range(1, L + 1)]
    batch = run["batch"] if run["optimizer"] != "gd" else 0  # gd: empty schedule lines
    sched = (np.loadtxt(os.path.join(folder, "schedule.txt"), ndmin=2) if batch
             else np.zeros((run["steps"], 0)))
    log = np.genfromtxt(os.path.join(folder, "log.csv"), delimiter=",", names=True)
    log = np.atleast_1d(log)
    if sched.shape[0] != run["steps"] or (batch and sched.shape[1] != 2 * batch):
        sys.exit(f"{folder}: schedule.txt has shape {sched.shape}, expected "
                 f"({run['steps']}, {2 * batch})")
    t = lambda x: torch.tensor(x, dtype=torch.float64)
    return {
        "run": run, "A": t(A), "b": t(b), "M": t(M), "W0": [t(w) for w in W0],
        "idx": torch.tensor(sched[:, :batch], dtype=torch.long),
        "sign": t(sched[:, batch:]), "log": log,
    }


def end_to_end(W):
    """E = W_L @ ... @ W_1, built as P_j = W_j @ P_{j-1} (train.cpp's order)."""
    E = W[0]
    for w in W[1:]:
        E = w @ E
    return E


def losses(r, W):
    """Train loss with the clean labels over all n, and test loss ||E - M||_F^2."""
    with torch.no_grad():
        E = end_to_end(W)
        res = (r["A"] * E).sum(dim=(1, 2)) - r["b"]
        return float((res ** 2).mean()), float(((E - r["M"]) ** 2).sum())


def replay(r):
    """Runs the updates; returns (records {step: (train, test)}, seconds of the updates)."""
    run = r["run"]
    if run["optimizer"] == "sam":
        sys.exit("train_vs_torch.py: SAM runs are not replayed")
    eta = run["step_size"]
    delta = run["label_noise"] if run["optimizer"] == "label-noise-sgd" else 0.0
    full = run["optimizer"] == "gd"
    A, b, idx, sign = r["A"], r["b"], r["idx"], r["sign"]
    W = [w.clone().requires_grad_(True) for w in r["W0"]]
    log_steps = [int(s) for s in r["log"]["step"]]
    records, elapsed, done = {}, 0.0, 0
    for stop in log_steps:
        start = time.perf_counter()
        for t in range(done, stop):  # the training loop: the updates t -> t + 1 up to `stop`
            if full:
                Ab, y = A, b
            else:
                i = idx[t]
                Ab, y = A[i], b[i] + delta * sign[t]
            E = end_to_end(W)
            loss = (((Ab * E).sum(dim=(1, 2)) - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for w in W:
                    w -= eta * w.grad
            for w in W:
                w.grad.zero_()
        elapsed += time.perf_counter() - start
        done = stop
        records[stop] = losses(r, W)  # outside the clock
    return records, elapsed


def rel(a, b):
    return abs(a - b) / abs(b) if b != 0 else (0.0 if a == 0 else math.inf)


def bench_rows(path):
    """bench_train JSON -> {run name: entry}: the median over repetitions when the run has them
    (--benchmark_repetitions), else the single run."""
    with open(path) as f:
        data = json.load(f)
    out, medians = {}, {}
    for bm in data["benchmarks"]:
        name = bm.get("run_name", bm["name"])
        if bm.get("run_type") == "aggregate":
            if bm.get("aggregate_name") == "median":
                medians[name] = bm
        else:
            out[name] = bm
    out.update(medians)
    return out


def train_bm(bench, L, every, track):
    return bench.get(f"BM_Train/L:{L}/log_every:{every}/track:{track}")


def seconds(bm):
    """Wall seconds of one iteration of a benchmark entry."""
    return bm["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[bm["time_unit"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+", help="folders written by `flatmin train --export`")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch.set_num_threads(N) (default 1; 0: PyTorch's default)")
    ap.add_argument("--bench-json", help="bench_train --benchmark_format=json output")
    ap.add_argument("--curve", action="store_true", help="print the differences at every log step")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    bench = bench_rows(a.bench_json) if a.bench_json else {}

    print(f"# PyTorch {torch.__version__}, float64, CPU, {torch.get_num_threads()} thread(s)")
    rows = []
    for folder in a.dirs:
        r = load_run(folder)
        run = r["run"]
        L = run["depth"]
        records, elapsed = replay(r)
        steps = run["steps"]
        torch_sps = steps / elapsed if elapsed > 0 else math.inf
        d_train = d_test = 0.0
        curve = []
        for row in r["log"]:
            s = int(row["step"])
            tr, te = records[s]
            curve.append((s, rel(tr, row["train_loss"]), rel(te, row["test_loss"])))
            d_train, d_test = max(d_train, curve[-1][1]), max(d_test, curve[-1][2])
        if a.curve:
            print(f"# depth {L}: relative difference at each log step")
            print(f"{'step':>8} {'train_loss':>11} {'test_loss':>11}")
            for s, x, y in curve:
                print(f"{s:>8} {x:11.2e} {y:11.2e}")
        cpp = train_bm(bench, L, 0, 0)
        if bench and cpp is None:
            sys.exit(f"{a.bench_json}: no BM_Train/L:{L}/log_every:0/track:0")
        # The benchmark trains the CLI's seed-1 run for 20000 updates: its clean-label loss after
        # the last update must be the last row of this log.csv, or the timings are of different
        # runs (different instance, seed or options).
        same = None
        if cpp is not None and steps == 20000 and "final_train_loss" in cpp:
            same = rel(cpp["final_train_loss"], float(r["log"]["train_loss"][-1])) < 1e-12
        rows.append((L, cpp["items_per_second"] if cpp else None, torch_sps, d_train, d_test,
                     steps, same))

    print()
    if bench:
        print(f"{'depth':>5} {'C++ steps/s':>12} {'PyTorch steps/s':>16} {'ratio':>7} "
              f"{'max rel diff train_loss':>24} {'test_loss':>10} {'steps':>6}")
        for L, c, t, dtr, dte, steps, same in rows:
            mark = {True: "", None: "  (not checked: the benchmark run has 20000 updates)",
                    False: "  (NOT the benchmark's run: its final loss differs)"}[same]
            print(f"{L:>5} {c:12.0f} {t:16.0f} {c / t:7.1f} {dtr:24.2e} {dte:10.2e} {steps:6}{mark}")
    else:
        print(f"{'depth':>5} {'PyTorch steps/s':>16} {'max rel diff train_loss':>24} "
              f"{'test_loss':>10} {'steps':>6}")
        for L, _, t, dtr, dte, steps, _ in rows:
            print(f"{L:>5} {t:16.0f} {dtr:24.2e} {dte:10.2e} {steps:6}")

    if bench:
        print()
        print("# flatmin: cost of the logged records (bench_train BM_Train, 20000 updates, median):")
        print("#   tracking   = time(track_sharpness) / time(same cadence, track_sharpness=false) - 1")
        print("#   vs none    = time(track_sharpness) / time(no logging) - 1")
        print("#   trace only = records x BM_TrackTrace / time(same cadence, no sharpness): the")
        print("#                Hessian trace alone, without nuclear norm, R and induced value")
        print("#   every 1000 is the CLI default cadence (max(1000, steps / 100)) for 20000 steps")
        print(f"{'depth':>5} {'log every':>9} {'records':>7} {'tracking':>9} {'vs none':>8} "
              f"{'trace only':>10} {'us/record':>9}")
        for L in sorted({row[0] for row in rows}):
            none = train_bm(bench, L, 0, 0)
            trace = bench.get(f"BM_TrackTrace/L:{L}")
            for every in (1000, 200, 100):
                on, off = train_bm(bench, L, every, 1), train_bm(bench, L, every, 0)
                if not (on and off and none):
                    continue
                t_on, t_off, t_none = seconds(on), seconds(off), seconds(none)
                recs = on.get("records", 0)
                per = (t_on - t_off) / recs * 1e6 if recs else math.nan
                tr = f"{recs * seconds(trace) / t_off:10.1%}" if trace else f"{'-':>10}"
                print(f"{L:>5} {every:>9} {recs:7.0f} {t_on / t_off - 1:9.1%} "
                      f"{t_on / t_none - 1:8.1%} {tr} {per:9.1f}")

if __name__ == "__main__":
    main()
