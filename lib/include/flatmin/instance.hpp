// flatmin/instance.hpp — one recovery instance (ground truth, measurement map, observations) in
// the text interchange format of docs/instance-format.md, so that instances made elsewhere
// (numpy, MATLAB, another solver's test set) can be read and flatmin's own can be handed out.
//
//   family d1 d2 m r seed          header, on line 1 alone
//   M, d1 x d2 reals row-major     ground truth (all zeros: unknown)
//   m sensing records              gaussian:   d1*d2 reals, A_i row-major
//                                  bilinear:   d1 reals a_i, then d2 reals b_i  (A_i = a_i b_i^T)
//                                  completion: two indices j k, row-major order (A_i = e_j e_k^T)
//                                  quadnn:     d reals x_i, d = d1 = d2          (A_i = x_i x_i^T)
//   b_0 ... b_{m-1}                observations b_i = <A_i, M>
//
// After the header the file is a stream of whitespace-separated tokens. Reals are written with
// 17 significant digits ("%.17g"), so parse_instance(format_instance(x)) == x bit for bit.
//
// Everything is in double: the file stores doubles. Callers wanting another precision convert
// exactly with A.cast<S>(), cast_matrix<S>(M), cast_vector<S>(b).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "flatmin/scalar.hpp"
#include "flatmin/sensing.hpp"

namespace flatmin {

// The instance families, as files and the command line name them: the one place that knows
// the list (the parser, the writer, the generator and `flatmin instance` validate with it).
inline constexpr const char* kInstanceFamilies = "gaussian, bilinear, completion or quadnn";
bool is_instance_family(std::string_view family);

struct RecoveryInstance {
  std::string family;      // "gaussian", "bilinear", "completion" or "quadnn"
  Index d1 = 0, d2 = 0;    // shape of the ground truth
  Index r = 0;             // rank of the ground truth, informational; 0 <= r <= min(d1, d2)
  std::uint64_t seed = 0;  // generator seed of whoever made the instance, informational
  Mat<double> M;           // ground truth, d1 x d2
  bool has_truth = false;  // false when M is all zeros (truth unknown: no error-to-truth)
  SensingMap<double> A;    // the map; A.m() measurements, A.family() == family
  Vec<double> b;           // observations, length A.m()
};

// Parses the text of one instance. `name` (usually the file's path) prefixes every message.
// Every defect is an InvalidArgument of the form
//   <name>:<line>: expected <what>, got '<token>'
//   <name>:<line>: unexpected end of file, expected <what>
//   <name>:<line>: duplicate completion index (j, k) (first at line L)
// Rejected: a truncated file, a token that is not a number where one is expected (a '#' too:
// the format has no comments), NaN, infinities and reals outside the range of double (1e999,
// 1e-400), indices that are negative, not integers or out of range, completion records that are
// not in strictly row-major order, d1, d2 or m equal to 0, sizes that claim more numbers than
// the file can hold (checked before anything is allocated), an unknown family, quadnn with
// d1 != d2, completion with m > d1 d2, a seed that is not an unsigned 64-bit integer, r outside
// [0, min(d1, d2)], and any token after the m observations. Lines count from 1.
RecoveryInstance parse_instance(const std::string& text, const std::string& name);

// Reads and parses the file at `path` (messages are prefixed with the path). A missing or
// unreadable file is an InvalidArgument naming the path.
RecoveryInstance read_instance(const std::string& path);

// The instance in the text format: the header line, one line per row of M, one line per sensing
// record, then b on one line; reals with 17 significant digits. Throws InvalidArgument when the
// instance cannot be written so that it reads back (unknown family, map of another structure or
// family, non-unit weights, completion entries out of row-major order, shapes that disagree,
// non-finite M or b, r out of range, m = 0).
std::string format_instance(const RecoveryInstance& inst);

// Writes format_instance(inst) to `path` with write_file_atomic (flatmin/atomic_file.hpp): a
// temporary file in path's folder, renamed onto `path` when complete. On any failure the
// temporary file is removed and `path` is left as it was; InvalidArgument names the path for a
// usage problem (a non-regular target, a missing folder, permission denied), IoError for a
// failed write (a full disk).
void write_instance(const RecoveryInstance& inst, const std::string& path);

// A random instance, deterministic in `seed` (flatmin's Rng), drawn like the catalogue's
// instances (catalogue/rows/common.hpp make_instance): ground truth first, then the map.
//   truth: gaussian, bilinear, completion: random_low_rank(d, d, rank), assembled (||M||_F = 1);
//          quadnn: random_symmetric_low_rank(d, rank - rank/3, rank/3) (rank 3: signs +, +, -)
//   map:   gaussian_map(d, d, m), bilinear_map(d, d, m), completion_map(d, d, p),
//          quadratic_map(d, m)
//   b = A(M).
// `m` is ignored for completion (m is the number of entries the Bernoulli(p) mask kept) and `p`
// for the other families. InvalidArgument unless 1 <= d <= 2000, 1 <= rank <= d,
// 1 <= m <= 10^7 (not completion), 0 < p <= 1 (completion), the instance stores at most 2e8
// numbers (gaussian: d^2 m), and (completion) the mask kept at least one entry.
RecoveryInstance generate_instance(const std::string& family, Index d, Index m, double p,
                                   Index rank, std::uint64_t seed);

}  // namespace flatmin
