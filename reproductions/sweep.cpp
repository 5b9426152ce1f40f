// The sweep driver: threads, shards, atomic files, progress, hashes. See reproduce.hpp.
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "flatmin/atomic_file.hpp"
#include "flatmin/determinism.hpp"
#include "flatmin/scalar.hpp"
#include "flatmin/text_file.hpp"
#include "reproduce.hpp"

#ifndef FLATMIN_VERSION
#define FLATMIN_VERSION "unknown"
#endif

namespace flatmin::repro {

namespace fs = std::filesystem;

const char* scale_name(Scale s) { return s == Scale::quick ? "quick" : "paper"; }

Scale parse_scale(const std::string& name) {
  if (name == "quick") return Scale::quick;
  if (name == "paper") return Scale::paper;
  throw InvalidArgument("unknown scale '" + name + "' (expected quick or paper)");
}

std::string code_version() {
  return std::string("flatmin ") + FLATMIN_VERSION + " (" + build_isa() + ")";
}

std::string fmt_real(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6e", x);
  return buf;
}

std::vector<std::string> csv_fields(const std::string& line) {
  // n commas, n + 1 fields: an empty last field (a line ending in ',') is kept, as csv_line
  // wrote it (std::getline would drop it)
  std::vector<std::string> f;
  std::string::size_type start = 0;
  for (;;) {
    const std::string::size_type comma = line.find(',', start);
    f.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return f;
    start = comma + 1;
  }
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string s;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) s += ',';
    s += fields[i];
  }
  s += '\n';
  return s;
}

std::string gnuplot_preamble(const std::string& id, int w, int h, int font_size,
                             const std::string& settings) {
  const std::string size = std::to_string(w) + "," + std::to_string(h);
  const std::string font = "font 'sans," + std::to_string(font_size) + "'";
  // flatmin itself runs the script with -e "png_file='...'; svg_file='...'" (temporary names,
  // renamed once complete: draw()); run by hand, it writes <id>.png and <id>.svg.
  return "# gnuplot script written by flatmin reproduce: draws " + id + ".png and " + id +
         ".svg\nif (!exists('png_file')) png_file = '" + id + ".png'\n" +
         "if (!exists('svg_file')) svg_file = '" + id + ".svg'\nset encoding utf8\n" + settings +
         "do for [t = 1:2] {\n" + "  if (t == 1) { set terminal pngcairo size " + size + " " +
         font + "; set output png_file }\n" + "  if (t == 2) { set terminal svg size " + size +
         " " + font + "; set output svg_file }\n";
}

Shard parse_shard(const std::string& spec) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgument("bad shard '" + spec + "': " + why +
                           " (expected i/n with 1 <= i <= n, e.g. 1/4)");
  };
  const auto slash = spec.find('/');
  if (slash == std::string::npos) throw bad("no '/'");
  const auto num = [&](const std::string& t) -> std::size_t {
    if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos)
      throw bad("'" + t + "' is not a positive integer");
    return std::stoul(t);
  };
  Shard s{num(spec.substr(0, slash)), num(spec.substr(slash + 1))};
  if (s.count == 0) throw bad("n must be at least 1");
  if (s.index == 0 || s.index > s.count) throw bad("i must be between 1 and n");
  return s;
}

namespace {

bool is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

}  // namespace

std::vector<std::string> run_cells(const Sweep& sw, const RunOptions& o, const Shard& sh,
                                   int mpi_rank, int mpi_size) {
  const std::size_t n = sw.cell_count(o.scale);
  std::vector<std::size_t> mine;
  for (std::size_t c = 0; c < n; ++c)
    if (c % sh.count == sh.index - 1 && (c / sh.count) % std::size_t(mpi_size) == std::size_t(mpi_rank))
      mine.push_back(c);
  std::vector<std::string> blocks(n);
  if (o.cell_seconds) o.cell_seconds->assign(n, 0.0);
  int threads = o.threads > 0 ? o.threads : int(std::thread::hardware_concurrency());
  threads = std::max(1, std::min<int>(threads, int(std::max<std::size_t>(1, mine.size()))));

  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::string error_label;
  std::mutex mu;
  const bool show = o.progress && is_terminal() && mpi_rank == 0;
  const auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (;;) {
      if (failed) return;
      const std::size_t k = next++;
      if (k >= mine.size()) return;
      const std::size_t c = mine[k];
      try {
        const auto t0 = std::chrono::steady_clock::now();
        blocks[c] = sw.cell(o.scale, c);
        if (o.cell_seconds)
          (*o.cell_seconds)[c] =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!failed) {
          error = std::current_exception();
          error_label = sw.label(o.scale, c);
        }
        failed = true;
        return;
      }
      ++done;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  if (show) {
    // The main thread draws the progress line and computes too once the line is up to date.
    std::thread drawer([&] {
      std::size_t last = std::size_t(-1);
      while (done < mine.size() && !failed) {
        const std::size_t d = done;
        if (d != last) {
          const double el =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          const double rate = el > 0 ? double(d) / el : 0;
          const double left = rate > 0 ? double(mine.size() - d) / rate : NAN;
          const int width = 30;
          const int fill = mine.empty() ? width : int(width * d / mine.size());
          std::fprintf(stderr, "\r%s [%s%s] %zu/%zu cells  %.2f cells/s  %s left   ",
                       sw.id.c_str(), std::string(fill, '#').c_str(),
                       std::string(width - fill, '.').c_str(), d, mine.size(), rate,
                       clock_text(left).c_str());
          std::fflush(stderr);
          last = d;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    });
    worker();
    for (auto& t : pool) t.join();
    drawer.join();
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "\r%s: %zu cells in %s%40s\n", sw.id.c_str(), mine.size(),
                 clock_text(el).c_str(), "");
  } else {
    worker();
    for (auto& t : pool) t.join();
  }
  if (failed) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      throw std::runtime_error(sw.id + ": cell " + error_label + ": " + e.what());
    }
  }
  return blocks;
}

