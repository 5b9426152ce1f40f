// A Lemma 5.2 (completion): (p/(d1 d2))(1-delta) I <= D_i^2 <= (p/(d1 d2))(1+delta) I with
// probability >= 1 - 4 d_min^{-c}, in the regime p >= 3(1+c) log(d_max)/(delta^2 d_min).
// Corrections (see catalogue/rows/rows_a45.cpp): the catalogue's sqrt belongs to D_i, not D_i^2
// (paper's normalisation m = d1 d2, (38)); and the printed regime (1+c) log(d_max)/(2 delta^2
// d_min) rests on the false tail bound 2 exp(-2 p d delta^2) — it is the negative control.
#include <cmath>

#include "flatmin/linalg.hpp"
#include "flatmin/sensing.hpp"
#include "property.hpp"

FLATMIN_STAT_ROW_PROPERTIES(A_L5_2, "A.L5.2", 200, 5000)

namespace {
using namespace flatmin;

// Normalisation: rescaling() of flatmin's completion map (m = |Omega| observed entries) is
// (d1 d2 / |Omega|)^{1/2} times the paper's D_i, whose square is (38): diag(row counts)/(d1 d2^2)
// (and diag(column counts)/(d1^2 d2) for D_2).
template <class S> void normalisation() {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    const Index d1 = 2 + Index(rng.below(6)), d2 = 2 + Index(rng.below(6));
    const SensingMap<S> A = completion_map(rng, d1, d2, 0.5).template cast<S>();
    if (A.m() == 0) continue;
    const Rescaling<S> D = rescaling(A);
    Vec<S> rows = Vec<S>::Zero(d1), cols = Vec<S>::Zero(d2);
    for (const auto& [j, k] : A.entries()) {
      rows(j) += S(1);
      cols(k) += S(1);
    }
    const S f = S(A.m()) / (S(d1) * S(d2));  // |Omega| / (d1 d2)
    const Mat<S> P1 = f * D.D1 * D.D1, P2 = f * D.D2 * D.D2;
    const Mat<S> E1 = Mat<S>(rows.asDiagonal()) / (S(d1) * S(d2) * S(d2));
    const Mat<S> E2 = Mat<S>(cols.asDiagonal()) / (S(d1) * S(d1) * S(d2));
    EXPECT_LT(to_double(S((P1 - E1).norm() / E1.norm())), 1e3 * epsilon_of<S>()) << seed;
    EXPECT_LT(to_double(S((P2 - E2).norm() / E2.norm())), 1e3 * epsilon_of<S>()) << seed;
  }
}
TEST(A_L5_2, RescalingMatchesPaperNormalisationDouble) { normalisation<double>(); }
#ifndef FLATMIN_DOUBLE_ONLY  // quad is not instantiated in a double-only build
TEST(A_L5_2, RescalingMatchesPaperNormalisationQuad) { normalisation<quad>(); }
#endif

// The tail bound printed in the proof, P{|n/(p d) - 1| >= delta} <= 2 exp(-2 p d delta^2) for
// n ~ Bin(d, p), is false for small p; the multiplicative Chernoff bound 2 exp(-delta^2 p d / 3)
// (delta in (0, 1)) holds. Exact binomial tails by summation.
double binomial_tail(int d, double p, double delta) {
  double s = 0, logc = 0;  // log C(d, n)
  for (int n = 0; n <= d; ++n) {
    if (n > 0) logc += std::log(double(d - n + 1)) - std::log(double(n));
    if (std::abs(n / (p * d) - 1) >= delta)
      s += std::exp(logc + n * std::log(p) + (d - n) * std::log1p(-p));
  }
  return s;
}
TEST(A_L5_2, PrintedTailBoundIsFalseChernoffHolds) {
  struct Case { int d; double p, delta; };
  for (const Case c : {Case{30, 0.126, 0.9}, Case{50, 0.087, 0.95}, Case{100, 0.05, 0.5},
                       Case{20, 0.3, 0.5}}) {
    const double exact = binomial_tail(c.d, c.p, c.delta);
    EXPECT_GT(exact, 2 * std::exp(-2 * c.p * c.d * c.delta * c.delta)) << c.d;  // printed: false
    EXPECT_LE(exact, 2 * std::exp(-c.delta * c.delta * c.p * c.d / 3)) << c.d;   // Chernoff
  }
}

}  // namespace
