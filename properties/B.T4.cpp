// B Theorem 4: Gaussian A_i, minimum-Frobenius interpolant M_hat (= E of the min ||E(W)||_F
// interpolating W): E||M_hat - M*||_F^2 = (1 - min(n, d0 dL)/(d0 dL)) ||M*||_F^2. One trial is a
// batch of 200 draws of the map for the shape's M*; the event is "the formula lies in the batch
// mean's 99.9% confidence interval" (normal approximation); the row requires frequency >= 0.95
// (nominal 0.999; the per-draw error is Beta-distributed, skewed for n close to d0 dL).
// Negative control: 1 - min(n, d0+dL)/(d0+dL) (applicable where it differs from the formula).
// Also: min_frobenius_interpolant's exactness (n >= d0 dL gives M*), its minimality, bad input.
#include "property.hpp"

#include <limits>

#include "flatmin/deep.hpp"
#include "flatmin/linalg.hpp"

FLATMIN_STAT_ROW_PROPERTIES(B_T4, "B.T4", 200, 2000)

namespace {
using flatmin::props::message_of;
using Md = flatmin::Mat<double>;
using Vd = flatmin::Vec<double>;
}  // namespace

TEST(B_T4, InterpolantIsExactWhenOverdetermined) {
  flatmin::Rng rng(12);
  const Md M = rng.normal_matrix(2, 3);
  const auto A = flatmin::gaussian_map(rng, 2, 3, 9);
  const Md Mh = flatmin::min_frobenius_interpolant(A, A.apply(M));
  EXPECT_LT((Mh - M).norm(), 1e-12 * M.norm());
}

// Underdetermined: M_hat interpolates, and adding any kernel element of the map increases the
// norm (M_hat is orthogonal to the kernel).
TEST(B_T4, InterpolantIsMinimalNorm) {
  flatmin::Rng rng(13);
  const Md M = rng.normal_matrix(3, 3);
  const auto A = flatmin::gaussian_map(rng, 3, 3, 4);
  const Vd b = A.apply(M);
  const Md Mh = flatmin::min_frobenius_interpolant(A, b);
  EXPECT_LT((A.apply(Mh) - b).norm(), 1e-12 * b.norm());
  const Md D = A.dense();
  for (int t = 0; t < 5; ++t) {
    Vd z = rng.normal_vector(9);
    z -= D.transpose() * (flatmin::spd_inverse<double>(Md(D * D.transpose()), "Gram") * (D * z));  // on the kernel
    Md K(3, 3);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) K(r, c) = z(r * 3 + c);
    EXPECT_LT(std::abs((Mh.array() * K.array()).sum()), 1e-10 * Mh.norm() * K.norm());
    EXPECT_GT((Mh + K).norm(), Mh.norm());
  }
}

TEST(B_T4, BadInputThrows) {
  flatmin::Rng rng(14);
  const auto A = flatmin::gaussian_map(rng, 2, 2, 3);
  EXPECT_NE(message_of([&] { flatmin::min_frobenius_interpolant(A, Vd(Vd::Zero(2))); }).find("length 2"),
            std::string::npos);
  Vd b = Vd::Zero(3);
  b(1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(message_of([&] { flatmin::min_frobenius_interpolant(A, b); }).find("not finite"),
            std::string::npos);
  // a repeated measurement: the 2 x 4 sensing matrix has rank 1, the Gram matrix is singular
  Md rows(2, 4);
  rows.row(0) << 1, 2, 3, 4;
  rows.row(1) = rows.row(0);
  const auto Arep = flatmin::SensingMap<double>::from_dense(2, 2, rows);
  EXPECT_THROW(flatmin::min_frobenius_interpolant(Arep, Vd(Vd::Ones(2))), flatmin::InvalidArgument);
}
