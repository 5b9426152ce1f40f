// B Lemma 4: min_{W_L..W_1 = M} R(W) = L (d_0 d_L)^{1/L} ||M||_*^{2(L-1)/L}, R of (10).
// The proof's construction W_L = a' a^{-(L-2)/2} U L^{1/2} Q_{L-1}^T, W_i = a Q_i Q_{i-1}^T,
// W_1 = a'^{-1} a^{-(L-2)/2} Q_1 L^{1/2} V^T multiplies to M and attains the value exactly with
// the corrected constants a' = (d_L/d_0)^{1/4}, a = (||M||_*/sqrt(d_0 d_L))^{1/L}; random
// factorisations (a gauge of it, a random interpolating point) are >= (the lower bound (15)).
// Correction: the proof prints a' = (d_L/d_0)^{1/2}, a = (||M||_*/(d_0 d_L))^{1/L}, which balance
// the unsquared d_0 ||W_L..W_2||, d_L ||W_{L-1}..W_1|| of (17)-(18) whereas (10) has squared
// norms; the printed product "a^{L-2} a'^{-1} U L V^T" is in fact U L V^T = M. Negative control:
// the printed constants (they coincide with the corrected ones only when d_0 = d_L and
// (L = 2 or d_0 = d_L = 1); there the control is not applicable). Depth 2..4, d_0 != d_L allowed.
#include "property.hpp"

#include <cmath>
#include <limits>

#include "flatmin/deep.hpp"
#include "flatmin/linalg.hpp"

FLATMIN_ROW_PROPERTIES(B_L4, "B.L4")

namespace {
using flatmin::props::message_of;
using Md = flatmin::Mat<double>;
using flatmin::Layers;
}  // namespace

// Hand example: M = diag(4, 1) (2 x 2), L = 3: ||M||_* = 5, value 3 * 4^{1/3} * 5^{4/3}; the
// three terms of R at the construction are equal (the AM-GM equality case).
TEST(B_L4, HandExampleTermsBalance) {
  Md M = Md::Zero(2, 2);
  M(0, 0) = 4;
  M(1, 1) = 1;
  const Layers<double> W = flatmin::lemma4_factors<double>(M, {2, 2, 2, 2});
  EXPECT_LT((W[2] * W[1] * W[0] - M).norm(), 1e-14);
  const double value = 3 * std::cbrt(4.0) * std::pow(5.0, 4.0 / 3.0);
  EXPECT_NEAR(flatmin::induced_rip_value<double>(M, 3), value, 1e-13 * value);
  EXPECT_NEAR(flatmin::regularizer_R(W), value, 1e-13 * value);
  const double t1 = 2 * (W[2] * W[1]).squaredNorm(), t2 = W[2].squaredNorm() * W[0].squaredNorm(),
               t3 = 2 * (W[1] * W[0]).squaredNorm();
  EXPECT_NEAR(t1, t2, 1e-13 * value);
  EXPECT_NEAR(t2, t3, 1e-13 * value);
}

// Rectangular d_0 = 1, d_L = 4, L = 2: R = (d_0 a'^2 + d_L a'^{-2}) ||M||_* at the construction;
// the printed a' = (d_L/d_0)^{1/2} = 2 gives 5 ||M||_*, the corrected a'^2 = sqrt(d_L/d_0) = 2
// gives 2 sqrt(d_0 d_L) ||M||_* = 4 ||M||_*, the value of (12).
TEST(B_L4, PrintedAlphaPrimeIsOffForRectangular) {
  flatmin::Rng rng(2);
  const Md M = rng.normal_matrix(4, 1);
  const double s = flatmin::nuclear_norm<double>(M);
  const double printed = flatmin::regularizer_R(flatmin::lemma4_construction<double>(
      M, {1, 1, 4}, 1.0, flatmin::lemma4_alpha_prime<double>(1, 4, true)));
  EXPECT_NEAR(printed, (1 * 4.0 + 4 / 4.0) * s, 1e-13 * s);  // a'^2 = 4
  EXPECT_NEAR(flatmin::regularizer_R(flatmin::lemma4_factors<double>(M, {1, 1, 4})), 2 * 2 * s,
              1e-13 * s);
  EXPECT_GT(printed, 4 * s * (1 + 1e-3));
}

TEST(B_L4, BadInputThrows) {
  flatmin::Rng rng(4);
  const Md M = rng.normal_matrix(3, 2);  // rank 2, d_L = 3, d_0 = 2
  EXPECT_NE(message_of([&] { flatmin::lemma4_factors<double>(M, {2, 1, 3}); }).find("below the required 2"),
            std::string::npos);
  EXPECT_NE(message_of([&] { flatmin::lemma4_factors<double>(M, {3, 2, 3}); }).find("d_0 = 2"),
            std::string::npos);
  EXPECT_NE(message_of([&] { flatmin::lemma4_factors<double>(M, {2, 3}); }).find("L >= 2"),
            std::string::npos);
  Md bad = M;
  bad(0, 0) = std::numeric_limits<double>::infinity();
  EXPECT_NE(message_of([&] { flatmin::lemma4_factors<double>(bad, {2, 2, 3}); }).find("not finite"),
            std::string::npos);
  EXPECT_THROW(flatmin::induced_rip_value<double>(M, 1), flatmin::InvalidArgument);
  EXPECT_THROW(flatmin::regularizer_R(Layers<double>{M}), flatmin::InvalidArgument);
  const Layers<double> W = flatmin::lemma4_factors<double>(M, {2, 2, 2, 3});
  EXPECT_NE(message_of([&] { flatmin::gauge_transform<double>(W, {Md::Identity(2, 2)}); })
                .find("need L - 1 = 2"),
            std::string::npos);
  EXPECT_THROW(flatmin::gauge_transform<double>(W, {Md::Identity(2, 2), Md::Zero(2, 2)}),
               flatmin::InvalidArgument);  // singular gauge
}

// M = 0: the construction is all zero and R = 0 = the value.
TEST(B_L4, ZeroMatrix) {
  const Md M = Md::Zero(2, 3);
  const Layers<double> W = flatmin::lemma4_factors<double>(M, {3, 1, 1, 2});
  EXPECT_EQ(flatmin::regularizer_R(W), 0.0);
  EXPECT_EQ(flatmin::induced_rip_value<double>(M, 3), 0.0);
}
