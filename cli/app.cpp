#include "app.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

#include "args.hpp"
#include "commands.hpp"

namespace flatmin::cli {

int run_cli(int argc, const char* const* argv, bool parse_only) {
  CLI::App app{"flatmin: verification suite for flat minima in low-rank matrix recovery"};
  app.require_subcommand(1);
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
  for (Command& c : commands) c.sub = c.add(app, c.action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
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