// ---- shard files ------------------------------------------------------------------------------
// Format: a header line
//   flatmin-shard <sweep> <scale> <i> <n> <cells> <version>
// then for each cell of the shard, in cell order: "@cell <c> <bytes>\n" followed by the block.

std::string shard_file_name(const Sweep& sw, Scale s, const Shard& sh) {
  return sw.id + "." + scale_name(s) + ".shard-" + std::to_string(sh.index) + "-of-" +
         std::to_string(sh.count);
}

std::string format_shard(const Sweep& sw, Scale s, const Shard& sh,
                         const std::vector<std::string>& blocks) {
  std::string out = "flatmin-shard " + sw.id + " " + scale_name(s) + " " +
                    std::to_string(sh.index) + " " + std::to_string(sh.count) + " " +
                    std::to_string(blocks.size()) + " " + code_version() + "\n";
  for (std::size_t c = 0; c < blocks.size(); ++c) {
    if (c % sh.count != sh.index - 1) continue;
    out += "@cell " + std::to_string(c) + " " + std::to_string(blocks[c].size()) + "\n";
    out += blocks[c];
  }
  return out;
}

namespace {

std::string read_all(const std::string& path) {
  return read_text_file(path);  // bounded; a directory, FIFO or device named like a shard is refused
}

}  // namespace

std::vector<std::string> merge_shards(const Sweep& sw, Scale s, const std::string& dir) {
  // Find the shard count from any shard file of this sweep and scale.
  const std::string prefix = sw.id + "." + scale_name(s) + ".shard-";
  std::size_t count = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (is_temp_name(name)) continue;  // left by an interrupted run (SIGKILL): not a shard
    if (name.rfind(prefix, 0) != 0) continue;
    // Exactly <prefix><i>-of-<n>; anything else with the prefix is a foreign file, named.
    const std::string rest = name.substr(prefix.size());
    const auto of = rest.find("-of-");
    std::size_t n = 0;
    try {
      if (of == std::string::npos) throw InvalidArgument("no -of-");
      n = parse_shard(rest.substr(0, of) + "/" + rest.substr(of + 4)).count;
    } catch (const InvalidArgument&) {
      throw InvalidArgument("merge: " + e.path().string() + " is not a shard file (expected " +
                            prefix + "<i>-of-<n>): move it out of the folder");
    }
    if (count && n != count)
      throw InvalidArgument("merge: " + dir + " holds shards of " + sw.id + " (" + scale_name(s) +
                            ") with different counts (" + std::to_string(count) + " and " +
                            std::to_string(n) + ")");
    count = n;
  }
  if (ec) throw InvalidArgument("merge: cannot list " + dir + ": " + ec.message());
  if (!count)
    throw InvalidArgument("merge: no shard files " + prefix + "*-of-* in " + dir);
  const std::size_t cells = sw.cell_count(s);
  std::vector<std::string> blocks(cells);
  std::vector<bool> have(cells, false);
  for (std::size_t i = 1; i <= count; ++i) {
    const Shard sh{i, count};
    const std::string path = (fs::path(dir) / shard_file_name(sw, s, sh)).string();
    if (!fs::exists(path))
      throw InvalidArgument("merge: shard " + std::to_string(i) + "/" + std::to_string(count) +
                            " of " + sw.id + " is missing (" + path + ")");
    if (!fs::is_regular_file(path))  // a FIFO would block the read forever
      throw InvalidArgument("merge: " + path + " is " + special_file_kind(path) +
                            ", not a shard file");
    const std::string text = read_all(path);
    std::istringstream in(text);
    std::string header;
    std::getline(in, header);
    const std::string expect = "flatmin-shard " + sw.id + " " + scale_name(s) + " " +
                               std::to_string(i) + " " + std::to_string(count) + " " +
                               std::to_string(cells) + " " + code_version();
    if (header != expect)
      throw InvalidArgument("merge: " + path + ": header '" + header + "' does not match '" +
                            expect + "' (another sweep, scale or flatmin version)");
    std::size_t pos = header.size() + 1;
    while (pos < text.size()) {
      const auto eol = text.find('\n', pos);
      if (eol == std::string::npos) throw InvalidArgument("merge: " + path + ": truncated");
      std::istringstream line(text.substr(pos, eol - pos));
      std::string tag;
      std::size_t c = 0, bytes = 0;
      if (!(line >> tag >> c >> bytes) || tag != "@cell" || c >= cells ||
          c % count != i - 1 || have[c] || eol + 1 + bytes > text.size())
        throw InvalidArgument("merge: " + path + ": malformed cell record at byte " +
                              std::to_string(pos));
      blocks[c] = text.substr(eol + 1, bytes);
      have[c] = true;
      pos = eol + 1 + bytes;
    }
  }
  for (std::size_t c = 0; c < cells; ++c)
    if (!have[c])
      throw InvalidArgument("merge: cell " + std::to_string(c) + " of " + sw.id +
                            " is in none of the shard files (a shard was cut short)");
  return blocks;
}

