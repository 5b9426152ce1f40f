// The weighted l_q program of the depth study and the noisy nuclear-norm program
// (flatmin/programs.hpp). Every optimality claim is re-checked here from the returned primal and
// dual vectors, independently of the solver's own residuals; the dual formulas of 1 < q < 2 are
// checked against brute force and finite differences.
#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <Eigen/QR>

#include <cmath>
#include <limits>

#include "flatmin/abs.hpp"
#include "flatmin/depth.hpp"
#include "flatmin/linalg.hpp"
#include "flatmin/programs.hpp"
#include "cases.hpp"

using namespace flatmin;

namespace {

// ---- weighted l_q ------------------------------------------------------------------------

using test_cases::LqCase;
using test_cases::make_lq;


// q = 1, independent KKT re-check: A x = b, a_j^T y = w_j sign(x_j) on the support,
// |a_j^T y| <= w_j off it, and the gap sum w|x| - b^T y, all relative, <= tol.
template <class S>
void expect_l1_kkt(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, const LqResult<S>& res,
                   double tol) {
  ASSERT_EQ(res.status, SolveStatus::solved) << res.message;
  const Vec<S> s = A.transpose() * res.y;
  double worst = 0;
  S f(0);
  for (Index j = 0; j < A.cols(); ++j) {
    const S u = s(j) / w(j);
    if (res.x(j) != S(0)) {
      worst = std::max(worst, to_double(abs_of<S>(S(u - (res.x(j) > S(0) ? S(1) : S(-1))))));
      f += w(j) * abs_of<S>(res.x(j));
    } else {
      worst = std::max(worst, to_double(S(abs_of<S>(u) - S(1))));
    }
  }
  EXPECT_LE(worst, tol) << "dual condition";
  EXPECT_LE(to_double(S((A * res.x - b).norm())), tol * std::max(1.0, to_double(S(b.norm()))));
  EXPECT_LE(to_double(abs_of<S>(S(f - b.dot(res.y)))), tol * std::max(1.0, to_double(f)));
}

// 1 < q < 2, independent check by weak duality: x feasible and f(x) - d(y) <= tol (d evaluated
// by lq_dual_value, f by depth.hpp's weighted_lq_penalty).
template <class S>
void expect_lq_gap(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, const S& q,
                   const LqResult<S>& res, double tol) {
  ASSERT_EQ(res.status, SolveStatus::solved) << res.message;
  const S f = weighted_lq_penalty<S>(w, res.x, q);
  const S d = lq_dual_value<S>(A, b, w, q, res.y);
  EXPECT_LE(to_double(S((A * res.x - b).norm())), tol * std::max(1.0, to_double(S(b.norm()))));
  EXPECT_LE(to_double(abs_of<S>(S(f - d))), tol * std::max(1.0, to_double(f)));
}

// A vector of null(A): v - A^T (A A^T)^{-1} A v.
Vec<double> null_direction(const Mat<double>& A, const Vec<double>& v) {
  const Mat<double> G = A * A.transpose();
  return v - A.transpose() * G.llt().solve(A * v);
}

// ---- noisy nuclear norm -------------------------------------------------------------------

struct NoisyCase {
  SensingMap<double> A;
  Mat<double> M;
  Vec<double> b;  // A(M) + e, ||e|| = eps
  double eps;
};

NoisyCase make_noisy(Index d, Index m, Index r, double eps, std::uint64_t seed) {
  Rng rng(seed);
  NoisyCase c{SensingMap<double>::identity(1, 1), Mat<double>(), Vec<double>(), eps};
  c.M = assemble<double>(random_low_rank(rng, d, d, r));
  c.A = gaussian_map(rng, d, d, m);
  Vec<double> e = rng.normal_vector(m);
  e *= eps / e.norm();
  c.b = c.A.apply(c.M) + (eps > 0 ? e : Vec<double>::Zero(m));
  return c;
}

// The default tolerance of solve_noisy (programs.hpp): max(1e-12, 10 eps_mach ||b|| / eps) in
// double (the dual is formed from b - A(X), of norm eps), 1e-12 at eps = 0.
double noisy_tolerance(const Vec<double>& b, double eps) {
  return eps > 0 ? std::max(1e-12, 10 * 2.220446049250313e-16 * b.norm() / eps) : 1e-12;
}

// Independent optimality check by weak duality for the noisy program: ||A(X) - b|| <= eps (to
// tol), y scaled to ||A^* y||_op <= 1 (then <b, y> - eps ||y|| is a lower bound on the optimum),
// ||X||_* minus that bound <= tol (relative). The unscaled y must be dual feasible to 1e-6.
template <class S>
::testing::AssertionResult noisy_optimal(const SensingMap<S>& A, const Vec<S>& b, const S& eps,
                                         const Mat<S>& X, const Vec<S>& y, double tol) {
  const double resid = to_double(S((A.apply(X) - b).norm() - eps));
  const double opn = to_double(operator_norm<S>(A.adjoint(y)));
  const S nuc = nuclear_norm<S>(X);
  const S lower = (b.dot(y) - eps * y.norm()) / S(std::max(1.0, opn));
  const double gap = to_double(S(nuc - lower));
  const double bs = std::max(1.0, to_double(S(b.norm()))), ns = std::max(1.0, to_double(nuc));
  if (resid <= tol * bs && opn <= 1 + 1e-6 && std::abs(gap) <= tol * ns)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "residual excess " << resid << ", ||A^* y||_op " << opn
                                       << ", gap " << gap << " (tol " << tol << ")";
}

}  // namespace

