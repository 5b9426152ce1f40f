#include "app.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "reproduce.hpp"

namespace flatmin::cli {

namespace {

// Levenshtein distance (insertions, deletions, substitutions), for "did you mean".
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The candidate nearest to `word` if it is close (at most 2 edits, or a third of its length if
// more), else empty.
std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

// "; did you mean --x (not --y)?" for each word of the command line that looks like an option
// ("--name" or "--name=value"), is not one of `sub`'s, and is near one of them
std::string suggestions(const CLI::App& sub, int argc, const char* const* argv) {
  std::vector<std::string> names;
  for (const CLI::Option* o : sub.get_options())
    for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string w = argv[i];
    if (w.size() < 3 || w.rfind("--", 0) != 0) continue;
    const std::string word = w.substr(0, w.find('='));
    if (std::find(names.begin(), names.end(), word) != names.end()) continue;
    const std::string near = nearest(word, names);
    if (!near.empty()) out += "; did you mean " + near + " (not " + word + ")?";
  }
  return out;
}

}  // namespace

int run_cli(int argc, const char* const* argv, bool parse_only) {
  CLI::App app{"flatmin: verification suite for flat minima in low-rank matrix recovery"};
  app.require_subcommand(1);
  app.set_version_flag("--version", repro::code_version());
  struct Command {
    const char* name;
    CLI::App* (*add)(CLI::App&, std::function<int()>&);
    CLI::App* sub;
    std::function<int()> action;
  };
  Command commands[] = {{"check", add_check_command, nullptr, {}},
                        {"instance", add_instance_command, nullptr, {}},
                        {"solve", add_solve_command, nullptr, {}},
                        {"eval", add_eval_command, nullptr, {}},
                        {"reproduce", add_reproduce_command, nullptr, {}},
                        {"train", add_train_command, nullptr, {}}};
  std::vector<std::string> command_names;
  for (Command& c : commands) {
    c.sub = c.add(app, c.action);
    command_names.push_back(c.name);
  }

  // The first word names the command: an unknown one is said so, with the valid ones (CLI11
  // would take it for a stray argument and ask for a subcommand).
  if (argc >= 2 && argv[1][0] != '-' &&
      std::find(command_names.begin(), command_names.end(), argv[1]) == command_names.end()) {
    const std::string near = nearest(argv[1], command_names);
    std::cerr << "flatmin: unknown command '" << argv[1] << "'"
              << (near.empty() ? "." : "; did you mean '" + near + "'?")
              << " The commands are check, instance, solve, eval, reproduce, train (flatmin "
                 "--help).\n";
    return 2;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError& e) {
    const CLI::App* parsed = &app;
    for (const Command& c : commands)
      if (c.sub->parsed()) parsed = c.sub;
    std::cerr << "flatmin: " << e.what() << suggestions(*parsed, argc, argv) << "\n";
    return 2;
  } catch (const CLI::ParseError& e) {
    std::cerr << "flatmin: " << e.what() << "\n";
    return 2;
  }
  if (parse_only) return 0;
  for (Command& c : commands)
    if (c.sub->parsed()) return guarded(c.name, c.action);
  return 2;
}

}  // namespace flatmin::cli