// ---- files ------------------------------------------------------------------------------------
void write_files(const std::string& dir, const std::vector<OutFile>& files) {
  require_output_dir(dir);
  std::vector<std::pair<std::string, std::string>> paths;
  for (const auto& f : files) paths.emplace_back((fs::path(dir) / f.name).string(), f.bytes);
  write_files_atomic(paths);
}

namespace {

// Why a picture gnuplot wrote is not complete, or "" when it is: a PNG must end with its IEND
// chunk, an SVG with </svg> (then only whitespace). A full disk or a killed gnuplot cuts them.
std::string incomplete_picture(const std::string& path, bool png) {
  const std::string b = read_all(path);
  if (b.empty()) return "it is empty";
  if (png) {
    static const std::string signature("\x89PNG\r\n\x1a\n", 8);
    static const std::string iend("\0\0\0\0IEND\xae\x42\x60\x82", 12);  // length 0, type, CRC
    if (b.compare(0, signature.size(), signature) != 0) return "no PNG signature";
    if (b.size() < signature.size() + iend.size() ||
        b.compare(b.size() - iend.size(), iend.size(), iend) != 0)
      return "no IEND chunk at the end (cut off)";
    return "";
  }
  const auto last = b.find_last_not_of(" \t\r\n");
  const std::string end = "</svg>";
  if (last == std::string::npos || last + 1 < end.size() ||
      b.compare(last + 1 - end.size(), end.size(), end) != 0)
    return "it does not end with </svg> (cut off)";
  return "";
}

}  // namespace

bool draw(const std::string& dir, const Figure& f) {
  // gnuplot draws into temporary files (registered: removed on SIGINT/SIGTERM, after the child
  // is killed), renamed only when gnuplot succeeded and both pictures are complete.
  TempFile png((fs::path(dir) / (f.id + ".png")).string());
  TempFile svg((fs::path(dir) / (f.id + ".svg")).string());
  // Everything the child needs is made before fork(): it only calls async-signal-safe functions.
  const std::string names = "png_file='" + fs::path(png.path()).filename().string() +
                            "'; svg_file='" + fs::path(svg.path()).filename().string() + "'";
  const std::string script = f.id + ".gp";
  sigset_t stop, old;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &stop, &old);  // no signal between fork and the guard
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    ::execlp("gnuplot", "gnuplot", "-e", names.c_str(), script.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::optional<ChildGuard> child;
  if (pid > 0) child.emplace(pid);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    std::cerr << "flatmin: " << f.id << ": cannot start gnuplot (fork failed)\n";
    return false;
  }
  const int status = child->wait();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
      std::cerr << "flatmin: " << f.id
                << ": gnuplot not found (apt-get install gnuplot-nox); the CSVs are complete\n";
    else
      std::cerr << "flatmin: " << f.id << ": gnuplot failed on " << script << " in " << dir
                << "; no picture written\n";
    return false;
  }
  for (const TempFile* t : {&png, &svg}) {
    const std::string why = incomplete_picture(t->path(), t == &png);
    if (!why.empty()) {
      std::cerr << "flatmin: " << f.id << ": gnuplot did not write a complete "
                << fs::path(t->final_path()).filename().string() << " (" << why
                << "); no picture written\n";
      return false;
    }
  }
  png.commit();
  svg.commit();
  return true;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256: EVP_Digest failed");
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned int i = 0; i < len; ++i) {
    s += hex[md[i] >> 4];
    s += hex[md[i] & 15];
  }
  return s;
}

}  // namespace flatmin::repro
