// A Lemma 5.3, (40): ||L_f R_f^T||_* - ||M||_* <= (kappa^2 - 1)||M||_* with kappa = max(cond D1,
// cond D2), at the truth M where certify() proves M the unique minimiser of (39), and at the
// solver's nuclear-norm minimiser X_n (which solves (39) for the same b); flat solutions from the
// solver's minimiser of (21). The solvers' verified gaps enter the right-hand side explicitly
// (catalogue/rows/rows_solver.cpp); trials where a solver did not return `solved` are not
// applicable. Separate condition numbers suffice (weaker hypothesis than Theorem 3.3's joint
// range) because flat products are invariant under (D1, D2) -> (c D1, D2 / c): tested below.
// Negative control: kappa = 1 ("flat solutions solve (39)", the A = I statement).
#include "flatmin/linalg.hpp"
#include "flatmin/objective.hpp"
#include "flatmin/sensing.hpp"
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_L5_3, "A.L5.3")

namespace {
using namespace flatmin::catalogue;
using Md = flatmin::Mat<double>;

double l53_applicable_fraction(flatmin::Precision p, int trials, int* certified) {
  const Row& r = flatmin::props::row("A.L5.3");
  int app = 0, cert = 0;
  for (int t = 0; t < trials; ++t) {
    flatmin::Rng rng = flatmin::Rng::derive(flatmin::props::base_seed(), {0xAFu, std::uint64_t(t)});
    const Outcome o = r.evaluate(p, draw_shape(r.spec, rng), Variant::statement);
    if (!o.applicable) continue;
    ++app;
    if (o.regime.find("M certified") != std::string::npos) ++cert;
  }
  std::cout << "A.L5.3 " << flatmin::precision_name(p) << ": applicable " << app << "/" << trials
            << ", of which M certified " << cert << "\n";
  if (certified) *certified = cert;
  return double(app) / trials;
}
}  // namespace

TEST(A_L5_3, MostTrialsApplicable) {
  int cert = 0;
  EXPECT_GE(l53_applicable_fraction(flatmin::Precision::binary64, 80, &cert), 0.75);
  EXPECT_GT(cert, 20) << "the check at the certified truth rarely ran";
  EXPECT_GE(l53_applicable_fraction(flatmin::Precision::quad, 40, nullptr), 0.4);
}

// The reason kappa = max(cond D1, cond D2) is enough: the factor map for (c D1, D2 / c) has the
// same product as for (D1, D2) (the scaled program (21) has the same minimiser).
TEST(A_L5_3, FlatProductInvariantUnderRelativeScaling) {
  flatmin::Rng rng(11);
  const auto A = flatmin::bilinear_map(rng, 4, 3, 14);
  const flatmin::Rescaling<double> D = flatmin::rescaling(A);
  const Md M = rng.normal_matrix(4, 2) * rng.normal_matrix(2, 3);
  for (const double c : {0.25, 1.0, 3.0}) {
    const flatmin::Rescaling<double> Dc{c * D.D1, D.D2 / c};
    const auto f = flatmin::flat_factors<double>(Md(D.D1 * M * D.D2), D, 3);
    const auto g = flatmin::flat_factors<double>(Md(Dc.D1 * M * Dc.D2), Dc, 3);
    EXPECT_LT((f.L * f.R.transpose() - g.L * g.R.transpose()).norm(), 1e-12 * M.norm()) << c;
    EXPECT_LT((g.L * g.R.transpose() - M).norm(), 1e-12 * M.norm()) << c;
    if (c != 1.0) {  // the factors themselves (and their norms) do change
      EXPECT_GT(std::abs(flatmin::factor_norm_sq<double>(f.L, f.R) -
                         flatmin::factor_norm_sq<double>(g.L, g.R)), 1e-3);
    }
  }
}
