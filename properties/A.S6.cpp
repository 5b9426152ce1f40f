// A section 6 (robust PCA): the local model (51) f_{Lt,Rt}(L,R) = ||Y - LR^T - P_Omega(Y - Lt Rt^T)||^2
// majorises f(L,R) = dist^2_Omega(Y - LR^T), agrees with it at the base point to first order
// (grad dist^2_Omega(Z) = 2(Z - P_Omega Z), Moreau), and its str by definition is
// 2(||Lt||^2 + ||Rt||^2). Negative control: the first-order check with the factor 2 of the
// gradient lost. Plus unit tests of the l1-ball projection (Duchi et al. 2008) it rests on.
#include <algorithm>
#include <cmath>

#include "property.hpp"

#include "flatmin/abs.hpp"
#include "flatmin/rpca.hpp"

FLATMIN_ROW_PROPERTIES(A_S6, "A.S6")

namespace {
using flatmin::Index;
using flatmin::InvalidArgument;
using flatmin::Mat;
using flatmin::quad;

template <class S> double dbl(const S& x) { return flatmin::to_double(x); }
template <class S> S max_abs(const Mat<S>& X) {
  S m(0);
  for (Index j = 0; j < X.cols(); ++j)
    for (Index i = 0; i < X.rows(); ++i) m = std::max<S>(m, flatmin::abs_of(X(i, j)));
  return m;
}

// An independent reference: theta solves sum max(|z| - theta, 0) = tau, found by bisection.
double reference_theta(const Mat<double>& Z, double tau) {
  double lo = 0, hi = max_abs(Z);
  for (int it = 0; it < 200; ++it) {
    const double mid = (lo + hi) / 2;
    double s = 0;
    for (Index j = 0; j < Z.cols(); ++j)
      for (Index i = 0; i < Z.rows(); ++i) s += std::max(std::abs(Z(i, j)) - mid, 0.0);
    (s > tau ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

// The KKT conditions of the projection: P in the ball; if Z is outside, ||P||_1 = tau, the
// residual R = Z - P has |R_ij| <= theta with R_ij = theta sign(P_ij) on the support of P, so
// <R, P> = tau ||R||_inf (R is in the normal cone of the ball at P: it is "tau-dual" to P).
template <class S> void expect_kkt(const Mat<S>& Z, const S& tau, double rel) {
  const Mat<S> P = flatmin::project_l1_ball<S>(Z, tau);
  const S theta = flatmin::l1_projection_threshold<S>(Z, tau);
  const S zn = flatmin::l1_norm<S>(Z);
  const S scale = zn + tau + S(1e-300);
  EXPECT_LE(dbl(S((flatmin::l1_norm<S>(P) - tau) / scale)), rel) << "outside the ball";
  if (zn <= tau) {
    EXPECT_TRUE((P - Z).isZero(S(0))) << "a point inside the ball must be returned unchanged";
    EXPECT_EQ(dbl(theta), 0.0);
    return;
  }
  EXPECT_LE(dbl(S(flatmin::abs_of(S(flatmin::l1_norm<S>(P) - tau)) / scale)), rel) << "not on the sphere";
  const Mat<S> R = Z - P;
  EXPECT_LE(dbl(S((max_abs(R) - theta) / scale)), rel);
  for (Index j = 0; j < Z.cols(); ++j)
    for (Index i = 0; i < Z.rows(); ++i)
      if (P(i, j) != S(0)) {
        const S want = P(i, j) > S(0) ? theta : S(-theta);
        EXPECT_LE(dbl(S(flatmin::abs_of(S(R(i, j) - want)) / scale)), rel);
        EXPECT_EQ(P(i, j) > S(0), Z(i, j) > S(0)) << "sign changed";
      }
  const S inner = (R.array() * P.array()).sum();
  EXPECT_LE(dbl(S(flatmin::abs_of(S(inner - tau * max_abs(R))) / (scale * scale))), rel);
}

TEST(A_S6, ProjectionHandExamples) {
  Mat<double> z(1, 2);
  z << 3, 1;  // sorted (3, 1): rho = 1, theta = 1
  Mat<double> p = flatmin::project_l1_ball<double>(z, 2.0);
  EXPECT_EQ(p(0, 0), 2.0);
  EXPECT_EQ(p(0, 1), 0.0);
  Mat<double> ones = Mat<double>::Ones(2, 2);  // ties: theta = 1/2
  p = flatmin::project_l1_ball<double>(ones, 2.0);
  EXPECT_TRUE(p.isApprox(Mat<double>::Constant(2, 2, 0.5)));
  Mat<double> mixed(2, 2);
  mixed << -4, 0, 1, 2;  // ||.||_1 = 7, tau = 4: theta = 1, P = (-3, 0; 0, 1)
  p = flatmin::project_l1_ball<double>(mixed, 4.0);
  Mat<double> want(2, 2);
  want << -3, 0, 0, 1;
  EXPECT_TRUE((p - want).isZero(1e-15));
  EXPECT_EQ(flatmin::dist2_l1_ball<double>(mixed, 4.0), 1.0 + 1.0 + 1.0);
}

TEST(A_S6, ProjectionTauZeroAndInside) {
  Mat<double> z(2, 3);
  z << 1, -2, 0, 0.5, 0, -0.25;
  EXPECT_TRUE(flatmin::project_l1_ball<double>(z, 0.0).isZero(0.0));
  EXPECT_EQ(flatmin::l1_projection_threshold<double>(z, 0.0), 2.0);
  EXPECT_EQ(flatmin::dist2_l1_ball<double>(z, 0.0), z.squaredNorm());
  EXPECT_TRUE((flatmin::project_l1_ball<double>(z, 3.75) - z).isZero(0.0));  // on the sphere
  EXPECT_TRUE((flatmin::project_l1_ball<double>(z, 10.0) - z).isZero(0.0));  // inside
  EXPECT_EQ(flatmin::dist2_l1_ball<double>(z, 10.0), 0.0);
  const Mat<double> zero = Mat<double>::Zero(3, 2);
  EXPECT_TRUE(flatmin::project_l1_ball<double>(zero, 0.0).isZero(0.0));
}

TEST(A_S6, ProjectionBadInputThrows) {
  Mat<double> z = Mat<double>::Ones(2, 2);
  EXPECT_THROW(flatmin::project_l1_ball<double>(z, -1.0), InvalidArgument);
  EXPECT_THROW(flatmin::project_l1_ball<double>(z, std::nan("")), InvalidArgument);
  EXPECT_THROW(flatmin::project_l1_ball<double>(z, INFINITY), InvalidArgument);
  z(1, 0) = std::nan("");
  EXPECT_THROW(flatmin::project_l1_ball<double>(z, 1.0), InvalidArgument);
  z(1, 0) = -INFINITY;
  EXPECT_THROW(flatmin::project_l1_ball<double>(z, 1.0), InvalidArgument);
  EXPECT_THROW(flatmin::dist2_l1_ball<double>(z, 1.0), InvalidArgument);
  const Mat<double> Y = Mat<double>::Ones(2, 3), L = Mat<double>::Ones(2, 1);
  EXPECT_THROW(flatmin::rpca_loss<double>(Y, 1.0, L, Mat<double>::Ones(2, 1)), InvalidArgument);
  EXPECT_THROW(flatmin::rpca_local_model<double>(Y, 1.0, L, Mat<double>::Ones(2, 1), L,
                                                 Mat<double>::Ones(3, 1)),
               InvalidArgument);
  EXPECT_THROW(flatmin::rpca_loss<double>(Y, -1.0, L, Mat<double>::Ones(3, 1)), InvalidArgument);
}

// Random matrices of every size up to 6 x 6 and radii from 0 to beyond ||Z||_1: KKT, agreement
// with the bisection reference, idempotence, and optimality against random points of the ball.
TEST(A_S6, ProjectionRandomKKTReferenceIdempotence) {
  flatmin::Rng rng = flatmin::Rng::derive(flatmin::props::base_seed(), {0x51u});
  for (int t = 0; t < 400; ++t) {
    const Index d1 = 1 + Index(rng.below(6)), d2 = 1 + Index(rng.below(6));
    Mat<double> Z = rng.normal_matrix(d1, d2);
    if (rng.bernoulli(0.2)) Z(0, 0) = Z(d1 - 1, d2 - 1);  // ties
    if (rng.bernoulli(0.2)) Z(d1 - 1, 0) = 0.0;           // zeros
    const double tau = rng.uniform(0.0, 1.3) * flatmin::l1_norm<double>(Z);
    expect_kkt<double>(Z, tau, 1e-13);
#ifndef FLATMIN_DOUBLE_ONLY  // quad is not instantiated in a double-only build
    expect_kkt<quad>(flatmin::cast_matrix<quad>(Z), quad(tau), 1e-30);
#endif
    const Mat<double> P = flatmin::project_l1_ball<double>(Z, tau);
    // reference: soft thresholding at the bisection threshold
    const double th = flatmin::l1_norm<double>(Z) <= tau ? 0.0 : reference_theta(Z, tau);
    for (Index j = 0; j < d2; ++j)
      for (Index i = 0; i < d1; ++i) {
        const double a = std::max(std::abs(Z(i, j)) - th, 0.0);
        EXPECT_NEAR(P(i, j), Z(i, j) < 0 ? -a : a, 1e-12 * (1 + std::abs(Z(i, j))));
      }
    // idempotence (P(Z) lies in the ball up to rounding, so P(P(Z)) moves it by rounding only)
    const Mat<double> PP = flatmin::project_l1_ball<double>(P, tau);
    EXPECT_LE((PP - P).norm(), 1e-13 * (1 + P.norm()));
#ifndef FLATMIN_DOUBLE_ONLY
    const Mat<quad> Pq = flatmin::project_l1_ball<quad>(flatmin::cast_matrix<quad>(Z), quad(tau));
    const Mat<quad> PPq = flatmin::project_l1_ball<quad>(Pq, quad(tau));
    EXPECT_LE(dbl(quad((PPq - Pq).norm())), 1e-30 * (1 + dbl(quad(Pq.norm()))));
#endif
    // optimality: no point of the ball is closer to Z
    for (int q = 0; q < 5; ++q) {
      const Mat<double> C =
          flatmin::project_l1_ball<double>(rng.normal_matrix(d1, d2) * 2.0, tau);
      EXPECT_LE((Z - P).squaredNorm(), (Z - C).squaredNorm() + 1e-12 * (1 + Z.squaredNorm()));
    }
  }
}

// Moreau: grad dist^2(Z) = 2 (Z - P(Z)), compared with a central difference (dist^2 is C^1 with
// a 2-Lipschitz gradient, so the central quotient is within h ||E||^2 of the derivative).
TEST(A_S6, DistanceGradientByFiniteDifferences) {
  flatmin::Rng rng = flatmin::Rng::derive(flatmin::props::base_seed(), {0x52u});
  for (int t = 0; t < 50; ++t) {
    const Index d1 = 1 + Index(rng.below(5)), d2 = 1 + Index(rng.below(5));
    const Mat<double> Z = rng.normal_matrix(d1, d2), E = rng.normal_matrix(d1, d2);
    const double tau = rng.uniform(0.0, 1.0) * flatmin::l1_norm<double>(Z);
    const double h = 1e-6;
    const double fd = (flatmin::dist2_l1_ball<double>(Z + h * E, tau) -
                       flatmin::dist2_l1_ball<double>(Z - h * E, tau)) / (2 * h);
    const Mat<double> G = 2.0 * (Z - flatmin::project_l1_ball<double>(Z, tau));
    // C^{1,1} with constant 2: the central quotient is within h ||E||^2 of the derivative
    EXPECT_NEAR(fd, (G.array() * E.array()).sum(), h * E.squaredNorm() + 1e-8 * (1 + Z.squaredNorm()));
  }
}

TEST(A_S6, SparseCorruptionPerLineLimit) {
  flatmin::Rng rng(7);
  for (int t = 0; t < 50; ++t) {
    const Index d1 = 1 + Index(rng.below(8)), d2 = 1 + Index(rng.below(8));
    const Index l = Index(rng.below(3));
    const Mat<double> S = flatmin::sparse_corruption(rng, d1, d2, l, 0.7, 1.0);
    for (Index i = 0; i < d1; ++i) EXPECT_LE((S.row(i).array() != 0).count(), l);
    for (Index j = 0; j < d2; ++j) EXPECT_LE((S.col(j).array() != 0).count(), l);
  }
  EXPECT_TRUE(flatmin::sparse_corruption(rng, 3, 4, 2, 0.0, 1.0).isZero(0.0));
  EXPECT_THROW(flatmin::sparse_corruption(rng, 0, 4, 2, 0.5, 1.0), InvalidArgument);
  EXPECT_THROW(flatmin::sparse_corruption(rng, 3, 4, -1, 0.5, 1.0), InvalidArgument);
  EXPECT_THROW(flatmin::sparse_corruption(rng, 3, 4, 1, 1.5, 1.0), InvalidArgument);
}
}  // namespace
