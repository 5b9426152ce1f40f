// B Lemma 1: ||AB||_* <= ||A||_F ||B||_F for Gaussian A (d1 x k), B (k x d2); the equality case
// at the balanced factors A = U S^{1/2} Q^T, B = Q S^{1/2} V^T of M = U S V^T (Q: k x r with
// orthonormal columns) is checked exactly (product = M and ||A||_F ||B||_F = ||M||_* to rounding),
// and the orbit (A G, G^{-1} B) stays >= ||M||_*.
// Negative control: the equality case claimed for the unbalanced SVD factors (U S Q^T, Q V^T),
// false as soon as M has two different singular values (applicable for r >= 2).
#include "property.hpp"

#include "flatmin/linalg.hpp"

FLATMIN_ROW_PROPERTIES(B_L1, "B.L1")

// Hand example: A = [1 0; 0 2], B = I: ||AB||_* = 3 < ||A||_F ||B||_F = sqrt(5) sqrt(2); the
// balanced factors of diag(1, 4) (A = B = diag(1, 2)) give equality 5 = 5.
TEST(B_L1, HandExample) {
  using Md = flatmin::Mat<double>;
  Md A = Md::Zero(2, 2), B = Md::Identity(2, 2);
  A(0, 0) = 1;
  A(1, 1) = 2;
  EXPECT_DOUBLE_EQ(flatmin::nuclear_norm<double>(Md(A * B)), 3.0);
  EXPECT_LT(3.0, A.norm() * B.norm());
  EXPECT_DOUBLE_EQ(A.norm() * A.norm(), flatmin::nuclear_norm<double>(Md(A * A)));
}
