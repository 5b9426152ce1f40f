#!/usr/bin/env python3
"""flatmin side by side with the SDP solvers researchers use for nuclear-norm minimisation.

What is compared
    min ||X||_*  s.t.  <A_i, X> = b_i (i = 1..m)  on instances written by `flatmin instance`
    (format: docs/instance-format.md), solved by
      flatmin  `flatmin solve FILE --json` (Gauss-Newton on the rank-r manifold, else ADMM +
               polish; `solved` only with the KKT conditions verified),
      cvxopt   cvxopt.solvers.sdp, in a child python process (this script with --cvxopt-worker),
      sdpa     the `sdpa` binary,  csdp  the `csdp` binary,  dsdp  the `dsdp5` binary; these three
               read the same SDPA sparse file (.dat-s).

How the peers see the problem (the standard SDP embedding)
    min ||X||_* s.t. A(X) = b  equals  min (tr W1 + tr W2)/2  s.t.  Y = [[W1, X], [X^T, W2]] PSD,
    <A_i, X> = b_i.  With F_i = [[0, A_i/2], [A_i^T/2, 0]] the constraints read <F_i, Y> = b_i, so
    in SDPA's notation the block matrix Y is the *dual* variable:
        (P)  min  b^T x      s.t.  sum_i x_i F_i - F_0 PSD,          F_0 = -I/2,
        (D)  max  <F_0, Y>   s.t.  <F_i, Y> = b_i,  Y PSD            (= -min tr(Y)/2).
    CSDP and DSDP read the same file and call Y their primal X; CVXOPT gets G_i = -F_i, h = I/2,
    c = b, and Y is its z.  X is read back as the upper-right d1 x d2 block of Y.  The quadnn
    family (A_i = x_i x_i^T, symmetric) uses the same embedding.  This is the orientation in
    which these solvers are used for the problem: their Schur complement is m x m.  The F_i must
    be linearly independent (m <= d1 d2, and m <= d(d+1)/2 for quadnn), or the interior-point
    solvers meet a singular Schur complement.

What is measured (one process per run)
    wall_s   wall seconds of the process, reading its input file included;
    solve_s  the solve time the solver itself reports, reading the input excluded: flatmin's JSON
             `seconds`, SDPA's `Main Loop`, DSDP's `Preparation and Solve Time`, the wall time
             of the cvxopt.solvers.sdp call; CSDP prints none, so its solve_s is its wall_s;
    cpu_s    user + system seconds of the process (above wall_s: it used several threads);
    peak_MB  the process's peak resident set (GNU time's %M: ru_maxrss of that process alone;
             CVXOPT's includes its python interpreter, numpy and cvxopt, ~37 MB);
    error    ||X - M||_F / ||M||_F against the file's ground truth M;
    status   `optimal` (flatmin: `solved`, its KKT check passed) or the solver's own word for
             anything else; `timeout` when killed at --timeout seconds; `failed: ...` when the
             process died or its output could not be read.
    ratio    on flatmin's row: the fastest peer's solve_s / flatmin's solve_s (ratio_wall: the
             same with wall_s), over the peers that answered: status optimal, or finished with
             error < 1e-6 (SDPA stops at `pdFEAS`, gap ~1e-7, on most of these programs).

Timings are of whatever else runs on the machine too: on a shared 2-core machine they are noisy.
"""

import argparse
import csv
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

import numpy as np

PEERS = ("cvxopt", "sdpa", "csdp", "dsdp")
PEER_COMMAND = {"sdpa": "sdpa", "csdp": "csdp", "dsdp": "dsdp5"}
GNU_TIME = "/usr/bin/time"
DEFAULT_SEED = 1
SELF_TEST_TOLERANCE = 1e-6


# --------------------------------------------------------------------------- instances

@dataclass
class Spec:
    """One instance to generate: `flatmin instance FAMILY --d D (--m M | --p P) --rank R`."""
    family: str
    d: int
    m: int = 0        # measurements (not completion)
    p: float = 0.0    # completion: probability that an entry is observed
    rank: int = 2

    @property
    def name(self):
        size = f"p={self.p:g}" if self.family == "completion" else f"m={self.m}"
        return f"{self.family} d={self.d} {size}"


