#include "flatmin/instance.hpp"

#include "flatmin/atomic_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "flatmin/memory.hpp"
#include "flatmin/number_syntax.hpp"
#include "flatmin/text_file.hpp"

namespace flatmin {

bool is_instance_family(std::string_view f) {
  return f == "gaussian" || f == "bilinear" || f == "completion" || f == "quadnn";
}

namespace {

using text::is_space;
using text::parse_real;
using text::parse_uint;
using text::shown;

constexpr std::uint64_t kSaturated = std::numeric_limits<std::uint64_t>::max();


// Saturating arithmetic for the size check (a header may claim sizes near 2^64).
using memory::add_sat;
using memory::mul_sat;

std::string str(std::uint64_t v) { return std::to_string(v); }
std::string str(Index v) { return std::to_string(v); }
std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}
std::string pair_str(std::uint64_t j, std::uint64_t k) {
  return "(" + str(j) + ", " + str(k) + ")";
}

// The token stream of one file with line numbers (from 1) and the format's error messages.
class Reader {
 public:
  Reader(std::string_view text, const std::string& name)
      : p_(text.data()),
        end_(text.data() + text.size()),
        name_(name),
        ends_with_newline_(!text.empty() && text.back() == '\n') {}

  // The next token (a maximal run of non-whitespace bytes), or an empty view at end of file.
  std::string_view next() {
    while (p_ != end_ && is_space(*p_)) {
      if (*p_ == '\n') ++line_;
      ++p_;
    }
    const char* start = p_;
    while (p_ != end_ && !is_space(*p_)) ++p_;
    return std::string_view(start, std::size_t(p_ - start));
  }

  // True when nothing but blanks is left on the current line.
  bool at_end_of_line() {
    while (p_ != end_ && *p_ != '\n' && is_space(*p_)) ++p_;
    return p_ == end_ || *p_ == '\n';
  }

  Index line() const { return line_; }
  std::size_t bytes_left() const { return std::size_t(end_ - p_); }

  // A finite real; `what` (a callable returning the description) is only called on failure.
  template <class What> double real(const What& what) {
    const std::string_view t = next();
    if (t.empty()) end_of_file(what());
    double x;
    if (!parse_real(t, x)) fail(line_, what(), t);
    return x;
  }

  // An integer in [0, bound).
  template <class What> std::uint64_t index(const What& what, std::uint64_t bound) {
    const std::string_view t = next();
    if (t.empty()) end_of_file(what());
    std::uint64_t v;
    if (!parse_uint(t, v) || v >= bound) fail(line_, what(), t);
    return v;
  }

  [[noreturn]] void fail(Index line, const std::string& what, std::string_view tok) const {
    throw InvalidArgument(where(line) + "expected " + what + ", got '" + shown(tok) + "'");
  }
  [[noreturn]] void fail(Index line, const std::string& message) const {
    throw InvalidArgument(where(line) + message);
  }
  // At end of file the line reported is the file's last line.
  [[noreturn]] void end_of_file(const std::string& what) const {
    const Index last = ends_with_newline_ && line_ > 1 ? line_ - 1 : line_;
    throw InvalidArgument(where(last) + "unexpected end of file, expected " + what + note_);
  }
  void set_end_of_file_note(std::string note) { note_ = std::move(note); }

 private:
  std::string where(Index line) const { return name_ + ":" + str(line) + ": "; }

