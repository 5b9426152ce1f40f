// A Lemma 7.4: ||X||_* = min ||U1||^2 + ||U2||^2 over X = U1U1^T - U2U2^T (U_i in R^{d x k_i}):
// the eigen-built factors [P_i Lambda_i^{1/2}, 0] attain it; other decompositions of the same X
// (hyperbolic mixing [U1, U2]H, H in O(k1, k2); the same columns added to both) are >=; and
// ||U1U1^T - U2U2^T||_* <= ||U1||^2 + ||U2||^2 for arbitrary factors.
// Negative control: the constant 1/2 of the rectangular identity (10).
#include "flatmin/linalg.hpp"
#include "flatmin/objective.hpp"
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_L7_4, "A.L7.4")

// diag(3, -2, 0): ||X||_* = 5 = 3 + 2 from the eigen-built factors; the hyperbolic mixing
// u1 = (2, 0, 0)/sqrt3 ... is checked by the row; here the 1-d case u1^2 - u2^2 = 1 with
// (u1, u2) = (cosh t, sinh t): value cosh 2t >= 1 = ||X||_*.
TEST(A_L7_4, HandComputed) {
  flatmin::Mat<double> X = flatmin::Mat<double>::Zero(3, 3);
  X(0, 0) = 3;
  X(1, 1) = -2;
  const auto f = flatmin::sym_factors<double>(X, 2, 2);
  EXPECT_NEAR(flatmin::factor_norm_sq<double>(f.U1, f.U2), 5.0, 1e-14);
  EXPECT_NEAR(flatmin::nuclear_norm<double>(X), 5.0, 1e-14);
  for (double t : {0.0, 0.5, 1.0, 2.0}) {
    flatmin::Mat<double> u1(1, 1), u2(1, 1);
    u1 << std::cosh(t);
    u2 << std::sinh(t);
    EXPECT_NEAR(flatmin::factor_norm_sq<double>(u1, u2), std::cosh(2 * t), 1e-12);
    EXPECT_GE(flatmin::factor_norm_sq<double>(u1, u2), 1.0 - 1e-15);
  }
}
