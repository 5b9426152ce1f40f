// B Theorem 5 (L = 2), in paper B's convention (half the Hessian trace, (7)):
//   F(M) = min_{W2 W1 = M} (1/2) tr = 2 ||(sum_i A_i A_i^T/n)^{1/2} M (sum_i A_i^T A_i/n)^{1/2}||_*.
// Checked exactly: the proof's pair W2 = B1^+ U Lambda^{1/2}, W1 = Lambda^{1/2} V^T B2^+ (SVD of
// B1 M B2, B1 = (sum A_i A_i^T)^{1/2}, B2 = (sum A_i^T A_i)^{1/2}) multiplies to M and its
// brute-force half trace is (8); (W2 G, G^{-1} W1) and random interpolating points are >= (8).
// Constants against paper A (f without 1/n, scaled trace str with 1/d1, 1/d2, A Lemma 3.1 / Thm
// 3.2): min str_A = 4n||D1 M D2||_* = 4||B1 M B2||_*/sqrt(d1 d2), so F_B = sqrt(d1 d2)/(2n) min str_A,
// checked at A's flat factors with str by definition. The true minimum trace is 2 F_B.
// Corrections (proof of Theorem 5): ">= 2||B1 W2 W1 B2||_*^2 = 2||B1 M B2||_*^2" has a stray square,
// "= 2||Lambda||_F^2 = 2||B1 M B2||_F^2" should read 2 tr(Lambda) = 2||B1 M B2||_*, and the proof's
// sums omit the 1/n of (2). Hypothesis used: B1, B2 invertible (else not applicable).
// Negative control: the stray square, 2||...||_*^2.
#include "property.hpp"

#include <cmath>
#include <limits>

#include "flatmin/deep.hpp"
#include "flatmin/linalg.hpp"

FLATMIN_ROW_PROPERTIES(B_T5, "B.T5")

namespace {
using flatmin::props::message_of;
using Md = flatmin::Mat<double>;
using flatmin::Layers;
}  // namespace

// A = I (all d1 d2 unit matrices, n = d1 d2): sum A A^T = d2 I, sum A^T A = d1 I, so
// F = 2 ||M||_* / sqrt(d1 d2), and the true minimum trace (at the balanced factors) twice that.
TEST(B_T5, IdentityMapHandValue) {
  flatmin::Rng rng(9);
  const Md M = rng.normal_matrix(2, 3);
  const auto A = flatmin::SensingMap<double>::identity(2, 3);
  const double nuc = flatmin::nuclear_norm<double>(M);
  EXPECT_NEAR(flatmin::paper_b_two_layer_value(A, M), 2 * nuc / std::sqrt(6.0), 1e-13 * nuc);
  const Layers<double> W = flatmin::theorem5_factors(A, M, 2);
  EXPECT_NEAR(flatmin::deep_trace_closed(A, W), 4 * nuc / std::sqrt(6.0), 1e-13 * nuc);
}

TEST(B_T5, BadInputThrows) {
  flatmin::Rng rng(10);
  const auto A = flatmin::gaussian_map(rng, 3, 2, 6);
  const Md M = rng.normal_matrix(3, 2);
  EXPECT_NE(message_of([&] { flatmin::theorem5_factors(A, Md(M.transpose()), 2); }).find("expected a 3 x 2"),
            std::string::npos);
  EXPECT_NE(message_of([&] { flatmin::theorem5_factors(A, M, 1); }).find("exceeds k = 1"),
            std::string::npos);
  EXPECT_THROW(flatmin::theorem5_factors(A, M, 0), flatmin::InvalidArgument);
  Md bad = M;
  bad(2, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(message_of([&] { flatmin::paper_b_two_layer_value(A, bad); }).find("not finite"),
            std::string::npos);
  const auto A0 = flatmin::SensingMap<double>::from_dense(3, 2, Md(0, 6));
  EXPECT_NE(message_of([&] { flatmin::paper_b_two_layer_value(A0, M); }).find("no measurements"),
            std::string::npos);
}
