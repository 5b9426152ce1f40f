// A Lemma 2.2 (A = I): on LR^T = M, flat <=> norm-minimal <=> balanced. Balanced pairs (SVD
// factors times an orthogonal Q) have str = 4||M||_* = 2 min-norm and L^T L = R^T R; at an
// unbalanced orbit point (LB, RB^{-T}) str = 2 (||L||^2+||R||^2) (so flat <=> norm-minimal), the
// proof's gradient grad phi(I) = L^T L - R^T R is checked by definition, and
// ||L^TL - R^TR||_F^2 <= (n + 2||M||_*)(n - 2||M||_*) (n = ||L||^2+||R||^2; derived in
// rows_a2.cpp) makes "unbalanced => strictly larger norm and str" quantitative.
// Negative control: the unbalanced orbit point claimed flat (str = 4||M||_*).
#include "property.hpp"

#include "flatmin/objective.hpp"
#include "flatmin/sensing.hpp"

FLATMIN_ROW_PROPERTIES(A_L2_2, "A.L2.2")

namespace {
using flatmin::Mat;
using flatmin::Vec;

// M = diag(4, 1), ||M||_* = 5. Balanced L = R = diag(2, 1): str = 20 = 4||M||_*. Unbalanced
// L = diag(4, 1), R = I: norm 19 > 10, str 38 = 2 * 19, L^TL - R^TR = diag(15, 0) and
// 15^2 = 225 <= (19 + 10)(19 - 10) = 261.
TEST(A_L2_2, HandExample) {
  const auto A = flatmin::SensingMap<double>::identity(2, 2);
  Mat<double> M(2, 2), Lb(2, 2), Lu(2, 2);
  M << 4, 0, 0, 1;
  Lb << 2, 0, 0, 1;
  Lu << 4, 0, 0, 1;
  const Mat<double> I = Mat<double>::Identity(2, 2);
  const Vec<double> b = A.apply(M);
  EXPECT_NEAR(flatmin::scaled_trace_definition<double>(A, b, Lb, Lb), 20.0, 1e-12);
  EXPECT_NEAR(flatmin::scaled_trace_definition<double>(A, b, Lu, I), 38.0, 1e-12);
  EXPECT_EQ(flatmin::balance_gap<double>(Lb, Lb), 0.0);
  EXPECT_NEAR(flatmin::balance_gap<double>(Lu, I), 15.0, 1e-12);
  EXPECT_LE(15.0 * 15.0, (19.0 + 10.0) * (19.0 - 10.0));
}

// k = 1, d1 = d2 = 1: (B) holds with equality, (l^2 - r^2)^2 = (l^2 + r^2)^2 - 4 (l r)^2.
TEST(A_L2_2, BoundTightForScalars) {
  const double l = 2.0, r = 0.5;  // l r = 1
  const double n = l * l + r * r, g = l * l - r * r;
  EXPECT_EQ(g * g, (n + 2.0) * (n - 2.0));
}
}  // namespace