def instance_set(name):
    """The instance lists of --set (issue: the instances quoted in issue 3)."""
    if name == "issue":
        return [Spec("gaussian", 40, m=480), Spec("bilinear", 40, m=480),
                Spec("quadnn", 40, m=480), Spec("completion", 40, p=0.3),
                Spec("gaussian", 100, m=1200), Spec("completion", 120, p=0.3)]
    if name == "quick":   # small and recovered, with linearly independent A_i (see docstring)
        return [Spec("gaussian", 12, m=108), Spec("bilinear", 12, m=108),
                Spec("quadnn", 12, m=60), Spec("completion", 12, p=0.7)]
    if name == "growth":
        # m / d fixed, so that m / dim T stays ~ 3 (Gaussian: m = 12 d) and ~ 10 (completion:
        # m = 40 d, p = 40 / d), and every instance on the recovered side of the threshold
        # (completion needs m ~ d log d: a fixed p = 0.3 crosses the threshold between d = 40 and
        # 80, and m = 20 d at d = 160, seed 1, is not recovered; the fit would then mix regimes)
        return ([Spec("gaussian", d, m=12 * d) for d in (20, 40, 80, 160)]
                + [Spec("completion", d, p=40 / d) for d in (80, 160, 320)])
    if name == "sweep":
        # A stratified sample of paper-scale A-fig3 cells (docs/usage.md: d in 10..50, m in
        # 20..600, p in 0.05..1): d in {20, 35, 50} x three sizes per family, keeping only
        # linearly independent A_i (m <= d^2, m <= d(d+1)/2 for quadnn); used to extrapolate the
        # cost of the whole sweep with each solver (print_sweep).
        out = []
        for fam in ("gaussian", "bilinear", "quadnn", "completion"):
            for d in (20, 35, 50):
                if fam == "completion":
                    out += [Spec(fam, d, p=p) for p in (0.2, 0.5, 0.8)]
                else:
                    cap = d * (d + 1) // 2 if fam == "quadnn" else d * d
                    out += [Spec(fam, d, m=m) for m in (100, 300, 500) if m <= cap]
        return out
    raise ValueError(f"unknown set {name!r}")


# Paper-scale A-fig3: cells per family (9 d values x 30 m values, or x 20 p values), 10 trials,
# 2 programs (flat and nuclear: the same SDP size).
SWEEP_SOLVES = {"gaussian": 270 * 20, "bilinear": 270 * 20, "quadnn": 270 * 20,
                "completion": 180 * 20}


def print_sweep(rows, specs, timeout):
    """Extrapolate the A-fig3 paper sweep: mean solve_s per family over the sample, times the
    sweep's solves of that family, divided by 2 (two cores, one solve each). A run that timed out
    counts as `timeout` seconds (the total is then a lower bound, marked >); a failed run makes
    the family n/a."""
    print("\nA-fig3 paper sweep (19,800 solves) extrapolated from this sample "
          "(mean solve_s per family x solves / 2 cores):")
    solvers = []
    for r in rows:
        if r.solver not in solvers:
            solvers.append(r.solver)
    for solver in solvers:
        total, ok, lower = 0.0, True, False
        parts = []
        for fam, n in SWEEP_SOLVES.items():
            ts = []
            for r in rows:
                if r.solver != solver or r.instance.split()[0] != fam:
                    continue
                if r.status == "timeout":
                    ts.append(timeout)
                    lower = True
                elif not math.isnan(r.solve_s):
                    ts.append(r.solve_s)
            if not ts:
                ok = False
                parts.append(f"{fam} n/a")
                continue
            mean = sum(ts) / len(ts)
            total += mean * n / 2
            parts.append(f"{fam} {mean:.3f} s")
        text = ("> " if lower else "") + f"{total:.0f} s" if ok else "incomplete"
        print(f"  {solver:8s} {text}  ({', '.join(parts)})")


