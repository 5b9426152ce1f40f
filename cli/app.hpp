// cli/app.hpp — flatmin's command line as a function: main() calls it, and so does the
// command-line fuzz target (fuzz/fuzz_cli.cpp) with parse_only.
#pragma once

namespace flatmin::cli {

// Builds the CLI11 app with every subcommand (commands.hpp), parses argv and runs the parsed
// subcommand's action through guarded() (cli/args.hpp); returns the exit status. With
// parse_only, stops after parsing: 0 when the words parse (no action is run, nothing is read
// or written), 2 on a usage error; --help still prints the help.
int run_cli(int argc, const char* const* argv, bool parse_only = false);

}  // namespace flatmin::cli
