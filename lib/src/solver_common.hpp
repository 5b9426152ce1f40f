// Internal helpers shared by the convex-program solvers (solver_*.hpp: nuclear / flat;
// programs_lq.hpp, programs_noisy.hpp: weighted l_q and noisy nuclear; rpca_solver_impl.hpp:
// robust PCA): dbl, default_tol, gram, AffineProjector (projection onto A(X) = b), svt /
// svt_symmetric / svt_gram (the proximal map of the nuclear norm), Tangent / tangent_at,
// truncate, the residual-balancing rule every ADMM loop uses, and the scale-free form every
// program is solved in (ScaleFree, scale_free, scale_back). lib/tests/test_solver.cpp tests svt
// and svt_gram directly.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "flatmin/abs.hpp"
#include "flatmin/linalg.hpp"
#include "flatmin/programs.hpp"
#include "flatmin/sensing.hpp"
#include "flatmin/solver.hpp"
#include "symmetric_part.hpp"

namespace flatmin {
namespace solver_detail {

template <class S> double dbl(const S& x) { return to_double(x); }

template <class S> double default_tol(double asked) {
  if (asked > 0) return asked;
  return std::is_same_v<S, double> ? 1e-12 : 1e-28;
}

// The Gram matrix G = A A^* (G_ij = <A_i, A_j>), formed by structure.
template <class S> Mat<S> gram(const SensingMap<S>& A) {
  const Index m = A.m();
  switch (A.structure()) {
    case Structure::identity: return Mat<S>::Identity(m, m);
    case Structure::dense: {
      Mat<S> G = Mat<S>::Zero(m, m);
      G.template selfadjointView<Eigen::Lower>().rankUpdate(A.dense_rows());
      return G.template selfadjointView<Eigen::Lower>();
    }
    case Structure::rank_one: {
      const Mat<S> Ga = A.left() * A.left().transpose(), Gb = A.right() * A.right().transpose();
      const Vec<S>& w = A.weights();
      return (Ga.cwiseProduct(Gb)).cwiseProduct(w * w.transpose());
    }
    case Structure::quadratic: {
      const Mat<S> Gx = A.left() * A.left().transpose();
      return Gx.cwiseProduct(Gx);
    }
    case Structure::entries: {
      Mat<S> G = Mat<S>::Zero(m, m);
      std::map<std::pair<Index, Index>, std::vector<Index>> at;
      for (Index i = 0; i < m; ++i) at[A.entries()[std::size_t(i)]].push_back(i);
      const Vec<S>& w = A.weights();
      for (const auto& kv : at)
        for (Index i : kv.second)
          for (Index j : kv.second) G(i, j) = w(i) * w(j);
      return G;
    }
  }
  throw InvalidArgument("gram: unknown structure");
}

// Projection onto {X : A(X) = b}: X = V + A^*(G^+ (b - A(V))). G is factored once: Cholesky when
// it is numerically positive definite, otherwise a pseudo-inverse from its eigendecomposition
// (dependent measurements, m > d1 d2). Matrix completion without repeated entries has the
// diagonal G = diag(w_i^2): it is then neither formed nor factored (at d = 160, p = 0.125 the
// dense m x m Cholesky and its triangular solves in the dual search were 80% of the solve time).
template <class S> class AffineProjector {
 public:
  AffineProjector(const SensingMap<S>& A, const Vec<S>& b) : A_(A), b_(b) {
    if (!diagonal_gram()) factor(gram(A));
  }
  // with the Gram matrix G = gram(A) already formed (programs_lq.hpp and programs_noisy.hpp need it too)
  AffineProjector(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& G) : A_(A), b_(b) {
    factor(G);
  }
  Vec<S> solve_gram(const Vec<S>& r) const {
    if (diagonal_) return Vec<S>(inv_diag_.cwiseProduct(r));
    return use_llt_ ? Vec<S>(llt_.solve(r)) : Vec<S>(pinv_ * r);
  }
  Mat<S> project(const Mat<S>& V) const { return V + A_.adjoint(solve_gram(b_ - A_.apply(V))); }
  bool cholesky() const { return use_llt_; }

 private:
  // G = diag(w_i^2) when the A_i are distinct entries: the same rule as the pseudo-inverse below
  // for the (then diagonal) eigenvalues; `cholesky()` when none is cut
  bool diagonal_gram() {
    if (A_.structure() != Structure::entries) return false;
    const Index m = A_.m();
    std::vector<std::pair<Index, Index>> e = A_.entries();
    std::sort(e.begin(), e.end());
    if (std::adjacent_find(e.begin(), e.end()) != e.end()) return false;  // repeated entries
    const Vec<S> lambda = A_.weights().cwiseAbs2();
    const S top = m ? S(lambda.maxCoeff()) : S(0);
    const S cut = S(1e3) * S(double(m)) * ScalarTraits<S>::epsilon() * top;
    inv_diag_ = Vec<S>::Zero(m);
    use_llt_ = true;
    for (Index i = 0; i < m; ++i) {
      if (lambda(i) > cut) inv_diag_(i) = S(1) / lambda(i);
      else use_llt_ = false;
    }
    diagonal_ = true;
    return true;
  }
  void factor(const Mat<S>& G) {
    const Index m = A_.m();
    llt_.compute(G);
    S dmin = S(0), dmax = S(0);
    if (llt_.info() == Eigen::Success) {
      const Vec<S> d = Mat<S>(llt_.matrixL()).diagonal();
      dmin = d.minCoeff();
      dmax = d.maxCoeff();
    }
    const S eps = ScalarTraits<S>::epsilon();
    use_llt_ = llt_.info() == Eigen::Success && dmin * dmin > S(1e3) * S(double(m)) * eps * dmax * dmax;
    if (!use_llt_) {
      const SymEig<S> e = sym_eig<S>(G);
      const S top = e.lambda.size() ? abs_of(e.lambda(e.lambda.size() - 1)) : S(0);
      Vec<S> inv = Vec<S>::Zero(m);
      for (Index i = 0; i < m; ++i)
        if (e.lambda(i) > S(1e3) * S(double(m)) * eps * top) inv(i) = S(1) / e.lambda(i);
      pinv_ = e.P * inv.asDiagonal() * e.P.transpose();
    }
  }

  const SensingMap<S>& A_;
  const Vec<S>& b_;
  Eigen::LLT<Mat<S>> llt_;
  Mat<S> pinv_;
  Vec<S> inv_diag_;
  bool diagonal_ = false;
  bool use_llt_ = false;
};

// The tangent space T of the rank-r matrices at X = U S V^T in the orthonormal coordinates
// (P, C) -> U P^T + U_perp C V^T (P: d2 x r, C: (d1 - r) x r): an isometry onto T.
template <class S> struct Tangent {
  Mat<S> U, V, Uperp;
  Index dim() const { return V.rows() * U.cols() + Uperp.cols() * U.cols(); }
  Mat<S> embed(const Vec<S>& t) const {
    const Index d2 = V.rows(), r = U.cols(), q = Uperp.cols();
    const Eigen::Map<const Mat<S>> P(t.data(), d2, r), C(t.data() + d2 * r, q, r);
    return U * P.transpose() + Uperp * C * V.transpose();
  }
  Vec<S> coordinates(const Mat<S>& Y) const {  // adjoint of embed: (Y^T U, U_perp^T Y V)
    const Index d2 = V.rows(), r = U.cols(), q = Uperp.cols();
    Vec<S> t(dim());
    Eigen::Map<Mat<S>>(t.data(), d2, r) = Y.transpose() * U;
    Eigen::Map<Mat<S>>(t.data() + d2 * r, q, r) = Uperp.transpose() * Y * V;
    return t;
  }
};

template <class S> Tangent<S> tangent_at(const Mat<S>& U, const Mat<S>& V) {
  Tangent<S> T{U, V, Mat<S>()};
  const Index d1 = U.rows(), r = U.cols();
  Eigen::HouseholderQR<Mat<S>> qr(U);
  const Mat<S> Q = qr.householderQ() * Mat<S>::Identity(d1, d1);
  T.Uperp = Q.rightCols(d1 - r);
  return T;
}

// Rank-r truncation.
template <class S> Mat<S> truncate(const Mat<S>& X, Index r, Mat<S>* U = nullptr, Mat<S>* V = nullptr) {
  const Svd<S> d = svd<S>(X);
  if (U) *U = d.U.leftCols(r);
  if (V) *V = d.V.leftCols(r);
  return d.U.leftCols(r) * d.s.head(r).asDiagonal() * d.V.leftCols(r).transpose();
}

// The "gap rank" of thresholded values s (non-increasing, all > 0): the position of the first
// relative gap > 100, or s.size() if there is none.
template <class S> Index first_gap(const Vec<S>& s) {
  for (Index i = 0; i + 1 < s.size(); ++i)
    if (s(i) > S(100) * s(i + 1)) return i + 1;
  return s.size();
}

// Singular-value thresholding: U max(s - tau, 0) V^T, and the number of singular values kept.
// Also the "gap rank": the position of the first relative gap > 100 among the kept values (the
// rank the iterate is heading for while small spurious values are still above tau).
template <class S> Mat<S> svt(const Mat<S>& W, const S& tau, Index& rank, Index& gap_rank) {
  const Svd<S> d = svd<S>(W);
  rank = 0;
  for (Index i = 0; i < d.s.size(); ++i)
    if (d.s(i) > tau) ++rank;
  Vec<S> s(rank);
  for (Index i = 0; i < rank; ++i) s(i) = d.s(i) - tau;
  gap_rank = first_gap<S>(s);
  return d.U.leftCols(rank) * s.asDiagonal() * d.V.leftCols(rank).transpose();
}

// The same from the eigendecomposition of the smaller Gram matrix (W^T W when d1 >= d2, else
// W W^T): with W^T W = V diag(s^2) V^T, U max(s - tau, 0) V^T = W V_k diag(1 - tau / s_k) V_k^T
// over the s_k > tau. About 5x cheaper than the Jacobi SVD (45 x 45: 0.12 + a product against
// 1.0 ms), at a price in accuracy: s_k carries an absolute error of ~eps s_1^2 / s_k, so the
// values kept near tau are accurate to ~eps (s_1 / tau)^2 relative. For ADMM under stop_below
// (see solver_admm.hpp), whose iterates only have to reach a feasible point below the bound or the rank at
// which the exact stages take over: every verdict is still checked exactly.
template <class S>
Mat<S> svt_gram(const Mat<S>& W, const S& tau, Index& rank, Index& gap_rank) {
  const bool tall = W.rows() >= W.cols();
  const Mat<S> G = tall ? Mat<S>(W.transpose() * W) : Mat<S>(W * W.transpose());
  const SymEig<S> e = sym_eig<S>(G);  // lambda non-decreasing
  const Index n = e.lambda.size();
  rank = 0;
  while (rank < n && e.lambda(n - 1 - rank) > tau * tau) ++rank;
  Mat<S> Pk(n, rank);
  Vec<S> s(rank), shrink(rank);
  for (Index i = 0; i < rank; ++i) {
    Pk.col(i) = e.P.col(n - 1 - i);
    const S sigma = sqrt(e.lambda(n - 1 - i));
    s(i) = sigma - tau;
    shrink(i) = s(i) / sigma;
  }
  gap_rank = first_gap<S>(s);
  return tall ? Mat<S>((W * Pk) * shrink.asDiagonal() * Pk.transpose())
              : Mat<S>(Pk * shrink.asDiagonal() * (Pk.transpose() * W));
}

// The same for a symmetric W, from the eigendecomposition W = P diag(lambda) P^T (the singular
// values are |lambda_i|, u_i = p_i, v_i = sign(lambda_i) p_i): U max(s - tau, 0) V^T =
// sum_{|lambda_i| > tau} sign(lambda_i) (|lambda_i| - tau) p_i p_i^T, several times cheaper than
// the Jacobi SVD (40 x 40: ~0.15 against ~1.5 ms). Reads (W + W^T) / 2 and returns an exactly
// symmetric matrix. For maps whose A_i are all symmetric (quadratic), where ADMM's iterates are
// symmetric in exact arithmetic.
template <class S>
Mat<S> svt_symmetric(const Mat<S>& W, const S& tau, Index& rank, Index& gap_rank) {
  const SymEig<S> e = sym_eig<S>(symmetric_part<S>(W));
  const Index n = e.lambda.size();
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) order[std::size_t(i)] = i;
  std::stable_sort(order.begin(), order.end(), [&e](Index a, Index b) {
    return abs_of(e.lambda(a)) > abs_of(e.lambda(b));
  });
  rank = 0;
  while (rank < n && abs_of(e.lambda(order[std::size_t(rank)])) > tau) ++rank;
  Mat<S> Pk(W.rows(), rank);
  Vec<S> s(rank), signed_s(rank);
  for (Index i = 0; i < rank; ++i) {
    const Index j = order[std::size_t(i)];
    Pk.col(i) = e.P.col(j);
    s(i) = abs_of(e.lambda(j)) - tau;
    signed_s(i) = e.lambda(j) < S(0) ? S(-s(i)) : s(i);
  }
  gap_rank = first_gap<S>(s);
  return symmetric_part<S>(Mat<S>(Pk * signed_s.asDiagonal() * Pk.transpose()));
}

// ||X||_* of an exactly symmetric X: the sum of |lambda_i|.
template <class S> S symmetric_nuclear_norm(const Mat<S>& X) {
  const Eigen::SelfAdjointEigenSolver<Mat<S>> es(X, Eigen::EigenvaluesOnly);
  return es.eigenvalues().cwiseAbs().sum();
}

// A stage's answer once its optimality check passed: (X, y) of the given rank go into trial (which
// holds that check's residuals), and trial into res. Returns true.
template <class S>
bool adopt(SolveResult<S>& trial, const Mat<S>& X, const Vec<S>& y, Index rank,
           SolveResult<S>& res) {
  trial.X = X;
  trial.y = y;
  trial.rank = rank;
  res = trial;
  return true;
}

// ---- Double, then extended precision ---------------------------------------------------------
// The extended-precision pattern (quad, mp50) of every program: solve in double, carry the
// answer rd into S exactly (carry_double_phase: the iterate, the dual, residuals, status; the
// message "double phase: ..."), then, where rd is a usable start (solved or iteration_limit)
// and the polish is enabled, polish(res) in S: `solved` with the message verified(res) when it
// holds, `iteration_limit` with "; <polish_name> did not reach the tolerance" otherwise. A
// double-phase claim is never carried over unverified. Used by the nuclear, flat, noisy,
// weighted l_1 and robust-PCA programs (the weighted l_q program, q > 1, carries rd and goes on
// with Newton's method instead of a polish).
template <class S> void carry_double_phase(const SolveResult<double>& rd, SolveResult<S>& res) {
  res.iterations = rd.iterations;
  res.status = rd.status;
  res.X = cast_matrix<S>(rd.X);
  res.y = rd.y.template cast<S>();
  res.primal_residual = rd.primal_residual;
  res.dual_residual = rd.dual_residual;
  res.gap = rd.gap;
  res.rank = rd.rank;
  res.message = "double phase: " + rd.message;
}

template <class S> void carry_double_phase(const LqResult<double>& rd, LqResult<S>& res) {
  res.iterations = rd.iterations;
  res.status = rd.status;
  res.x = rd.x.template cast<S>();
  res.y = rd.y.template cast<S>();
  res.primal_residual = rd.primal_residual;
  res.dual_residual = rd.dual_residual;
  res.gap = rd.gap;
  res.objective = rd.objective;
  res.support = rd.support;
  res.message = "double phase: " + rd.message;
}

template <class S, template <class> class Result, class Polish, class Verified>
void polish_in_extended_precision(const Result<double>& rd, bool enabled, Result<S>& res,
                                  Polish&& polish, Verified&& verified,
                                  const std::string& polish_name = "the extended-precision polish") {
  carry_double_phase<S>(rd, res);
  if (rd.status != SolveStatus::solved && rd.status != SolveStatus::iteration_limit) return;
  if (enabled && polish(res)) {
    res.status = SolveStatus::solved;
    res.message = verified(res);
  } else {
    res.status = SolveStatus::iteration_limit;
    res.message += "; " + polish_name + " did not reach the tolerance";
  }
}

// ---- The ADMM loop ----------------------------------------------------------------------------
// One schedule for every ADMM phase: the nuclear-norm/flat program (Admm, solver_admm.hpp), the
// noisy program (NoisyAdmm, programs_noisy.hpp), the weighted l_1 program (L1Admm,
// programs_lq.hpp) and robust PCA (RpcaAdmm, rpca_solver_admm.hpp). The program P supplies
//   bool iterate(int k)       iteration k: its X-, Z- and U-updates (each with the formula it
//                             implements) and the residuals r_p, r_d; true when a test between
//                             the updates ended the solve (the nuclear program's stop_below);
//   bool balance_and_test()   every 10th iteration: residual balancing (balance_penalty below),
//                             then ADMM's own iterate measured and checked; true when it passes;
//   bool exact_stages(int& k) the exact stages that are due (polish; Newton, interior point);
//                             true when one of them verified a solution; a stage whose own
//                             iterations count against the budget advances k by them;
//   bool finite() const       r_p and r_d are finite;
//   void not_finite()         the result's fields at non-finite residuals;
//   void budget_spent()       the result's fields when the budget is spent;
// and the result has status, message and iterations. A loop ends in one of three ways: a
// verified solution (a test or an exact stage), residuals that are not finite (numerical_trouble:
// nothing after them can be trusted), or the budget spent (iteration_limit, with the residuals
// of the last iterate).
template <class Result> void admm_not_finite(Result& res) {
  res.status = SolveStatus::numerical_trouble;
  res.message = "ADMM residuals are not finite";
}
template <class Result> void admm_budget_spent(Result& res, int max_iterations) {
  res.status = SolveStatus::iteration_limit;
  res.message = "no KKT point within " + std::to_string(max_iterations) +
                " iterations; residuals as reached";
}
template <class Program, class Result>
void run_admm(Program& p, Result& res, int max_iterations) {
  for (int k = 1; k <= max_iterations; ++k) {
    res.iterations = k;
    if (p.iterate(k)) return;
    if (k % 10 == 0 && p.balance_and_test()) return;
    if (p.exact_stages(k)) return;
    if (!p.finite()) {
      admm_not_finite(res);
      p.not_finite();
      return;
    }
  }
  admm_budget_spent(res, max_iterations);
  p.budget_spent();
}

// ---- Residual balancing --------------------------------------------------------------------
// The penalty update of every ADMM loop (Boyd et al. 2011, 3.4.1): given the primal and dual
// residuals r_p, r_d in comparable units (the nuclear-norm loop: absolute; the l_q, noisy and
// robust-PCA loops: relative, as OSQP does),
//   r_p > 10 r_d  =>  rho <- 2 rho,   r_d > 10 r_p  =>  rho <- rho / 2,
// and the scaled duals (U = y / rho) by the inverse factor, so that the unscaled dual is unchanged.
template <class S, class... Duals> void balance_penalty(const S& rp, const S& rd, S& rho, Duals&... u) {
  if (rp > S(10) * rd) {
    rho *= S(2);
    ((u /= S(2)), ...);
  } else if (rd > S(10) * rp) {
    rho /= S(2);
    ((u *= S(2)), ...);
  }
}

// ---- Scale ---------------------------------------------------------------------------------
// Every convex program is solved in a scale-free form (solver.hpp, "Scale"): its data are
// multiplied by powers of two chosen from the data alone (exact, barring over- and underflow,
// which is reported), so that 2^k times the data runs the same operations on the same numbers and
// every tolerance compares quantities of the size at which the stages were measured.
// Linear constraints A(X) = b: row i of A and b times 2^-e_i, then b times 2^-ex, which brings the
// size of X to [1, 2):
//   A'_i = 2^-e_i A_i,  b'_i = 2^-(e_i + ex) b_i;  A(X) = b  <=>  A'(X') = b',  X = 2^ex X',
// and the dual y' of (A', b') gives y_i = 2^-e_i y'_i (A^* y = A'^* y', <b, y> = 2^ex <b', y'>).
// The exponents e_i are SensingMap::row_exponents() for the equality-constrained programs and
// their largest one for every row where the constraint is a norm of the residual (noisy).
template <class S> struct ScaleFree {
  SensingMap<S> A;
  Vec<S> b;
  std::vector<int> e;  // row exponents
  int ex = 0;
};

// ex with 2^-ex x in [1, 2) (0 for x = 0)
template <class S> int unit_exponent(const S& x) { return x > S(0) ? exponent_of<S>(x) - 1 : 0; }

// ||v||_2 without under- or overflow: 2^m ||2^-m v|| with 2^-m max |v_i| in [1, 2) (exact
// scalings: the same bits as v.norm() wherever that does not under- or overflow)
template <class S> S safe_norm(const Vec<S>& v) {
  if (v.size() == 0) return S(0);
  const int m = unit_exponent<S>(S(v.cwiseAbs().maxCoeff()));
  return times_pow2<S>(S(times_pow2_each(v, -m).norm()), m);
}

// ||A||_F^2 = sum_i ||A_i||_F^2, by structure
template <class S> S frobenius_squared(const SensingMap<S>& A) {
  switch (A.structure()) {
    case Structure::dense: return A.dense_rows().squaredNorm();
    case Structure::rank_one:
      return (A.weights().cwiseAbs2().cwiseProduct(A.left().rowwise().squaredNorm()))
          .dot(A.right().rowwise().squaredNorm());
    case Structure::quadratic: return A.left().rowwise().squaredNorm().cwiseAbs2().sum();
    case Structure::entries: return A.weights().squaredNorm();
    case Structure::identity: return S(double(A.m()));
  }
  return S(0);
}

// The size of x with ||A x|| = bn for a map of squared Frobenius norm a2 on R^n whose rows are
// of even weight: ||A x|| ~ sqrt(a2 / n) ||x||, so ||x|| ~ bn sqrt(n / a2).
template <class S> S size_estimate(const S& bn, const S& a2, const S& n) {
  return bn > S(0) && a2 > S(0) ? S(bn * sqrt(n / a2)) : S(0);
}

template <class S>
ScaleFree<S> scale_free(const SensingMap<S>& A, const Vec<S>& b, const std::vector<int>& e,
                        const char* who = "solve") {
  ScaleFree<S> q;
  q.e = e;
  std::vector<int> down(q.e.size());
  for (std::size_t i = 0; i < q.e.size(); ++i) down[i] = -q.e[i];
  q.A = A.rows_scaled(down);
  q.b = b;
  for (Index i = 0; i < b.size(); ++i) q.b(i) = times_pow2<S>(b(i), down[std::size_t(i)]);
  // X' of unit size (the scale of the generated instances, ||M||_F = 1, at which the stages'
  // schedules were measured)
  q.ex = unit_exponent<S>(
      size_estimate<S>(safe_norm<S>(q.b), frobenius_squared<S>(q.A), S(double(A.d1())) * S(double(A.d2()))));
  q.b = times_pow2_each(q.b, -q.ex);
  for (Index i = 0; i < b.size(); ++i)
    if (!is_finite(q.b(i)))
      throw InvalidArgument(std::string(who) + ": measurement " + std::to_string(i + 1) +
                            ": b_i is out of all proportion to A_i (b_i / max |A_i| is not "
                            "representable)");
  return q;
}

template <class S> void scale_back(SolveResult<S>& r, const ScaleFree<S>& q) {
  if (r.X.size()) r.X = times_pow2_each(r.X, q.ex);
  if (r.y.size() == Index(q.e.size()))
    for (Index i = 0; i < r.y.size(); ++i) r.y(i) = times_pow2<S>(r.y(i), -q.e[std::size_t(i)]);
}

// a length bound (stop_below, a radius) in the units of the scaled program: v 2^e, refused when
// that is not representable
inline double scaled_bound(double v, int e, const char* what = "solve: stop_below") {
  const double s = times_pow2<double>(v, e);
  if (v > 0 && !(s > 0 && std::isfinite(s)))
    throw InvalidArgument(std::string(what) + " is out of all proportion to the data's scale");
  return s;
}

}  // namespace solver_detail
}  // namespace flatmin