// ---- the dual formulas of 1 < q < 2 ---------------------------------------------------------

// phi*(u) = sup_t (u t - |t|^q) by brute force (golden-section search on the concave function,
// bracket [0, 2 (|u|/q)^{1/(q-1)} + 1] with the sign of u), against lq_conjugate.
TEST(LqFormulas, ConjugateMatchesBruteForce) {
  for (const double q : {4.0 / 3.0, 1.5, 1.8}) {
    for (const double u : {-2.5, -0.3, 0.0, 0.7, 3.0}) {
      const auto g = [&](double t) { return u * t - std::pow(std::abs(t), q); };
      const double sgn = u < 0 ? -1 : 1;
      double lo = 0, hi = 2 * std::pow(std::abs(u) / q, 1 / (q - 1)) + 1;
      const double phi = (std::sqrt(5.0) - 1) / 2;
      for (int it = 0; it < 200; ++it) {
        const double a = hi - phi * (hi - lo), c = lo + phi * (hi - lo);
        if (g(sgn * a) > g(sgn * c)) hi = c; else lo = a;
      }
      const double brute = g(sgn * (lo + hi) / 2);
      EXPECT_NEAR(lq_conjugate<double>(u, q), brute, 1e-12 * (1 + std::abs(brute)))
          << "q " << q << " u " << u;
    }
  }
}

// x(y) maximises s_j t - w_j |t|^q (first-order condition q w_j |x_j|^{q-1} sign(x_j) = s_j and
// larger than at nearby t), and grad d(y) = b - A x(y) by central differences of lq_dual_value.
TEST(LqFormulas, PrimalRecoveryAndDualGradient) {
  const LqCase c = make_lq(6, 10, 2, 3);
  Rng rng(11);
  const Vec<double> y = rng.normal_vector(6);
  for (const double q : {4.0 / 3.0, 1.5, 1.8}) {
    const Vec<double> x = lq_primal_from_dual<double>(c.A, c.w, q, y);
    const Vec<double> s = c.A.transpose() * y;
    for (Index j = 0; j < 10; ++j) {
      const double grad = q * c.w(j) * std::pow(std::abs(x(j)), q - 1) * (x(j) > 0 ? 1 : -1);
      EXPECT_NEAR(grad, s(j), 1e-12 * (1 + std::abs(s(j))));
      const auto val = [&](double t) { return s(j) * t - c.w(j) * std::pow(std::abs(t), q); };
      EXPECT_GE(val(x(j)), val(x(j) + 1e-3));
      EXPECT_GE(val(x(j)), val(x(j) - 1e-3));
    }
    const Vec<double> g = c.b - c.A * x;
    for (Index i = 0; i < 6; ++i) {
      const double h = 1e-5;
      Vec<double> yp = y, ym = y;
      yp(i) += h;
      ym(i) -= h;
      const double fd = (lq_dual_value<double>(c.A, c.b, c.w, q, yp) -
                         lq_dual_value<double>(c.A, c.b, c.w, q, ym)) / (2 * h);
      EXPECT_NEAR(fd, g(i), 1e-6 * (1 + std::abs(g(i)))) << "q " << q << " i " << i;
    }
  }
}

