// Instances shared by the library's unit tests (lib/tests/): recovery instances of every family,
// a map with every A_i scaled, and the sparse-recovery instances of the depth study.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "flatmin/depth.hpp"
#include "flatmin/linalg.hpp"
#include "flatmin/rng.hpp"
#include "flatmin/sensing.hpp"

namespace flatmin::test_cases {

struct Case {
  SensingMap<double> A;
  Mat<double> M;
  Vec<double> b;
};

// Ground truth first, then the map (as the catalogue rows and the instance generator); the
// quadratic family's truth has r - r/3 positive and r/3 negative eigenvalues.
inline Case make(const std::string& family, Index d, Index m, Index r, std::uint64_t seed) {
  Rng rng(seed);
  Case c{SensingMap<double>::identity(1, 1), Mat<double>(), Vec<double>()};
  if (family == "quadratic") {
    c.M = assemble<double>(random_symmetric_low_rank(rng, d, r - r / 3, r / 3));
    c.A = quadratic_map(rng, d, m);
  } else {
    c.M = assemble<double>(random_low_rank(rng, d, d, r));
    if (family == "gaussian") c.A = gaussian_map(rng, d, d, m);
    if (family == "bilinear") c.A = bilinear_map(rng, d, d, m);
    if (family == "completion") c.A = completion_map(rng, d, d, double(m) / double(d * d));
  }
  c.b = c.A.apply(c.M);
  return c;
}

// every A_i times alpha (quadratic: x_i times sqrt(alpha), alpha > 0), built from the raw data
// (not through the library's own row scaling)
inline SensingMap<double> scaled(const SensingMap<double>& A, double alpha) {
  switch (A.structure()) {
    case Structure::dense: return SensingMap<double>::from_dense(A.d1(), A.d2(), A.dense_rows() * alpha);
    case Structure::rank_one:
      return SensingMap<double>::from_rank_one(A.left(), A.right(), A.weights() * alpha);
    case Structure::quadratic: return SensingMap<double>::from_quadratic(A.left() * std::sqrt(alpha));
    case Structure::entries:
      return SensingMap<double>::from_entries(A.d1(), A.d2(), A.entries(), A.weights() * alpha);
    case Structure::identity: break;
  }
  throw std::logic_error("scaled: identity");
}

struct LqCase {
  Mat<double> A;
  Vec<double> x0, b, w;
};

// Gaussian A (m x n), an s-sparse truth, the depth weights D_jj^2 = ||a_j||^2 / m.
inline LqCase make_lq(Index m, Index n, Index s, std::uint64_t seed) {
  Rng rng(seed);
  LqCase c;
  c.x0 = sparse_vector(rng, n, s);
  c.A = rng.normal_matrix(m, n);
  c.b = c.A * c.x0;
  c.w = hadamard_weights<double>(c.A);
  return c;
}

}  // namespace flatmin::test_cases