def generate(flatmin, spec, seed, path):
    """Writes the instance with `flatmin instance`; raises on failure."""
    cmd = [flatmin, "instance", spec.family, "--d", str(spec.d), "--rank", str(spec.rank),
           "--seed", str(seed), "--out", path]
    cmd += ["--p", repr(spec.p)] if spec.family == "completion" else ["--m", str(spec.m)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {done.stderr.strip() or done.stdout.strip()}")


@dataclass
class Instance:
    """An instance file, parsed: A_i given as one coordinate list over all i (sparse)."""
    family: str
    d1: int
    d2: int
    m: int
    M: np.ndarray         # ground truth, d1 x d2
    b: np.ndarray         # observations, m
    con: np.ndarray       # A_i[row, col] = val for each (con = i, row, col, val)
    row: np.ndarray
    col: np.ndarray
    val: np.ndarray


def read_header_and_truth(path):
    """(family, d1, d2, m, M) from the head of an instance file, without reading the rest."""
    with open(path) as f:
        header = f.readline().split()
        family, d1, d2, m = header[0], int(header[1]), int(header[2]), int(header[3])
        values = []
        while len(values) < d1 * d2:
            values += f.readline().split()
    return family, d1, d2, m, np.array(values[:d1 * d2], dtype=float).reshape(d1, d2)


def read_instance(path):
    """Parses an instance file (docs/instance-format.md) into an Instance."""
    with open(path) as f:
        header = f.readline().split()
        tokens = np.fromstring(f.read(), dtype=float, sep=" ")  # stops at a bad token: counted
    family, d1, d2, m = header[0], int(header[1]), int(header[2]), int(header[3])
    record = {"gaussian": d1 * d2, "bilinear": d1 + d2, "completion": 2, "quadnn": d1}[family]
    expected = d1 * d2 + m * record + m
    if tokens.size != expected:
        raise ValueError(f"{path}: {tokens.size} numbers after the header, expected {expected}")
    M = tokens[:d1 * d2].reshape(d1, d2)
    rec = tokens[d1 * d2:d1 * d2 + m * record].reshape(m, record)
    b = tokens[d1 * d2 + m * record:]
    if family == "gaussian":
        dense = rec.reshape(m, d1, d2)
    elif family == "bilinear":
        dense = rec[:, :d1, None] * rec[:, None, d1:]
    elif family == "quadnn":
        dense = rec[:, :, None] * rec[:, None, :]
    if family == "completion":
        con = np.arange(m)
        row, col = rec[:, 0].astype(int), rec[:, 1].astype(int)
        val = np.ones(m)
    else:
        con, row, col = np.nonzero(dense)
        val = dense[con, row, col]
    return Instance(family, d1, d2, m, M, b, con, row, col, val)


def relative_error(X, M):
    return float(np.linalg.norm(X - M) / np.linalg.norm(M))


# --------------------------------------------------------------------------- measured runs

@dataclass
class Measured:
    """One child process: wall and cpu seconds, peak RSS, exit code, whether it was killed."""
    wall_s: float
    cpu_s: float
    peak_mb: float
    returncode: int
    timed_out: bool


def run_measured(cmd, timeout, cwd, stdout_path, env=None, outputs=()):
    """Runs cmd under /usr/bin/time in its own session (stdout and stderr to stdout_path) and kills
    the whole session at `timeout` seconds. Peak RSS and cpu seconds are GNU time's %M, %U + %S of
    cmd alone: os.wait4 on a child forked from this python would count this python's own resident
    set as well (a forked child's ru_maxrss starts from its parent's). The files `outputs` are
    removed first, so that a run that writes nothing is never read as the previous run's answer."""
    usage_path = stdout_path + ".rusage"
    for f in (usage_path,) + tuple(outputs):
        if os.path.exists(f):
            os.remove(f)
    killed = threading.Event()
    with open(stdout_path, "w") as out:
        start = time.perf_counter()
        child = subprocess.Popen([GNU_TIME, "-f", "%M %U %S", "-o", usage_path] + cmd, cwd=cwd,
                                 stdout=out, stderr=subprocess.STDOUT, env=env,
                                 start_new_session=True)

        def kill():
            killed.set()
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            returncode = child.wait()
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
    peak_kb, cpu = math.nan, math.nan
    try:
        with open(usage_path) as f:
            lines = f.read().splitlines()
        kb, user, system = lines[-1].split()
        peak_kb, cpu = float(kb), float(user) + float(system)
        signalled = [l for l in lines if l.startswith("Command terminated by signal")]
        if signalled:
            returncode = -int(signalled[0].split()[-1])
    except (OSError, IndexError, ValueError):
        pass
    return Measured(wall, cpu, peak_kb / 1024.0, returncode, killed.is_set())


@dataclass
class Result:
    """One row of the table."""
    instance: str
    solver: str
    wall_s: float = math.nan
    solve_s: float = math.nan
    cpu_s: float = math.nan
    error: float = math.nan
    status: str = ""
    peak_mb: float = math.nan
    ratio: float = math.nan
    ratio_wall: float = math.nan


def measured_result(name, solver, run):
    """A Result with the measurements; status `timeout` or `failed: ...` when the run was bad."""
    res = Result(name, solver, run.wall_s, math.nan, run.cpu_s, math.nan, "", run.peak_mb)
    if run.timed_out:
        res.status = "timeout"
    elif run.returncode < 0:
        res.status = f"failed: signal {-run.returncode}"
    return res


def last_line(path):
    with open(path, errors="replace") as f:
        lines = [line.strip() for line in f if line.strip()]
    return lines[-1][:60] if lines else "no output"


# --------------------------------------------------------------------------- flatmin

def run_flatmin(flatmin, name, path, timeout, workdir):
    """`flatmin solve FILE --json`: status `optimal` when flatmin says `solved`."""
    log = os.path.join(workdir, "flatmin.out")
    run = run_measured([flatmin, "solve", path, "--json"], timeout, workdir, log)
    res = measured_result(name, "flatmin", run)
    if res.status:
        return res
    try:
        with open(log) as f:
            j = json.loads(f.read().strip().splitlines()[-1])
    except (ValueError, IndexError):
        res.status = f"failed: rc={run.returncode}: {last_line(log)}"
        return res
    res.solve_s = float(j["seconds"])
    res.status = "optimal" if j["status"] == "solved" else j["status"]
    if j.get("error_fro") is not None:  # absolute ||X - M||_F: divide by ||M||_F
        res.error = j["error_fro"] / np.linalg.norm(read_header_and_truth(path)[4])
    return res


# --------------------------------------------------------------------------- SDPA-format peers

def write_sdpa(inst, path):
    """The embedding in SDPA sparse format: m constraints, one block of size d1 + d2,
    c = b, F_0 = -I/2, F_i = [[0, A_i/2], [A_i^T/2, 0]] (upper triangle, 1-based)."""
    n = inst.d1 + inst.d2
    with open(path, "w") as f:
        f.write(f'"flatmin nuclear-norm embedding {inst.family} {inst.d1}x{inst.d2} m={inst.m}"\n')
        f.write(f"{inst.m}\n1\n{n}\n")
        f.write(" ".join(repr(float(v)) for v in inst.b) + "\n")
        f.write("".join(f"0 1 {i} {i} -0.5\n" for i in range(1, n + 1)))
        chunk = 1 << 20
        for s in range(0, inst.con.size, chunk):
            rows = zip((inst.con[s:s + chunk] + 1).tolist(), (inst.row[s:s + chunk] + 1).tolist(),
                       (inst.col[s:s + chunk] + 1 + inst.d1).tolist(),
                       (inst.val[s:s + chunk] / 2).tolist())
            f.write("".join(f"{k} 1 {i} {j} {v!r}\n" for k, i, j, v in rows))


def sdpa_params(path):
    """SDPA's default parameters, except that Y is printed with 17 digits."""
    text = ("100\tunsigned int maxIteration;\n1.0E-7\tdouble 0.0 < epsilonStar;\n"
            "1.0E2\tdouble 0.0 < lambdaStar;\n2.0\tdouble 1.0 < omegaStar;\n"
            "-1.0E5\tdouble lowerBound;\n1.0E5\tdouble upperBound;\n"
            "0.1\tdouble 0.0 <= betaStar < 1.0;\n0.2\tdouble 0.0 <= betaBar < 1.0;\n"
            "0.9\tdouble 0.0 < gammaStar < 1.0;\n1.0E-7\tdouble 0.0 < epsilonDash;\n"
            "%+8.3e\tchar* xPrint\n%+8.3e\tchar* XPrint\n%+.17e\tchar* YPrint\n"
            "%+10.16e\tchar* infPrint\n")
    with open(path, "w") as f:
        f.write(text)


NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def block_of(Y, d1, d2):
    """X = the upper-right d1 x d2 block of the (d1 + d2)-square Y."""
    return Y[:d1, d1:d1 + d2]


def read_sparse_matrix(lines, which, n):
    """The symmetric matrix `which` (1 or 2) of a CSDP / SDPA-format solution file."""
    Y = np.zeros((n, n))
    for line in lines:
        t = line.split()
        if len(t) == 5 and t[0] == str(which):
            i, j, v = int(t[2]) - 1, int(t[3]) - 1, float(t[4].replace("D", "e"))
            Y[i, j] = Y[j, i] = v
    return Y


def run_sdpa(inst, name, dat, timeout, workdir, env):
    """`sdpa -ds FILE -o OUT -p param.sdpa`: Y is SDPA's yMat; optimal when phase is pdOPT."""
    param, out, log = (os.path.join(workdir, f) for f in ("param.sdpa", "sdpa.result", "sdpa.out"))
    sdpa_params(param)
    run = run_measured(["sdpa", "-ds", dat, "-o", out, "-p", param], timeout, workdir, log, env,
                       outputs=[out])
    res = measured_result(name, "sdpa", run)
    if res.status:
        return res
    try:
        with open(out) as f:
            text = f.read()
        phase = re.search(r"phase\.value\s*=\s*(\w+)", text).group(1)
        res.solve_s = float(re.search(r"Main Loop\s*=\s*(" + NUMBER + ")", text).group(1))
        ymat = text[text.index("yMat ="):]
        values = np.array(re.findall(NUMBER, ymat[len("yMat ="):]), dtype=float)
        n = inst.d1 + inst.d2
        Y = values[:n * n].reshape(n, n)
    except (OSError, AttributeError, ValueError):
        res.status = f"failed: rc={run.returncode}: {last_line(log)}"
        return res
    res.status = "optimal" if phase == "pdOPT" else phase
    res.error = relative_error(block_of(Y, inst.d1, inst.d2), inst.M)
    return res


CSDP_STATUS = {0: "optimal", 1: "primal infeasible", 2: "dual infeasible", 3: "partial success",
               4: "max iterations", 5: "stuck primal", 6: "stuck dual", 7: "lack of progress",
               8: "singular X or Z", 9: "NaN or Inf", 10: "bad parameter"}


def run_csdp(inst, name, dat, timeout, workdir, env):
    """`csdp FILE SOL` (default parameters): Y is CSDP's X (matrix 2 of SOL); optimal when the
    exit code is 0."""
    sol, log = os.path.join(workdir, "csdp.sol"), os.path.join(workdir, "csdp.out")
    run = run_measured(["csdp", dat, sol], timeout, workdir, log, env, outputs=[sol])
    res = measured_result(name, "csdp", run)
    if res.status:
        return res
    res.solve_s = run.wall_s  # the Debian build of CSDP prints no timing
    try:
        with open(sol) as f:
            Y = read_sparse_matrix(f.read().splitlines()[1:], 2, inst.d1 + inst.d2)
    except OSError:
        res.status = f"failed: rc={run.returncode}: {last_line(log)}"
        return res
    res.status = CSDP_STATUS.get(run.returncode, f"rc={run.returncode}")
    res.error = relative_error(block_of(Y, inst.d1, inst.d2), inst.M)
    return res


def run_dsdp(inst, name, dat, timeout, workdir, env):
    """`dsdp5 FILE -save SOL` (default options): Y is DSDP's X (matrix 2 of SOL, SDPA format);
    optimal when DSDP says `DSDP Converged`."""
    sol, log = os.path.join(workdir, "dsdp.sol"), os.path.join(workdir, "dsdp.out")
    run = run_measured(["dsdp5", dat, "-save", sol], timeout, workdir, log, env, outputs=[sol])
    res = measured_result(name, "dsdp", run)
    if res.status:
        return res
    with open(log, errors="replace") as f:
        text = f.read()
    t = re.search(r"DSDP Preparation and Solve Time:\s*(" + NUMBER + ")", text)
    res.solve_s = float(t.group(1)) if t else run.wall_s
    reason = re.search(r"DSDP Terminated Due to (.*?)\.?\s*$", text, re.M)
    try:
        with open(sol) as f:
            Y = read_sparse_matrix(f.read().splitlines(), 2, inst.d1 + inst.d2)
    except OSError:
        res.status = f"failed: rc={run.returncode}: {last_line(log)}"
        return res
    res.status = ("optimal" if "DSDP Converged" in text else
                  reason.group(1).lower() if reason else f"rc={run.returncode}")
    res.error = relative_error(block_of(Y, inst.d1, inst.d2), inst.M)
    return res


# --------------------------------------------------------------------------- CVXOPT

def cvxopt_worker(instance_path, out_path):
    """Child process: parses the instance, builds the embedding for cvxopt.solvers.sdp
    (G_i = -F_i in 'L' storage, h = I/2, c = b), solves, and writes X, status and the wall time
    of the solve call to out_path (.npz)."""
    from cvxopt import matrix, solvers, spmatrix
    inst = read_instance(instance_path)
    n = inst.d1 + inst.d2
    # lower triangle of -F_i: entry (d1 + col, row) = -A_i[row, col] / 2, column-major index
    rows = (inst.d1 + inst.col) + inst.row * n
    G = spmatrix((-inst.val / 2).tolist(), rows.tolist(), inst.con.tolist(), (n * n, inst.m))
    h = matrix(0.5 * np.eye(n))
    c = matrix(inst.b)
    solvers.options["show_progress"] = False
    start = time.perf_counter()
    sol = solvers.sdp(c, Gs=[G], hs=[h])
    seconds = time.perf_counter() - start
    Y = np.array(sol["zs"][0]) if sol["zs"] else np.full((n, n), np.nan)
    Y = np.tril(Y) + np.tril(Y, -1).T
    np.savez(out_path, X=block_of(Y, inst.d1, inst.d2), status=sol["status"], seconds=seconds)


def run_cvxopt(inst, name, path, timeout, workdir, env):
    """This script with --cvxopt-worker in a child python: status is cvxopt's own."""
    out, log = os.path.join(workdir, "cvxopt.npz"), os.path.join(workdir, "cvxopt.out")
    cmd = [sys.executable, os.path.abspath(__file__), "--cvxopt-worker", path, out]
    run = run_measured(cmd, timeout, workdir, log, env, outputs=[out])
    res = measured_result(name, "cvxopt", run)
    if res.status:
        return res
    try:
        if run.returncode != 0:
            raise OSError
        data = np.load(out)
    except OSError:
        res.status = f"failed: rc={run.returncode}: {last_line(log)}"
        return res
    res.solve_s = float(data["seconds"])
    res.status = str(data["status"])
    res.error = relative_error(data["X"], inst.M)
    return res


PEER_PACKAGE = {"cvxopt": "python3-cvxopt", "sdpa": "sdpa", "csdp": "coinor-csdp", "dsdp": "dsdp"}


def versions(flatmin, peers):
    """One line stamping the output: the flatmin binary (it has no --version: its path and build
    time) with the checkout's git commit, and each peer's Debian package version."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    git = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip() or "unknown"
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(flatmin)))
    parts = [f"flatmin {flatmin} (built {built}; checkout {git})"]
    for p in peers:
        v = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", PEER_PACKAGE[p]],
                           capture_output=True, text=True).stdout.strip() or "?"
        parts.append(f"{p} {v} ({PEER_COMMAND.get(p, 'python module')})")
    return "versions: " + ", ".join(parts)


def installed_peers(wanted):
    """The peers of `wanted` that can run here."""
    ok = []
    for p in wanted:
        if p == "cvxopt":
            have = subprocess.run([sys.executable, "-c", "import cvxopt"],
                                  capture_output=True).returncode == 0
        else:
            have = shutil.which(PEER_COMMAND[p]) is not None
        if have:
            ok.append(p)
    return ok


# --------------------------------------------------------------------------- one instance

def compare_instance(flatmin, spec, seed, peers, timeout, workdir, env):
    """Generates one instance, runs flatmin and every peer on it, returns its rows."""
    name = f"{spec.name} s={seed}"
    path = os.path.join(workdir, "instance.txt")
    generate(flatmin, spec, seed, path)
    rows = [run_flatmin(flatmin, name, path, timeout, workdir)]
    progress(rows[-1])
    if peers:
        inst = read_instance(path)
        dat = os.path.join(workdir, "instance.dat-s")
        if set(peers) & {"sdpa", "csdp", "dsdp"}:
            write_sdpa(inst, dat)
        runner = {"cvxopt": lambda: run_cvxopt(inst, name, path, timeout, workdir, env),
                  "sdpa": lambda: run_sdpa(inst, name, dat, timeout, workdir, env),
                  "csdp": lambda: run_csdp(inst, name, dat, timeout, workdir, env),
                  "dsdp": lambda: run_dsdp(inst, name, dat, timeout, workdir, env)}
        for p in peers:
            rows.append(runner[p]())
            progress(rows[-1])
        if os.path.exists(dat):
            os.remove(dat)
    os.remove(path)
    set_ratios(rows)
    return rows


def counts_for_ratio(r):
    """A peer run that answered: optimal, or finished with X within 1e-6 of the truth (SDPA
    usually stops at pdFEAS, relative gap ~1e-7, on these degenerate programs)."""
    return r.status == "optimal" or r.error < 1e-6  # a timed-out or failed run has error NaN


def progress(r):
    print(f"  {r.solver:8s} {r.wall_s:9.3f} s  error {r.error:.1e}  {r.status}", file=sys.stderr,
          flush=True)


def set_ratios(rows):
    """On flatmin's row: fastest answering peer's seconds / flatmin's seconds."""
    me = rows[0]
    ok = [r for r in rows[1:] if counts_for_ratio(r)]
    if ok and me.status == "optimal":
        me.ratio = min(r.solve_s for r in ok) / me.solve_s
        me.ratio_wall = min(r.wall_s for r in ok) / me.wall_s


# --------------------------------------------------------------------------- output

COLUMNS = [("instance", "{:<28s}"), ("solver", "{:<8s}"), ("wall_s", "{:>9.3f}"),
           ("solve_s", "{:>9.3f}"), ("cpu_s", "{:>8.2f}"), ("error", "{:>9.1e}"),
           ("peak_MB", "{:>8.1f}"), ("ratio", "{:>7.1f}"), ("ratio_wall", "{:>10.1f}"),
           ("status", "{:<s}")]


def cells(r):
    return [r.instance, r.solver, r.wall_s, r.solve_s, r.cpu_s, r.error, r.peak_mb, r.ratio,
            r.ratio_wall, r.status]


def print_table(rows, out=sys.stdout):
    header = []
    for (name, fmt) in COLUMNS:
        width = re.search(r"(\d+)", fmt)
        header.append(name.rjust(int(width.group(1))) if ">" in fmt
                      else name.ljust(int(width.group(1))) if width else name)
    print(" ".join(header), file=out)
    for r in rows:
        line = []
        for (_, fmt), v in zip(COLUMNS, cells(r)):
            if isinstance(v, float) and math.isnan(v):
                width = re.search(r"(\d+)", fmt)
                line.append("-".rjust(int(width.group(1))))
            else:
                line.append(fmt.format(v))
        print(" ".join(line), file=out)
    out.flush()


def write_csv(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([name for name, _ in COLUMNS])
        for r in rows:
            w.writerow(["" if isinstance(v, float) and math.isnan(v) else
                        (f"{v:.6g}" if isinstance(v, float) else v) for v in cells(r)])


def fitted_exponent(ds, seconds):
    """Least-squares slope of log seconds against log d (over finite, positive times)."""
    pts = [(math.log(d), math.log(s)) for d, s in zip(ds, seconds) if s > 0 and math.isfinite(s)]
    if len(pts) < 2:
        return math.nan
    x, y = np.array(pts).T
    return float(np.polyfit(x, y, 1)[0])


def print_growth(rows, specs):
    """Per family: seconds and peak memory per d, and the fitted exponents, over the solved runs
    only (an iteration_limit or timeout run measures the iteration budget, not the size)."""
    print()
    print("flatmin growth: exponent = least-squares slope of log(quantity) against log d, "
          "over the solved runs")
    for family in dict.fromkeys(s.family for s in specs):
        fam = [(s, r) for s, r in zip(specs, rows) if s.family == family]
        print(f"{family}:")
        for s, r in fam:
            print(f"  d={s.d:<4d} solve_s={r.solve_s:9.3f}  cpu_s={r.cpu_s:9.2f}  "
                  f"wall_s={r.wall_s:9.3f}  peak_MB={r.peak_mb:8.1f}  error={r.error:.1e}  "
                  f"{r.status}")
        solved = [(s.d, r) for s, r in fam if r.status == "optimal"]
        ds = [d for d, _ in solved]
        fit = {q: fitted_exponent(ds, [getattr(r, q) for _, r in solved])
               for q in ("solve_s", "cpu_s", "wall_s", "peak_mb")}
        print(f"  exponent over d = {', '.join(map(str, ds)) or 'none'}: "
              f"solve_s ~ d^{fit['solve_s']:.2f}, cpu_s ~ d^{fit['cpu_s']:.2f}, "
              f"wall_s ~ d^{fit['wall_s']:.2f}, peak_MB ~ d^{fit['peak_mb']:.2f}")


# --------------------------------------------------------------------------- self-test

def self_test(flatmin, peers, timeout, workdir, env):
    """Each installed peer on a recovered d = 8 Gaussian instance: flatmin must be solved with
    error < 1e-10, and every peer's X within 1e-6 of the truth, so within 1e-6 of flatmin's
    answer (its status is printed, not required: SDPA ends at pdFEAS here). Returns the exit
    status."""
    spec = Spec("gaussian", 8, m=48)
    print(f"self-test: {spec.name} rank 2 seed {DEFAULT_SEED}; peers: {', '.join(peers) or 'none'}")
    print(versions(flatmin, peers), flush=True)
    rows = compare_instance(flatmin, spec, DEFAULT_SEED, peers, timeout, workdir, env)
    print_table(rows)
    bad = []
    for r in rows:
        tol = 1e-10 if r.solver == "flatmin" else SELF_TEST_TOLERANCE
        ok = r.error < tol and (r.solver != "flatmin" or r.status == "optimal")
        print(f"{r.solver:8s} {'PASS' if ok else 'FAIL'} (error {r.error:.1e} < {tol:g}, "
              f"status {r.status})")
        if not ok:
            bad.append(r.solver)
    missing = [p for p in PEERS if p not in peers]
    if missing:
        print(f"not tested (not installed, or left out by --peers): {', '.join(missing)}")
    print("self-test " + ("FAILED: " + ", ".join(bad) if bad else "passed"))
    return 1 if bad else 0


# --------------------------------------------------------------------------- main

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--flatmin", default="build/flatmin", help="the flatmin binary")
    ap.add_argument("--set", default="issue", choices=["issue", "quick", "growth", "sweep"])
    ap.add_argument("--peers", default=None,
                    help="comma-separated subset of cvxopt,sdpa,csdp,dsdp (default: all; "
                         "growth: none); 'none' for flatmin only")
    ap.add_argument("--family", default=None,
                    help="comma-separated subset of the set's families (gaussian, bilinear, "
                         "quadnn, completion); default: all")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    ap.add_argument("--csv", help="write the table to this CSV file too")
    ap.add_argument("--workdir", help="keep the work files here (default: a removed temp dir)")
    ap.add_argument("--peer-blas", metavar="DIR",
                    help="a directory with libblas.so.3 and liblapack.so.3 (e.g. OpenBLAS) put "
                         "first on LD_LIBRARY_PATH of the peers, with OPENBLAS_NUM_THREADS=1")
    ap.add_argument("--self-test", action="store_true",
                    help="check every installed peer's embedding on a d = 8 Gaussian instance")
    ap.add_argument("--cvxopt-worker", nargs=2, metavar=("INSTANCE", "OUT"), help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def chosen_peers(args):
    if args.peers is None:
        wanted = [] if args.set == "growth" and not args.self_test else list(PEERS)
    elif args.peers in ("", "none"):
        wanted = []
    else:
        wanted = [p.strip() for p in args.peers.split(",") if p.strip()]
        unknown = [p for p in wanted if p not in PEERS]
        if unknown:
            sys.exit(f"unknown peer(s): {', '.join(unknown)} (known: {', '.join(PEERS)})")
    have = installed_peers(wanted)
    for p in wanted:
        if p not in have:
            print(f"note: {p} is not installed; skipped", file=sys.stderr)
    return have


def peer_environment(blas_dir):
    """The peers' environment: unchanged, or with blas_dir first on LD_LIBRARY_PATH (single
    thread, as flatmin). CVXOPT, CSDP and DSDP load the system's libblas.so.3, which on Debian
    is the reference BLAS unless an optimised one is installed; SDPA's package carries its own."""
    env = dict(os.environ)
    if blas_dir:
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [os.path.abspath(blas_dir),
                                                               env.get("LD_LIBRARY_PATH")]))
        env["OPENBLAS_NUM_THREADS"] = "1"
    return env


def main(argv):
    args = parse_args(argv)
    if args.cvxopt_worker:
        cvxopt_worker(*args.cvxopt_worker)
        return 0
    if not os.access(GNU_TIME, os.X_OK):
        sys.exit(f"{GNU_TIME} is needed for the peak memory (Debian package `time`)")
    flatmin = os.path.abspath(args.flatmin)
    if not os.access(flatmin, os.X_OK):
        sys.exit(f"no flatmin binary at {flatmin} (use --flatmin PATH)")
    peers = chosen_peers(args)
    workdir = args.workdir or tempfile.mkdtemp(prefix="flatmin-peers-")
    os.makedirs(workdir, exist_ok=True)
    env = peer_environment(args.peer_blas)
    try:
        if args.self_test:
            return self_test(flatmin, peers, args.timeout, workdir, env)
        specs = instance_set(args.set)
        if args.family:
            wanted = [f.strip() for f in args.family.split(",") if f.strip()]
            known = {sp.family for sp in specs}
            unknown = [f for f in wanted if f not in known]
            if unknown:
                sys.exit(f"--family: {', '.join(unknown)} not in set {args.set} "
                         f"(it has {', '.join(sorted(known))})")
            specs = [sp for sp in specs if sp.family in wanted]
        print(f"set {args.set}: rank 2, seed {args.seed}, timeout {args.timeout:g} s per run, "
              f"peers: {', '.join(peers) or 'none'}")
        print(versions(flatmin, peers), flush=True)
        print(f"peers' BLAS: {args.peer_blas or 'the system libblas.so.3'}")
        rows, first = [], []
        for spec in specs:
            print(f"{spec.name} ...", file=sys.stderr, flush=True)
            got = compare_instance(flatmin, spec, args.seed, peers, args.timeout, workdir, env)
            first.append(got[0])
            rows += got
        print()
        print_table(rows)
        if args.set == "growth":
            print_growth(first, specs)
        if args.set == "sweep":
            print_sweep(rows, specs, args.timeout)
        if args.csv:
            write_csv(rows, args.csv)
            print(f"\nCSV: {args.csv}")
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
