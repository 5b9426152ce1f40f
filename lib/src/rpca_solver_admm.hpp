// The robust-PCA solver's first-order phase: ADMM with the polish, as the steps of run_admm
// (solver_common.hpp). Included by rpca_solver_impl.hpp.
#pragma once

#include "rpca_solver_stages.hpp"

namespace flatmin {
namespace rpca_detail {

// ADMM with polish (the whole method in one precision; used in double), as the steps of
// run_admm (solver_common.hpp):
//   S_k = P_B(Y - Z + U), X_k = Y - S_k      projection of Z - U onto {||Y - X||_1 <= tau}
//   Z_k = SVT_{1/rho}(X_k + U)                prox of ||.||_* / rho
//   U  += X_k - Z_k                           scaled dual ascent (rho U: a subgradient at Z_k)
//   r_p = ||X_k - Z_k||_F,  r_d = rho ||Z_k - Z_{k-1}||_F
template <class S> class RpcaAdmm {
 public:
  RpcaAdmm(const Mat<S>& Y, const S& tau, const SolveOptions& o, double tol, Phase<S>& ph)
      : Y_(Y), tau_(tau), tol_(tol), polish_(o.polish), max_iterations_(o.max_iterations),
        ph_(ph), res_(ph.res), Z_(Mat<S>::Zero(Y.rows(), Y.cols())),
        Ud_(Mat<S>::Zero(Y.rows(), Y.cols())), Sk_(project_l1_ball<S>(Y, tau)), X_(Y - Sk_),
        rho_(S(1) / (S(0.1) * std::max<S>(operator_norm<S>(X_), S(1e-300)))),
        prev_sign_(Mat<S>::Zero(Y.rows(), Y.cols())) {}

  // ---- the steps of the loop
  bool iterate(int) {
    Sk_ = project_l1_ball<S>(Mat<S>(Y_ - Z_ + Ud_), tau_);
    X_ = Y_ - Sk_;
    const Mat<S> Zold = Z_;
    Index rk = 0, grk = 0;
    Z_ = svt<S>(Mat<S>(X_ + Ud_), S(S(1) / rho_), rk, grk);
    Ud_ += X_ - Z_;
    rp_ = (X_ - Z_).norm();
    dz_ = (Z_ - Zold).norm();
    rd_ = rho_ * dz_;
    if (!finite()) return false;  // the loop ends it (not_finite) before the structure is read
    pat_ = pattern_of<S>(Sk_);
    stable_support_ = (pat_.sign.array() == prev_sign_.array()).all() ? stable_support_ + 1 : 0;
    prev_sign_ = pat_.sign;
    stable_rank_ = grk == gap_rank_ ? stable_rank_ + 1 : 0;
    gap_rank_ = grk;
    rank_ = rk;
    ph_.structure = gap_rank_ >= 1 && !pat_.cells.empty();
    ph_.rank = gap_rank_;
    ph_.pat = pat_;
    ph_.start = Z_;
    ++since_polish_;
    return false;
  }
  // Residual balancing (Boyd et al. 2011, 3.4.1) on the relative residuals (as OSQP's):
  // ||X - Z|| / max(||X||, ||Z||) against ||rho dZ|| / ||rho U||, within a factor 10; both are
  // invariant under Y, X, Z, U -> c Y, c X, c Z, c U and rho -> rho / c. Then the KKT check of
  // ADMM's own (X, rho U).
  bool balance_and_test() {
    if (!finite()) return false;
    const S xz = std::max<S>(S(X_.norm()), S(Z_.norm())), un = Ud_.norm();
    const S rp_rel = xz > S(0) ? S(rp_ / xz) : rp_, rd_rel = un > S(0) ? S(dz_ / un) : rd_;
    solver_detail::balance_penalty(rp_rel, rd_rel, rho_, Ud_);
    const RpcaKkt kk = measure();
    if (!kk.holds(tol_)) return false;
    res_.status = SolveStatus::solved;
    res_.rank = rank_;  // of Z, the thresholded iterate (X itself is feasible, not low-rank)
    res_.message = "ADMM's own (X, rho U) passed the KKT check";
    return true;
  }
  // The polish at the gap rank on the support and signs of S once both have been stable for 8
  // iterations (and are new), or every 60 iterations.
  bool exact_stages(int&) {
    if (!finite()) return false;
    const bool new_structure = gap_rank_ != polished_rank_ || polished_sign_.size() == 0 ||
                               !(pat_.sign.array() == polished_sign_.array()).all();
    if (!(polish_ && ph_.structure &&
          ((stable_rank_ >= 8 && stable_support_ >= 8 && new_structure) || since_polish_ >= 60)))
      return false;
    polished_rank_ = gap_rank_;
    polished_sign_ = pat_.sign;
    since_polish_ = 0;
    const Mat<S> hint = rho_ * Ud_;
    if (!polish<S>(Y_, tau_, Z_, gap_rank_, pat_, tol_, &hint, res_, newton_)) return false;
    res_.status = SolveStatus::solved;
    res_.message = "KKT conditions verified after the rank-" + std::to_string(gap_rank_) +
                   " polish on a support of " + std::to_string(pat_.cells.size()) +
                   " entries (" + std::to_string(newton_) + " Newton steps in all)";
    ph_.start = res_.X;
    ph_.W = stored_dual<S>(res_, Y_.rows(), Y_.cols());
    return true;
  }
  bool finite() const { return is_finite(rp_) && is_finite(rd_); }
  // the feasible iterate with W = rho U and NaN residuals, no structure to polish from
  void not_finite() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    res_.X = X_;
    store_dual<S>(Mat<S>(rho_ * Ud_), res_);
    res_.primal_residual = res_.dual_residual = res_.gap = nan;
    res_.rank = rank_;
    ph_.structure = false;
  }
  void budget_spent() {
    measure();
    res_.rank = rank_;
    res_.message = "no verified KKT point within " + std::to_string(max_iterations_) +
                   " ADMM iterations (consensus ||X - Z||_F = " + to_string(rp_, 3) +
                   "); residuals of the feasible iterate X with W = rho U";
  }

 private:
  // the ADMM state's residuals: (X feasible, W = rho U)
  RpcaKkt measure() {
    const Mat<S> W = rho_ * Ud_;
    res_.X = X_;
    store_dual<S>(W, res_);
    ph_.W = W;
    return fill_residuals<S>(Y_, tau_, X_, W, 0.0, res_);
  }

  const Mat<S>& Y_;
  const S tau_;
  const double tol_;
  const bool polish_;
  const int max_iterations_;
  Phase<S>& ph_;
  SolveResult<S>& res_;
  Mat<S> Z_, Ud_, Sk_, X_;
  S rho_;
  Mat<S> prev_sign_, polished_sign_;
  Pattern<S> pat_;
  Index gap_rank_ = 0, polished_rank_ = -1, rank_ = 0;
  int stable_rank_ = 0, stable_support_ = 0, since_polish_ = 0, newton_ = 0;
  S rp_ = S(0), rd_ = S(0), dz_ = S(0);
};

template <class S> Phase<S> admm(const Mat<S>& Y, const S& tau, const SolveOptions& o, double tol) {
  Phase<S> ph;
  RpcaAdmm<S> a(Y, tau, o, tol, ph);
  solver_detail::run_admm(a, ph.res, o.max_iterations);
  return ph;
}

}  // namespace rpca_detail
}  // namespace flatmin
