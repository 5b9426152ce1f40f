// A Theorem 3.3: flat solutions (the factor map of the solver's minimiser X* of (21), rank <= k)
// satisfy (22) ||L_f||^2 + ||R_f||^2 <= kappa^2 min-norm value (= 2||X_n||_*, X_n the solver's
// nuclear-norm minimiser, rank <= k) and (23) ||L_f^T L_f - R_f^T R_f||_* <= 2(kappa^2 - 1)||M||_*
// (also with ||X_n||_* for ||M||_*), kappa = alpha2/alpha1 for alpha1 I <= D_i <= alpha2 I. The
// solvers' verified gaps enter the right-hand sides explicitly (catalogue/rows/rows_solver.cpp);
// trials where a solver did not return `solved` are not applicable.
// Negative control: the A = I statement (Lemma 2.2) for general A, kappa = 1 (flat solutions
// norm-minimal and balanced).
#include <cmath>

#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_T3_3, "A.T3.3")

namespace {
using namespace flatmin::catalogue;

// Applicable fraction of the row over its own spec (the solvers must decide most shapes).
double t33_applicable_fraction(flatmin::Precision p, int trials) {
  const Row& r = flatmin::props::row("A.T3.3");
  int app = 0;
  for (int t = 0; t < trials; ++t) {
    flatmin::Rng rng = flatmin::Rng::derive(flatmin::props::base_seed(), {0xAFu, std::uint64_t(t)});
    if (r.evaluate(p, draw_shape(r.spec, rng), Variant::statement).applicable) ++app;
  }
  std::cout << "A.T3.3 " << flatmin::precision_name(p) << ": applicable " << app << "/" << trials
            << "\n";
  return double(app) / trials;
}
}  // namespace

TEST(A_T3_3, MostTrialsApplicable) {
  EXPECT_GE(t33_applicable_fraction(flatmin::Precision::binary64, 80), 0.75);
  EXPECT_GE(t33_applicable_fraction(flatmin::Precision::quad, 40), 0.4);
}

// A = I (kappa = 1): flat solutions are norm-minimal and balanced, so (22) and (23) hold with
// equality; the slack the row reports must then be at rounding level (relative 1e-10 at most),
// which shows that the explicit solver terms and the tolerance do not hide a loose comparison.
TEST(A_T3_3, TightAtKappaOne) {
  const Row& r = flatmin::props::row("A.T3.3");
  int n = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    Shape s;
    s.family = FamilyId::identity;
    s.d1 = 2 + flatmin::Index(seed % 3);
    s.d2 = 2 + flatmin::Index(seed % 2);
    s.r = 1 + flatmin::Index(seed % 2);
    s.k = s.r + 1;
    s.seed = seed;
    const Outcome o = r.evaluate(flatmin::Precision::binary64, s, Variant::statement);
    if (!o.applicable) continue;
    ++n;
    EXPECT_TRUE(o.holds) << s.describe() << "\n" << o.detail;
    EXPECT_LE(std::abs(o.value), 1e-10) << s.describe() << "\n" << o.detail;
  }
  EXPECT_GE(n, 10);
}
