// reproductions/reproduce.hpp — the figures of the papers as deterministic sweeps.
//
// A figure is computed from a *sweep*: a list of independent cells (one grid point of a heat map,
// one curve, ...). A cell's result is a block of text (CSV rows) that depends only on the scale
// and the cell's index: every random draw comes from Rng::derive(kFigureSeed, {sweep, cell
// coordinates, trial}), never from a stream shared with other cells. That is what makes the
// bytes independent of thread count, sharding and MPI rank count: the driver computes the cells in
// any order and on any worker, then concatenates the blocks in cell order. Several figures may
// share a sweep (A-fig3 and A-fig4 are drawn from the same solves).
//
// Each figure turns the concatenated blocks into its files: tidy CSVs of every number shown, a
// caption (what was computed, the grid, the seeds, flatmin's version) and a gnuplot script that
// draws the PNG and SVG pictures from the CSVs. The CSVs and captions are the reproducible
// record (hashed in the manifest); the pictures are drawn from them by Debian's gnuplot, whose
// bytes depend on its version and fonts, so they are regenerated but not hashed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace flatmin::repro {

enum class Scale { quick, paper };
const char* scale_name(Scale s);
Scale parse_scale(const std::string& name);  // throws InvalidArgument

// The seed every figure's draws are derived from (part of the specification: a figure's numbers
// are a function of this constant, the scale and the code).
inline constexpr std::uint64_t kFigureSeed = 20240607;

struct Sweep {
  std::string id;  // e.g. "A-recovery"
  std::function<std::size_t(Scale)> cell_count;
  // The text block of cell i (0 <= i < cell_count): CSV rows, each ending in '\n'.
  std::function<std::string(Scale, std::size_t)> cell;
  // A label of cell i for the progress display and error messages ("gaussian d=20 m=140").
  std::function<std::string(Scale, std::size_t)> label;
};

struct OutFile {
  std::string name;   // file name inside the output folder
  std::string bytes;  // contents
};

struct Figure {
  std::string id;     // "A-fig3", ...
  std::string title;  // one line
  const Sweep* sweep;
  // The figure's CSVs, caption and gnuplot script (named <id>.gp; it writes <id>.png and
  // <id>.svg in the current directory) from the sweep's blocks in cell order.
  std::function<std::vector<OutFile>(Scale, const std::vector<std::string>&)> files;
};

const std::vector<Figure>& figures();
const Figure* find_figure(const std::string& id);

// ---- the driver (sweep.cpp) -------------------------------------------------------------------
struct Shard {
  std::size_t index = 1, count = 1;  // 1-based: shard i of n runs cells c with c % n == i - 1
};
Shard parse_shard(const std::string& spec);  // "i/n", 1 <= i <= n <= 100000; throws InvalidArgument

struct RunOptions {
  Scale scale = Scale::quick;
  int threads = 0;     // 0: std::thread::hardware_concurrency()
  bool progress = true;  // a progress line on stderr, only if stderr is a terminal
  // If set, receives the wall seconds of each computed cell (by cell index; 0 for others): where
  // the time goes. Timings are never part of a figure's files.
  std::vector<double>* cell_seconds = nullptr;
};

// Computes the cells of `sw` that belong to shard `sh` (in parallel) and returns them indexed by
// cell (empty strings for cells of other shards). Exceptions from a cell are rethrown with the
// cell's label.
std::vector<std::string> run_cells(const Sweep& sw, const RunOptions& o, const Shard& sh,
                                   int mpi_rank = 0, int mpi_size = 1);

// Shard files: "<sweep>.<scale>.shard-<i>-of-<n>" in the output folder, holding the blocks of
// the shard's cells. merge_shards reads all n of them (every one must be present, of the same
// sweep, scale, count and version) and returns the blocks of all cells. Temporary files of
// interrupted runs (is_temp_name, flatmin/atomic_file.hpp) are skipped; any other file named
// "<sweep>.<scale>.shard-..." that is not exactly a shard name is an InvalidArgument naming it.
std::string shard_file_name(const Sweep& sw, Scale s, const Shard& sh);
std::string format_shard(const Sweep& sw, Scale s, const Shard& sh,
                         const std::vector<std::string>& blocks);
std::vector<std::string> merge_shards(const Sweep& sw, Scale s, const std::string& dir);

// Writes files atomically, as a set, into dir (write_files_atomic, flatmin/atomic_file.hpp:
// temporary names, renamed when all are complete; a non-regular target is refused). dir is
// created if missing. InvalidArgument for usage problems, IoError when a write fails.
void write_files(const std::string& dir, const std::vector<OutFile>& files);

// Runs `gnuplot -e "png_file='T1'; svg_file='T2'" <id>.gp` in dir, T1 and T2 temporary files,
// renamed to <id>.png and <id>.svg only when gnuplot exited with 0 and both pictures are
// complete (a PNG ends with its IEND chunk, an SVG with </svg>). Otherwise the temporaries are
// removed and it returns false with a message on stderr (the numbers are still complete).
// Throws InvalidArgument when <id>.png or <id>.svg exists and is not a regular file.
bool draw(const std::string& dir, const Figure& f);

// SHA-256 of bytes, lower-case hex (OpenSSL's libcrypto).
std::string sha256_hex(const std::string& bytes);

// The version written into captions (the project version; captions do not carry the commit, so
// that the manifest does not change with every commit that leaves the numbers alone).
std::string code_version();

// ---- formatting helpers shared by the figures ----------------------------------------------------
std::string fmt_real(double x);  // "%.6e" (nan/inf spelled out); the CSVs' real format
std::string csv_line(const std::vector<std::string>& fields);
// csv_line's inverse (no quoting): the fields between commas, n + 1 for n commas (empty ones kept,
// the last one too). The one CSV splitter of the figures.
std::vector<std::string> csv_fields(const std::string& line);
// The start of a figure's gnuplot script: a comment, the output names png_file and svg_file
// (default <id>.png and <id>.svg; draw() sets temporary ones with -e), `settings` (global set
// commands), then the opening of the loop over the two terminals (pngcairo -> png_file, svg ->
// svg_file, both w x h with a sans font of `font_size`). The figure appends its plots and closes
// the loop with "  set output\n}\n".
std::string gnuplot_preamble(const std::string& id, int w, int h, int font_size,
                             const std::string& settings);

}  // namespace flatmin::repro