  const char* p_;
  const char* end_;
  const std::string& name_;
  bool ends_with_newline_;
  Index line_ = 1;
  std::string note_;  // appended to the end-of-file message
};

// One header field: a token on line 1.
std::string_view header_token(Reader& rd, const std::string& what) {
  const std::string_view t = rd.next();
  if (t.empty()) rd.fail(1, "unexpected end of file, expected " + what + " (header line)");
  if (rd.line() != 1)
    rd.fail(1, "expected " + what +
                   " on line 1 (the header 'family d1 d2 m r seed' is one line), "
                   "got end of line");
  return t;
}

bool all_ones(const Vec<double>& w) { return (w.array() == 1.0).all(); }

// The header: family d1 d2 m r seed, alone on line 1.
struct Header {
  std::string family;
  std::uint64_t d1 = 0, d2 = 0, m = 0, r = 0, seed = 0;
  std::uint64_t numbers = 0;  // how many numbers follow the header (saturated at 2^64 - 1)
};

Header read_header(Reader& rd) {
  Header h;
  const std::string family_what = std::string("family (") + kInstanceFamilies + ")";
  const std::string_view fam = header_token(rd, family_what);
  if (!is_instance_family(fam)) rd.fail(1, family_what, fam);
  h.family = std::string(fam);
  const bool quadnn = h.family == "quadnn", completion = h.family == "completion";

  const std::string d1_what = "d1 (a positive integer)";
  const std::string_view d1_tok = header_token(rd, d1_what);
  if (!parse_uint(d1_tok, h.d1) || h.d1 == 0) rd.fail(1, d1_what, d1_tok);

  const std::string d2_what =
      quadnn ? "d2 = d1 = " + str(h.d1) + " (quadnn: M and the x_i x_i^T are d x d)"
             : std::string("d2 (a positive integer)");
  const std::string_view d2_tok = header_token(rd, d2_what);
  if (!parse_uint(d2_tok, h.d2) || h.d2 == 0 || (quadnn && h.d2 != h.d1))
    rd.fail(1, d2_what, d2_tok);

  const std::uint64_t entries = mul_sat(h.d1, h.d2);
  const std::string m_what =
      completion ? "m (the number of observed entries, in [1, d1*d2] = [1, " + str(entries) + "])"
                 : std::string("m (a positive integer)");
  const std::string_view m_tok = header_token(rd, m_what);
  if (!parse_uint(m_tok, h.m) || h.m == 0 || (completion && h.m > entries))
    rd.fail(1, m_what, m_tok);

  const std::string r_what =
      "r (the rank, in [0, min(d1, d2)] = [0, " + str(std::min(h.d1, h.d2)) + "])";
  const std::string_view r_tok = header_token(rd, r_what);
  if (!parse_uint(r_tok, h.r) || h.r > std::min(h.d1, h.d2)) rd.fail(1, r_what, r_tok);

  const std::string seed_what = "seed (an unsigned 64-bit integer)";
  const std::string_view seed_tok = header_token(rd, seed_what);
  if (!parse_uint(seed_tok, h.seed)) rd.fail(1, seed_what, seed_tok);

  if (!rd.at_end_of_line())
    rd.fail(1, "end of the header line after the seed (header: family d1 d2 m r seed)", rd.next());

  std::uint64_t per_record = 0;
  if (h.family == "gaussian")
    per_record = entries;
  else if (h.family == "bilinear")
    per_record = add_sat(h.d1, h.d2);
  else if (completion)
    per_record = 2;
  else
    per_record = h.d1;
  h.numbers = add_sat(add_sat(entries, mul_sat(h.m, per_record)), h.m);
  return h;
}

// The truth, the records and the observations. With Store = false nothing is allocated or kept:
// the tokens are only checked, in the same order and with the same messages (the dry run used
// when the header claims more numbers than the file can hold, which must then fail). Counters are
// unsigned 64-bit because a dry run's sizes may be anything up to 2^64 - 1; every iteration
// consumes a token or throws, so the loops end at the end of the file.
template <bool Store> void read_body(Reader& rd, const Header& h, RecoveryInstance& inst) {
  using U = std::uint64_t;
  const U d1 = h.d1, d2 = h.d2, m = h.m;
  const auto record = [](U i) { return "sensing record " + str(i) + ": "; };
  const auto real_what = [&](U i, const std::string& entry) {
    return record(i) + entry + " (a finite real number)";
  };

  Mat<double> M, rows, a, b;
  if constexpr (Store) M.resize(Index(d1), Index(d2));
  for (U j = 0; j < d1; ++j)
    for (U k = 0; k < d2; ++k) {
      const double v =
          rd.real([&] { return "M[" + str(j) + "][" + str(k) + "] (a finite real number)"; });
      if constexpr (Store) M(Index(j), Index(k)) = v;
    }

  std::vector<std::pair<Index, Index>> idx;
  if (h.family == "gaussian") {
    if constexpr (Store) rows.resize(Index(m), Index(d1 * d2));
    for (U i = 0; i < m; ++i)
      for (U j = 0; j < d1; ++j)
        for (U k = 0; k < d2; ++k) {
          const double v = rd.real(
              [&] { return real_what(i, "A_" + str(i) + "[" + str(j) + "][" + str(k) + "]"); });
          if constexpr (Store) rows(Index(i), Index(j * d2 + k)) = v;
        }
  } else if (h.family == "bilinear") {
    if constexpr (Store) a.resize(Index(m), Index(d1)), b.resize(Index(m), Index(d2));
    for (U i = 0; i < m; ++i) {
      for (U j = 0; j < d1; ++j) {
        const double v = rd.real([&] { return real_what(i, "a_" + str(i) + "[" + str(j) + "]"); });
        if constexpr (Store) a(Index(i), Index(j)) = v;
      }
      for (U k = 0; k < d2; ++k) {
        const double v = rd.real([&] { return real_what(i, "b_" + str(i) + "[" + str(k) + "]"); });
        if constexpr (Store) b(Index(i), Index(k)) = v;
      }
    }
  } else if (h.family == "completion") {
    // Records are distinct and in row-major order: j*d2 + k strictly increasing.
    if constexpr (Store) idx.reserve(std::size_t(m));
    U pj = 0, pk = 0;
    Index prev_line = 0;
    for (U i = 0; i < m; ++i) {
      const U j = rd.index(
          [&] { return record(i) + "row index j (an integer in [0, d1) = [0, " + str(d1) + "))"; },
          d1);
      const U k = rd.index(
          [&] {
            return record(i) + "column index k (an integer in [0, d2) = [0, " + str(d2) + "))";
          },
          d2);
      if (i > 0 && j == pj && k == pk)
        rd.fail(rd.line(), "duplicate completion index " + pair_str(j, k) + " (sensing records " +
                               str(i - 1) + " at line " + str(prev_line) + " and " + str(i) + ")");
      if (i > 0 && (j < pj || (j == pj && k < pk)))
        rd.fail(rd.line(),
                record(i) + "an index after " + pair_str(pj, pk) +
                    " (completion records are in row-major order)",
                str(j) + " " + str(k));
      if constexpr (Store) idx.emplace_back(Index(j), Index(k));
      pj = j;
      pk = k;
      prev_line = rd.line();
    }
  } else {
    if constexpr (Store) a.resize(Index(m), Index(d1));
    for (U i = 0; i < m; ++i)
      for (U j = 0; j < d1; ++j) {
        const double v = rd.real([&] { return real_what(i, "x_" + str(i) + "[" + str(j) + "]"); });
        if constexpr (Store) a(Index(i), Index(j)) = v;
      }
  }

  Vec<double> obs;
  if constexpr (Store) obs.resize(Index(m));
  for (U i = 0; i < m; ++i) {
    const double v = rd.real([&] { return "observation b_" + str(i) + " (a finite real number)"; });
    if constexpr (Store) obs(Index(i)) = v;
  }
  const std::string_view extra = rd.next();
  if (!extra.empty())
    rd.fail(rd.line(), "end of file after the m = " + str(m) + " observations", extra);

  if constexpr (Store) {
    inst.family = h.family;
    inst.d1 = Index(d1);
    inst.d2 = Index(d2);
    inst.r = Index(h.r);
    inst.seed = h.seed;
    inst.has_truth = (M.array() != 0.0).any();
    inst.M = std::move(M);
    inst.b = std::move(obs);
    if (h.family == "gaussian")
      inst.A = SensingMap<double>::from_dense(Index(d1), Index(d2), std::move(rows), "gaussian");
    else if (h.family == "bilinear")
      inst.A = SensingMap<double>::from_rank_one(std::move(a), std::move(b),
                                                 Vec<double>::Ones(Index(m)), "bilinear");
    else if (h.family == "completion")
      inst.A = SensingMap<double>::from_entries(Index(d1), Index(d2), std::move(idx),
                                                Vec<double>::Ones(Index(m)), "completion");
    else
      inst.A = SensingMap<double>::from_quadratic(std::move(a), "quadnn");
  }
}

}  // namespace

