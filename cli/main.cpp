// flatmin — command-line front end.
//   flatmin check --list
//   flatmin check <id|all> [--trials N] [--seed S] [--precision double|quad|mp50] [--control]
//   flatmin instance <family> --d D (--m M | --p P) --rank R [--seed S] --out FILE  (commands.hpp)
//   flatmin solve FILE [--method nuclear|flat] [--precision double|quad] [--certify] [--json]
//   flatmin eval FILE --factors F [--precision double|quad] [--json]
//   flatmin reproduce <figure...|all> [--scale quick|paper] [--out DIR] [--shard i/n] [--verify]
//   flatmin train [--instance FILE] --depth L --optimizer NAME --step-size ETA [--steps N] ...
// Exit status: 0 the statement holds on every trial (stat rows: frequency met), 1 violated
// (the smallest counterexample is printed), 2 usage error, 3 internal error (a defect).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "flatmin/catalogue.hpp"
#include "flatmin/determinism.hpp"

namespace {

using namespace flatmin;
using namespace flatmin::catalogue;

int usage_error(const std::string& msg) {
  std::cerr << "flatmin: " << msg << "\n";
  return 2;
}

int check_one(const Row& row, const std::vector<Precision>& precisions, int trials,
              std::uint64_t seed, Variant v) {
  int status = 0;
  for (Precision p : precisions) {
    const Report rep = run(row, p, trials, seed, v);
    std::cout << format_report(rep) << " seed=" << seed
              << (v == Variant::negative_control ? " (negative control)" : "") << "\n";
    if (!rep.holds) {
      status = 1;
      if (rep.has_counterexample)
        std::cout << "  smallest counterexample: " << rep.counterexample.describe() << "\n"
                  << "  " << rep.counterexample_outcome.detail << "\n";
    }
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (!flatmin::cpu_supports_build_isa()) {
    std::cerr << "flatmin: this build is for " << flatmin::build_isa()
              << " and this CPU lacks AVX2; rebuild with cmake -DFLATMIN_ISA=sse2\n";
    return 2;
  }
  flatmin::pin_eigen();
  flatmin::retain_freed_memory();
  CLI::App app{"flatmin: verification suite for flat minima in low-rank matrix recovery"};
  app.require_subcommand(1);

  auto* check = app.add_subcommand("check", "run a catalogue row on random instances");
  std::string id;
  bool list = false, control = false, include_long = false;
  long long trials_arg = -1;
  std::string seed_arg = "1";
  std::vector<std::string> precision_args;
  check->add_flag("--list", list, "print the catalogue ids, one a line");
  check->add_option("id", id, "catalogue id (see --list), or 'all'");
  check->add_option("--trials", trials_arg, "number of random instances (1 to 10^6)");
  check->add_option("--seed", seed_arg, "seed (unsigned 64-bit integer)");
  check->add_option("--precision", precision_args, "double, quad or mp50 (repeatable); default: double and quad");
  check->add_flag("--control", control, "run the row's negative control instead (expect VIOLATED)");
  check->add_flag("--long", include_long, "with 'all': include the long-running stat rows");

  std::function<int()> instance_action;
  CLI::App* instance = flatmin::cli::add_instance_command(app, instance_action);
  std::function<int()> solve_action, eval_action;
  CLI::App* solve_cmd = flatmin::cli::add_solve_command(app, solve_action);
  CLI::App* eval_cmd = flatmin::cli::add_eval_command(app, eval_action);
  std::function<int()> reproduce_action;
  CLI::App* reproduce_cmd = flatmin::cli::add_reproduce_command(app, reproduce_action);
  std::function<int()> train_action;
  CLI::App* train_cmd = flatmin::cli::add_train_command(app, train_action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }

  if (instance->parsed()) return instance_action();
  if (solve_cmd->parsed()) return solve_action();
  if (eval_cmd->parsed()) return eval_action();
  if (reproduce_cmd->parsed()) return reproduce_action();
  if (train_cmd->parsed()) return train_action();
  if (check->parsed()) {
    if (list) {
      for (const Row& r : rows()) std::cout << r.id << "\n";
      return 0;
    }
    if (id.empty()) return usage_error("check: give a catalogue id, 'all', or --list");
    std::uint64_t seed = 0;
    try {
      std::size_t pos = 0;
      if (seed_arg.empty() || seed_arg[0] == '-') throw std::invalid_argument("negative");
      seed = std::stoull(seed_arg, &pos, 10);
      if (pos != seed_arg.size()) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      return usage_error("check: --seed must be an unsigned 64-bit integer, got '" + seed_arg + "'");
    }
    if (trials_arg != -1 && (trials_arg < 1 || trials_arg > 1000000))
      return usage_error("check: --trials must be between 1 and 1000000, got " +
                         std::to_string(trials_arg));
    std::vector<Precision> precisions;
    try {
      for (const auto& name : precision_args) {
        precisions.push_back(parse_precision(name));
        if (precisions.back() != Precision::binary64 && !has_extended_precision())
          return usage_error("check: this build has double precision only (configured with "
                             "FLATMIN_EXTENDED_PRECISION=OFF); '" + name + "' is not available");
      }
    } catch (const InvalidArgument& e) {
      return usage_error(std::string("check: ") + e.what());
    }
    if (precisions.empty()) {
      precisions = {Precision::binary64};
      if (has_extended_precision()) precisions.push_back(Precision::quad);
    }
    const Variant v = control ? Variant::negative_control : Variant::statement;

    std::vector<const Row*> todo;
    if (id == "all") {
      for (const Row& r : rows())
        if (include_long || !r.long_running) todo.push_back(&r);
    } else {
      const Row* r = find_row(id);
      if (!r) return usage_error("check: unknown catalogue id '" + id + "' (see flatmin check --list)");
      todo.push_back(r);
    }
    int status = 0;
    try {
      for (const Row* r : todo) {
        const int trials = trials_arg == -1 ? r->default_trials : int(trials_arg);
        status = std::max(status, check_one(*r, precisions, trials, seed, v));
      }
    } catch (const std::exception& e) {
      // A row that throws is a defect of flatmin, not of the user's input.
      std::cerr << "flatmin: internal error: " << e.what() << "\n";
      return 3;
    }
    return status;
  }
  return 2;
}
