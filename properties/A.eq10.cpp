// A (10): ||X||_* = min_{X = LR^T} ||L||_F ||R||_F = min_{X = LR^T} (||L||_F^2 + ||R||_F^2)/2.
// Typo corrected: the paper prints the second minimum as (1/2)(||L||_F^2 + ||R^2||_F); the
// characterisation (Srebro et al.) has ||R||_F^2. The SVD factors (zero-padded to k) attain both
// minima; orbit points (LB, RB^{-T}) and, for k > r, factorisations with a random block in the
// padded columns are >=, with the excess given exactly by
// (1/2)(||U^T L - V^T R||^2 + ||(I-UU^T)L||^2 + ||(I-VV^T)R||^2).
// Negative control: the identity claimed at a random (unbalanced) orbit point.
#include "property.hpp"

#include "flatmin/linalg.hpp"
#include "flatmin/objective.hpp"

FLATMIN_ROW_PROPERTIES(A_eq10, "A.eq10")

namespace {
using flatmin::Mat;

// X = diag(3, 1), ||X||_* = 4: the SVD factors diag(sqrt 3, 1) attain 4 in both forms; the
// factorisation L = X, R = I gives ||L|| ||R|| = sqrt(10) sqrt(2) and (10 + 2)/2 = 6.
TEST(A_eq10, HandExample) {
  Mat<double> X(2, 2);
  X << 3, 0, 0, 1;
  EXPECT_NEAR(flatmin::nuclear_norm<double>(X), 4.0, 1e-14);
  const flatmin::Factors<double> f = flatmin::svd_factors<double>(X, 3);  // padded to k = 3
  ASSERT_EQ(f.L.cols(), 3);
  EXPECT_EQ(f.L.col(2).norm(), 0.0);
  EXPECT_EQ(f.R.col(2).norm(), 0.0);
  EXPECT_NEAR(f.L.norm() * f.R.norm(), 4.0, 1e-14);
  EXPECT_NEAR((f.L.squaredNorm() + f.R.squaredNorm()) / 2, 4.0, 1e-14);
  EXPECT_NEAR((f.L * f.R.transpose() - X).norm(), 0.0, 1e-14);
  const Mat<double> I = Mat<double>::Identity(2, 2);
  EXPECT_NEAR(X.norm() * I.norm(), std::sqrt(20.0), 1e-14);
  EXPECT_GT(X.norm() * I.norm(), 4.0);
  EXPECT_EQ((X.squaredNorm() + I.squaredNorm()) / 2, 6.0);
}

#ifndef FLATMIN_DOUBLE_ONLY  // quad is not instantiated in a double-only build
// Quad: the same identities hold to ~1e-33 (the row checks this on random shapes too).
TEST(A_eq10, HandExampleQuad) {
  using flatmin::quad;
  Mat<quad> X = Mat<quad>::Zero(2, 3);
  X(0, 0) = 5;
  X(1, 1) = 2;
  const flatmin::Factors<quad> f = flatmin::svd_factors<quad>(X, 2);
  const quad half = (f.L.squaredNorm() + f.R.squaredNorm()) / 2;
  EXPECT_LT(flatmin::to_double(quad(abs(half - quad(7)))), 1e-30);
}
#endif

// k below the rank: no factorisation with k columns exists; svd_factors reports it.
TEST(A_eq10, RankAboveKThrows) {
  Mat<double> X(2, 2);
  X << 3, 0, 0, 1;
  EXPECT_THROW(flatmin::svd_factors<double>(X, 1), flatmin::InvalidArgument);
}
}  // namespace
