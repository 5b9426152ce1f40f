// A Theorem 7.5, the factor-map half: for X = D M D (D of (63), invertible),
// U_i = [D^{-1} P_i Lambda_i^{1/2}, 0] is feasible for (67), D(U1U1^T - U2U2^T)D = X, and
// ||DU1||^2 + ||DU2||^2 = ||X||_*; the feasible orbit [U1, U2]H (H in O(k1, k2)) is never below.
// Correction: (67) carries a 1/2 that Lemma 7.4 has not, so at corresponding points
// (67) = (68)/2 and item 1 ("equal optimal values") holds only for (67) without the 1/2.
// The optimality half (minimisers of (69)) is tested with the solver.
// Negative control: the printed item 1, (1/2)(||DU1||^2 + ||DU2||^2) = ||X||_*.
#include "flatmin/linalg.hpp"
#include "flatmin/objective.hpp"
#include "flatmin/sensing.hpp"
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_T7_5, "A.T7.5")

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
