// `flatmin reproduce` — regenerate figures: the arguments, parsed into a repro::Request; the
// work (sharding, the MPI gather, writing, hashing, --verify) is repro::reproduce
// (reproductions/pipeline.hpp), whose exit statuses this command returns:
//
//   flatmin reproduce <figure...|all> [--scale quick|paper] [--out DIR] [--threads N]
//                     [--shard i/n | --merge] [--verify] [--manifest FILE] [--write-manifest]
//                     [--no-draw] [--cell-times FILE]
//
// Exit status: 0 written (and verified, with --verify); 1 a file differs from the manifest, a
// picture could not be drawn (the numbers are complete) or a write failed (full disk; nothing is
// left under a final name); 2 usage error (unknown figure, bad shard, unwritable folder, an
// output name that is not a regular file, missing, inconsistent or foreign shard files,
// unreadable manifest); 3 internal error.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "args.hpp"
#include "commands.hpp"
#include "pipeline.hpp"

namespace flatmin::cli {

CLI::App* add_reproduce_command(CLI::App& app, std::function<int()>& action) {
  auto* cmd = app.add_subcommand("reproduce", "regenerate the papers' figures (CSV, caption, PNG, SVG)");
  auto args = std::make_shared<repro::Request>();
  auto no_draw = std::make_shared<bool>(false);
  cmd->add_option("figures", args->figures, "figure ids (A-fig3, ...) or 'all'")
      ->type_name("FIGURE...");
  cmd->add_option("--scale", args->scale, "quick (CI) or paper")
      ->type_name("quick|paper");
  cmd->add_option("--out", args->out, "output folder (default figures/<scale>)")
      ->type_name("DIR");
  add_count(cmd, "--threads", args->threads, 0, 1024, "worker threads (0: all cores)");
  cmd->add_option("--shard", args->shard, "i/n: compute only the deterministic slice i of n")
      ->type_name("i/n");
  cmd->add_flag("--merge", args->merge, "combine the n shard files in --out into the figures");
  cmd->add_flag("--verify", args->verify, "compare the written files with the manifest");
  cmd->add_option("--manifest", args->manifest, "manifest file (default: the committed one)")
      ->type_name("FILE");
  cmd->add_flag("--write-manifest", args->write_manifest, "record the written files' hashes");
  cmd->add_flag("--no-draw", *no_draw, "write the numbers only, do not run gnuplot");
  cmd->add_option("--cell-times", args->cell_times,
                  "append each cell's wall seconds to this file (where the time goes)")
      ->type_name("FILE");
  cmd->footer(
      "Exit status: 0 written (and verified); 1 a file differs from the manifest, gnuplot failed "
      "or a write failed (e.g. no space left on device); 2 usage error (including an output name "
      "that is a directory, FIFO, device, socket or symbolic link, or a foreign file among the "
      "shards); 3 internal error.\nFiles are written as .NAME.tmp.<pid>.<n> and renamed when "
      "complete; SIGINT/SIGTERM remove them, later runs ignore any left by SIGKILL.");
  action = [args, no_draw] {
    repro::Request r = *args;
    r.draw = !*no_draw;
    return repro::reproduce(r, std::cout, std::cerr);
  };
  return cmd;
}

}  // namespace flatmin::cli
