// The subcommands of `flatmin`, one file each (cli/cmd_<name>.cpp).
// Each registers itself on the app and hands back an action; main() runs the action of the
// subcommand that was parsed and exits with its status.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace flatmin::cli {

// `flatmin check` exits with this when no trial was applicable (every drawn instance failed the
// statement's hypotheses): nothing was tested, which is neither HOLDS nor VIOLATED.
constexpr int kNoApplicableTrial = 4;

// `flatmin check <id|all> [--trials N] [--seed S] [--precision P]... [--control] [--long]` and
// `flatmin check --list` (cmd_check.cpp): one line per row and precision (catalogue.hpp's
// format_report). Exit 0 holds, 1 violated (the smallest counterexample is printed), 2 usage
// error, 3 internal error, 4 (kNoApplicableTrial) no applicable trial and nothing violated.
CLI::App* add_check_command(CLI::App& app, std::function<int()>& action);

// `flatmin instance <gaussian|bilinear|completion|quadnn> --d D (--m M | --p P) --rank R
//                   [--seed S] --out FILE`
// writes a generated instance in the text format of docs/instance-format.md (atomically).
// The action returns 0 (written; one line naming the file on stdout), 2 (usage error: bad or
// missing option, unknown family, sizes out of range, unwritable path; nothing is written),
// 3 (internal error).
CLI::App* add_instance_command(CLI::App& app, std::function<int()>& action);

// `flatmin solve FILE [--method nuclear|flat] [--precision double|quad] [--max-iterations N]
//                [--noise EPS] [--certify] [--json]` (cmd_solve.cpp): solves the instance's convex
// program (with --noise: min ||X||_* s.t. ||A(X) - b|| <= EPS, in the flat coordinates for
// --method flat) and prints status, method, program (exact|noisy), noise, precision, seconds, iterations, primal_residual, dual_residual, gap, rank,
// error_fro (when the file has a ground truth) and, with --certify, certificate {at, verdict,
// margin, tangent_sigma_min, equation_residual, rank}. Exit 0 solved, 1 any other status (the
// status says which), 2 usage error or bad file.
CLI::App* add_solve_command(CLI::App& app, std::function<int()>& action);

// `flatmin eval FILE --factors F [--precision double|quad] [--json]` (cmd_solve.cpp): loss, scaled
// trace by definition and by (16), cond(D1), cond(D2), ||L||^2 + ||R||^2, ||L^T L - R^T R||_* and
// ||L R^T||_* of a factor pair given as text (flatmin/factors_io.hpp). Exit 0, or 2 on bad input.
CLI::App* add_eval_command(CLI::App& app, std::function<int()>& action);

// `flatmin reproduce <figure...|all> [--scale quick|paper] [--out DIR] [--threads N]
//                   [--shard i/n | --merge] [--verify] [--manifest F] [--write-manifest]
//                   [--no-draw]` (cmd_reproduce.cpp): regenerates figures (reproductions/).
// Under mpirun the cells are spread over the ranks and rank 0 writes. Exit 0 written (and
// verified), 1 a file differs from the manifest or gnuplot failed, 2 usage error, 3 internal.
CLI::App* add_reproduce_command(CLI::App& app, std::function<int()>& action);

// `flatmin train [--instance FILE | --d D --n N --rank R] --depth L --optimizer NAME
//                --step-size ETA [--steps N] [--batch B] [--label-noise DELTA] [--sam-radius RHO]
//                [--init-scale S] [--seed S] [--log-every K] [--out FILE] [--export DIR] [--flat]`
// (cmd_train.cpp): one training run of paper B's deep factorization (flatmin/train.hpp); the
// log (step, train and test loss, Hessian trace, ||E||_*, R(W), induced value, balance) as CSV
// on stdout or in FILE, a summary on stderr. Exit 0 completed, 1 diverged (the update at which
// the loss became non-finite is named) or --flat's solve failed, 2 usage error, 3 internal.
CLI::App* add_train_command(CLI::App& app, std::function<int()>& action);

}  // namespace flatmin::cli
