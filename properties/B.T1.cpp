// B Theorem 1 at depth L = 2 (L >= 3 is not checked: no closed form of F there, and E(W*)
// would need a global minimisation over deep factorisations; see catalogue/rows/rows_solver.cpp):
// the sandwich (5) (1 - delta) F'(X) <= F(X) <= (1 + delta) F'(X) at M, at the nuclear-norm
// minimiser and at the flat minimiser (F by Theorem 5, F' by Lemma 4), and part 2,
// ||E(W*)||_* <= (1 + delta)/(1 - delta) min ||X||_*, with E(W*) the minimiser of the flat
// relaxation (21) (solver) and the minimum from the solver's nuclear-norm minimiser; the
// solvers' verified gaps enter the right-hand side explicitly. delta = max_i ||D_i^2 - I||_op,
// a lower bound on the (1, delta)-RIP constant (tested below), so the row checks a statement at
// least as strong as the theorem's.
// Negative control: the constant read off D instead of D^2, delta' = max_i ||D_i - I||_op.
#include "flatmin/linalg.hpp"
#include "flatmin/rip.hpp"
#include "flatmin/sensing.hpp"
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(B_T1, "B.T1")

namespace {
using namespace flatmin::catalogue;
using Md = flatmin::Mat<double>;

double t1_applicable_fraction(flatmin::Precision p, int trials) {
  const Row& r = flatmin::props::row("B.T1");
  int app = 0, differ = 0;
  for (int t = 0; t < trials; ++t) {
    flatmin::Rng rng = flatmin::Rng::derive(flatmin::props::base_seed(), {0xAFu, std::uint64_t(t)});
    const Outcome o = r.evaluate(p, draw_shape(r.spec, rng), Variant::statement);
    if (!o.applicable) continue;
    ++app;
    if (o.regime.find("flat!=nuclear") != std::string::npos) ++differ;
  }
  std::cout << "B.T1 " << flatmin::precision_name(p) << ": applicable " << app << "/" << trials
            << ", flat minimiser != nuclear minimiser on " << differ << "\n";
  return double(app) / trials;
}
}  // namespace

TEST(B_T1, MostTrialsApplicable) {
  EXPECT_GE(t1_applicable_fraction(flatmin::Precision::binary64, 80), 0.75);
  EXPECT_GE(t1_applicable_fraction(flatmin::Precision::quad, 40), 0.4);
}

// delta_D = max_i ||D_i^2 - I||_op is attained by the RIP ratio (9) of some rank-one matrix
// u e_j^T (u an extreme eigenvector of D_1^2): u^T D1^2 u is the average over j of
// (1/n) sum_i <A_i, u e_j^T>^2, so max_j of that ratio is >= lambda_max(D1^2) and min_j <=
// lambda_min(D1^2). Hence delta_D <= the (1, delta)-RIP constant, as the row assumes.
TEST(B_T1, DeltaDIsBelowTheRipConstant) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    flatmin::Rng rng(seed);
    const flatmin::Index dL = 2 + flatmin::Index(seed % 3), d0 = 2 + flatmin::Index(seed % 2);
    const auto A = flatmin::gaussian_map(rng, dL, d0, 12);
    const Md D1sq = flatmin::rescaling(A).D1 * flatmin::rescaling(A).D1;
    const auto e = flatmin::sym_eig<double>(D1sq);
    double hi = 0, lo = 1e300;
    for (flatmin::Index j = 0; j < d0; ++j) {
      for (const int which : {0, 1}) {
        const flatmin::Vec<double> u = e.P.col(which ? dL - 1 : 0);
        Md X = Md::Zero(dL, d0);
        X.col(j) = u;
        const double q = A.apply(X).squaredNorm() / double(A.m());  // ||X||_F = 1
        if (which) hi = std::max(hi, q);
        else lo = std::min(lo, q);
      }
    }
    EXPECT_GE(hi, e.lambda(dL - 1) * (1 - 1e-12)) << seed;
    EXPECT_LE(lo, e.lambda(0) * (1 + 1e-12)) << seed;
  }
}
