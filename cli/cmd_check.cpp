// flatmin check: run catalogue rows on random instances (see commands.hpp).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "args.hpp"
#include "commands.hpp"
#include "flatmin/catalogue.hpp"

namespace flatmin::cli {

namespace {

using namespace flatmin::catalogue;

struct CheckArgs {
  std::string id;
  bool list = false, markdown = false, control = false, include_long = false;
  long long trials = 0;  // used only when --trials was given
  std::uint64_t seed = 1;
  std::vector<std::string> precisions;
};

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

// A table cell: '|' escaped, so that statements with norms stay in their column.
std::string cell(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// A row's acceptance test in words: its tolerance in epsilons, or a stat row's frequency (and
// the tolerance of the comparisons inside its trials, if it has one).
std::string tolerance_text(const Row& r) {
  std::ostringstream tol;
  if (r.kind == Kind::stat) {
    tol << "frequency >= " << r.min_frequency;
    if (r.tolerance_eps > 0) tol << ", " << r.tolerance_eps << " eps";
  } else {
    tol << r.tolerance_eps << " eps";
  }
  return tol.str();
}

std::string joined(const std::vector<std::string>& items, const std::string& none) {
  if (items.empty()) return none;
  std::string s;
  for (const std::string& x : items) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// The catalogue as a Markdown table (docs/catalogue.md is this output; the test docs.catalogue
// fails when the file is stale, a row has no property file, names no library function or one
// that lib/include/flatmin/ does not declare, or a figure that `flatmin reproduce` does not know).
void print_catalogue_markdown() {
  std::cout << "# The catalogue\n\n"
               "Every statement of papers A and B that flatmin checks, one row each: `flatmin check "
               "ID` runs it on\nrandom instances (double and quad by default), `flatmin check ID "
               "--control` its negative control.\nKinds: *exact* (an identity, error allowed in "
               "units of the precision's epsilon), *bound* (an\ninequality, violation allowed in "
               "epsilons), *stat* (an event of a probabilistic statement, its\nrequired "
               "frequency). *functions*: the library functions (lib/include/flatmin/) whose\n"
               "results the row compares with the statement; *figures*: the figures (`flatmin "
               "reproduce`) whose\ndrivers (reproductions/fig_*.cpp) call one of them. Generated "
               "by `flatmin check --list --markdown`;\ndo not edit (`flatmin check --list --long` "
               "prints the same as plain text).\n\n"
               "| id | source | kind | statement | tolerance | trials | functions | figures | "
               "property |\n"
               "|---|---|---|---|---|---|---|---|---|\n";
  for (const Row& r : rows()) {
    std::string fns;
    for (const std::string& f : r.functions) fns += (fns.empty() ? "`" : ", `") + f + "`";
    std::cout << "| " << r.id << " | " << cell(r.source) << " | " << kind_name(r.kind) << " | "
              << cell(r.statement) << " | " << tolerance_text(r) << " | " << r.default_trials
              << (r.long_running ? " (long)" : "") << " | " << (fns.empty() ? "none" : fns) << " | "
              << joined(r.figures, "none") << " | [properties/" << r.id
              << ".cpp](../properties/" << r.id << ".cpp) |\n";
  }
}

// `text` after `label`, wrapped at word boundaries to `width` columns, continuation lines
// indented under the first word.
void print_wrapped(const std::string& label, const std::string& text, std::size_t width) {
  std::string line = label;
  const std::string indent(label.size(), ' ');
  bool first = true;
  std::istringstream words(text);
  std::string w;
  while (words >> w) {
    if (!first && line.size() + 1 + w.size() > width) {
      std::cout << line << "\n";
      line = indent + w;
    } else {
      line += (first ? "" : " ") + w;
    }
    first = false;
  }
  std::cout << line << "\n";
}

// The catalogue as plain text for a 100-column terminal: per row, a line with id, source, kind,
// tolerance and property file, then the functions it checks, the figures resting on them, and
// the statement (the same content as docs/catalogue.md).
void print_catalogue_long() {
  constexpr std::size_t kWidth = 100;
  char head[160];
  std::snprintf(head, sizeof head, "%-7s %-15s %-6s %-27s %s", "id", "source", "kind",
                "tolerance", "property file");
  std::cout << head << "\n";
  for (const Row& r : rows()) {
    std::snprintf(head, sizeof head, "%-7s %-15s %-6s %-27s properties/%s.cpp", r.id.c_str(),
                  r.source.c_str(), kind_name(r.kind), tolerance_text(r).c_str(), r.id.c_str());
    std::cout << "\n" << head << "\n";
    print_wrapped("  functions: ", joined(r.functions, "none"), kWidth);
    print_wrapped("  figures:   ", joined(r.figures, "none"), kWidth);
    print_wrapped("  statement: ", r.statement, kWidth);
  }
}

int run_check(const CheckArgs& a, const CLI::Option& trials_opt) {
  if (a.markdown && !a.list) return usage_error("check: --markdown goes with --list");
  if (a.list) {
    if (a.markdown && a.include_long)
      return usage_error("check: --list takes --markdown or --long, not both");
    if (a.markdown) {
      print_catalogue_markdown();
      return 0;
    }
    if (a.include_long) {
      print_catalogue_long();
      return 0;
    }
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
  check->add_flag("--list", a->list,
                  "print the catalogue ids, one a line (with --long: the registry, see --long)");
  check->add_flag("--markdown", a->markdown,
                  "with --list: the whole catalogue as a Markdown table (docs/catalogue.md)");
  check->add_option("id", a->id, "catalogue id (see --list), or 'all'")
      ->type_name("ID|all");
  CLI::Option* trials =
      add_count(check, "--trials", a->trials, 1, 1000000, "number of random instances (1 to 10^6)");
  add_seed(check, "--seed", a->seed, "seed (unsigned 64-bit integer; default 1)");
  check->add_option("--precision", a->precisions,
                    "double, quad or mp50 (repeatable); default: double and quad")
      ->type_name("double|quad|mp50");
  check->add_flag("--control", a->control,
                  "run the row's negative control instead (expect VIOLATED)");
  check->add_flag("--long", a->include_long,
                  "with 'all': include the long-running stat rows; with --list: every row's "
                  "source, kind, tolerance, property file, library functions, figures and "
                  "statement");
  action = [a, trials] { return run_check(*a, *trials); };
  return check;
}

}  // namespace flatmin::cli
