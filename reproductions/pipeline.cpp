// The figure pipeline (pipeline.hpp): plan, compute or merge, gather, write, hash, verify.
#include "pipeline.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <new>
#include <sstream>

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

namespace flatmin::repro {

namespace {

namespace fs = std::filesystem;

// ---- the plan: what a request computes and where it writes -------------------------------------
struct Plan {
  Scale scale = Scale::quick;
  Shard shard;
  bool sharded = false;                 // --shard given: write shard files, no figures
  std::vector<const Figure*> figures;   // unique, in registry order
  std::vector<const Sweep*> sweeps;     // the figures' sweeps, unique, in first-use order
  std::string out, manifest_path;
};

// Checks the request (InvalidArgument naming what is wrong) and resolves its defaults.
Plan make_plan(const Request& r) {
  Plan p;
  p.scale = parse_scale(r.scale);
  p.sharded = !r.shard.empty();
  if (p.sharded) p.shard = parse_shard(r.shard);
  if (r.figures.empty()) throw InvalidArgument("name a figure or 'all'");
  std::vector<const Figure*> named;
  for (const auto& n : r.figures) {
    if (n == "all") {
      for (const Figure& f : figures()) named.push_back(&f);
      continue;
    }
    const Figure* f = find_figure(n);
    if (!f) {
      std::string known;
      for (const Figure& g : figures()) known += " " + g.id;
      throw InvalidArgument("unknown figure '" + n + "' (known:" + known + ", all)");
    }
    named.push_back(f);
  }
  if (r.merge && p.sharded)
    throw InvalidArgument("--merge and --shard exclude each other (merge reads all shards)");
  if (r.verify && p.sharded)
    throw InvalidArgument("--verify needs the whole figure: run it with --merge after the shards");
  if (r.threads < 0 || r.threads > 1024)
    throw InvalidArgument("--threads must be between 0 (all cores) and 1024");
  for (const Figure& f : figures())
    if (std::find(named.begin(), named.end(), &f) != named.end()) p.figures.push_back(&f);
  for (const Figure* f : p.figures)
    if (std::find(p.sweeps.begin(), p.sweeps.end(), f->sweep) == p.sweeps.end())
      p.sweeps.push_back(f->sweep);
  p.out = r.out.empty() ? std::string("figures/") + scale_name(p.scale) : r.out;
  p.manifest_path = r.manifest.empty()
                        ? std::string(FLATMIN_SOURCE_DIR) + "/reproductions/manifest.sha256"
                        : r.manifest;
  return p;
}

// ---- the manifest -----------------------------------------------------------------------------
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

std::string manifest_text(const std::map<std::string, std::string>& m) {
  std::string text =
      "# SHA-256 of every number file flatmin reproduce writes (CSVs, heat-map data,\n"
      "# captions), by scale. `flatmin reproduce all --scale S --verify` regenerates and\n"
      "# compares. Not hashed: gnuplot scripts and pictures (presentation; gnuplot's bytes\n"
      "# depend on its version and fonts). Rewrite with --write-manifest only when the numbers\n"
      "# change, and say why in the commit.\n";
  for (const auto& [file, h] : m) text += h + "  " + file + "\n";
  return text;
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

// ---- computing --------------------------------------------------------------------------------
struct Ranks {
  int rank = 0, size = 1;
};

// Gathers every rank's records on rank 0 (cell c of the shard belongs to rank (c / n) % size;
// its record is empty elsewhere), as sw.to_text. A no-op without MPI or with one rank.
void gather_on_rank0(const Sweep& sw, std::vector<CellRecord>& records, const Ranks& ranks) {
#ifdef FLATMIN_WITH_MPI
  if (ranks.size <= 1) return;
  // Each rank sends "<cell> <bytes>\n<record text>" for the cells it computed.
  std::string mine;
  for (std::size_t c = 0; c < records.size(); ++c)
    if (records[c].has_value()) {
      const std::string text = sw.to_text(records[c]);
      mine += std::to_string(c) + " " + std::to_string(text.size()) + "\n" + text;
    }
  int len = int(mine.size());
  std::vector<int> lens(static_cast<std::size_t>(ranks.size));
  MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> displs(static_cast<std::size_t>(ranks.size), 0);
  std::string all;
  if (ranks.rank == 0) {
    for (int r = 1; r < ranks.size; ++r)
      displs[std::size_t(r)] = displs[std::size_t(r - 1)] + lens[std::size_t(r - 1)];
    all.resize(std::size_t(displs.back() + lens.back()));
  }
  MPI_Gatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR, 0,
              MPI_COMM_WORLD);
  if (ranks.rank != 0) return;
  std::size_t pos = 0;
  while (pos < all.size()) {
    const auto eol = all.find('\n', pos);
    std::istringstream h(all.substr(pos, eol - pos));
    std::size_t c = 0, n = 0;
    h >> c >> n;
    records[c] = sw.from_text(all.substr(eol + 1, n));
    pos = eol + 1 + n;
  }
#else
  (void)sw;
  (void)records;
  (void)ranks;
#endif
}

// Appends the computed cells' seconds ("<sweep>\t<cell>\t<label>\t<seconds>") to `path`: the old
// lines, then these, written atomically as a whole. False when the write failed.
bool append_cell_times(const std::string& path, const Sweep& sw, Scale scale,
                       const std::vector<double>& seconds) {
  std::ostringstream t;
  if (fs::is_regular_file(path)) t << std::ifstream(path).rdbuf();
  for (std::size_t c = 0; c < seconds.size(); ++c)
    if (seconds[c] > 0) t << sw.id << "\t" << c << "\t" << sw.label(scale, c) << "\t" << seconds[c] << "\n";
  try {
    write_file_atomic(path, t.str());
  } catch (const IoError&) {
    return false;
  } catch (const InvalidArgument&) {
    return false;
  }
  return true;
}

// ---- the whole run ----------------------------------------------------------------------------
int run(const Request& r, const Ranks& ranks, std::ostream& out, std::ostream& err) {
  Plan p;
  try {
    p = make_plan(r);
  } catch (const InvalidArgument& e) {
    err << "flatmin reproduce: " << e.what() << "\n";
    return 2;
  }
  try {
    // Fail before hours of work when the folder or the cell-times file cannot be written or the
    // manifest is unreadable.
    require_output_dir(p.out);
    if (!r.cell_times.empty() && ranks.rank == 0) require_writable(r.cell_times);
    std::map<std::string, std::string> manifest;
    if (r.verify) manifest = read_manifest(p.manifest_path);
    bool cell_times_failed = false;

    RunOptions ro;
    ro.scale = p.scale;
    ro.threads = int(r.threads);
    std::map<const Sweep*, std::vector<CellRecord>> records;
    for (const Sweep* sw : p.sweeps) {
      if (r.merge) {
        if (ranks.rank == 0) records[sw] = merge_shards(*sw, p.scale, p.out);
        continue;
      }
      std::vector<double> seconds;
      if (!r.cell_times.empty()) ro.cell_seconds = &seconds;
      std::vector<CellRecord> rec = run_cells(*sw, ro, p.shard, ranks.rank, ranks.size);
      // Reported at the end: the figures are still written.
      if (!r.cell_times.empty() && ranks.rank == 0 &&
          !append_cell_times(r.cell_times, *sw, p.scale, seconds))
        cell_times_failed = true;
      gather_on_rank0(*sw, rec, ranks);
      records[sw] = std::move(rec);
    }
    if (ranks.rank != 0) return 0;

    if (p.sharded) {
      std::vector<OutFile> files;
      for (const Sweep* sw : p.sweeps)
        files.push_back({shard_file_name(*sw, p.scale, p.shard),
                         format_shard(*sw, p.scale, p.shard, records[sw])});
      write_files(p.out, files);
      for (const auto& f : files) out << (fs::path(p.out) / f.name).string() << "\n";
      out << "shard " << p.shard.index << "/" << p.shard.count
          << " written; after all shards: flatmin reproduce ... --merge --out " << p.out << "\n";
      return 0;
    }

    int status = 0;
    std::vector<std::pair<std::string, std::string>> hashes;  // scale/file -> sha
    for (const Figure* f : p.figures) {
      const std::vector<OutFile> files = f->files(p.scale, records[f->sweep]);
      write_files(p.out, files);
      for (const auto& file : files)
        if (hashed(file.name))
          hashes.emplace_back(std::string(scale_name(p.scale)) + "/" + file.name,
                              sha256_hex(file.bytes));
      if (r.draw && !draw(p.out, *f)) status = 1;
      out << f->id << ": " << files.size() << " files";
      if (r.draw && status == 0) out << " + " << f->id << ".png, " << f->id << ".svg";
      out << " in " << p.out << "\n";
    }
    if (r.write_manifest) {
      std::map<std::string, std::string> m;
      if (fs::exists(p.manifest_path)) m = read_manifest(p.manifest_path);
      for (const auto& [file, h] : hashes) m[file] = h;
      const fs::path mp(p.manifest_path);
      write_files(mp.parent_path().empty() ? "." : mp.parent_path().string(),
                  {{mp.filename().string(), manifest_text(m)}});
      out << "manifest " << p.manifest_path << ": " << hashes.size() << " entries written\n";
    }
    if (r.verify) {
      int bad = 0;
      for (const auto& [file, h] : hashes) {
        const auto it = manifest.find(file);
        if (it == manifest.end()) {
          out << "NOT IN MANIFEST " << file << "\n";
          ++bad;
        } else if (it->second != h) {
          out << "DIFFERS " << file << " (expected " << it->second.substr(0, 12) << "..., got "
              << h.substr(0, 12) << "...)\n";
          ++bad;
        }
      }
      if (bad) {
        out << "verify: " << bad << " of " << hashes.size() << " files differ from "
            << p.manifest_path << "\n";
        return 1;
      }
      out << "verify: all " << hashes.size() << " files match " << p.manifest_path << "\n";
    }
    if (cell_times_failed) {
      err << "flatmin reproduce: could not write the cell times to '" << r.cell_times << "'\n";
      return 1;
    }
    return status;
  } catch (const InvalidArgument& e) {
    err << "flatmin reproduce: " << e.what() << "\n";
    return 2;
  } catch (const IoError& e) {  // a full disk: the files written so far are complete
    err << "flatmin reproduce: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int reproduce(const Request& r, std::ostream& out, std::ostream& err) {
  Ranks ranks;
#ifdef FLATMIN_WITH_MPI
  // MPI only when started by mpirun (a plain run needs no MPI runtime).
  const bool use_mpi = std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK");
  if (use_mpi) {
    MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &ranks.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks.size);
  }
#endif
  int status = 3;
  try {
    status = run(r, ranks, out, err);
  } catch (const std::bad_alloc&) {  // the machine's limit, not a defect
    err << "flatmin reproduce: out of memory (an allocation failed)\n";
    status = 2;
  } catch (const std::exception& e) {
    err << "flatmin reproduce: internal error: " << e.what() << "\n";
    status = 3;
  }
#ifdef FLATMIN_WITH_MPI
  if (use_mpi) {
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
  }
#endif
  return status;
}

}  // namespace flatmin::repro