// ---- weighted l1 (depth k = 2) --------------------------------------------------------------

// Sparse recovery in the regime where l1 recovers (s << m, Gaussian A): the exact sparse x0 to
// 1e-10, with the KKT conditions re-checked here.
TEST(WeightedLq, L1RecoversSparseTruth) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const LqCase c = make_lq(50, 100, 5, seed);
    const LqResult<double> res = solve_weighted_lq<double>(c.A, c.b, c.w, 1.0);
    SCOPED_TRACE("seed " + std::to_string(seed) + ": " + res.message + ", iterations " +
                 std::to_string(res.iterations));
    expect_l1_kkt<double>(c.A, c.b, c.w, res, 1e-12);
    EXPECT_LE((res.x - c.x0).norm(), 1e-10);
    EXPECT_EQ(res.support, 5);
  }
}

// Regression: the support polish's second pass once shrank the support after the last solve,
// so that the dual solve A_S^T y = c ran with c shorter than A_S^T (an out-of-bounds solve that
// corrupted the heap: found by the depth figure's paper grid, n = 50, m <= 45, s <= 10, with the
// weights of the Hadamard model). Every solve on that grid now returns, and a `solved` status
// carries verified KKT conditions.
TEST(WeightedLq, L1PolishOnTheDepthFigureGrid) {
  int solved = 0;
  for (std::uint64_t s = 1; s <= 10; ++s)
    for (std::uint64_t m = 5; m <= 45; m += 5)
      for (std::uint64_t t = 0; t < 10; ++t) {
        Rng rng = Rng::derive(20240607, {30, s, m, t});
        const Mat<double> A = rng.normal_matrix(Index(m), 50);
        const Vec<double> x = sparse_vector(rng, 50, Index(s));
        const Vec<double> b = A * x;
        const Vec<double> w = hadamard_weights<double>(A);
        const LqResult<double> res = solve_weighted_lq<double>(A, b, w, 1.0);
        if (res.status != SolveStatus::solved) continue;
        ++solved;
        SCOPED_TRACE("s " + std::to_string(s) + " m " + std::to_string(m) + " t " + std::to_string(t));
        expect_l1_kkt<double>(A, b, w, res, 1e-9);
      }
  EXPECT_GT(solved, 800);  // of 900: the solver is not allowed to give up on the grid
}

// 1 < q < 2: the solution is unique; optimality checked by the gap and by perturbation: moving
// along any direction of null(A) (so staying feasible) increases the objective.
TEST(WeightedLq, LqOptimalByGapAndPerturbation) {
  const LqCase c = make_lq(30, 60, 4, 7);
  Rng rng(99);
  for (const Index k : {3, 4, 8}) {
    const double q = depth_exponent<double>(k);
    const LqResult<double> res = solve_weighted_lq<double>(c.A, c.b, c.w, q);
    SCOPED_TRACE("k " + std::to_string(k) + ": " + res.message);
    expect_lq_gap<double>(c.A, c.b, c.w, q, res, 1e-12);
    EXPECT_LE(res.iterations, 50);
    const double f = weighted_lq_penalty<double>(c.w, res.x, q);
    for (int t = 0; t < 10; ++t) {
      Vec<double> v = null_direction(c.A, rng.normal_vector(60));
      v /= v.norm();
      for (const double step : {1e-2, 1e-4, -1e-4, -1e-2}) {
        const Vec<double> xp = res.x + step * v;
        EXPECT_GT(weighted_lq_penalty<double>(c.w, xp, q) - f, -1e-14 * f) << "step " << step;
      }
    }
  }
}

