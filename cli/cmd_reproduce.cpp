// `flatmin reproduce` — regenerate figures (reproductions/reproduce.hpp).
//
//   flatmin reproduce <figure...|all> [--scale quick|paper] [--out DIR] [--threads N]
//                     [--shard i/n | --merge] [--verify] [--manifest FILE] [--write-manifest]
//                     [--no-draw]
//
// Exit status: 0 written (and verified, with --verify); 1 a file differs from the manifest, a
// picture could not be drawn (the numbers are complete) or a write failed (full disk; nothing is
// left under a final name); 2 usage error (unknown figure, bad shard, unwritable folder, an
// output name that is not a regular file, missing, inconsistent or foreign shard files,
// unreadable manifest); 3 internal error.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "args.hpp"
#include "commands.hpp"
#include "flatmin/atomic_file.hpp"
#include "flatmin/scalar.hpp"
#include "flatmin/text_file.hpp"
#include "reproduce.hpp"

#ifdef FLATMIN_WITH_MPI
#include <mpi.h>
#endif

#ifndef FLATMIN_SOURCE_DIR
#define FLATMIN_SOURCE_DIR "."
#endif

namespace flatmin::cli {

namespace {

namespace fs = std::filesystem;
using namespace flatmin::repro;

struct ReproduceArgs {
  std::vector<std::string> names;
  std::string scale = "quick";
  std::string out;
  std::string shard;
  std::string manifest;
  std::string cell_times;
  long long threads = 0;
  bool merge = false, verify = false, write_manifest = false, no_draw = false;
};

// The committed manifest has ~200 lines of ~100 bytes; anything beyond 16 MiB is not one.
constexpr std::uint64_t kMaxManifestBytes = std::uint64_t(16) << 20;

// Manifest lines: "<sha256>  <scale>/<file>", sorted; '#' lines are comments.
std::map<std::string, std::string> read_manifest(const std::string& path) {
  // bounded, regular files only (a directory or /dev/zero is a usage error naming the path)
  std::istringstream in(read_text_file(path, kMaxManifestBytes));
  std::map<std::string, std::string> m;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string hash, file;
    if (!(ls >> hash >> file) || hash.size() != 64)
      throw InvalidArgument(path + ":" + std::to_string(n) + ": expected '<sha256>  <scale>/<file>'");
    m[file] = hash;
  }
  return m;
}

bool hashed(const std::string& name) {
  // The numbers (CSVs, heat-map grids) and their description (captions). Not hashed: the
  // presentation, i.e. the gnuplot scripts and the pictures (whose bytes also depend on
  // gnuplot's version and fonts).
  const auto ends = [&](const std::string& ext) {
    return name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
  };
  return !(ends(".png") || ends(".svg") || ends(".gp"));
}

int run(const ReproduceArgs& a, int mpi_rank, int mpi_size) {
  Scale scale;
  Shard shard;
  std::vector<const Figure*> figs;
  try {
    scale = parse_scale(a.scale);
    if (!a.shard.empty()) shard = parse_shard(a.shard);
    if (a.names.empty()) throw InvalidArgument("name a figure or 'all'");
    for (const auto& n : a.names) {
      if (n == "all") {
        for (const Figure& f : figures()) figs.push_back(&f);
        continue;
      }
      const Figure* f = find_figure(n);
      if (!f) {
        std::string known;
        for (const Figure& g : figures()) known += " " + g.id;
        throw InvalidArgument("unknown figure '" + n + "' (known:" + known + ", all)");
      }
      figs.push_back(f);
    }
    if (a.merge && !a.shard.empty())
      throw InvalidArgument("--merge and --shard exclude each other (merge reads all shards)");
    if (a.verify && !a.shard.empty())
      throw InvalidArgument("--verify needs the whole figure: run it with --merge after the shards");
    if (a.threads < 0 || a.threads > 1024)
      throw InvalidArgument("--threads must be between 0 (all cores) and 1024");
  } catch (const InvalidArgument& e) {
    std::cerr << "flatmin reproduce: " << e.what() << "\n";
    return 2;
  }
  // Unique figures in registry order, unique sweeps.
  std::vector<const Figure*> uniq;
  for (const Figure& f : figures())
    for (const Figure* g : figs)
      if (g == &f) {
        uniq.push_back(&f);
        break;
      }
  std::vector<const Sweep*> sweeps;
  for (const Figure* f : uniq)
    if (std::find(sweeps.begin(), sweeps.end(), f->sweep) == sweeps.end()) sweeps.push_back(f->sweep);

  const std::string out = a.out.empty() ? std::string("figures/") + scale_name(scale) : a.out;
  const std::string manifest_path =
      a.manifest.empty() ? std::string(FLATMIN_SOURCE_DIR) + "/reproductions/manifest.sha256"
                         : a.manifest;
  try {
    // Fail before hours of work when the folder or --cell-times cannot be written or the
    // manifest is unreadable.
    require_output_dir(out);
    if (!a.cell_times.empty() && mpi_rank == 0) require_writable(a.cell_times);
    std::map<std::string, std::string> manifest;
    if (a.verify) manifest = read_manifest(manifest_path);
    bool cell_times_failed = false;

    RunOptions ro;
    ro.scale = scale;
    ro.threads = int(a.threads);
    std::map<const Sweep*, std::vector<std::string>> blocks;
    for (const Sweep* sw : sweeps) {
      if (a.merge) {
        if (mpi_rank == 0) blocks[sw] = merge_shards(*sw, scale, out);
        continue;
      }
      std::vector<double> seconds;
      if (!a.cell_times.empty()) ro.cell_seconds = &seconds;
      std::vector<std::string> b = run_cells(*sw, ro, shard, mpi_rank, mpi_size);
      if (!a.cell_times.empty() && mpi_rank == 0) {
        // Appended: the old lines, then this sweep's, written atomically as a whole.
        std::ostringstream t;
        if (fs::is_regular_file(a.cell_times)) t << std::ifstream(a.cell_times).rdbuf();
        for (std::size_t c = 0; c < seconds.size(); ++c)
          if (seconds[c] > 0) t << sw->id << "\t" << c << "\t" << sw->label(scale, c) << "\t" << seconds[c] << "\n";
        try {
          write_file_atomic(a.cell_times, t.str());
        } catch (const IoError&) {  // reported at the end: the figures are still written
          cell_times_failed = true;
        } catch (const InvalidArgument&) {
          cell_times_failed = true;
        }
      }
#ifdef FLATMIN_WITH_MPI
      if (mpi_size > 1) {
        // Gather every rank's blocks on rank 0 (cell c of this shard belongs to rank
        // (c / n) % size; its block is empty elsewhere).
        std::string mine;
        for (std::size_t c = 0; c < b.size(); ++c)
          if (!b[c].empty()) mine += std::to_string(c) + " " + std::to_string(b[c].size()) + "\n" + b[c];
        int len = int(mine.size());
        std::vector<int> lens(static_cast<std::size_t>(mpi_size));
        MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
        std::vector<int> displs(static_cast<std::size_t>(mpi_size), 0);
        std::string all;
        if (mpi_rank == 0) {
          for (int r = 1; r < mpi_size; ++r) displs[std::size_t(r)] = displs[std::size_t(r - 1)] + lens[std::size_t(r - 1)];
          all.resize(std::size_t(displs.back() + lens.back()));
        }
        MPI_Gatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR,
                    0, MPI_COMM_WORLD);
        if (mpi_rank == 0) {
          std::size_t pos = 0;
          while (pos < all.size()) {
            const auto eol = all.find('\n', pos);
            std::istringstream h(all.substr(pos, eol - pos));
            std::size_t c = 0, n = 0;
            h >> c >> n;
            b[c] = all.substr(eol + 1, n);
            pos = eol + 1 + n;
          }
        }
      }
#endif
      blocks[sw] = std::move(b);
    }
    if (mpi_rank != 0) return 0;

    if (!a.shard.empty() && !a.merge) {
      std::vector<OutFile> files;
      for (const Sweep* sw : sweeps)
        files.push_back({shard_file_name(*sw, scale, shard), format_shard(*sw, scale, shard, blocks[sw])});
      write_files(out, files);
      for (const auto& f : files) std::cout << (fs::path(out) / f.name).string() << "\n";
      std::cout << "shard " << shard.index << "/" << shard.count
                << " written; after all shards: flatmin reproduce ... --merge --out " << out << "\n";
      return 0;
    }

    int status = 0;
    std::vector<std::pair<std::string, std::string>> hashes;  // scale/file -> sha
    for (const Figure* f : uniq) {
      const std::vector<OutFile> files = f->files(scale, blocks[f->sweep]);
      write_files(out, files);
      for (const auto& file : files)
        if (hashed(file.name))
          hashes.emplace_back(std::string(scale_name(scale)) + "/" + file.name, sha256_hex(file.bytes));
      if (!a.no_draw && !draw(out, *f)) status = 1;
      std::cout << f->id << ": " << files.size() << " files";
      if (!a.no_draw && status == 0) std::cout << " + " << f->id << ".png, " << f->id << ".svg";
      std::cout << " in " << out << "\n";
    }
    if (a.write_manifest) {
      std::map<std::string, std::string> m;
      if (fs::exists(manifest_path)) m = read_manifest(manifest_path);
      for (const auto& [file, h] : hashes) m[file] = h;
      std::string text =
          "# SHA-256 of every number file flatmin reproduce writes (CSVs, heat-map data,\n"
          "# captions), by scale. `flatmin reproduce all --scale S --verify` regenerates and\n"
          "# compares. Not hashed: gnuplot scripts and pictures (presentation; gnuplot's bytes\n"
          "# depend on its version and fonts). Rewrite with --write-manifest only when the numbers\n"
          "# change, and say why in the commit.\n";
      for (const auto& [file, h] : m) text += h + "  " + file + "\n";
      const fs::path mp(manifest_path);
      write_files(mp.parent_path().empty() ? "." : mp.parent_path().string(),
                  {{mp.filename().string(), text}});
      std::cout << "manifest " << manifest_path << ": " << hashes.size() << " entries written\n";
    }
    if (a.verify) {
      int bad = 0;
      for (const auto& [file, h] : hashes) {
        const auto it = manifest.find(file);
        if (it == manifest.end()) {
          std::cout << "NOT IN MANIFEST " << file << "\n";
          ++bad;
        } else if (it->second != h) {
          std::cout << "DIFFERS " << file << " (expected " << it->second.substr(0, 12)
                    << "..., got " << h.substr(0, 12) << "...)\n";
          ++bad;
        }
      }
      if (bad) {
        std::cout << "verify: " << bad << " of " << hashes.size() << " files differ from "
                  << manifest_path << "\n";
        return 1;
      }
      std::cout << "verify: all " << hashes.size() << " files match " << manifest_path << "\n";
    }
    if (cell_times_failed) {
      std::cerr << "flatmin reproduce: could not write the cell times to '" << a.cell_times
                << "'\n";
      return 1;
    }
    return status;
  } catch (const InvalidArgument& e) {
    std::cerr << "flatmin reproduce: " << e.what() << "\n";
    return 2;
  } catch (const IoError& e) {  // a full disk: the files written so far are complete
    std::cerr << "flatmin reproduce: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

CLI::App* add_reproduce_command(CLI::App& app, std::function<int()>& action) {
  auto* cmd = app.add_subcommand("reproduce", "regenerate the papers' figures (CSV, caption, PNG, SVG)");
  auto args = std::make_shared<ReproduceArgs>();
  cmd->add_option("figures", args->names, "figure ids (A-fig3, ...) or 'all'")
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
  cmd->add_flag("--no-draw", args->no_draw, "write the numbers only, do not run gnuplot");
  cmd->add_option("--cell-times", args->cell_times,
                  "append each cell's wall seconds to this file (where the time goes)")
      ->type_name("FILE");
  cmd->footer(
      "Exit status: 0 written (and verified); 1 a file differs from the manifest, gnuplot failed "
      "or a write failed (e.g. no space left on device); 2 usage error (including an output name "
      "that is a directory, FIFO, device, socket or symbolic link, or a foreign file among the "
      "shards); 3 internal error.\nFiles are written as .NAME.tmp.<pid>.<n> and renamed when "
      "complete; SIGINT/SIGTERM remove them, later runs ignore any left by SIGKILL.");
  action = [args] {
    int rank = 0, size = 1;
#ifdef FLATMIN_WITH_MPI
    // MPI only when started by mpirun (a plain run needs no MPI runtime).
    const bool use_mpi = std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK");
    if (use_mpi) {
      MPI_Init(nullptr, nullptr);
      MPI_Comm_rank(MPI_COMM_WORLD, &rank);
      MPI_Comm_size(MPI_COMM_WORLD, &size);
    }
#endif
    int status = 3;
    try {
      status = run(*args, rank, size);
    } catch (const std::bad_alloc&) {  // the machine's limit, not a defect (args.hpp's guarded)
      std::cerr << "flatmin reproduce: out of memory (an allocation failed)\n";
      status = 2;
    } catch (const std::exception& e) {
      std::cerr << "flatmin reproduce: internal error: " << e.what() << "\n";
      status = 3;
    }
#ifdef FLATMIN_WITH_MPI
    if (use_mpi) {
      MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
      MPI_Finalize();
    }
#endif
    return status;
  };
  return cmd;
}

}  // namespace flatmin::cli
