// A Theorem 7.5. Factor-map half: for X = D M D (D of (63), invertible),
// U_i = [D^{-1} P_i Lambda_i^{1/2}, 0] is feasible for (67), D(U1U1^T - U2U2^T)D = X, and
// ||DU1||^2 + ||DU2||^2 = ||X||_*; the feasible orbit [U1, U2]H (H in O(k1, k2)) is never below.
// Correction: (67) carries a 1/2 that Lemma 7.4 has not, so at corresponding points
// (67) = (68)/2 and item 1 ("equal optimal values") holds only for (67) without the 1/2.
// Optimality half (with the solver; skipped, and tagged "opt: not solved" / "opt: inertia X* >
// (k1,k2)", when the solver did not return `solved` or X* does not solve (68)): the factor map of
// the solver's minimiser X* of (69) is feasible to the solver's tolerance, has
// ||DU1||^2 + ||DU2||^2 = ||X*||_* within the recomputed dual gap, and no feasible pair (orbit,
// D-flat factors of M, factors of the nuclear-norm minimiser, of a kernel point) is below
// ||X*||_* - u (u: the solver's verified gap).
// Negative control: the printed item 1, (1/2)(||DU1||^2 + ||DU2||^2) = ||X||_*, together with the
// optimality half's control, "the eigen factors of the nuclear-norm minimiser (no D^-1) attain
// ||X*||_*" (its own rejections are counted by OptimalityControlRejected below).
#include <map>

#include "flatmin/linalg.hpp"
#include "flatmin/objective.hpp"
#include "flatmin/sensing.hpp"
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_T7_5, "A.T7.5")

namespace {
using namespace flatmin::catalogue;

std::map<std::string, int> t75_tags(flatmin::Precision p, Variant v, int trials,
                                      int& applicable) {
  return flatmin::props::count_tags("A.T7.5", p, v, trials,
                                    {"opt: solved", "opt: not solved", "opt: inertia",
                                     "+kernel point", "ctl-opt: rejected", "ctl-opt: accepted",
                                     "ctl-opt: coincides", "ctl-opt: skipped"},
                                    applicable);
}
}  // namespace

// The optimality half must actually run in double (the solver returns `solved` on every shape
// measured). In quad it is reported, not required: the quad polish of the solver in this
// checkout fails on most symmetric instances (see the report of this row), which makes this half
// not applicable there, never a pass.
TEST(A_T7_5, OptimalityHalfMostlyApplicable) {
  for (const auto p : {flatmin::Precision::binary64, flatmin::Precision::quad}) {
    int applicable = 0;
    auto n = t75_tags(p, Variant::statement, 60, applicable);
    std::cout << "A.T7.5 " << flatmin::precision_name(p) << ": optimality half on "
              << n["opt: solved"] << "/" << applicable << " applicable shapes (not solved "
              << n["opt: not solved"] << ", inertia X* > (k1,k2) " << n["opt: inertia"]
              << "; with a kernel point " << n["+kernel point"] << ")\n";
    if (p == flatmin::Precision::binary64) {
      EXPECT_GE(double(n["opt: solved"]), 0.8 * applicable);
    }
  }
}

// The optimality half's own control is rejected on the shapes with an indefinite X_n.
TEST(A_T7_5, OptimalityControlRejected) {
  int applicable = 0;
  auto n = t75_tags(flatmin::Precision::binary64, Variant::negative_control, 60, applicable);
  std::cout << "A.T7.5 optimality control: rejected " << n["ctl-opt: rejected"] << ", accepted "
            << n["ctl-opt: accepted"] << ", coincides " << n["ctl-opt: coincides"]
            << ", skipped " << n["ctl-opt: skipped"] << "\n";
  EXPECT_GT(n["ctl-opt: rejected"], 3);
}

namespace {
using Md = flatmin::Mat<double>;
}

// The factor map without D^{-1} (sym_factors of X = DMD) is infeasible for (67) unless D = I.
TEST(A_T7_5, FactorMapNeedsDInverse) {
  flatmin::Rng rng(7);
  const auto A = flatmin::quadratic_map(rng, 3, 20);
  const Md D = flatmin::rescaling(A).D1;
  Md G = rng.normal_matrix(3, 2);
  Md M = G.col(0) * G.col(0).transpose() - G.col(1) * G.col(1).transpose();
  M = (M + M.transpose()) / 2;
  Md X = D * M * D;
  X = (X + X.transpose()) / 2;
  const auto good = flatmin::flat_sym_factors<double>(X, D, 1, 1);
  const auto bad = flatmin::sym_factors<double>(X, 1, 1);
  const auto res = [&](const flatmin::SymFactors<double>& f) {
    return (A.apply(f.U1 * f.U1.transpose() - f.U2 * f.U2.transpose()) - A.apply(M)).norm() /
           A.apply(M).norm();
  };
  EXPECT_LT(res(good), 1e-12);
  EXPECT_GT(res(bad), 1e-3);
}

// D singular (fewer inputs than dimensions: singular up to rounding, lambda_min ~ 1e-17 rather
// than 0): flat_sym_factors refuses with a message naming the hypothesis.
TEST(A_T7_5, SingularDThrows) {
  flatmin::Rng rng(3);
  const auto A = flatmin::quadratic_map(rng, 3, 2);
  const Md D = flatmin::rescaling(A).D1;
  Md X = Md::Zero(3, 3);
  X(0, 0) = 1;
  std::string msg;
  try {
    flatmin::flat_sym_factors<double>(X, D, 1, 1);
  } catch (const flatmin::InvalidArgument& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("singular"), std::string::npos) << msg;
  EXPECT_THROW(flatmin::flat_sym_factors<double>(X, Md::Zero(3, 3), 1, 1),
               flatmin::InvalidArgument);
  EXPECT_THROW(flatmin::flat_sym_factors<double>(X, Md::Identity(2, 2), 1, 1),
               flatmin::InvalidArgument);
}