RecoveryInstance parse_instance(const std::string& text, const std::string& name) {
  Reader rd(text, name);
  const Header h = read_header(rd);
  RecoveryInstance inst;

  // Sizes against the file's length, before anything is allocated. Every number is at least one
  // byte and is preceded by at least one separator (the first by the header's newline), so N
  // numbers need 2N bytes after the header. A file too short for its header is read dry (no
  // allocation, O(file length)); that must fail, at the first defect or at the end of the file,
  // and the end-of-file message then also says what the header claimed.
  const std::uint64_t bytes = rd.bytes_left();
  if (h.numbers > bytes / 2) {
    rd.set_end_of_file_note(
        " (line 1 claims d1=" + str(h.d1) + " d2=" + str(h.d2) + " m=" + str(h.m) + ": " +
        (h.numbers == kSaturated ? std::string("more than 2^64") : str(h.numbers)) +
        " numbers, and the " + str(bytes) + " bytes after it hold at most " + str(bytes / 2) +
        "; the file is truncated or its sizes are wrong)");
    read_body<false>(rd, h, inst);
    rd.fail(1, "expected sizes that fit the file, got 'd1=" + str(h.d1) + " d2=" + str(h.d2) +
                   " m=" + str(h.m) + "'");  // not reached: the dry run cannot succeed
  }
  try {
    read_body<true>(rd, h, inst);
  } catch (const InvalidArgument& e) {
    // The records were validated while reading; a constructor's complaint still names the file.
    if (std::string(e.what()).rfind(name + ":", 0) == 0) throw;
    throw InvalidArgument(name + ": " + e.what());
  }
  return inst;
}

