// `flatmin solve` and `flatmin eval` (see commands.hpp).
#include <cmath>
#include <limits>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "args.hpp"
#include "commands.hpp"
#include "flatmin/factors_io.hpp"
#include "flatmin/instance.hpp"
#include "flatmin/linalg.hpp"
#include "flatmin/objective.hpp"
#include "flatmin/programs.hpp"
#include "flatmin/solver.hpp"

namespace flatmin::cli {

namespace {

using nlohmann::json;

// One JSON object on a line, or "key: value" lines for people.
void print(const json& j, bool as_json) {
  if (as_json) {
    std::cout << j.dump() << "\n";
    return;
  }
  for (const auto& item : j.items())
    std::cout << item.key() << ": "
              << (item.value().is_string() ? item.value().get<std::string>() : item.value().dump())
              << "\n";
}

// JSON has no infinity or NaN: such values are written as null.
json number(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

struct SolveArgs {
  std::string file, method = "nuclear", precision = "double";
  bool certify = false, as_json = false;
  long long max_iterations = 3000;
  bool noisy = false;  // --noise EPS given: the program ||A(X) - b|| <= EPS instead of A(X) = b
  double noise = 0;
  std::uint64_t memory_limit = 0;  // 0: the available memory
};

// The noisy program for --noise: min ||X||_* s.t. ||A(X) - b|| <= eps (nuclear), or in the flat
// coordinates min ||X||_* s.t. ||A(D1^-1 X D2^-1) - b|| <= eps with the answer mapped back as
// D1^-1 X D2^-1 (flat; status d_singular as solve_flat's when D1 or D2 is singular).
template <class S>
SolveResult<S> solve_with_noise(const SensingMap<S>& A, const Vec<S>& b, const S& eps,
                                Method method, const SolveOptions& o) {
  if (method == Method::nuclear) return solve_noisy<S>(A, b, eps, o);
  const Rescaling<S> D = rescaling(A);
  const double c1 = to_double(spd_condition<S>(D.D1)), c2 = to_double(spd_condition<S>(D.D2));
  SolveResult<S> res;
  if (!(c1 < o.d_condition_max) || !(c2 < o.d_condition_max)) {
    res.status = SolveStatus::d_singular;
    res.method = Method::flat;
    res.message = "D1 or D2 is singular (condition numbers " + std::to_string(c1) + ", " +
                  std::to_string(c2) + ")";
    return res;
  }
  const Mat<S> D1i = spd_inverse<S>(D.D1, "D1"), D2i = spd_inverse<S>(D.D2, "D2");
  res = solve_noisy<S>(A.composed(D1i, D2i), b, eps, o);
  res.method = Method::flat;
  if (res.X.size()) res.X = D1i * res.X * D2i;
  return res;
}

template <class S> int run_solve(const SolveArgs& a, const RecoveryInstance& inst, Method method) {
  const SensingMap<S> A = inst.A.template cast<S>();
  const Vec<S> b = inst.b.template cast<S>();
  SolveOptions o;
  o.max_iterations = int(a.max_iterations);
  const bool noisy = a.noisy;
  const SolveResult<S> res =
      noisy ? solve_with_noise<S>(A, b, S(a.noise), method, o) : solve<S>(method, A, b, o);
  json j;
  j["file"] = a.file;
  j["status"] = status_name(res.status);
  j["method"] = method_name(method);
  j["program"] = noisy ? "noisy" : "exact";
  if (noisy) j["noise"] = a.noise;
  j["precision"] = a.precision;
  j["seconds"] = res.seconds;
  j["iterations"] = res.iterations;
  j["primal_residual"] = number(res.primal_residual);
  j["dual_residual"] = number(res.dual_residual);
  j["gap"] = number(res.gap);
  j["rank"] = res.rank;
  j["message"] = res.message;
  if (inst.has_truth && res.X.size()) {
    const Mat<S> M = cast_matrix<S>(inst.M);
    const S err = (res.X - M).norm(), mn = M.norm();
    j["error_fro"] = number(to_double(err));
    j["error_rel"] = number(mn > S(0) ? to_double(S(err / mn)) : to_double(err));
  }
  if (a.certify) {
    // at the ground truth when the file has one, else at the solution found
    const Mat<S> at = inst.has_truth ? cast_matrix<S>(inst.M) : res.X;
    json c;
    c["at"] = inst.has_truth ? "ground_truth" : "solution";
    if (at.size() == 0 || at.norm() == S(0)) {
      c["verdict"] = "not_applicable";
    } else {
      const Certificate cert = method == Method::flat ? certify_flat<S>(A, at) : certify<S>(A, at);
      c["verdict"] = verdict_name(cert.verdict);
      c["margin"] = number(cert.margin);
      c["tangent_sigma_min"] = number(cert.tangent_sigma_min);
      c["equation_residual"] = number(cert.equation_residual);
      c["rank"] = cert.rank;
    }
    j["certificate"] = c;
  }
  print(j, a.as_json);
  return res.status == SolveStatus::solved ? 0 : 1;
}

struct EvalArgs {
  std::string file, factors, precision = "double";
  bool as_json = false;
  std::uint64_t memory_limit = 0;  // 0: the available memory
};

std::string sizes(const RecoveryInstance& inst) {
  return "d1 = " + std::to_string(inst.d1) + ", d2 = " + std::to_string(inst.d2) +
         ", m = " + std::to_string(inst.A.m());
}

template <class S> int run_eval(const EvalArgs& a, const RecoveryInstance& inst, const Factors<double>& fd) {
  const SensingMap<S> A = inst.A.template cast<S>();
  const Vec<S> b = inst.b.template cast<S>();
  const Mat<S> L = cast_matrix<S>(fd.L), R = cast_matrix<S>(fd.R);
  // Factors whose products overflow the scalar are the file's problem: say so, naming it (an
  // internal routine would report a non-finite matrix). Throws InvalidArgument: exit 2.
  const std::string over = a.factors + ": the factors' products overflow " + a.precision +
                           " (entries too large; rescale L and R): ";
  require_finite(Mat<S>(L * R.transpose()), (over + "L R^T").c_str());
  require_finite(Mat<S>(L.transpose() * L), (over + "L^T L").c_str());
  require_finite(Mat<S>(R.transpose() * R), (over + "R^T R").c_str());
  const Rescaling<S> D = rescaling(A);
  json j;
  j["file"] = a.file;
  j["factors"] = a.factors;
  j["precision"] = a.precision;
  j["k"] = fd.L.cols();
  j["loss"] = number(to_double(loss<S>(A, b, L, R)));
  j["scaled_trace_definition"] = number(to_double(scaled_trace_definition<S>(A, b, L, R)));
  j["scaled_trace_closed"] = number(to_double(scaled_trace_closed<S>(A, D, L, R)));
  j["cond_D1"] = number(to_double(spd_condition<S>(D.D1)));
  j["cond_D2"] = number(to_double(spd_condition<S>(D.D2)));
  j["factor_norm_sq"] = number(to_double(factor_norm_sq<S>(L, R)));
  j["balance_gap"] = number(to_double(balance_gap<S>(L, R)));
  j["nuclear_norm_LRt"] = number(to_double(nuclear_norm<S>(Mat<S>(L * R.transpose()))));
  // The inputs are finite: a measure that is not overflowed (or was formed from values that did)
  for (const auto& item : j.items())
    if (item.value().is_null())
      throw InvalidArgument(a.file + " with " + a.factors + ": " + item.key() +
                            " is not representable in " + a.precision +
                            " (the data's scale overflows it; rescale A and b, or L and R)");
  print(j, a.as_json);
  return 0;
}

bool precision_ok(const std::string& p, std::string& why) {
  if (p != "double" && p != "quad") {
    why = "unknown precision '" + p + "' (expected double or quad)";
    return false;
  }
  if (p == "quad" && !has_extended_precision()) {
    why = "this build has double precision only (configured with FLATMIN_EXTENDED_PRECISION=OFF)";
    return false;
  }
  return true;
}

}  // namespace

CLI::App* add_solve_command(CLI::App& app, std::function<int()>& action) {
  auto args = std::make_shared<SolveArgs>();
  CLI::App* cmd = app.add_subcommand("solve", "solve the nuclear-norm or flat program of an instance file");
  cmd->add_option("file", args->file, "instance file (docs/instance-format.md)")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--method", args->method, "nuclear (min ||X||_* s.t. A(X) = b) or flat (A(D1^-1 X D2^-1) = b)")
      ->type_name("nuclear|flat");
  cmd->add_option("--precision", args->precision, "double or quad (ADMM in double, polish in quad)")
      ->type_name("double|quad");
  add_count(cmd, "--max-iterations", args->max_iterations, 1, 10000000,
            "ADMM iteration budget (1 to 10^7)");
  CLI::Option* noise_opt =
      add_real(cmd, "--noise", args->noise, 0.0, std::numeric_limits<double>::max(),
               "a finite number >= 0",
               "solve min ||X||_* s.t. ||A(X) - b|| <= EPS (noisy measurements; EPS >= 0)");
  add_memory_limit(cmd, args->memory_limit);
  cmd->add_flag("--certify", args->certify, "dual certificate of unique optimality at the ground truth");
  cmd->add_flag("--json", args->as_json, "one JSON object on stdout");
  action = [args, noise_opt]() -> int {
    std::string why;
    if (!precision_ok(args->precision, why)) return usage_error("solve: " + why);
    args->noisy = noise_opt->count() > 0;
    Method method;
    try {
      method = parse_method(args->method);
    } catch (const InvalidArgument& e) {
      return usage_error(std::string("solve: ") + e.what());
    }
    try {
      const RecoveryInstance inst = read_instance(args->file);
      const std::size_t scalar = args->precision == "quad" ? sizeof(quad) : sizeof(double);
      if (!memory_fits("solve", "solving " + args->file + " (" + sizes(inst) + ", " +
                                    method_name(method) + ", " + args->precision + ")",
                       memory::solve_bytes(inst.d1, inst.d2, inst.A.m(), inst.A.structure(),
                                           method, scalar),
                       args->memory_limit))
        return 2;
      if (args->precision == "quad") {
#ifndef FLATMIN_DOUBLE_ONLY
        return run_solve<quad>(*args, inst, method);
#endif
      }
      return run_solve<double>(*args, inst, method);
    } catch (const InvalidArgument& e) {
      return usage_error(std::string("solve: ") + e.what());
    }
  };
  return cmd;
}

CLI::App* add_eval_command(CLI::App& app, std::function<int()>& action) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "flatness measures of a factor pair (L, R) for an instance");
  cmd->add_option("file", args->file, "instance file (docs/instance-format.md)")
      ->required()
      ->type_name("FILE");
  cmd->add_option("--factors", args->factors, "factor file: d1 rows of L, then d2 rows of R, k numbers a row")->required()
      ->type_name("FILE");
  cmd->add_option("--precision", args->precision, "double or quad")
      ->type_name("double|quad");
  cmd->add_flag("--json", args->as_json, "one JSON object on stdout");
  add_memory_limit(cmd, args->memory_limit);
  action = [args]() -> int {
    std::string why;
    if (!precision_ok(args->precision, why)) return usage_error("eval: " + why);
    try {
      const RecoveryInstance inst = read_instance(args->file);
      const Factors<double> f = read_factors(args->factors, inst.d1, inst.d2);
      const std::size_t scalar = args->precision == "quad" ? sizeof(quad) : sizeof(double);
      if (!memory_fits("eval", "evaluating " + args->factors + " on " + args->file + " (" +
                                   sizes(inst) + ")",
                       memory::eval_bytes(inst.d1, inst.d2, f.L.cols(), scalar),
                       args->memory_limit))
        return 2;
      if (args->precision == "quad") {
#ifndef FLATMIN_DOUBLE_ONLY
        return run_eval<quad>(*args, inst, f);
#endif
      }
      return run_eval<double>(*args, inst, f);
    } catch (const InvalidArgument& e) {
      return usage_error(std::string("eval: ") + e.what());
    }
  };
  return cmd;
}

}  // namespace flatmin::cli