// The paper's claim (depth does not help): on an instance where weighted l1 (k = 2) returns the
// sparse truth exactly, the depth-3 penalty (q = 4/3) returns a dense vector far from it.
TEST(WeightedLq, DepthThreeDoesNotRecoverWhereDepthTwoDoes) {
  const LqCase c = make_lq(50, 100, 5, 2);
  const LqResult<double> l1 = solve_weighted_lq<double>(c.A, c.b, c.w, depth_exponent<double>(2));
  expect_l1_kkt<double>(c.A, c.b, c.w, l1, 1e-12);
  EXPECT_LE((l1.x - c.x0).norm(), 1e-10);
  const LqResult<double> l43 = solve_weighted_lq<double>(c.A, c.b, c.w, depth_exponent<double>(3));
  expect_lq_gap<double>(c.A, c.b, c.w, 4.0 / 3.0, l43, 1e-12);
  const double rel_err = (l43.x - c.x0).norm() / c.x0.norm();
  EXPECT_GT(rel_err, 0.1);
  EXPECT_EQ(l43.support, 100);  // dense
  // and it is the better point for its own objective: x0 is feasible but costs more
  EXPECT_LT(weighted_lq_penalty<double>(c.w, l43.x, 4.0 / 3.0),
            weighted_lq_penalty<double>(c.w, c.x0, 4.0 / 3.0));
  std::printf("[ depth   ] k = 2: error %.2e; k = 3: relative error %.3f, support %ld of 100\n",
              (l1.x - c.x0).norm(), rel_err, long(l43.support));
}

#ifndef FLATMIN_DOUBLE_ONLY
// Quad on an instance built in quad (b = A x0 formed in quad): the l1 polish reaches the truth
// to 1e-25, and q = 4/3 reaches a verified gap of 1e-28.
TEST(WeightedLq, QuadReachesExtendedAccuracy) {
  const LqCase c = make_lq(30, 60, 3, 5);
  const Mat<quad> A = c.A.cast<quad>();
  const Vec<quad> x0 = c.x0.cast<quad>();
  const Vec<quad> b = A * x0;
  const Vec<quad> w = hadamard_weights<quad>(A);
  const LqResult<quad> l1 = solve_weighted_lq<quad>(A, b, w, quad(1));
  expect_l1_kkt<quad>(A, b, w, l1, 1e-28);
  EXPECT_LE(to_double(quad((l1.x - x0).norm())), 1e-25) << l1.message;
  const quad q = depth_exponent<quad>(3);
  const LqResult<quad> l43 = solve_weighted_lq<quad>(A, b, w, q);
  expect_lq_gap<quad>(A, b, w, q, l43, 1e-28);
  EXPECT_LE(std::abs(l43.gap), 1e-28) << l43.message;
}
#endif

