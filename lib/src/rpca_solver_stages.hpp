// The robust-PCA solver's building blocks (flatmin/rpca_solver.hpp): the tangent-space
// helpers, the KKT residuals of a pair, the polish on a support pattern, the trivial cases. Used by
// rpca_solver_admm.hpp and rpca_solver_impl.hpp. Self-contained: the tangent-space helpers follow
// the nuclear-norm solver's (solver_impl.hpp) conventions but are kept here so that the two
// solvers can change independently.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/QR>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "flatmin/linalg.hpp"
#include "flatmin/rpca.hpp"
#include "flatmin/rpca_solver.hpp"
#include "search1d.hpp"
#include "solver_common.hpp"

namespace flatmin {
namespace rpca_detail {

using Clock = std::chrono::steady_clock;

// shared with the nuclear-norm solver (solver_common.hpp)
using solver_detail::dbl;
using solver_detail::default_tol;
using solver_detail::svt;
using solver_detail::Tangent;
using solver_detail::tangent_at;
using solver_detail::truncate;

template <class S> S inner(const Mat<S>& A, const Mat<S>& B) {
  S acc(0);
  for (Index j = 0; j < A.cols(); ++j)
    for (Index i = 0; i < A.rows(); ++i) acc += A(i, j) * B(i, j);
  return acc;
}
template <class S> S max_abs(const Mat<S>& A) {
  S m(0);
  for (Index j = 0; j < A.cols(); ++j)
    for (Index i = 0; i < A.rows(); ++i) m = std::max<S>(m, abs_of(A(i, j)));
  return m;
}

template <class S> void validate(const Mat<S>& Y, const S& tau, const SolveOptions& o) {
  if (Y.rows() == 0 || Y.cols() == 0)
    throw InvalidArgument("solve_rpca: Y is empty (" + std::to_string(Y.rows()) + " x " +
                          std::to_string(Y.cols()) + ")");
  require_finite(Y, "solve_rpca: Y");
  if (!is_finite(tau)) throw InvalidArgument("solve_rpca: tau is not finite");
  if (tau < S(0))
    throw InvalidArgument("solve_rpca: tau (the radius of the l1 ball) must be non-negative, got " +
                          to_string(tau, 6));
  if (o.max_iterations < 1 || o.max_iterations > 10000000)
    throw InvalidArgument("solve_rpca: max_iterations must be in [1, 1e7]");
  if (!(o.tol >= 0) || !std::isfinite(o.tol)) throw InvalidArgument("solve_rpca: tol must be >= 0");
}

// The support Omega of a sparse matrix and its signs sigma (+-1 on Omega, 0 elsewhere).
template <class S> struct Pattern {
  Mat<S> sign;
  std::vector<std::pair<Index, Index>> cells;  // Omega in column-major order
};
template <class S> Pattern<S> pattern_of(const Mat<S>& Sp) {
  Pattern<S> p;
  p.sign = Mat<S>::Zero(Sp.rows(), Sp.cols());
  for (Index j = 0; j < Sp.cols(); ++j)
    for (Index i = 0; i < Sp.rows(); ++i)
      if (Sp(i, j) != S(0)) {
        p.sign(i, j) = Sp(i, j) > S(0) ? S(1) : S(-1);
        p.cells.push_back({i, j});
      }
  return p;
}

// The linear constraint map of the polish in tangent coordinates. With sigma_hat = sigma /
// sqrt|Omega|, A(X) = (X_ij for (i,j) off Omega; <sigma_hat, X>) is a partial isometry whose
// adjoint maps onto the subspace R = {W : W = lambda sigma on Omega}; A^* A = P_R, the orthogonal
// projection onto R (keep the entries off Omega, replace the Omega part by <sigma_hat, W>
// sigma_hat). J = A o embed (T coordinates -> constraint values) has the normal matrix
//   N = J^T J = I - B^T B + s s^T,   B: rows = coordinates of e_i e_j^T, (i,j) in Omega;
//                                    s = coordinates of sigma_hat = B^T sigma_hat.
// N0 = I - B^T B is the normal matrix without the sigma row (the map P_Omega^c on T).
template <class S> struct Linearised {
  const Pattern<S>* pat = nullptr;
  Mat<S> B, N, N0;
  Vec<S> s;
  S root_n = S(1);  // sqrt|Omega|

  Mat<S> P_R(const Mat<S>& W) const {
    Mat<S> out = W;
    S acc(0);
    for (const auto& c : pat->cells) acc += pat->sign(c.first, c.second) * W(c.first, c.second);
    acc /= root_n;  // <sigma_hat, W>
    for (const auto& c : pat->cells) out(c.first, c.second) = acc * pat->sign(c.first, c.second) / root_n;
    return out;
  }
  Mat<S> P_off(const Mat<S>& W) const {  // P_Omega^c
    Mat<S> out = W;
    for (const auto& c : pat->cells) out(c.first, c.second) = S(0);
    return out;
  }
};

// Coordinates of the unit matrix e_i e_j^T in T (Tangent::coordinates of it, by formula):
// P block (d2 x r): row j = U.row(i); C block (q x r): C(a, k) = Uperp(i, a) V(j, k).
template <class S> Vec<S> cell_coordinates(const Tangent<S>& T, Index i, Index j) {
  const Index d2 = T.V.rows(), r = T.U.cols(), q = T.Uperp.cols();
  Vec<S> t = Vec<S>::Zero(T.dim());
  for (Index k = 0; k < r; ++k) {
    t(k * d2 + j) = T.U(i, k);
    for (Index a = 0; a < q; ++a) t(d2 * r + k * q + a) = T.Uperp(i, a) * T.V(j, k);
  }
  return t;
}

template <class S> Linearised<S> linearise(const Tangent<S>& T, const Pattern<S>& pat) {
  Linearised<S> L;
  L.pat = &pat;
  const Index n = Index(pat.cells.size()), dim = T.dim();
  using std::sqrt;
  L.root_n = n > 0 ? S(sqrt(S(double(n)))) : S(1);
  L.B.resize(n, dim);
  for (Index c = 0; c < n; ++c)
    L.B.row(c) = cell_coordinates<S>(T, pat.cells[std::size_t(c)].first,
                                     pat.cells[std::size_t(c)].second).transpose();
  Vec<S> sh(n);
  for (Index c = 0; c < n; ++c)
    sh(c) = pat.sign(pat.cells[std::size_t(c)].first, pat.cells[std::size_t(c)].second) / L.root_n;
  L.s = L.B.transpose() * sh;
  L.N0 = Mat<S>::Identity(dim, dim);
  L.N0.template selfadjointView<Eigen::Lower>().rankUpdate(L.B.transpose(), S(-1));
  L.N0 = Mat<S>(L.N0.template selfadjointView<Eigen::Lower>());
  L.N = L.N0 + L.s * L.s.transpose();
  return L;
}

// Cholesky of a normal matrix, accepted when its pivots are not lost in rounding
// (min diag(L)^2 > 1e3 dim eps max diag(L)^2): the map is injective with room to spare.
template <class S> bool factor(const Mat<S>& N, Eigen::LLT<Mat<S>>& llt) {
  llt.compute(N);
  if (llt.info() != Eigen::Success) return false;
  const Vec<S> d = Mat<S>(llt.matrixL()).diagonal();
  if (d.size() == 0) return true;
  const S lo = d.minCoeff(), hi = d.maxCoeff();
  return lo * lo > S(1e3) * S(double(N.rows())) * ScalarTraits<S>::epsilon() * hi * hi;
}

// The coordinates of U V^T in T: (V, 0).
template <class S> Vec<S> uvt_coordinates(const Tangent<S>& T) {
  Vec<S> c = Vec<S>::Zero(T.dim());
  Eigen::Map<Mat<S>>(c.data(), T.V.rows(), T.U.cols()) = T.V;
  return c;
}

template <class S> Mat<S> perp_part(const Tangent<S>& T, const Mat<S>& W) {  // P_T^perp(W)
  Mat<S> P = W - T.U * (T.U.transpose() * W);
  P -= (P * T.V) * T.V.transpose();
  return P;
}

// Dual candidates in R with P_T(W) = U V^T (see the header). Each returns an empty matrix when
// it cannot be formed.
template <class S>
Mat<S> dual_from_hint(const Tangent<S>& T, const Linearised<S>& L, const Eigen::LLT<Mat<S>>& llt,
                      const Mat<S>& hint) {
  const Mat<S> Wh = L.P_R(hint);
  const Vec<S> g = llt.solve(Vec<S>(uvt_coordinates<S>(T) - T.coordinates(Wh)));
  return Wh + L.P_R(T.embed(g));
}
template <class S>
Mat<S> dual_min_norm(const Tangent<S>& T, const Linearised<S>& L, const Eigen::LLT<Mat<S>>& llt) {
  return L.P_R(T.embed(Vec<S>(llt.solve(uvt_coordinates<S>(T)))));
}

// Margins of a candidate (exact-arithmetic quantities of certify_rpca (iii)); lambda is the
// common value W_ij / sigma_ij on Omega (their mean; they agree by construction).
template <class S> struct Margins {
  S lambda = S(0), op = S(0), off = S(0);  // ||P_T^perp W||_op, max_{Omega^c} |W_ij|
  S margin_op() const { return S(1) - op; }
  S margin_inf() const { return lambda > S(0) ? S(S(1) - off / lambda) : S(-1); }
  S worst() const { return std::min<S>(margin_op(), margin_inf()); }
};
template <class S>
Margins<S> margins(const Tangent<S>& T, const Linearised<S>& L, const Mat<S>& W) {
  Margins<S> m;
  const Pattern<S>& p = *L.pat;
  S acc(0);
  for (const auto& c : p.cells) acc += p.sign(c.first, c.second) * W(c.first, c.second);
  m.lambda = p.cells.empty() ? S(0) : S(acc / S(double(p.cells.size())));
  m.off = max_abs<S>(L.P_off(W));
  m.op = operator_norm<S>(perp_part<S>(T, W));
  return m;
}

// The lambda search: for a fixed multiplier lambda (per cell), the minimum-norm W in R with
// P_T(W) = U V^T is W(lambda) = w0 + lambda (sigma - w1), w0 = P_off(embed(N0^{-1} c)),
// w1 = P_off(embed(N0^{-1} coords(sigma))). Both conditions of (iii) are convex in lambda:
//   f1 = ||P_T^perp W(lambda)||_op - 1,  f2 = (max_{Omega^c} |w0 - lambda w1| - lambda) / lambda_ref,
// so g = max(f1, f2) is convex; it is minimised by golden section on [0, hi] (hi doubled while g
// still decreases there; at most 30 doublings and 60 sections). Empty when N0 is singular.
template <class S>
Mat<S> dual_lambda_search(const Tangent<S>& T, const Linearised<S>& L, const S& lambda_ref) {
  Eigen::LLT<Mat<S>> llt0;
  if (L.pat->cells.empty() || !factor<S>(L.N0, llt0)) return Mat<S>();
  const Vec<S> g0 = llt0.solve(uvt_coordinates<S>(T));
  const Vec<S> g1 = llt0.solve(Vec<S>(L.s * L.root_n));  // coordinates of sigma = root_n s
  const Mat<S> w0 = L.P_off(T.embed(g0)), w1 = L.P_off(T.embed(g1));
  const Mat<S> dir = L.pat->sign - w1;
  const S ref = lambda_ref > S(0) ? lambda_ref : std::max<S>(max_abs<S>(w0), S(1e-300));
  const auto g = [&](const S& lam) {
    const Mat<S> W = w0 + lam * dir;
    const S f1 = operator_norm<S>(perp_part<S>(T, W)) - S(1);
    const S f2 = (max_abs<S>(Mat<S>(w0 - lam * w1)) - lam) / ref;
    return std::max<S>(f1, f2);
  };
  S hi = S(2) * ref;
  for (int k = 0; k < 30 && g(hi) < g(S(hi / S(2))); ++k) hi *= S(2);
  // the ratio rounded to double, then converted (in quad and mp50 it differs from solver_polish's)
  const S ratio = S((std::sqrt(5.0) - 1) / 2);
  const S lam =
      search1d::golden_section<S>(g, S(0), hi, 60, ratio, search1d::Ties::keep_left).x;
  return Mat<S>(w0 + lam * dir);
}

// KKT residuals into a SolveResult (dual_residual as documented in the header).
template <class S>
RpcaKkt fill_residuals(const Mat<S>& Y, const S& tau, const Mat<S>& X, const Mat<S>& W,
                       double structural, SolveResult<S>& res) {
  const RpcaKkt k = rpca_kkt<S>(Y, tau, X, W);
  res.primal_residual = k.primal;
  res.dual_residual = std::max({structural, k.dual_norm, std::abs(k.subgradient),
                                std::abs(k.normal_cone)});
  res.gap = k.gap;
  return k;
}

template <class S> void store_dual(const Mat<S>& W, SolveResult<S>& res) {
  res.y = Eigen::Map<const Vec<S>>(W.data(), W.size());
}
// The dual matrix stored by store_dual (y is W column-major).
template <class S> Mat<S> stored_dual(const SolveResult<S>& res, Index d1, Index d2) {
  return Eigen::Map<const Mat<S>>(res.y.data(), d1, d2);
}

// The polish from X0 at rank r with the support and signs of `pat`; true (and res filled with X,
// W, residuals) when the KKT check passes. newton: Newton steps taken.
template <class S>
bool polish(const Mat<S>& Y, const S& tau, const Mat<S>& X0, Index r, const Pattern<S>& pat,
            double tol, const Mat<S>* hint, SolveResult<S>& res, int& newton) {
  const Index d1 = Y.rows(), d2 = Y.cols();
  if (r < 1 || r >= std::min(d1, d2) + 1 || pat.cells.empty()) return false;
  using std::sqrt;
  const S eps = ScalarTraits<S>::epsilon();
  const S scale = std::max<S>(S(1), S(Y.norm()));
  Mat<S> U, V;
  Mat<S> X = truncate<S>(X0, r, &U, &V);
  Linearised<S> L;
  Tangent<S> T;
  const S tau_hat = tau / (pat.cells.empty() ? S(1) : S(sqrt(S(double(pat.cells.size())))));
  // the residual b - A(X) mapped back by A^*: R = P_off(Y - X) + e sigma_hat
  const auto residual = [&](const Mat<S>& Xc, S& norm) {
    const Mat<S> D = Y - Xc;
    S e(0);
    for (const auto& c : pat.cells) e += pat.sign(c.first, c.second) * D(c.first, c.second);
    const S rn = S(sqrt(S(double(pat.cells.size()))));
    e = e / rn - tau_hat;
    Mat<S> R = D;
    for (const auto& c : pat.cells) R(c.first, c.second) = e * pat.sign(c.first, c.second) / rn;
    norm = S(R.norm()) / scale;  // ||b - A(X)|| (A^* is an isometry)
    return R;
  };
  // Newton: stop at the rounding level (100 eps), when a step does not decrease the residual
  // (rounding level reached), or when 8 steps have not brought it below 1e-6 (wrong structure).
  S rn(0), best = S(-1);
  Mat<S> Xbest = X, Ubest = U, Vbest = V;
  Eigen::LLT<Mat<S>> llt;
  for (int it = 0; it < 30; ++it) {
    const Mat<S> R = residual(X, rn);
    if (!is_finite(rn)) break;
    if (best >= S(0) && !(rn < best)) break;
    best = rn;
    Xbest = X;
    Ubest = U;
    Vbest = V;
    if (rn <= S(100) * eps) break;
    if (it >= 8 && rn > S(1e-6)) break;
    T = tangent_at<S>(U, V);
    L = linearise<S>(T, pat);
    if (!factor<S>(L.N, llt)) return false;  // not isolated: J not injective on T
    const Vec<S> t = llt.solve(T.coordinates(R));
    X = truncate<S>(Mat<S>(X + T.embed(t)), r, &U, &V);
    ++newton;
  }
  X = Xbest;
  U = Ubest;
  V = Vbest;
  T = tangent_at<S>(U, V);
  L = linearise<S>(T, pat);
  if (!factor<S>(L.N, llt)) return false;
  const Vec<S> c = uvt_coordinates<S>(T);
  const S rr = S(sqrt(S(double(r))));
  SolveResult<S> trial = res;
  const auto attempt = [&](const Mat<S>& W) {
    if (W.size() == 0) return false;
    const double structural = dbl(S(S((T.coordinates(W) - c).norm()) / rr));
    const RpcaKkt k = fill_residuals<S>(Y, tau, X, W, structural, trial);
    if (!(k.holds(tol) && structural <= tol)) return false;
    trial.X = X;
    store_dual<S>(W, trial);
    trial.rank = r;
    return true;
  };
  bool ok = hint && attempt(dual_from_hint<S>(T, L, llt, *hint));
  Mat<S> Wmn;
  if (!ok) ok = attempt(Wmn = dual_min_norm<S>(T, L, llt));
  if (!ok && trial.primal_residual <= tol) {
    const Margins<S> m = margins<S>(T, L, Wmn);
    ok = attempt(dual_lambda_search<S>(T, L, m.lambda));
  }
  if (ok) res = trial;
  return ok;
}

template <class S> Index numerical_rank_of(const Mat<S>& X) {
  const Vec<S> s = singular_values<S>(X);
  Index r = 0;
  for (Index i = 0; i < s.size(); ++i)
    if (s(i) > S(1e3) * ScalarTraits<S>::epsilon() * s(0)) ++r;
  return r;
}

// The outcome of a phase, with the structure an extended-precision polish starts from.
template <class S> struct Phase {
  SolveResult<S> res;
  bool structure = false;  // rank, pattern and start are meaningful
  Index rank = 0;
  Pattern<S> pat;
  Mat<S> start;  // the low-rank point to polish from
  Mat<S> W;      // the dual (ADMM's rho U, or the polished one)
};

// The trivial cases; true when one applied (res filled).
template <class S>
bool trivial(const Mat<S>& Y, const S& tau, double tol, SolveResult<S>& res) {
  const Index d1 = Y.rows(), d2 = Y.cols();
  if (l1_norm<S>(Y) <= tau) {
    res.X = Mat<S>::Zero(d1, d2);
    const Mat<S> W = Mat<S>::Zero(d1, d2);
    const RpcaKkt k = fill_residuals<S>(Y, tau, res.X, W, 0.0, res);
    store_dual<S>(W, res);
    res.rank = 0;
    res.status = k.holds(tol) ? SolveStatus::solved : SolveStatus::numerical_trouble;
    res.message = "||Y||_{1,1} <= tau: X = 0 is feasible and has the least nuclear norm";
    return true;
  }
  if (tau == S(0)) {
    res.X = Y;
    const Svd<S> d = svd<S>(Y);
    const Index r = numerical_rank_of<S>(Y);
    const Mat<S> W = d.U.leftCols(r) * d.V.leftCols(r).transpose();
    const RpcaKkt k = fill_residuals<S>(Y, tau, res.X, W, 0.0, res);
    store_dual<S>(W, res);
    res.rank = r;
    res.status = k.holds(tol) ? SolveStatus::solved : SolveStatus::numerical_trouble;
    res.message = "tau = 0: X = Y is the only feasible point";
    return true;
  }
  return false;
}

}  // namespace rpca_detail
}  // namespace flatmin
