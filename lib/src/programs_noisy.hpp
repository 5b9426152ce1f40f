// Definitions of the noisy nuclear-norm program of flatmin/programs.hpp (min ||X||_* s.t.
// ||A(X) - b|| <= eps), included only by programs_noisy_<type>.cpp. The formulas and the method
// are stated in the header.
#pragma once

#include "programs_common.hpp"
#include "search1d.hpp"

namespace flatmin {

// ---------------------------------------------------------------------------------------------
// Noisy nuclear norm

namespace programs_detail {

// The optimality check of the noisy program at X (rank r, singular vectors U, V) with dual y.
// Accepted when X is feasible to tol and the gap to the dual value of y / max(1, ||A^* y||_op)
// (exactly dual feasible) is <= tol: by weak duality ||X||_* then exceeds the optimum by at most
// tol max(1, ||X||_*). The residual of P_T(A^* y) = UV^T is reported (dual_residual) but not
// required: y = nu (b - A(X)) carries the rounding error of b - A(X) amplified by
// nu ~ ||y|| / eps (see the tolerance in the header).
template <class S>
bool noisy_kkt(const SensingMap<S>& A, const Vec<S>& b, const S& eps, const Mat<S>& X,
               const Mat<S>& U, const Mat<S>& V, const Vec<S>& y, double tol, SolveResult<S>& res) {
  const Mat<S> Y = A.adjoint(y);
  const Index r = U.cols();
  const Mat<S> UtY = U.transpose() * Y;
  const Mat<S> PtY = U * UtY + (Y - U * UtY) * V * V.transpose();
  const S eq = (PtY - U * V.transpose()).norm() / sqrt_s<S>(S(double(std::max<Index>(r, 1))));
  const S yscale = std::max<S>(S(1), operator_norm<S>(Y));
  const S nuc = nuclear_norm<S>(X);
  const S dual_value = (b.dot(y) - eps * y.norm()) / yscale;
  const S resid = (A.apply(X) - b).norm();
  res.primal_residual = dbl(rel<S>(std::max<S>(S(0), S(resid - eps)), S(b.norm())));
  res.dual_residual = dbl(eq);
  res.gap = dbl(rel<S>(S(nuc - dual_value), nuc));
  return res.primal_residual <= tol && std::abs(res.gap) <= tol;
}

// J: m x (d1 + d2) r, row i = (vec(A_i R), vec(A_i^T L)) (column-major), so that
// J (vec dL, vec dR) = A(dL R^T + L dR^T).
template <class S> Mat<S> factor_jacobian(const SensingMap<S>& A, const Mat<S>& L, const Mat<S>& R) {
  const Index d1 = A.d1(), d2 = A.d2(), r = L.cols(), m = A.m();
  Mat<S> J(m, (d1 + d2) * r);
  for (Index i = 0; i < m; ++i) {
    const Mat<S> Ai = A.matrix(i);
    const Mat<S> AR = Ai * R, AL = Ai.transpose() * L;
    J.row(i).head(d1 * r) = Eigen::Map<const Vec<S>>(AR.data(), d1 * r).transpose();
    J.row(i).tail(d2 * r) = Eigen::Map<const Vec<S>>(AL.data(), d2 * r).transpose();
  }
  return J;
}

template <class S> void balanced_factors(const Mat<S>& X, Index r, Mat<S>& L, Mat<S>& R) {
  const Svd<S> d = svd<S>(X);
  Vec<S> sq(r);
  for (Index i = 0; i < r; ++i) sq(i) = sqrt_s<S>(d.s(i));
  L = d.U.leftCols(r) * sq.asDiagonal();
  R = d.V.leftCols(r) * sq.asDiagonal();
}

// The SVD of X = L R^T from its factors: L = Q_L T_L, R = Q_R T_R (thin QR), T_L T_R^T =
// W diag(s) Z^T, U = Q_L W, V = Q_R Z. The singular vectors of small singular values come out
// accurate to rounding relative to the factors, not to ||X|| / sigma_r as from the rounded
// product (at a noisy solution with sigma_r / sigma_1 ~ 1e-5 this is the difference between a
// P_T residual of 1e-14 and of 1e-11).
template <class S> void factor_svd(const Mat<S>& L, const Mat<S>& R, Mat<S>& U, Vec<S>& s, Mat<S>& V) {
  const Index r = L.cols();
  const Eigen::HouseholderQR<Mat<S>> ql(L), qr(R);
  const Mat<S> QL = ql.householderQ() * Mat<S>::Identity(L.rows(), r);
  const Mat<S> QR = qr.householderQ() * Mat<S>::Identity(R.rows(), r);
  const Mat<S> TL = ql.matrixQR().topRows(r).template triangularView<Eigen::Upper>();
  const Mat<S> TR = qr.matrixQR().topRows(r).template triangularView<Eigen::Upper>();
  const Svd<S> d = svd<S>(Mat<S>(TL * TR.transpose()));
  U = QL * d.U;
  V = QR * d.V;
  s = d.s;
}

// eps = 0 (the noiseless program) from balanced factors L, R of rank r: Gauss-Newton on
// A(L R^T) = b (minimum-norm steps), then y from J^T y = (L, R) (P_T(A^* y) = U V^T at balanced
// factors), or ADMM's estimate corrected onto that equation.
template <class S>
bool noiseless_polish(const SensingMap<S>& A, const Vec<S>& b, const S& eps, Mat<S> L, Mat<S> R,
                      const Vec<S>* y_hint, double tol, SolveResult<S>& res) {
  const Index d1 = A.d1(), d2 = A.d2(), r = L.cols();
  const S bscale = std::max<S>(S(1), S(b.norm()));
  Mat<S> U, V;
  SolveResult<S> trial = res;
  const auto pack = [&](const Mat<S>& l, const Mat<S>& rr) {
    Vec<S> u((d1 + d2) * r);
    u.head(d1 * r) = Eigen::Map<const Vec<S>>(l.data(), d1 * r);
    u.tail(d2 * r) = Eigen::Map<const Vec<S>>(rr.data(), d2 * r);
    return u;
  };
  const auto add = [&](const Vec<S>& du) {
    L += Eigen::Map<const Mat<S>>(du.data(), d1, r);
    R += Eigen::Map<const Mat<S>>(du.data() + d1 * r, d2, r);
  };
  // noiseless: Gauss-Newton on A(L R^T) = b (minimum-norm steps), then the dual
  S last(-1);
  for (int it = 0; it < 40; ++it) {
    const Vec<S> rv = A.apply(Mat<S>(L * R.transpose())) - b;
    const S rn = rv.norm() / bscale;
    if (dbl(rn) <= tol / 10) break;
    if (last >= S(0) && !(rn < last / S(2)) && it > 3) break;
    last = rn;
    const Mat<S> J = factor_jacobian<S>(A, L, R);
    add(Vec<S>(-Eigen::CompleteOrthogonalDecomposition<Mat<S>>(J).solve(rv)));
  }
  Vec<S> sv;
  factor_svd<S>(L, R, U, sv, V);
  for (Index i = 0; i < r; ++i) sv(i) = sqrt_s<S>(sv(i));
  L = U * sv.asDiagonal();
  R = V * sv.asDiagonal();
  const Mat<S> X = L * R.transpose();
  const Mat<S> J = factor_jacobian<S>(A, L, R);
  const Vec<S> c = pack(L, R);
  const Eigen::CompleteOrthogonalDecomposition<Mat<S>> codT(Mat<S>(J.transpose()));
  Vec<S> y = codT.solve(c);  // J^T y = (L, R): P_T(A^* y) = U V^T at balanced factors
  bool ok = noisy_kkt<S>(A, b, eps, X, U, V, y, tol, trial);
  if (!ok && y_hint) {
    y = *y_hint + codT.solve(Vec<S>(c - J.transpose() * *y_hint));
    ok = noisy_kkt<S>(A, b, eps, X, U, V, y, tol, trial);
  }
  return ok && solver_detail::adopt<S>(trial, X, y, r, res);
}

// The Jacobian of noisy_polish's F at (L, R, mu), nu = mu / eps, rv = A(L R^T) - b:
// [[I + nu (J^T J + K), J^T r / eps]; [r^T J / eps, 0]], K: (dL, dR) -> (Y dR, Y^T dL), Y = A^*(r),
// with the orbit's null directions made nonsingular (below).
template <class S>
Mat<S> noisy_jacobian(const SensingMap<S>& A, const Mat<S>& L, const Mat<S>& R, const Vec<S>& rv,
                      const S& nu, const S& eps) {
  const Index d1 = A.d1(), d2 = A.d2(), r = L.cols(), n_u = (d1 + d2) * r;
  const Mat<S> J = factor_jacobian<S>(A, L, R);
  Mat<S> Jac = Mat<S>::Zero(n_u + 1, n_u + 1);
  Jac.topLeftCorner(n_u, n_u).template selfadjointView<Eigen::Lower>().rankUpdate(J.transpose(), nu);
  Jac.topLeftCorner(n_u, n_u) =
      Mat<S>(Jac.topLeftCorner(n_u, n_u)).template selfadjointView<Eigen::Lower>();
  Jac.topLeftCorner(n_u, n_u).diagonal().array() += S(1);
  const Mat<S> Y = A.adjoint(rv);
  for (Index k = 0; k < r; ++k) {  // K: (dL, dR) -> (Y dR, Y^T dL), times nu
    Jac.block(k * d1, d1 * r + k * d2, d1, d2) += nu * Y;
    Jac.block(d1 * r + k * d2, k * d1, d2, d1) += nu * Y.transpose();
  }
  const Vec<S> Jr = J.transpose() * rv / eps;
  Jac.col(n_u).head(n_u) = Jr;
  Jac.row(n_u).head(n_u) = Jr.transpose();
  // The orbit (L Q, R Q), Q orthogonal, leaves the problem invariant: its tangent directions
  // (L Omega, R Omega), Omega skew, are null vectors of the Jacobian at a solution (and F is
  // orthogonal to them). Adding c P (P the orthogonal projector onto them) makes the matrix
  // nonsingular without changing the step on their complement; then LU (a third of the cost
  // of a complete orthogonal decomposition), with the decomposition as the fallback.
  const Index ng = r * (r - 1) / 2;
  if (ng > 0) {
    Mat<S> G = Mat<S>::Zero(n_u + 1, ng);
    Index c = 0;
    for (Index p = 0; p < r; ++p)
      for (Index q = p + 1; q < r; ++q, ++c) {
        G.col(c).segment(p * d1, d1) = -L.col(q);
        G.col(c).segment(q * d1, d1) = L.col(p);
        G.col(c).segment(d1 * r + p * d2, d2) = -R.col(q);
        G.col(c).segment(d1 * r + q * d2, d2) = R.col(p);
      }
    const Eigen::HouseholderQR<Mat<S>> gq(G);
    const Mat<S> Q = gq.householderQ() * Mat<S>::Identity(n_u + 1, ng);
    const S scale = Jac.diagonal().head(n_u).mean();
    Jac.template selfadjointView<Eigen::Lower>().rankUpdate(Q, scale);
    Jac.template triangularView<Eigen::StrictlyUpper>() = Jac.transpose();
  }
  return Jac;
}

// The rank adjustment at a Newton point of noisy_polish (see there): the components above
// tiny sigma_1 kept, one added for every singular value > 1 + tol of P_T^perp(A^* y); false when
// nothing changes, nothing is left, or nu <= 0 (the polish then gives up).
template <class S>
bool noisy_adjust_rank(const SensingMap<S>& A, const Vec<S>& b, const S& eps, const S& mu,
                       double tol, Mat<S>& L, Mat<S>& R) {
  const Index d1 = A.d1(), d2 = A.d2();
  const S tiny = S(1e3) * ScalarTraits<S>::epsilon();
  const Index r = L.cols();
  const Vec<S> rv = A.apply(Mat<S>(L * R.transpose())) - b;
  Mat<S> Uc, Vc;
  Vec<S> sv;
  factor_svd<S>(L, R, Uc, sv, Vc);
  const S nu = mu / eps;
  const Mat<S> Y = A.adjoint(Vec<S>(-nu * rv));
  const Mat<S> UtY = Uc.transpose() * Y;
  Mat<S> W = Y - Uc * UtY;
  W -= W * Vc * Vc.transpose();
  const Svd<S> dw = svd<S>(W);
  Index keep = 0;
  for (Index i = 0; i < r; ++i)
    if (sv(i) > tiny * sv(0)) ++keep;
  Index add_k = 0;
  for (Index i = 0; i < dw.s.size() && keep + add_k < std::min(d1, d2); ++i)
    if (dw.s(i) > S(1) + S(tol)) ++add_k;
  if (add_k == 0 && keep == r) return false;
  if (keep == 0 || !(nu > S(0))) return false;
  Mat<S> Ln(d1, keep + add_k), Rn(d2, keep + add_k);
  for (Index i = 0; i < keep; ++i) {
    Ln.col(i) = Uc.col(i) * sqrt_s<S>(sv(i));
    Rn.col(i) = Vc.col(i) * sqrt_s<S>(sv(i));
  }
  for (Index i = 0; i < add_k; ++i) {
    const Mat<S> uv = dw.U.col(i) * dw.V.col(i).transpose();
    const S an = A.apply(uv).squaredNorm();
    S t = an > S(0) ? S((dw.s(i) - S(1)) / (nu * an)) : S(0);
    t = std::max<S>(t, tiny * sv(0));
    Ln.col(keep + i) = dw.U.col(i) * sqrt_s<S>(t);
    Rn.col(keep + i) = dw.V.col(i) * sqrt_s<S>(t);
  }
  L = Ln;
  R = Rn;
  return true;
}

// The polish at rank r from X0 (see the header); on success fills res and returns true.
template <class S>
bool noisy_polish(const SensingMap<S>& A, const Vec<S>& b, const S& eps, const Mat<S>& X0, Index r,
                  const Vec<S>* y_hint, double tol, SolveResult<S>& res) {
  const Index d1 = A.d1(), d2 = A.d2();
  if (r < 1 || r > std::min(d1, d2)) return false;
  Mat<S> L, R;
  balanced_factors<S>(X0, r, L, R);
  if (eps == S(0)) return noiseless_polish<S>(A, b, eps, L, R, y_hint, tol, res);
  SolveResult<S> trial = res;
  // eps > 0: Newton on the stationarity of the factored problem with the multiplier nu, with
  // rank adaptation (at most 10 rounds, 60 Newton steps in all): after Newton has converged at
  // rank r, components whose singular value collapsed are dropped, and for every singular value
  // sigma > 1 + tol of P_T^perp(A^* y) (the KKT condition the rank-r point violates: adding
  // t u v^T for its singular pair decreases the Lagrangian) a component is added, of the size
  // t = (sigma - 1) / (nu ||A(u v^T)||^2) that minimises t + (nu/2) ||r + t A(u v^T)||^2.
  // Components that are not part of the solution then collapse under Newton and are dropped
  // as soon as sigma_i <= 1e-2 tol sigma_1 (invisible at the tolerance).
  // Scaled: mu = nu eps (= ||y|| at ||r|| = eps, of order one), the last equation divided by
  // eps, so that every block of F and of the Jacobian is of order one whatever eps:
  // F = [L + (mu/eps) A^*(r) R; R + (mu/eps) A^*(r)^T L; (||r||^2 - eps^2) / (2 eps)].
  Vec<S> rv = A.apply(Mat<S>(L * R.transpose())) - b;
  S mu(0);
  if (y_hint && rv.squaredNorm() > S(0))
    mu = eps * std::max<S>(S(0), S(-y_hint->dot(rv) / rv.squaredNorm()));
  if (!(mu > S(0))) return false;  // the dual estimate is not yet aligned with b - A(X)
  const auto residual = [&](const Mat<S>& l, const Mat<S>& rr, const S& mu_) {
    const Index k = l.cols();
    const Vec<S> rvec = A.apply(Mat<S>(l * rr.transpose())) - b;
    const Mat<S> Y = A.adjoint(rvec);
    const S n = mu_ / eps;
    Vec<S> F((d1 + d2) * k + 1);
    Eigen::Map<Mat<S>>(F.data(), d1, k) = l + n * Y * rr;
    Eigen::Map<Mat<S>>(F.data() + d1 * k, d2, k) = rr + n * Y.transpose() * l;
    F((d1 + d2) * k) = (rvec.squaredNorm() - eps * eps) / (S(2) * eps);
    return F;
  };
  const S tiny = S(1e3) * ScalarTraits<S>::epsilon();
  const S negligible = S(1e-2) * S(tol);  // relative size of a component dropped as collapsed
  // balanced factors of the components of L R^T above `rel` sigma_1
  const auto rebalance = [&](const S& rel) {
    Mat<S> Uc, Vc;
    Vec<S> sv;
    factor_svd<S>(L, R, Uc, sv, Vc);
    Index k = 0;
    while (k < sv.size() && sv(k) > rel * sv(0)) ++k;
    Vec<S> sq(k);
    for (Index i = 0; i < k; ++i) sq(i) = sqrt_s<S>(sv(i));
    L = Uc.leftCols(k) * sq.asDiagonal();
    R = Vc.leftCols(k) * sq.asDiagonal();
  };
  int steps = 0;  // Newton steps of this call, all rounds: at most 60
  for (int round = 0; round < 10 && steps < 60; ++round) {
    Vec<S> F = residual(L, R, mu);
    const S f0 = F.norm();
    S flast = f0;
    int slow = 0;  // consecutive steps that reduced ||F|| by less than 10 %
    for (; steps < 60; ++steps) {
      {  // collapsed components (sigma_i <= 1e-2 tol sigma_1) are dropped as soon as they appear
        Mat<S> Uc, Vc;
        Vec<S> sv;
        factor_svd<S>(L, R, Uc, sv, Vc);
        if (sv(sv.size() - 1) <= negligible * sv(0)) {
          rebalance(negligible);
          F = residual(L, R, mu);
        }
      }
      const Index r = L.cols(), n_u = (d1 + d2) * r;
      rv = A.apply(Mat<S>(L * R.transpose())) - b;
      const Mat<S> X = L * R.transpose();
      Mat<S> Uc, Vc;
      Vec<S> sv;
      factor_svd<S>(L, R, Uc, sv, Vc);
      const S nu = mu / eps;
      const Vec<S> y = -nu * rv;
      const bool kk = noisy_kkt<S>(A, b, eps, X, Uc, Vc, y, tol, trial);
      if (kk) {
        Index rank = 0;  // numerical rank: singular values > 1e3 eps sigma_1
        for (Index i = 0; i < r; ++i) rank += sv(i) > tiny * sv(0);
        return solver_detail::adopt<S>(trial, X, y, rank, res);
      }
      const S fn = F.norm();
      if (!is_finite(fn)) return false;
      const Mat<S> Jac = noisy_jacobian<S>(A, L, R, rv, nu, eps);
      Vec<S> step = -Eigen::PartialPivLU<Mat<S>>(Jac).solve(F);
      if (!is_finite(S(step.norm())) || (Jac * step + F).norm() > S(1e-6) * fn)
        step = -Eigen::CompleteOrthogonalDecomposition<Mat<S>>(Jac).solve(F);
      // damped: the largest of 1, 1/2, ..., 2^-20 that decreases ||F||
      S a(1);
      const bool moved = search1d::backtrack<S>(a, 20, [&](const S& t) {
        const Mat<S> Ln = L + t * Eigen::Map<const Mat<S>>(step.data(), d1, r);
        const Mat<S> Rn = R + t * Eigen::Map<const Mat<S>>(step.data() + d1 * r, d2, r);
        const S mun = mu + t * step(n_u);
        const Vec<S> Fn = residual(Ln, Rn, mun);
        if (!(is_finite(S(Fn.norm())) && Fn.norm() < fn)) return false;
        L = Ln;
        R = Rn;
        mu = mun;
        slow = Fn.norm() > S(0.9) * fn ? slow + 1 : 0;
        F = Fn;
        return true;
      });
      // stop the round: no decrease, five slow steps, or at the rounding floor (less than
      // quadratic progress once ||F|| is 1e-6 of where the round started)
      const S fnew = F.norm();
      const bool floor = fnew < S(1e-6) * f0 && fnew > S(0.5) * flast;
      flast = fnew;
      if (!moved || slow >= 5 || floor) {
        ++steps;
        break;
      }
    }
    if (!noisy_adjust_rank<S>(A, b, eps, mu, tol, L, R)) return false;
  }
  return false;
}

// The default tolerance of the noisy program (see the header): max(default, 10 eps_mach ||b|| /
// eps) for eps > 0; an explicit o.tol is used as given.
template <class S> double noisy_tol(double asked, const Vec<S>& b, const S& eps) {
  const double t = default_tol<S>(asked);
  if (asked > 0 || !(eps > S(0))) return t;
  return std::max(t, 10 * epsilon_of<S>() * dbl(S(b.norm() / eps)));
}

// The noisy program's ADMM (see the header) as the steps of run_admm (solver_common.hpp): with
// the map scaled to mean ||A_i||^2 = 1 (As = A / s, bs = b / s, es = eps / s) and the residual
// w = As(X) - bs split off,
//   X+ = (I + As^* As)^{-1} (Z - U + As^*(bs + w - v))   (one Cholesky factor of I + As As^*)
//   Z+ = prox_{||.||_* / rho}(X+ + U)                    singular value thresholding
//   w+ = Proj_{||.|| <= es}(As(X+) - bs + v)             projection onto the ball
//   U+ = U + X+ - Z+,   v+ = v + As(X+) - bs - w+
//   r_p = ||(X+ - Z+, As(X+) - bs - w+)||,  r_d = rho ||Z+ - Z + As^*(w+ - w)||
// y = -rho v / s is the dual estimate.
template <class S> class NoisyAdmm {
 public:
  NoisyAdmm(const SensingMap<S>& A, const Vec<S>& b, const S& eps, const Eigen::LLT<Mat<S>>& llt,
            const S& s, const Mat<S>& Xls, const SolveOptions& o, double tol, SolveResult<S>& res)
      : A_(A), b_(b), eps_(eps), llt_(llt), s_(s), bs_(b / s), es_(eps / s), tol_(tol),
        polish_(o.polish), res_(res), Z_(Mat<S>::Zero(A.d1(), A.d2())),
        U_(Mat<S>::Zero(A.d1(), A.d2())), X_(Xls), w_(Vec<S>::Zero(A.m())),
        v_(Vec<S>::Zero(A.m())), ax_(As(Xls)), rho_(S(1) / (S(0.1) * operator_norm<S>(Xls))) {}

  // ---- the steps of the loop
  bool iterate(int) {
    const Mat<S> Rhs = Z_ - U_ + Ats(Vec<S>(bs_ + w_ - v_));
    X_ = Rhs - Ats(Vec<S>(llt_.solve(As(Rhs))));
    ax_ = As(X_);
    const Mat<S> Zold = Z_;
    const Vec<S> wold = w_;
    Index rk = 0, grk = 0;
    Z_ = solver_detail::svt<S>(Mat<S>(X_ + U_), S(S(1) / rho_), rk, grk);
    const Vec<S> t = ax_ - bs_ + v_;
    const S tn = t.norm();
    w_ = tn > es_ ? Vec<S>(t * (es_ / tn)) : t;
    U_ += X_ - Z_;
    v_ += ax_ - bs_ - w_;
    rp_ = sqrt_s<S>(S((X_ - Z_).squaredNorm() + (ax_ - bs_ - w_).squaredNorm()));
    rd_ = rho_ * (Z_ - Zold + Ats(Vec<S>(w_ - wold))).norm();
    stable_ = rk == rank_ ? stable_ + 1 : 0;
    rank_ = rk;
    ++since_polish_;
    return false;
  }
  // Residual balancing on the relative residuals (as OSQP's): rp / ||(X, Z, A X, b + w)||
  // against (rd / rho) / ||(U, v)||, both invariant under b, eps, X, Z, w, U, v -> c (.) and
  // rho -> rho / c; then weak duality.
  bool balance_and_test() {
    const S primal_size = sqrt_s<S>(S(X_.squaredNorm() + Z_.squaredNorm() + ax_.squaredNorm() +
                                      Vec<S>(bs_ + w_).squaredNorm()));
    const S dual_size = sqrt_s<S>(S(U_.squaredNorm() + v_.squaredNorm()));
    const S rp_rel = primal_size > S(0) ? S(rp_ / primal_size) : rp_;
    const S rd_rel = dual_size > S(0) ? S(rd_ / rho_ / dual_size) : rd_;
    solver_detail::balance_penalty(rp_rel, rd_rel, rho_, U_, v_);
    measure();
    if (res_.primal_residual <= tol_ && std::abs(res_.gap) <= tol_) {
      res_.status = SolveStatus::solved;
      res_.rank = rank_;
      res_.message = "ADMM met the tolerance (feasibility and gap with a dual-feasible y)";
      return true;
    }
    return false;
  }
  // The polish at the gap rank when it has been stable for 8 iterations and was not tried yet;
  // every 60 iterations at the rank of the thresholded iterate (exact once ADMM has converged).
  bool exact_stages(int&) {
    const bool by_rank = stable_ >= 8 && rank_ >= 1 &&
                         std::find(tried_.begin(), tried_.end(), rank_) == tried_.end();
    if (!(polish_ && (by_rank || (since_polish_ >= 60 && rank_ >= 1)))) return false;
    const Index r = rank_;
    tried_.push_back(r);
    since_polish_ = 0;
    const Vec<S> y_hint = dual_estimate();
    if (!(r >= 1 && noisy_polish<S>(A_, b_, eps_, Z_, r, &y_hint, tol_, res_))) return false;
    res_.status = SolveStatus::solved;
    res_.message = "optimality verified (feasibility and duality gap) after the rank-" +
                   std::to_string(res_.rank) + " polish";
    return true;
  }
  bool finite() const { return std::isfinite(dbl(rp_)) && std::isfinite(dbl(rd_)); }
  void not_finite() {}
  void budget_spent() {
    measure();
    res_.rank = rank_;
  }

 private:
  Vec<S> As(const Mat<S>& X) const { return Vec<S>(A_.apply(X) / s_); }
  Mat<S> Ats(const Vec<S>& v) const { return Mat<S>(A_.adjoint(Vec<S>(v / s_))); }
  Vec<S> dual_estimate() const { return Vec<S>(-rho_ * v_ / s_); }
  void measure() {
    const Vec<S> y = dual_estimate();
    const S yscale = std::max<S>(S(1), operator_norm<S>(A_.adjoint(y)));
    const S nuc = nuclear_norm<S>(X_);
    res_.X = X_;
    res_.y = y / yscale;
    res_.primal_residual =
        dbl(rel<S>(std::max<S>(S(0), S((A_.apply(X_) - b_).norm() - eps_)), S(b_.norm())));
    res_.dual_residual = dbl(rel<S>(rd_, S(X_.norm())));
    res_.gap = dbl(rel<S>(S(nuc - (b_.dot(y) - eps_ * y.norm()) / yscale), nuc));
  }

  const SensingMap<S>& A_;
  const Vec<S>& b_;
  const S eps_;
  const Eigen::LLT<Mat<S>>& llt_;
  const S s_;
  const Vec<S> bs_;
  const S es_;
  const double tol_;
  const bool polish_;
  SolveResult<S>& res_;
  Mat<S> Z_, U_, X_;
  Vec<S> w_, v_, ax_;
  S rho_;
  Index rank_ = 0;
  std::vector<Index> tried_;  // ranks polished before: retried only on the 60-iteration timer
  int stable_ = 0, since_polish_ = 0;
  S rp_ = S(0), rd_ = S(0);
};

template <class S>
SolveResult<S> noisy_admm(const SensingMap<S>& A, const Vec<S>& b, const S& eps,
                          const SolveOptions& o, double tol) {
  SolveResult<S> res;
  const Index d1 = A.d1(), d2 = A.d2(), m = A.m();
  // feasibility: the least-squares residual must not exceed eps
  const Mat<S> G = solver_detail::gram(A);
  const solver_detail::AffineProjector<S> proj(A, b, G);
  const Mat<S> Xls = proj.project(Mat<S>::Zero(d1, d2));
  const S rls = (A.apply(Xls) - b).norm();
  const S bscale = std::max<S>(S(1), S(b.norm()));
  res.X = Xls;
  res.y = Vec<S>::Zero(m);
  if (dbl(S((rls - eps) / bscale)) > feasibility_margin<S>(tol, m)) {
    res.status = SolveStatus::infeasible;
    res.primal_residual = dbl(S((rls - eps) / bscale));
    res.message = "||A(X) - b|| <= eps has no solution: the least-squares residual is " +
                  std::to_string(dbl(rls)) + " > eps = " + std::to_string(dbl(eps));
    return res;
  }
  // the map scaled to mean ||A_i||^2 = 1: As = A / s, bs = b / s, es = eps / s
  const S s2 = G.trace() / S(double(m));
  const S s = sqrt_s<S>(s2);
  Mat<S> G1 = G / s2;
  G1.diagonal().array() += S(1);
  const Eigen::LLT<Mat<S>> llt(G1);
  if (llt.info() != Eigen::Success) {
    res.status = SolveStatus::numerical_trouble;
    res.message = "I + A A^* could not be factored";
    return res;
  }
  NoisyAdmm<S> admm(A, b, eps, llt, s, Xls, o, tol, res);
  solver_detail::run_admm(admm, res, o.max_iterations);
  return res;
}

// Every precision's first phase runs in double: compiled once, in programs_noisy_double.cpp (the
// quad translation unit needed 2.4 GB with its own copy).
extern template SolveResult<double> noisy_admm<double>(const SensingMap<double>&,
                                                       const Vec<double>&, const double&,
                                                       const SolveOptions&, double);

}  // namespace programs_detail

namespace programs_detail {
// solve_noisy on its scale-free form
template <class S>
SolveResult<S> noisy_scale_free(const SensingMap<S>& A, const Vec<S>& b, const S& eps,
                                const SolveOptions& o);
}  // namespace programs_detail

template <class S>
SolveResult<S> solve_noisy(const SensingMap<S>& A, const Vec<S>& b, const S& eps, const SolveOptions& o) {
  using namespace programs_detail;
  if (A.m() == 0) throw InvalidArgument("solve_noisy: the map has no measurements (m = 0)");
  if (b.size() != A.m())
    throw InvalidArgument("solve_noisy: b has length " + std::to_string(b.size()) +
                          ", expected m = " + std::to_string(A.m()));
  require_finite(b, "solve_noisy: b");
  if (!is_finite(eps) || eps < S(0))
    throw InvalidArgument("solve_noisy: eps must be finite and >= 0, got " + to_string(eps));
  if (o.max_iterations < 1 || o.max_iterations > 10000000)
    throw InvalidArgument("solve_noisy: max_iterations must be in [1, 1e7]");
  if (!(o.tol >= 0) || !std::isfinite(o.tol)) throw InvalidArgument("solve_noisy: tol must be >= 0");
  const auto start = Clock::now();
  // The scale-free form (solver_common.hpp): every row times 2^-g, g the largest row exponent
  // (the constraint is a norm of the residual, which weighs the rows alike), then b and eps
  // times 2^-ex; X = 2^ex X', y = 2^-g y'.
  const std::vector<int> e = A.row_exponents();
  const int g = *std::max_element(e.begin(), e.end());
  const ScaleFree<S> q = scale_free<S>(A, b, std::vector<int>(e.size(), g), "solve_noisy");
  const S eps_q = times_pow2<S>(eps, -(g + q.ex));
  if (eps > S(0) && !(eps_q > S(0) && is_finite(eps_q)))
    throw InvalidArgument("solve_noisy: eps = " + to_string(eps) +
                          " is out of all proportion to b and A (not representable at their scale)");
  SolveResult<S> res = noisy_scale_free<S>(q.A, q.b, eps_q, o);
  scale_back(res, q);
  res.seconds = seconds_since<S>(start);
  return res;
}

template <class S>
SolveResult<S> programs_detail::noisy_scale_free(const SensingMap<S>& A, const Vec<S>& b,
                                                 const S& eps, const SolveOptions& o) {
  const double tol = noisy_tol<S>(o.tol, b, eps);
  SolveResult<S> res;
  if (b.norm() <= eps) {  // X = 0 is feasible, and optimal
    res.X = Mat<S>::Zero(A.d1(), A.d2());
    res.y = Vec<S>::Zero(A.m());
    res.status = SolveStatus::solved;
    res.message = "||b|| <= eps: X = 0";
    return res;
  }
  if constexpr (std::is_same_v<S, double>) {
    res = noisy_admm<S>(A, b, eps, o, tol);
  } else {
    const SensingMap<double> Ad = A.template cast<double>();
    const Vec<double> bd = b.unaryExpr([](const S& x) { return to_double(x); });
    const double tol_d = noisy_tol<double>(0.0, bd, to_double(eps));
    const SolveResult<double> rd = noisy_admm<double>(Ad, bd, to_double(eps), o, tol_d);
    solver_detail::polish_in_extended_precision<S>(
        rd, o.polish, res,
        [&](SolveResult<S>& rs) {
          const Vec<S> hint = rs.y;
          return noisy_polish<S>(A, b, eps, rs.X, rd.rank, &hint, tol, rs);
        },
        [](const SolveResult<S>& rs) {
          return "optimality verified in extended precision (feasibility and duality gap) "
                 "after the rank-" + std::to_string(rs.rank) + " polish";
        });
  }
  res.message += " (tol " + to_string(tol, 3) + ")";
  return res;
}

#define FLATMIN_INSTANTIATE_NOISY(S)                                                             \
  template SolveResult<S> solve_noisy<S>(const SensingMap<S>&, const Vec<S>&, const S&,           \
                                         const SolveOptions&);

}  // namespace flatmin