TEST(WeightedLq, BadInputGetsClearErrorsOrStatuses) {
  const LqCase c = make_lq(8, 16, 2, 4);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW(solve_weighted_lq<double>(c.A, Vec<double>(c.b.head(5)), c.w, 1.0), InvalidArgument);
  EXPECT_THROW(solve_weighted_lq<double>(c.A, c.b, Vec<double>(c.w.head(5)), 1.0), InvalidArgument);
  EXPECT_THROW(solve_weighted_lq<double>(Mat<double>(0, 16), Vec<double>(0), c.w, 1.0), InvalidArgument);
  Mat<double> An = c.A;
  An(1, 2) = nan;
  EXPECT_THROW(solve_weighted_lq<double>(An, c.b, c.w, 1.0), InvalidArgument);
  Vec<double> bi = c.b;
  bi(0) = inf;
  EXPECT_THROW(solve_weighted_lq<double>(c.A, bi, c.w, 1.0), InvalidArgument);
  for (const double bad : {0.0, -1.0, nan}) {
    Vec<double> w = c.w;
    w(3) = bad;
    EXPECT_THROW(solve_weighted_lq<double>(c.A, c.b, w, 1.0), InvalidArgument) << bad;
  }
  for (const double q : {0.5, 0.999, 2.0, 2.5, nan, inf})
    EXPECT_THROW(solve_weighted_lq<double>(c.A, c.b, c.w, q), InvalidArgument) << q;
  SolveOptions bad;
  bad.max_iterations = 0;
  EXPECT_THROW(solve_weighted_lq<double>(c.A, c.b, c.w, 1.0, bad), InvalidArgument);

  // inconsistent: the same row twice with different right-hand sides
  Mat<double> A2(2, 16);
  A2.row(0) = c.A.row(0);
  A2.row(1) = c.A.row(0);
  Vec<double> b2(2);
  b2 << 1.0, 2.0;
  for (const double q : {1.0, 1.5}) {
    const LqResult<double> r = solve_weighted_lq<double>(A2, b2, c.w, q);
    EXPECT_EQ(r.status, SolveStatus::infeasible) << r.message;
  }
  // consistent but dependent rows (and m > n): reduced, then solved
  Mat<double> A3(20, 16);
  A3.topRows(8) = c.A;
  A3.bottomRows(12) = c.A.topRows(6).replicate(2, 1);
  const Vec<double> b3 = A3 * c.x0;
  for (const double q : {1.0, 1.5}) {
    const LqResult<double> r = solve_weighted_lq<double>(A3, b3, c.w, q);
    EXPECT_EQ(r.status, SolveStatus::solved) << r.message;
    EXPECT_LE((A3 * r.x - b3).norm(), 1e-12 * std::max(1.0, b3.norm()));
  }
  // b = 0: x = 0
  const LqResult<double> r0 = solve_weighted_lq<double>(c.A, Vec<double>::Zero(8), c.w, 1.0);
  EXPECT_EQ(r0.status, SolveStatus::solved);
  EXPECT_EQ(r0.x.norm(), 0.0);

  // a budget too small: a status with the residuals reached
  SolveOptions tiny;
  tiny.max_iterations = 2;
  const LqCase big = make_lq(40, 80, 4, 6);
  for (const double q : {1.0, 4.0 / 3.0}) {
    const LqResult<double> r = solve_weighted_lq<double>(big.A, big.b, big.w, q, tiny);
    EXPECT_EQ(r.status, SolveStatus::iteration_limit) << q << ": " << r.message;
    EXPECT_GT(r.primal_residual + r.dual_residual + std::abs(r.gap), 1e-12);
    EXPECT_LE(r.iterations, 2);
  }
}

TEST(WeightedLq, SameInputSameBits) {
  const LqCase c = make_lq(30, 60, 3, 8);
  for (const double q : {1.0, 4.0 / 3.0}) {
    const LqResult<double> a = solve_weighted_lq<double>(c.A, c.b, c.w, q);
    const LqResult<double> b = solve_weighted_lq<double>(c.A, c.b, c.w, q);
    ASSERT_EQ(a.status, SolveStatus::solved);
    EXPECT_EQ(a.iterations, b.iterations);
    EXPECT_TRUE((a.x.array() == b.x.array()).all());
    EXPECT_TRUE((a.y.array() == b.y.array()).all());
  }
}

// ---- noisy nuclear norm ------------------------------------------------------------------------

