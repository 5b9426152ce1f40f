// A Lemma 2.1 (A = I, f(L,R) = ||LR^T - M||^2): on the solution set D^2 f(L,R)[U,V] =
// 2||LV^T + UR^T||^2 (12); off it 4<LR^T - M, UV^T> + 2||LV^T + UR^T||^2 (the proof's formula);
// str by definition (2) = 2(||L||^2 + ||R||^2) (13) (also off the solution set).
// Negative control: (12) used off the solution set.
#include "property.hpp"

#include "flatmin/objective.hpp"
#include "flatmin/sensing.hpp"

FLATMIN_ROW_PROPERTIES(A_L2_1, "A.L2.1")

namespace {
using flatmin::Mat;
using flatmin::Vec;

Mat<double> scalar(double x) { return Mat<double>::Constant(1, 1, x); }

// d1 = d2 = k = 1, M = 5, (L, R) = (2, 3), (U, V) = (1, -1): f(L + tU, R + tV) =
// (1 + t - t^2)^2, whose second derivative at 0 is -2 = 4 (6 - 5)(1)(-1) + 2 (2(-1) + 1(3))^2.
// All loss values on the stencil are small integers, so the definition is exact in double.
TEST(A_L2_1, ScalarOffSolutionSetExact) {
  const auto A = flatmin::SensingMap<double>::identity(1, 1);
  const Vec<double> b = Vec<double>::Constant(1, 5.0);
  const double d2f = flatmin::hessian_form_definition<double>(A, b, scalar(2), scalar(3),
                                                              scalar(1), scalar(-1));
  EXPECT_EQ(d2f, -2.0);
  EXPECT_EQ(flatmin::hessian_form<double>(A, b, scalar(2), scalar(3), scalar(1), scalar(-1)), -2.0);
  EXPECT_NE(d2f, 2.0 * 1.0);  // (12) alone would give 2 (2(-1) + 3)^2 = 2
  // (13) off the solution set: 2(l^2 + r^2) = 26 (d1 = d2 = 1: str is the plain trace).
  EXPECT_EQ(flatmin::scaled_trace_definition<double>(A, b, scalar(2), scalar(3)), 26.0);
}

// On the solution set (l r = m = 6) (12) holds: 2 (l v + u r)^2.
TEST(A_L2_1, ScalarOnSolutionSetExact) {
  const auto A = flatmin::SensingMap<double>::identity(1, 1);
  const Vec<double> b = Vec<double>::Constant(1, 6.0);
  EXPECT_EQ(flatmin::hessian_form_definition<double>(A, b, scalar(2), scalar(3), scalar(1),
                                                     scalar(-1)),
            2.0 * (2.0 * -1.0 + 1.0 * 3.0) * (2.0 * -1.0 + 1.0 * 3.0));
}

// The scaled trace weights the L block by 1/d1 and the R block by 1/d2: with d1 = 1, d2 = 3 the
// unscaled trace (2 d1 ||R||^2 + 2 d2 ||L||^2) differs from (13).
TEST(A_L2_1, ScaledNotPlainTrace) {
  const auto A = flatmin::SensingMap<double>::identity(1, 3);
  Mat<double> L(1, 1), R(3, 1);
  L << 1;
  R << 1, 2, 2;
  const Vec<double> b = A.apply(L * R.transpose());
  EXPECT_NEAR(flatmin::scaled_trace_definition<double>(A, b, L, R), 2.0 * (1 + 9), 1e-12);
}
}  // namespace