RecoveryInstance read_instance(const std::string& path) {
  try {
    return parse_instance(read_text_file(path), path);
  } catch (const InvalidArgument& e) {
    if (std::string(e.what()).rfind(path + ":", 0) == 0) throw;  // a parse error names the line
    throw InvalidArgument(std::string("read_instance: ") + e.what());
  }
}

namespace {
void put(std::string& out, double x) {
  char buf[32];  // "%.17g" needs at most 24 ("-2.2250738585072014e-308")
  const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 17);
  out.append(buf, res.ptr);
}
template <class Row> void put_row(std::string& out, const Row& row) {
  for (Index k = 0; k < row.size(); ++k) {
    if (k > 0) out += ' ';
    put(out, row(k));
  }
}
}  // namespace

std::string format_instance(const RecoveryInstance& inst) {
  const auto bad = [](const std::string& why) {
    return InvalidArgument("format_instance: " + why);
  };
  const std::string& family = inst.family;
  if (!is_instance_family(family)) throw bad("unknown family '" + family + "' (" + kInstanceFamilies + ")");
  const SensingMap<double>& A = inst.A;
  const Index d1 = inst.d1, d2 = inst.d2, m = A.m();
  if (d1 < 1 || d2 < 1) throw bad("d1 and d2 must be positive, got " + str(d1) + " x " + str(d2));
  require_shape(inst.M.rows(), inst.M.cols(), d1, d2, "format_instance: M");
  require_finite(inst.M, "format_instance: M");
  if (A.d1() != d1 || A.d2() != d2)
    throw bad("the map acts on " + str(A.d1()) + " x " + str(A.d2()) + " matrices, M is " +
              str(d1) + " x " + str(d2));
  if (m < 1) throw bad("the map has no measurements (m = 0)");
  if (inst.b.size() != m)
    throw bad("b has length " + str(inst.b.size()) + ", expected m = " + str(m));
  require_finite(inst.b, "format_instance: b");
  if (inst.r < 0 || inst.r > std::min(d1, d2))
    throw bad("r = " + str(inst.r) + " outside [0, min(d1, d2)]");

  const auto need = [&](Structure s, const char* what) {
    if (A.structure() != s) throw bad("family " + family + " needs " + what + " map");
  };
  if (family == "gaussian") {
    need(Structure::dense, "a dense");
  } else if (family == "bilinear") {
    need(Structure::rank_one, "a rank-one");
    if (!all_ones(A.weights())) throw bad("bilinear map with weights other than 1");
  } else if (family == "completion") {
    need(Structure::entries, "an entries");
    if (!all_ones(A.weights())) throw bad("completion map with weights other than 1");
    const auto& idx = A.entries();
    for (std::size_t i = 1; i < idx.size(); ++i)
      if (idx[i].first * d2 + idx[i].second <= idx[i - 1].first * d2 + idx[i - 1].second)
        throw bad("completion entries must be distinct and in row-major order (entry " +
                  str(Index(i)) + " " + pair_str(idx[i].first, idx[i].second) + " follows " +
                  pair_str(idx[i - 1].first, idx[i - 1].second) + ")");
  } else {
    need(Structure::quadratic, "a quadratic");
  }

  std::string out;
  const Index per_record = family == "gaussian"     ? d1 * d2
                           : family == "bilinear"   ? d1 + d2
                           : family == "completion" ? 2
                                                    : d1;
  out.reserve(std::size_t(25 * (d1 * d2 + m * per_record + m) + 64));
  out += family + " " + str(d1) + " " + str(d2) + " " + str(m) + " " + str(inst.r) + " " +
         str(inst.seed) + "\n";
  for (Index j = 0; j < d1; ++j) {
    put_row(out, inst.M.row(j));
    out += '\n';
  }
  for (Index i = 0; i < m; ++i) {
    if (family == "gaussian") {
      put_row(out, A.dense_rows().row(i));
    } else if (family == "bilinear") {
      put_row(out, A.left().row(i));
      out += ' ';
      put_row(out, A.right().row(i));
    } else if (family == "completion") {
      out += str(A.entries()[std::size_t(i)].first) + " " + str(A.entries()[std::size_t(i)].second);
    } else {
      put_row(out, A.left().row(i));
    }
    out += '\n';
  }
  put_row(out, inst.b);
  out += '\n';
  return out;
}