// Noise of norm eps: solved with optimality re-checked here, and the error to the truth shrinks
// in proportion to eps. The solution has rank > 2 (small singular values of the order of eps/m
// appear: the noisy optimum is not the truth's rank), so the rank-adaptive polish is exercised.
// Observation (not asserted beyond a factor): for a map with the restricted isometry property,
// ||X - M||_F <= C eps / sqrt(m) for the unnormalised Gaussian map (E ||A(Z)||^2 = m ||Z||_F^2).
TEST(Noisy, ErrorIsOrderEpsWithVerifiedOptimality) {
  const Index d = 10, r = 2, m = 70;
  double ratio_max = 0, ratio_min = 1e300;
  Index rank_min = 100, rank_max = 0;
  for (const double eps : {1e-2, 1e-4, 1e-6}) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      const NoisyCase c = make_noisy(d, m, r, eps, seed);
      const SolveResult<double> res = solve_noisy<double>(c.A, c.b, c.eps);
      SCOPED_TRACE("eps " + std::to_string(eps) + " seed " + std::to_string(seed) + ": " +
                   res.message);
      ASSERT_EQ(res.status, SolveStatus::solved);
      const double tol = noisy_tolerance(c.b, eps);
      EXPECT_TRUE(noisy_optimal<double>(c.A, c.b, c.eps, res.X, res.y, tol));
      EXPECT_LE(res.primal_residual, tol);
      EXPECT_LE(std::abs(res.gap), tol);
      const double err = (res.X - c.M).norm();
      const double ratio = err * std::sqrt(double(m)) / eps;
      ratio_max = std::max(ratio_max, ratio);
      ratio_min = std::min(ratio_min, ratio);
      rank_min = std::min(rank_min, res.rank);
      rank_max = std::max(rank_max, res.rank);
      EXPECT_LE(err, eps);
      EXPECT_GE(res.rank, r);
    }
  }
  std::printf("[ noisy   ] ||X - M||_F sqrt(m) / eps in [%.3f, %.3f] over eps = 1e-2, 1e-4, 1e-6;"
              " solution ranks %ld..%ld (truth 2)\n",
              ratio_min, ratio_max, long(rank_min), long(rank_max));
  EXPECT_LE(ratio_max, 3 * ratio_min);  // O(eps): the constant does not drift with eps
}

// eps = 0 is the noiseless program: the same answer as solve_nuclear.
TEST(Noisy, ZeroEpsAgreesWithNuclear) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const NoisyCase c = make_noisy(10, 70, 2, 0.0, seed);
    const SolveResult<double> a = solve_noisy<double>(c.A, c.b, 0.0);
    const SolveResult<double> n = solve_nuclear<double>(c.A, c.b);
    ASSERT_EQ(a.status, SolveStatus::solved) << a.message;
    ASSERT_EQ(n.status, SolveStatus::solved) << n.message;
    EXPECT_LE((a.X - n.X).norm(), 1e-10);
    EXPECT_LE((a.X - c.M).norm(), 1e-10);
    EXPECT_TRUE(noisy_optimal<double>(c.A, c.b, 0.0, a.X, a.y, 1e-12));
    EXPECT_EQ(a.rank, 2);
  }
}

// Negative controls: the independent check rejects the dual with the wrong sign, and an eps
// below the least-squares residual (m > d^2, so b is not in the range of A) is infeasible.
TEST(Noisy, ControlsWrongDualSignAndInfeasibleEps) {
  const NoisyCase c = make_noisy(10, 70, 2, 1e-3, 4);
  const SolveResult<double> res = solve_noisy<double>(c.A, c.b, c.eps);
  ASSERT_EQ(res.status, SolveStatus::solved) << res.message;
  const double tol = noisy_tolerance(c.b, c.eps);
  EXPECT_TRUE(noisy_optimal<double>(c.A, c.b, c.eps, res.X, res.y, tol));
  EXPECT_FALSE(noisy_optimal<double>(c.A, c.b, c.eps, res.X, Vec<double>(-res.y), tol));
  // nor does the noiseless-looking answer (the truth) pass with the solver's dual
  EXPECT_FALSE(noisy_optimal<double>(c.A, c.b, c.eps, c.M, res.y, tol));

  const NoisyCase o = make_noisy(4, 40, 1, 0.1, 5);  // 40 > 16: A(X) = b has no solution
  const SensingMap<double>& A = o.A;
  const Mat<double> G = A.dense_rows();
  const Vec<double> xls = G.colPivHouseholderQr().solve(o.b);
  const double rls = (G * xls - o.b).norm();
  ASSERT_GT(rls, 1e-3);
  const SolveResult<double> inf = solve_noisy<double>(A, o.b, 0.5 * rls);
  EXPECT_EQ(inf.status, SolveStatus::infeasible) << inf.message;
  const SolveResult<double> inf0 = solve_noisy<double>(A, o.b, 0.0);
  EXPECT_EQ(inf0.status, SolveStatus::infeasible) << inf0.message;
  const SolveResult<double> ok = solve_noisy<double>(A, o.b, 1.5 * rls);
  EXPECT_NE(ok.status, SolveStatus::infeasible) << ok.message;
  if (ok.status == SolveStatus::solved) {
    EXPECT_TRUE(noisy_optimal<double>(A, o.b, 1.5 * rls, ok.X, ok.y, noisy_tolerance(o.b, 1.5 * rls)));
  }
}

