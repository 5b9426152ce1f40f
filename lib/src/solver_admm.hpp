// The first-order stage: ADMM on min ||X||_* s.t. A(X) = b, which calls the exact stages
// (solver_polish.hpp) once its iterates show a rank. Instantiated in solver_admm_double.cpp (the
// extended-precision solves run this stage in double).
#pragma once

#include <set>

#include "solver_polish.hpp"

namespace flatmin {
namespace solver_detail {

// The ADMM loop polishes at a new gap rank once it has been stable for 8 iterations, and at an
// unchanged rank after kPolishEvery iterations, an interval that doubles (up to kPolishEveryMax)
// with each polish at the same rank and is reset by a new rank. A repeated polish at one rank
// from a nearby point mostly lands on the same feasible point as the last; what changes between
// two is ADMM's dual estimate (docs/solver.md, "Polish schedule").
constexpr int kPolishEvery = 60;
constexpr int kPolishEveryMax = 480;

// With SolveOptions::stop_below, the first ADMM iteration at which Newton's method on the
// optimality conditions may be tried.
constexpr int kStopBelowNewtonAfter = 400;

// ADMM on min ||X||_* s.t. A(X) = b, split as X = Z with X on the affine set and Z free
// (scaled form, U the scaled dual):
//   X+ = Pi_{A(X) = b}(Z - U)              projection onto the feasible set (AffineProjector)
//   Z+ = prox_{||.||_* / rho}(X+ + U)      singular value thresholding at 1/rho
//   U+ = U + X+ - Z+
//   r_p = ||X+ - Z+||_F,  r_d = rho ||Z+ - Z||_F
// Every 10th iteration rho is doubled (halved) when r_p > 10 r_d (r_d > 10 r_p), U scaled by the
// inverse factor (residual balancing, Boyd et al. 2011, 3.4.1), and the iterate is measured with
// the dual estimate y (measure). The iterates only find the rank: the answer comes from the
// exact stages that run() schedules (docs/solver.md explains why each exists).
template <class S> class Admm {
 public:
  Admm(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o, double tol)
      : A_(A), b_(b), o_(o), tol_(tol), start_(Clock::now()), proj_(A, b),
        symmetric_(A.structure() == Structure::quadratic), gram_svt_(o.stop_below > 0),
        next_newton_(o.stop_below > 0 ? kStopBelowNewtonAfter : 20) {}

  // The solve: the least-squares start (and its stop_below test), then the loop (run_admm) with
  // the steps below.
  SolveResult<S> run() {
    if (least_squares_start()) return res_;
    if (below(X_, 0)) return done();
    Z_ = Ud_ = Mat<S>::Zero(A_.d1(), A_.d2());
    rho_ = S(1) / (S(0.1) * operator_norm<S>(X_));
    run_admm(*this, res_, o_.max_iterations);
    return done();
  }

  // ---- the steps of the loop (run_admm, solver_common.hpp)
  // The X-update; at k = 1, 2, 4, 8 and every 10th, the stop_below test; the Z- and U-updates.
  bool iterate(int k) {
    X_ = proj_.project(Mat<S>(Z_ - Ud_));
    if (symmetric_) X_ = symmetric_part<S>(X_);
    if (stop_test_due(k) && below(X_, k)) return true;
    update_z();
    return false;
  }
  // Residual balancing, then: relative r_p, r_d and gap <= tol ends the solve (solved).
  bool balance_and_test() {
    balance_penalty(rp_, rd_, rho_, Ud_);
    measure(res_.iterations);
    if (res_.primal_residual <= tol_ && res_.dual_residual <= tol_ && std::abs(res_.gap) <= tol_) {
      res_.status = SolveStatus::solved;
      res_.rank = rank_;  // of Z, the thresholded iterate (X itself is feasible, not low-rank)
      res_.message = "ADMM met the tolerance (primal, dual and gap with a dual-feasible y)";
      return true;
    }
    return false;
  }
  // The feasibility polish when the gap rank is due (polish_due); Newton's method (then, once,
  // the interior point) when a rank with dim T >= m is due (newton_rank_due); each preceded by
  // the stop_below test, which costs less.
  bool exact_stages(int& k) {
    if (polish_due(k)) {
      if (!stop_test_due(k) && below(X_, k)) return true;
      if (polish_at_gap_rank(k)) return true;
    }
    const Index r = newton_rank_due(k);
    if (r >= 1) {
      if (below(X_, k)) return true;
      if (newton_then_interior_point(r, k)) return true;
    }
    return false;
  }
  bool finite() const { return std::isfinite(dbl(rp_)) && std::isfinite(dbl(rd_)); }
  void not_finite() {}
  void budget_spent() {
    measure(res_.iterations);
    res_.rank = rank_;
  }

 private:
  static bool stop_test_due(int k) { return k % 10 == 0 || k == 1 || k == 2 || k == 4 || k == 8; }

  SolveResult<S>& done() {
    res_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    return res_;
  }

  // X_0 = the least-squares solution of A(X) = b; true when the solve ends there (infeasible,
  // numerical trouble, or b = 0).
  bool least_squares_start() {
    X_ = proj_.project(Mat<S>::Zero(A_.d1(), A_.d2()));
    res_.X = X_;
    res_.y = Vec<S>::Zero(A_.m());
    res_.primal_residual = dbl(relative<S>(S((A_.apply(X_) - b_).norm()), S(b_.norm())));
    const double feas_tol =
        std::max(tol_, 1e3 * dbl(ScalarTraits<S>::epsilon()) * double(A_.m()));
    // An ill-conditioned Gram matrix leaves an error in the least-squares solution that iterative
    // refinement removes (X0 += A^*(G^+ (b - A(X0))), while the residual halves)
    for (int k = 0; k < 5 && res_.primal_residual > std::sqrt(feas_tol); ++k) {
      const Mat<S> X1 = X_ + A_.adjoint(proj_.solve_gram(Vec<S>(b_ - A_.apply(X_))));
      const double r1 = dbl(relative<S>(S((A_.apply(X1) - b_).norm()), S(b_.norm())));
      if (!(r1 < res_.primal_residual / 2)) break;
      X_ = X1;
      res_.X = X_;
      res_.primal_residual = r1;
    }
    if (res_.primal_residual > std::sqrt(feas_tol)) {
      const Vec<S> r = b_ - A_.apply(X_);
      const FarkasCheck f = farkas_check<S>(A_, b_, r, S(X_.norm()));
      res_.status = f.verified ? SolveStatus::infeasible : SolveStatus::numerical_trouble;
      res_.message = "the least-squares residual of A(X) = b is " +
                     std::to_string(res_.primal_residual) + " relative to ||b||; " + f.message;
      if (f.verified) res_.y = r;
      return true;
    }
    if (b_.norm() == S(0)) {
      res_ = zero_solution<S>(A_);
      done();
      return true;
    }
    return false;
  }

  // ||X_k||_* of the feasible iterate, computed once per iteration k (the stop_below test and
  // measure() both need it at every 10th iteration). Singular values by divide and conquer: the
  // same O(eps ||X||) accuracy as the Jacobi SVD, and faster.
  S nuclear_at(const Mat<S>& Xk, int k) {
    if (k != nuc_k_) {
      nuc_cached_ = symmetric_ && Xk == Xk.transpose() ? symmetric_nuclear_norm<S>(Xk)
                                                       : S(singular_values_dc<S>(Xk).sum());
      nuc_k_ = k;
    }
    return nuc_cached_;
  }

  // stop_below: a feasible point (relative residual <= 1e-12) with ||X||_* < stop_below ends the
  // solve with status below_bound.
  bool below(const Mat<S>& Xk, int k) {
    if (!(o_.stop_below > 0)) return false;
    const double feas = dbl(relative<S>(S((A_.apply(Xk) - b_).norm()), S(b_.norm())));
    const S nuc = nuclear_at(Xk, k);
    if (feas > 1e-12 || !(nuc < S(o_.stop_below))) return false;
    res_.X = Xk;
    res_.status = SolveStatus::below_bound;
    res_.primal_residual = feas;
    res_.iterations = k;
    res_.rank = numerical_rank<S>(Xk);
    res_.message = "a feasible point with ||X||_* = " + std::to_string(dbl(nuc)) +
                   " < stop_below = " + std::to_string(o_.stop_below) + " (iteration " +
                   std::to_string(k) + "): every minimiser is below the bound";
    return true;
  }

  // Residuals of the current state. Dual estimate: y with A^* y = the projection of rho U onto
  // range A^*, scaled to ||A^* y||_op <= 1, so that <b, y> is a lower bound on the optimum.
  void measure(int k) {
    const Vec<S> y = proj_.solve_gram(A_.apply(Mat<S>(rho_ * Ud_)));
    const Mat<S> Y = A_.adjoint(y);
    const S yscale = std::max<S>(S(1), spectral_norm<S>(Y));
    const S nuc = nuclear_at(X_, k);
    res_.X = X_;
    res_.y = y / yscale;
    res_.primal_residual =
        dbl(relative<S>(S((A_.apply(X_) - b_).norm() + rp_), S(b_.norm())));
    res_.dual_residual = dbl(relative<S>(rd_, S(std::max<S>(S(1), S(X_.norm())))));
    res_.gap = dbl(relative<S>(S(nuc - b_.dot(y) / yscale), nuc));
  }

  // Z+ and U+, the residuals, and the ranks: rank_ of Z+, gap_rank_ where its singular values
  // drop most (svt's second output), stable_ = iterations the gap rank has not changed. Quadratic
  // maps keep the iterates exactly symmetric (symmetric eigendecompositions instead of SVDs);
  // with stop_below the thresholding works on the Gram matrix (svt_gram, ~5x cheaper than the
  // Jacobi SVD at d = 45; not the default, which would move every other figure's bytes).
  void update_z() {
    const Mat<S> Zold = Z_;
    rk_ = 0;
    Index grk = 0;
    Z_ = symmetric_   ? svt_symmetric<S>(Mat<S>(X_ + Ud_), S(1) / rho_, rk_, grk)
         : gram_svt_ ? svt_gram<S>(Mat<S>(X_ + Ud_), S(1) / rho_, rk_, grk)
                     : svt<S>(Mat<S>(X_ + Ud_), S(1) / rho_, rk_, grk);
    Ud_ += X_ - Z_;
    rp_ = (X_ - Z_).norm();
    rd_ = rho_ * (Z_ - Zold).norm();
    stable_ = grk == gap_rank_ ? stable_ + 1 : 0;
    rank_ = rk_;
    gap_rank_ = grk;
    ++since_polish_;
  }

  // The feasibility polish is due at a new gap rank stable for 8 iterations, and at an unchanged
  // one after polish_every_ iterations. With stop_below, not before kStopBelowNewtonAfter at ranks
  // with dim T >= m: there A(X) = b leaves a set of feasible rank-r points, the polish lands on
  // one of them rather than on the minimiser and its KKT check fails; Newton's method is the exact
  // stage at those ranks (docs/solver.md, "stop_below").
  bool polish_due(int k) const {
    return o_.polish && gap_rank_ >= 1 &&
           ((stable_ >= 8 && gap_rank_ != polished_rank_) || since_polish_ >= polish_every_) &&
           !(o_.stop_below > 0 && k < kStopBelowNewtonAfter &&
             iterate_tangent_dim<S>(A_, gap_rank_) >= A_.m());
  }

  // The polish at the gap rank, from Z with ADMM's dual estimate as a hint. The dual search by
  // alternating projections only on the first polish at a rank (repeating it made unrecoverable
  // instances cost minutes) and, with stop_below, not before kStopBelowNewtonAfter (futile on
  // the unrecovered instances of the sweeps, which the iterations refute sooner).
  bool polish_at_gap_rank(int k) {
    const bool search_allowed = !(o_.stop_below > 0) || k >= kStopBelowNewtonAfter;
    const bool first_at_rank = search_allowed && searched_ranks_.insert(gap_rank_).second;
    polish_every_ = gap_rank_ == polished_rank_ ? std::min(2 * polish_every_, kPolishEveryMax)
                                                : kPolishEvery;
    polished_rank_ = gap_rank_;
    since_polish_ = 0;
    const Vec<S> y_hint = proj_.solve_gram(A_.apply(Mat<S>(rho_ * Ud_)));
    const auto gram_solve = [this](const Vec<S>& v) { return proj_.solve_gram(v); };
    const std::function<Vec<S>(const Vec<S>&)> none;
    polish_failed_ = true;  // (unless it succeeds just below)
    if (polish<S>(A_, b_, Z_, gap_rank_, tol_, res_, &y_hint, first_at_rank ? gram_solve : none)) {
      res_.status = SolveStatus::solved;
      res_.message = "KKT conditions verified after the rank-" + std::to_string(gap_rank_) +
                     " polish";
      return true;
    }
    return false;
  }

  // The rank for Newton's method on the optimality conditions (instances whose minimiser has
  // dim T >= m: those not recovered), or -1: only after the polish at the gap rank failed once
  // (recovered instances end there, and Newton at the high ranks of the first iterations costs
  // more than ADMM itself), and with stop_below not before kStopBelowNewtonAfter (the
  // iterations refute most unrecovered instances sooner than one Newton step costs; docs/solver.md).
  // Then: the rank of Z once stable for 8 iterations, and at iterations 20, 40, 80, ... the rank
  // r <= rank Z with dim T >= m where the singular values of X drop most (s_r / s_r+1; rank Z
  // itself can sit above the minimiser's rank by a tail of tiny values for long).
  Index newton_rank_due(int k) {
    newton_stable_ = rk_ == newton_rank_seen_ ? newton_stable_ + 1 : 0;
    newton_rank_seen_ = rk_;
    Index newton_at = -1;
    const Index d1 = A_.d1(), d2 = A_.d2();
    if (o_.polish && polish_failed_ && rk_ >= 1 && tangent_dim(d1, d2, rk_) >= A_.m() &&
        (!(o_.stop_below > 0) || k >= kStopBelowNewtonAfter)) {
      if (newton_stable_ >= 8 && rk_ != newton_rank_) {
        newton_at = rk_;
      } else if (k >= next_newton_) {
        next_newton_ *= 2;
        const Vec<S> sx = singular_values<S>(X_);
        S best(-1);
        for (Index r = 1; r <= rk_ && r + 1 <= sx.size(); ++r) {
          if (tangent_dim(d1, d2, r) < A_.m() || !(sx(r) > S(0))) continue;
          const S ratio = sx(r - 1) / sx(r);
          if (ratio > best) {
            best = ratio;
            newton_at = r;
          }
        }
      }
    }
    return newton_at;
  }

  // Newton's method at rank r from Z; where its basin was not reached, once and where affordable
  // (ipm_late_flops), the interior-point method, which needs neither the rank nor a start. Its
  // iterations count against the budget (k advances by them).
  bool newton_then_interior_point(Index r, int& k) {
    newton_rank_ = r;
    const Vec<S> y_hint = proj_.solve_gram(A_.apply(Mat<S>(rho_ * Ud_)));
    if (newton_polish<S>(A_, b_, Z_, y_hint, r, tol_, res_)) {
      res_.status = SolveStatus::solved;
      res_.message = "KKT conditions verified after Newton's method at rank " +
                     std::to_string(res_.rank);
      return true;
    }
    if (ipm_tried_ || !o_.interior_point || !(ipm_flops_per_iteration<S>(A_) <= ipm_late_flops))
      return false;
    ipm_tried_ = true;
    int used = 0;
    std::string how;
    const bool ok = interior_point_polish<S>(A_, b_, tol_, o_.max_iterations - k, res_, used, how);
    k += used;
    res_.iterations = k;
    if (!ok) return false;
    res_.status = SolveStatus::solved;
    res_.message = "KKT conditions verified after " + how;
    return true;
  }

  const SensingMap<S>& A_;
  const Vec<S>& b_;
  const SolveOptions& o_;
  const double tol_;
  const Clock::time_point start_;
  AffineProjector<S> proj_;
  const bool symmetric_;  // quadratic maps: iterates kept exactly symmetric
  const bool gram_svt_;   // stop_below: thresholding on the Gram matrix
  SolveResult<S> res_;
  Mat<S> X_, Z_, Ud_;
  S rho_ = S(0), rp_ = S(0), rd_ = S(0);
  S nuc_cached_ = S(0);
  int nuc_k_ = -1;
  Index rank_ = -1, rk_ = 0, gap_rank_ = 0, stable_ = 0, polished_rank_ = -1;
  std::set<Index> searched_ranks_;
  int since_polish_ = 0, polish_every_ = kPolishEvery, next_newton_;
  bool polish_failed_ = false, ipm_tried_ = false;
  Index newton_rank_ = -1, newton_rank_seen_ = -1, newton_stable_ = 0;
};

template <class S>
SolveResult<S> admm(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o, double tol) {
  return Admm<S>(A, b, o, tol).run();
}

}  // namespace solver_detail
}  // namespace flatmin
