// flatmin check: run catalogue rows on random instances (see commands.hpp).
#include <algorithm>
#include <iostream>
#include <memory>

#include "args.hpp"
#include "commands.hpp"
#include "flatmin/catalogue.hpp"

namespace flatmin::cli {

namespace {

using namespace flatmin::catalogue;

struct CheckArgs {
  std::string id;
  bool list = false, control = false, include_long = false;
  long long trials = 0;  // used only when --trials was given
  std::uint64_t seed = 1;
  std::vector<std::string> precisions;
};

int usage_error(const std::string& msg) {
  std::cerr << "flatmin: " << msg << "\n";
  return 2;
}

// Exit status of one report: 0 holds, 1 violated, kNoApplicableTrial when every trial was
// discarded (the statement's hypotheses never held: nothing was tested, nothing was violated).
int status_of(const Report& rep) {
  if (rep.holds) return 0;
  return rep.applicable == 0 ? kNoApplicableTrial : 1;
}

// The status of several reports: a violation outranks "no applicable trial", which outranks 0.
int combine(int a, int b) {
  if (a == 1 || b == 1) return 1;
  return std::max(a, b);
}

int check_one(const Row& row, const std::vector<Precision>& precisions, int trials,
              std::uint64_t seed, Variant v) {
  int status = 0;
  for (Precision p : precisions) {
    const Report rep = run(row, p, trials, seed, v);
    std::cout << format_report(rep) << " seed=" << seed
              << (v == Variant::negative_control ? " (negative control)" : "") << "\n";
    if (status_of(rep) == 1 && rep.has_counterexample)
      std::cout << "  smallest counterexample: " << rep.counterexample.describe() << "\n"
                << "  " << rep.counterexample_outcome.detail << "\n";
    status = combine(status, status_of(rep));
  }
  return status;
}

int run_check(const CheckArgs& a, const CLI::Option& trials_opt) {
  if (a.list) {
    for (const Row& r : rows()) std::cout << r.id << "\n";
    return 0;
  }
  if (a.id.empty()) return usage_error("check: give a catalogue id, 'all', or --list");
  std::vector<Precision> precisions;
  try {
    for (const auto& name : a.precisions) {
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
  const Variant v = a.control ? Variant::negative_control : Variant::statement;

  std::vector<const Row*> todo;
  if (a.id == "all") {
    for (const Row& r : rows())
      if (a.include_long || !r.long_running) todo.push_back(&r);
  } else {
    const Row* r = find_row(a.id);
    if (!r)
      return usage_error("check: unknown catalogue id '" + a.id + "' (see flatmin check --list)");
    todo.push_back(r);
  }
  int status = 0;
  for (const Row* r : todo) {
    const int trials = trials_opt.count() ? int(a.trials) : r->default_trials;
    status = combine(status, check_one(*r, precisions, trials, a.seed, v));
  }
  return status;
}

}  // namespace

CLI::App* add_check_command(CLI::App& app, std::function<int()>& action) {
  auto* check = app.add_subcommand("check", "run a catalogue row on random instances");
  check->footer("Exit status: 0 the statement holds on every applicable trial (stat rows: the "
                "frequency is met), 1 violated (the smallest counterexample is printed), 2 usage "
                "error, 3 internal error (a defect of flatmin), 4 no applicable trial (the "
                "statement's hypotheses held on none of the trials: nothing was tested; more "
                "trials or another seed may help).");
  auto a = std::make_shared<CheckArgs>();
  check->add_flag("--list", a->list, "print the catalogue ids, one a line");
  check->add_option("id", a->id, "catalogue id (see --list), or 'all'");
  CLI::Option* trials =
      add_count(check, "--trials", a->trials, 1, 1000000, "number of random instances (1 to 10^6)");
  add_seed(check, "--seed", a->seed, "seed (unsigned 64-bit integer; default 1)");
  check->add_option("--precision", a->precisions,
                    "double, quad or mp50 (repeatable); default: double and quad");
  check->add_flag("--control", a->control,
                  "run the row's negative control instead (expect VIOLATED)");
  check->add_flag("--long", a->include_long, "with 'all': include the long-running stat rows");
  action = [a, trials] { return run_check(*a, *trials); };
  return check;
}

}  // namespace flatmin::cli