TEST(Noisy, BadInputBudgetAndSameBits) {
  const NoisyCase c = make_noisy(6, 30, 1, 1e-2, 6);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(solve_noisy<double>(c.A, c.b, -1e-3), InvalidArgument);
  EXPECT_THROW(solve_noisy<double>(c.A, c.b, nan), InvalidArgument);
  EXPECT_THROW(solve_noisy<double>(c.A, c.b, std::numeric_limits<double>::infinity()), InvalidArgument);
  Vec<double> nb = c.b;
  nb(1) = nan;
  EXPECT_THROW(solve_noisy<double>(c.A, nb, 1e-2), InvalidArgument);
  EXPECT_THROW(solve_noisy<double>(c.A, Vec<double>(c.b.head(3)), 1e-2), InvalidArgument);
  const auto empty = SensingMap<double>::from_dense(4, 4, Mat<double>(0, 16));
  EXPECT_THROW(solve_noisy<double>(empty, Vec<double>(0), 0.1), InvalidArgument);

  // eps >= ||b||: X = 0
  const SolveResult<double> z = solve_noisy<double>(c.A, c.b, 2 * c.b.norm());
  EXPECT_EQ(z.status, SolveStatus::solved);
  EXPECT_EQ(z.X.norm(), 0.0);

  SolveOptions tiny;
  tiny.max_iterations = 3;
  const SolveResult<double> t = solve_noisy<double>(c.A, c.b, c.eps, tiny);
  EXPECT_EQ(t.status, SolveStatus::iteration_limit) << t.message;
  EXPECT_GT(t.primal_residual + t.dual_residual + std::abs(t.gap), 1e-12);

  const SolveResult<double> a = solve_noisy<double>(c.A, c.b, c.eps);
  const SolveResult<double> b = solve_noisy<double>(c.A, c.b, c.eps);
  ASSERT_EQ(a.status, SolveStatus::solved) << a.message;
  EXPECT_EQ(a.iterations, b.iterations);
  EXPECT_TRUE((a.X.array() == b.X.array()).all());
  EXPECT_TRUE((a.y.array() == b.y.array()).all());
}

#ifndef FLATMIN_DOUBLE_ONLY
TEST(Noisy, QuadPolishReachesExtendedAccuracy) {
  Rng rng(5);
  const LowRankFactors f = random_low_rank(rng, 6, 6, 2);
  const SensingMap<quad> A = gaussian_map(rng, 6, 6, 30).cast<quad>();
  const Mat<quad> M = assemble<quad>(f);
  Vec<quad> e = rng.normal_vector(30).cast<quad>();
  const quad eps(1e-3);
  e *= eps / e.norm();
  const Vec<quad> b = A.apply(M) + e;
  const SolveResult<quad> res = solve_noisy<quad>(A, b, eps);
  ASSERT_EQ(res.status, SolveStatus::solved) << res.message;
  EXPECT_TRUE(noisy_optimal<quad>(A, b, eps, res.X, res.y, 1e-28));
  EXPECT_LE(std::abs(res.gap), 1e-28);
}
#endif
