// Measurement maps: adjointness, structure-preserving composition, Gram matrices and the
// rescaling matrices, in every precision, and clear errors for bad input.
#include <gtest/gtest.h>

#include "flatmin/linalg.hpp"
#include "flatmin/objective.hpp"
#include "flatmin/sensing.hpp"

using namespace flatmin;
using std::abs;

namespace {
std::vector<SensingMap<double>> all_maps(Rng& rng, Index d1, Index d2) {
  std::vector<SensingMap<double>> v;
  v.push_back(gaussian_map(rng, d1, d2, 7));
  v.push_back(bilinear_map(rng, d1, d2, 9));
  v.push_back(completion_map(rng, d1, d2, 0.6));
  v.push_back(SensingMap<double>::identity(d1, d2));
  v.push_back(quadratic_map(rng, d1, 8));
  v.push_back(paired_map(quadratic_map(rng, d1, 8)));
  return v;
}
}  // namespace

template <class S> class SensingTyped : public ::testing::Test {};
#ifdef FLATMIN_DOUBLE_ONLY
using Scalars = ::testing::Types<double>;
#else
using Scalars = ::testing::Types<double, quad, mp50>;
#endif
TYPED_TEST_SUITE(SensingTyped, Scalars);

TYPED_TEST(SensingTyped, AdjointDenseGramAndComposition) {
  using S = TypeParam;
  const S tol = S(1e3) * ScalarTraits<S>::epsilon();
  Rng rng(11);
  for (Index d1 : {1, 3}) {
    const Index d2 = d1 == 1 ? 1 : 4;
    for (const auto& A0 : all_maps(rng, d1, d2)) {
      if (A0.structure() == Structure::quadratic && d1 != d2) continue;
      const SensingMap<S> A = A0.template cast<S>();
      const Index e1 = A.d1(), e2 = A.d2();
      const Mat<S> X = cast_matrix<S>(rng.normal_matrix(e1, e2));
      const Vec<S> y = cast_vector<S>(rng.normal_vector(A.m()));
      const S lhs = A.apply(X).dot(y), rhs = (X.cwiseProduct(A.adjoint(y))).sum();
      EXPECT_LE(abs(S(lhs - rhs)), tol * (1 + abs(lhs))) << A.family();
      // dense representation agrees with apply
      Vec<S> x(e1 * e2);
      for (Index j = 0; j < e1; ++j)
        for (Index k = 0; k < e2; ++k) x(j * e2 + k) = X(j, k);
      EXPECT_LE((A.dense() * x - A.apply(X)).norm(), tol * (1 + x.norm() * A.dense().norm()));
      // Gram matrices equal sum A_i A_i^T
      Mat<S> G1 = Mat<S>::Zero(e1, e1), G2 = Mat<S>::Zero(e2, e2);
      for (Index i = 0; i < A.m(); ++i) {
        G1 += A.matrix(i) * A.matrix(i).transpose();
        G2 += A.matrix(i).transpose() * A.matrix(i);
      }
      EXPECT_LE((G1 - A.gram_left()).norm(), tol * (1 + G1.norm())) << A.family();
      EXPECT_LE((G2 - A.gram_right()).norm(), tol * (1 + G2.norm())) << A.family();
      // composition: A(Q1 X Q2), structure kept where it can be
      Mat<S> Q1 = cast_matrix<S>(rng.normal_matrix(e1, e1)), Q2 = Q1.transpose();
      if (e1 != e2) Q2 = cast_matrix<S>(rng.normal_matrix(e2, e2));
      const SensingMap<S> B = A.composed(Q1, Q2);
      EXPECT_LE((B.apply(X) - A.apply(Q1 * X * Q2)).norm(), tol * (1 + A.apply(Q1 * X * Q2).norm()))
          << A.family();
    }
  }
}