void write_instance(const RecoveryInstance& inst, const std::string& path) {
  if (path.empty()) throw InvalidArgument("write_instance: empty path");
  write_file_atomic(path, format_instance(inst));  // formatted first: may throw before any I/O
}

RecoveryInstance generate_instance(const std::string& family, Index d, Index m, double p,
                                   Index rank, std::uint64_t seed) {
  const std::string who = "generate_instance: ";
  if (!is_instance_family(family))
    throw InvalidArgument(who + "unknown family '" + family + "' (" + kInstanceFamilies + ")");
  const bool completion = family == "completion";
  if (d < 1 || d > 2000) throw InvalidArgument(who + "d must lie in [1, 2000], got " + str(d));
  if (rank < 1 || rank > d)
    throw InvalidArgument(who + "rank must lie in [1, d] = [1, " + str(d) + "], got " + str(rank));
  if (completion) {
    if (!(p > 0.0 && p <= 1.0)) throw InvalidArgument(who + "p must lie in (0, 1], got " + num(p));
  } else {
    if (m < 1 || m > 10000000)
      throw InvalidArgument(who + "m must lie in [1, 10^7], got " + str(m));
    const double per = family == "gaussian"   ? double(d) * double(d)
                       : family == "bilinear" ? 2.0 * double(d)
                                              : double(d);
    if (per * double(m) > 2e8)
      throw InvalidArgument(who + family + " with d = " + str(d) + ", m = " + str(m) + " stores " +
                            num(per * double(m)) + " numbers, more than 2e8");
  }

  // Draw order as make_instance (catalogue/rows/common.hpp): ground truth first, then the map.
  Rng rng(seed);
  const LowRankFactors truth = family == "quadnn"
                                   ? random_symmetric_low_rank(rng, d, rank - rank / 3, rank / 3)
                                   : random_low_rank(rng, d, d, rank);
  RecoveryInstance inst;
  inst.family = family;
  inst.d1 = inst.d2 = d;
  inst.r = rank;
  inst.seed = seed;
  inst.M = assemble<double>(truth);
  inst.has_truth = true;
  if (family == "gaussian")
    inst.A = gaussian_map(rng, d, d, m);
  else if (family == "bilinear")
    inst.A = bilinear_map(rng, d, d, m);
  else if (completion)
    inst.A = completion_map(rng, d, d, p);
  else
    inst.A = quadratic_map(rng, d, m);
  if (inst.A.m() == 0)
    throw InvalidArgument(who + "completion with p = " + num(p) + ", d = " + str(d) + ", seed " +
                          str(seed) + " observed no entry (m = 0 is not an instance)");
  inst.b = inst.A.apply(inst.M);
  return inst;
}

}  // namespace flatmin