// The flat program is the nuclear-norm program of A composed with D1^{-1}, D2^{-1}; for that
// composition to keep the map's structure (a quadratic map stays quadratic, with symmetric
// iterates and the rank-one apply, instead of becoming a dense m x d^2 map) the symmetric
// matrices of linalg must be exactly symmetric: (P diag P^T)_ij and _ji are rounded differently.
TYPED_TEST(SensingTyped, FlatRescalingKeepsTheStructure) {
  using S = TypeParam;
  Rng rng(5);
  for (Index d : {3, 6, 12}) {
    for (const auto& A0 : all_maps(rng, d, d)) {
      if (A0.structure() == Structure::identity) continue;
      const SensingMap<S> A = A0.template cast<S>();
      const Rescaling<S> D = rescaling(A);
      if (!(spd_condition<S>(D.D1) < S(1e12)) || !(spd_condition<S>(D.D2) < S(1e12))) continue;
      const Mat<S> D1i = spd_inverse<S>(D.D1, "D1"), D2i = spd_inverse<S>(D.D2, "D2");
      EXPECT_TRUE(D.D1 == D.D1.transpose()) << A.family() << " d=" << d;
      EXPECT_TRUE(D.D2 == D.D2.transpose()) << A.family() << " d=" << d;
      EXPECT_TRUE(D1i == D1i.transpose()) << A.family() << " d=" << d;
      EXPECT_TRUE(D2i == D2i.transpose()) << A.family() << " d=" << d;
      EXPECT_EQ(int(A.composed(D1i, D2i).structure()), int(A.structure()))
          << A.family() << " d=" << d;
    }
  }
}

TEST(Sensing, RescalingOfIdentityIsScaledIdentity) {
  // sum_jk E_jk E_jk^T = d2 I and m = d1 d2, so (14) gives D1 = D2 = I / sqrt(d1 d2), and (16)
  // reduces to (13): 2m (||D1 L||^2 + ||D2 R||^2) = 2 (||L||^2 + ||R||^2).
  const auto D = rescaling(SensingMap<double>::identity(3, 5));
  const double c = 1 / std::sqrt(15.0);
  EXPECT_LE((D.D1 - c * Mat<double>::Identity(3, 3)).norm(), 1e-15);
  EXPECT_LE((D.D2 - c * Mat<double>::Identity(5, 5)).norm(), 1e-15);
}

TEST(Sensing, CompletionRescalingIsDiagonalCounts) {
  // A (38): D1^2 = diag(row counts) / (m d2) in flatmin's normalisation (14)
  Rng rng(2);
  const auto A = completion_map(rng, 4, 6, 0.5);
  const auto D = rescaling(A);
  Vec<double> rows = Vec<double>::Zero(4);
  for (const auto& [j, k] : A.entries()) rows(j) += 1;
  const Mat<double> want = (rows / double(A.m() * 6)).asDiagonal();
  EXPECT_LE((D.D1 * D.D1 - want).norm(), 1e-14);
}

TEST(Sensing, BadInputIsRejectedWithAClearMessage) {
  Rng rng(1);
  const auto A = gaussian_map(rng, 2, 3, 4);
  EXPECT_THROW(A.apply(Mat<double>::Zero(3, 2)), InvalidArgument);
  EXPECT_THROW(A.adjoint(Vec<double>::Zero(5)), InvalidArgument);
  EXPECT_THROW(gaussian_map(rng, 0, 3, 4), InvalidArgument);
  EXPECT_THROW(completion_map(rng, 2, 2, 1.5), InvalidArgument);
  EXPECT_THROW(SensingMap<double>::from_entries(2, 2, {{0, 0}, {0, 0}}, Vec<double>::Ones(2)),
               InvalidArgument);
  EXPECT_THROW(SensingMap<double>::from_entries(2, 2, {{2, 0}}, Vec<double>::Ones(1)),
               InvalidArgument);
  Mat<double> bad = Mat<double>::Zero(1, 6);
  bad(0, 3) = NAN;
  try {
    SensingMap<double>::from_dense(2, 3, bad);
    FAIL() << "accepted a NaN";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("not finite"), std::string::npos) << e.what();
  }
  const auto empty = completion_map(rng, 3, 3, 0.0);
  EXPECT_EQ(empty.m(), 0);
  EXPECT_THROW(rescaling(empty), InvalidArgument);
  const Vec<double> b = Vec<double>::Zero(4);
  const Mat<double> L = Mat<double>::Zero(2, 1), R = Mat<double>::Zero(2, 1);  // R must be 3 x 1
  EXPECT_THROW(loss(A, b, L, R), InvalidArgument);
}

#ifndef FLATMIN_DOUBLE_ONLY  // quad is not instantiated in a double-only build
TEST(Sensing, InstancesAreIdenticalInEveryPrecision) {
  // drawn in double, converted exactly: the quad map rounds back to the same doubles
  Rng r1(9), r2(9);
  const auto A = bilinear_map(r1, 3, 4, 5);
  const auto B = bilinear_map(r2, 3, 4, 5).cast<quad>().cast<double>();
  EXPECT_EQ(A.left(), B.left());
  EXPECT_EQ(A.right(), B.right());
}
#endif
