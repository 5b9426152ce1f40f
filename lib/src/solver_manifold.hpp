// The fast path: Gauss-Newton on the manifold of rank-r matrices, then the KKT check.
// Instantiated in solver_manifold_double.cpp (the extended-precision solves run it in double).
#pragma once

#include "solver_polish.hpp"
#include "search1d.hpp"

namespace flatmin {
namespace solver_detail {

// In the recovery regime M is the unique minimiser and A is injective on the tangent space T at
// M, so M is an isolated solution of A(X) = b on the rank-r manifold, where Gauss-Newton (least
// squares in T, then the retraction back to rank r) converges quadratically. Nothing about the
// path is trusted: at the point reached the KKT conditions are checked exactly as after the ADMM
// polish (A(X) = b, a dual y with P_T(A^* y) = UV^T and ||A^* y||_op <= 1, gap), and only then is
// the answer `solved`. Where they fail (wrong rank, a spurious feasible point, a certificate
// that the minimum-norm dual misses), ADMM decides. Cost per step: forming J_T (m x dim T) and its
// normal matrix — far below the Gram matrix A A^* (m x m) that ADMM's projection needs.

// X = U diag(s) V^T with orthonormal U (d1 x r), V (d2 x r).
template <class S> struct RankR {
  Mat<S> U, V;
  Vec<S> s;
  Mat<S> dense() const { return U * s.asDiagonal() * V.transpose(); }
};

// The least-squares system of a tangent space: J_T (explicit for dense and rank-one maps, where
// forming it costs about what one product with it does; implicit for completion, where
// J_T t = A(embed t) and J_T^T y = coordinates(A^* y) cost O(d^2 r) and the explicit matrix would
// be m x dim T) and the Cholesky factor of its normal matrix N = J_T^T J_T. For completion N is
// assembled by its block structure (A_i = w_i e_j e_k^T), at O(m r^2 q + r^2 q^2 d1) instead of
// O(m (dim T)^2):
//   N[P(k,c), P(k,c')]   = sum_{i: k_i = k} w_i^2 U(j_i,c) U(j_i,c')
//   N[C(p,c), P(k,c')]   = sum_{i: k_i = k} w_i^2 U_perp(j_i,p) V(k,c) U(j_i,c')
//   N[C(p,c), C(p',c')]  = sum_j U_perp(j,p) U_perp(j,p') B_j(c,c'),
//                          B_j = sum_{i: j_i = j} w_i^2 V(k_i,:)^T V(k_i,:).
// `injective` is false when the factorisation fails or cond(J_T) > 1e6 (pivots of the Cholesky
// factor spread by more than 1e6): A is then not (robustly) injective on T.
// The orthogonal projector onto the skew part of T, in T's coordinates: (I - Tr) / 2, Tr the
// matrix of X -> X^T on T (T is transpose-invariant at a symmetric point). Entry by entry from
// E = U P^T + Uperp C V^T, E^T = P U^T + V C^T Uperp^T, whose coordinates are
//   P' = E U = U (P^T U) + Uperp C (V^T U),   C' = Uperp^T E^T V = Uperp^T P (U^T V) + M2 C^T M2
// (M2 = Uperp^T V): O(n r^2) instead of n embeddings of d x d matrices (which took ~10 ms per
// Gauss-Newton step at d = 40).
template <class S> Mat<S> skew_projector(const Tangent<S>& T) {
  const Index d1 = T.U.rows(), d2 = T.V.rows(), r = T.U.cols(), q = T.Uperp.cols();
  const Index n = T.dim(), off = d2 * r;
  const Mat<S> M1 = T.U.transpose() * T.V, M2 = T.Uperp.transpose() * T.V;
  Mat<S> Tr = Mat<S>::Zero(n, n);
  for (Index c = 0; c < r; ++c)
    for (Index b = 0; b < r; ++b)
      for (Index k = 0; k < d2; ++k)
        for (Index a = 0; a < d1; ++a) Tr(a + d2 * c, k + d2 * b) += T.U(a, b) * T.U(k, c);
  for (Index c = 0; c < r; ++c)
    for (Index e = 0; e < r; ++e)
      for (Index p = 0; p < q; ++p) {
        for (Index a = 0; a < d1; ++a) Tr(a + d2 * c, off + p + q * e) += T.Uperp(a, p) * M1(c, e);
        for (Index k = 0; k < d1; ++k) Tr(off + p + q * c, k + d2 * e) += T.Uperp(k, p) * M1(e, c);
      }
  for (Index c = 0; c < r; ++c)
    for (Index a = 0; a < r; ++a)
      for (Index b = 0; b < q; ++b)
        for (Index p = 0; p < q; ++p) Tr(off + p + q * c, off + b + q * a) += M2(p, a) * M2(b, c);
  return (Mat<S>::Identity(n, n) - Tr) / S(2);
}

template <class S> class TangentSystem {
 public:
  explicit TangentSystem(const SensingMap<S>& A) : A_(A) {}
  // Sets up the system at T (kept by reference: T must outlive the use of the system).
  void at(const Tangent<S>& T) {
    const SensingMap<S>& A = A_;
    T_ = &T;
    const Index n = T.dim();
    Mat<S>& N = N_;
    N.setZero(n, n);
    injective_ = false;
    if (A.structure() == Structure::entries) {
      const Index d1 = A.d1(), d2 = A.d2(), r = T.U.cols(), q = T.Uperp.cols();
      std::vector<Mat<S>> B(std::size_t(d1), Mat<S>::Zero(r, r));
      for (Index i = 0; i < A.m(); ++i) {
        const auto [j, k] = A.entries()[std::size_t(i)];
        const S w2 = A.weights()(i) * A.weights()(i);
        const auto u = T.U.row(j), v = T.V.row(k);
        B[std::size_t(j)].noalias() += w2 * v.transpose() * v;
        for (Index c = 0; c < r; ++c)
          for (Index c2 = 0; c2 < r; ++c2) {
            N(k + d2 * c, k + d2 * c2) += w2 * u(c) * u(c2);
            N.col(k + d2 * c2).segment(d2 * r + q * c, q) += (w2 * v(c) * u(c2)) * T.Uperp.row(j).transpose();
          }
      }
      for (Index c = 0; c < r; ++c)
        for (Index c2 = 0; c2 <= c; ++c2) {
          Vec<S> bj(d1);
          for (Index j = 0; j < d1; ++j) bj(j) = B[std::size_t(j)](c, c2);
          N.block(d2 * r + q * c, d2 * r + q * c2, q, q).noalias() =
              T.Uperp.transpose() * bj.asDiagonal() * T.Uperp;
        }
    } else {
      tangent_jacobian<S>(A, T, J_, W_);
      N.template selfadjointView<Eigen::Lower>().rankUpdate(J_.transpose());
    }
    if (A.structure() == Structure::quadratic) {
      // A_i = x_i x_i^T sees only the symmetric part of X, so J_T vanishes on the skew part of T
      // (T is transpose-invariant at a symmetric X = U diag(s) V^T, V = U diag(signs)). Adding
      // w P_skew (the orthogonal projector onto that part, in coordinates) makes the system
      // injective without touching the symmetric part: steps stay symmetric, and the
      // minimum-norm dual still solves J_T^T y = c, since c = coordinates(U V^T) is symmetric.
      const Mat<S> Psk = skew_projector<S>(T);
      const S w = N.diagonal().maxCoeff() > S(0) ? S(N.diagonal().maxCoeff()) : S(1);
      N.template triangularView<Eigen::Lower>() += w * Psk;
    }
    llt_.compute(N);
    if (llt_.info() == Eigen::Success && n > 0) {
      const Vec<S> piv = llt_.matrixLLT().diagonal();
      injective_ = piv.minCoeff() > S(1e-6) * piv.maxCoeff();
    }
  }
  bool injective() const { return injective_; }
  Vec<S> apply(const Vec<S>& t) const {
    return explicit_() ? Vec<S>(J_ * t) : A_.apply(T_->embed(t));
  }
  Vec<S> adjoint(const Vec<S>& y) const {
    return explicit_() ? Vec<S>(J_.transpose() * y) : T_->coordinates(A_.adjoint(y));
  }
  Vec<S> solve_normal(const Vec<S>& v) const { return llt_.solve(v); }
  // argmin_t ||J_T t - v||
  Vec<S> least_squares(const Vec<S>& v) const { return solve_normal(adjoint(v)); }
  // the minimum-norm y with J_T^T y = c
  Vec<S> min_norm(const Vec<S>& c) const { return apply(solve_normal(c)); }
  Mat<S> matrix() const {
    if (explicit_()) return J_;
    Mat<S> J, W;
    tangent_jacobian<S>(A_, *T_, J, W);
    return J;
  }

 private:
  bool explicit_() const { return A_.structure() != Structure::entries; }
  const SensingMap<S>& A_;
  const Tangent<S>* T_ = nullptr;
  Mat<S> J_, W_, N_;
  Eigen::LLT<Mat<S>> llt_;
  bool injective_ = false;
};


// The retraction: the best rank-r approximation of X + embed(t). X + xi has rank <= 2r and lives
// in [U Q1] x [V Q2], so its SVD is that of a 2r x 2r core (cost O(d r^2), no d x d SVD):
//   X + xi = U (diag(s) + P^T V) V^T + U K2^T + K1 V^T,  K1 = U_perp C = Q1 R1,
//   K2 = (I - V V^T) P = Q2 R2,  core = [[diag(s) + P^T V, R2^T], [R1, 0]].
template <class S> RankR<S> retract(const RankR<S>& X, const Tangent<S>& T, const Vec<S>& t) {
  const Index d2 = X.V.rows(), r = X.U.cols(), q = T.Uperp.cols();
  const Eigen::Map<const Mat<S>> P(t.data(), d2, r), C(t.data() + d2 * r, q, r);
  const Mat<S> PV = P.transpose() * X.V;
  Mat<S> Q1, R1, Q2, R2;
  thin_qr<S>(Mat<S>(T.Uperp * C), Q1, R1);
  thin_qr<S>(Mat<S>(P - X.V * PV.transpose()), Q2, R2);
  Mat<S> core = Mat<S>::Zero(2 * r, 2 * r);
  core.topLeftCorner(r, r) = PV;
  core.topLeftCorner(r, r).diagonal() += X.s;
  core.topRightCorner(r, r) = R2.transpose();
  core.bottomLeftCorner(r, r) = R1;
  const Svd<S> d = svd<S>(core);
  Mat<S> UQ(X.U.rows(), 2 * r), VQ(d2, 2 * r);
  UQ << X.U, Q1;
  VQ << X.V, Q2;
  return {UQ * d.U.leftCols(r), VQ * d.V.leftCols(r), d.s.head(r)};
}

struct GaussNewtonStats {
  bool converged = false;
  int iterations = 0;
  double residual = 0;  // ||A(X) - b|| / max(1, ||b||) at the point returned
};

// Gauss-Newton on the rank-r manifold from X: each step solves min_t ||J_T t - (b - A(X))|| by
// the normal equations (Cholesky of J_T^T J_T; a failed or ill-conditioned factorisation, i.e.
// A not injective on T, ends the attempt), then retracts, halving the step (at most 6 times)
// until the residual decreases. Stops when the relative residual is below tol / 10 (converged),
// when a step fails to decrease it or has not halved it in 5 steps (stalled: not an isolated
// solution of this rank, or not in its basin), or after `budget` steps.
template <class S>
RankR<S> gauss_newton(const SensingMap<S>& A, const Vec<S>& b, RankR<S> X, double tol, int budget,
                      GaussNewtonStats& st) {
  const S bscale = std::max<S>(S(1), S(b.norm()));
  Vec<S> rvec = b - A.apply(X.dense());
  S rn = rvec.norm() / bscale;
  S previous = rn;
  st = GaussNewtonStats{};
  TangentSystem<S> sys(A);
  for (int it = 0; it < budget; ++it) {
    if (dbl(rn) <= tol / 10) {
      st.converged = true;
      break;
    }
    st.iterations = it + 1;
    const Tangent<S> T = tangent_at<S>(X.U, X.V);
    sys.at(T);
    if (!sys.injective()) break;
    const Vec<S> t = sys.least_squares(rvec);
    S step = S(1);
    const bool decreased = search1d::backtrack<S>(step, 5, [&](const S& a) {
      const RankR<S> Xn = retract<S>(X, T, Vec<S>(a * t));
      const Vec<S> rv = b - A.apply(Xn.dense());
      const S rnn = rv.norm() / bscale;
      if (!(rnn < rn)) return false;
      X = Xn;
      rvec = rv;
      rn = rnn;
      return true;
    });
    if (!decreased) break;
    // from the second step on the residual must fall by 30% a step (near an isolated solution
    // Gauss-Newton converges quadratically; at a wrong rank it stalls at ratios above 0.8)
    if (it >= 1 && !(rn < S(0.7) * previous)) break;
    previous = rn;
  }
  st.residual = dbl(rn);
  if (dbl(rn) <= tol / 10) st.converged = true;
  return X;
}

// The spectral start: the best rank-r approximation of A^*(b), scaled to fit b best in the
// least-squares sense. Returns the top `rmax` singular triplets (from the eigenvectors of Z^T Z:
// a starting point needs no more accuracy), of which each attempt takes the leading r.
// The other families have E[<A_i, M> A_i] proportional to M. Quadratic maps (A_i = x_i x_i^T,
// x_i ~ N(0, C)) have E[<A_i, M> A_i] = 2 C M C + tr(CM) C, whose bias tr(CM) C = E[b_i] E[A_i]
// hides the negative eigenvalues of M: A^*(b - mean(b) 1) removes it. For C = I that is
// A^*(b) - m mean(b) I, but the flat program's map is composed with D^{-1} (C = D^{-2}), where
// subtracting a multiple of I left a wrong start for signed M (measured: quadnn d = 10, m = 580,
// half of the flat trials then missed the manifold path).
template <class S> RankR<S> spectral_start(const SensingMap<S>& A, const Vec<S>& b, Index rmax) {
  const Mat<S> Z = A.structure() == Structure::quadratic
                       ? A.adjoint(Vec<S>(b.array() - b.mean()))
                       : A.adjoint(b);
  Eigen::SelfAdjointEigenSolver<Mat<S>> es(Mat<S>(Z.transpose() * Z));
  RankR<S> X;
  X.V = es.eigenvectors().rightCols(rmax).rowwise().reverse();
  X.s = es.eigenvalues().tail(rmax).reverse().cwiseMax(S(0)).cwiseSqrt();
  Mat<S> R;
  thin_qr<S>(Mat<S>(Z * X.V), X.U, R);  // Z V = U diag(s) up to signs: take the signs from R
  for (Index c = 0; c < rmax; ++c)
    if (R(c, c) < S(0)) X.U.col(c) = -X.U.col(c);
  return X;
}

template <class S> RankR<S> leading(const RankR<S>& X, Index r) {
  return {X.U.leftCols(r), X.V.leftCols(r), X.s.head(r)};
}


// Ranks r = 1, 2, ... (while dim T <= m and r <= min(d1, d2)): Gauss-Newton from the spectral
// start; at a converged point, the KKT check with the minimum-norm dual, then with a dual found
// by alternating projections. True (res filled, status solved) when a KKT point was verified.
// Each Gauss-Newton step counts against `budget`; `used` returns the steps taken.
template <class S>
bool manifold_path(const SensingMap<S>& A, const Vec<S>& b, double tol, int budget,
                   SolveResult<S>& res, int& used) {
  used = 0;
  const Index d1 = A.d1(), d2 = A.d2(), m = A.m();
  // dim T (for a quadratic map: of its symmetric part) must not exceed m
  Index rmax = 0;
  while (rmax < std::min(d1, d2) && iterate_tangent_dim<S>(A, rmax + 1) <= m) ++rmax;
  if (rmax == 0 || A.structure() == Structure::identity) return false;
  const RankR<S> start = spectral_start<S>(A, b, rmax);
  for (Index r = 1; r <= rmax && used < budget; ++r) {
    RankR<S> X = leading<S>(start, r);
    const Vec<S> ax = A.apply(X.dense());
    const S axn = ax.squaredNorm();
    if (axn > S(0)) X.s *= ax.dot(b) / axn;
    if (X.s.minCoeff() < S(0)) {  // a negative fit: flip the sign through U
      X.U = -X.U;
      X.s = -X.s;
    }
    GaussNewtonStats st;
    X = gauss_newton<S>(A, b, X, tol, std::min(30, budget - used), st);
    used += st.iterations;
    if (!st.converged) continue;
    const Tangent<S> T = tangent_at<S>(X.U, X.V);
    TangentSystem<S> sys(A);
    sys.at(T);
    const Mat<S> Xd = X.dense();
    SolveResult<S> trial = res;
    const S nuc = X.s.cwiseAbs().sum();
    const Vec<S> c = tangent_rhs<S>(T);
    Vec<S> y = sys.min_norm(c);
    bool ok = kkt_holds<S>(A, b, Xd, T, y, tol, trial, &nuc);
    if (!ok && trial.primal_residual <= tol) {
      const Vec<S> one = Vec<S>::Ones(m);
      const Vec<S> ys = shifted_dual<S>(A, T, y, Vec<S>(one - sys.min_norm(sys.adjoint(one))));
      if (kkt_holds<S>(A, b, Xd, T, ys, tol, trial, &nuc)) {
        ok = true;
        y = ys;
      }
    }
    if (!ok && trial.primal_residual <= tol) {
      const Vec<S> zero = Vec<S>::Zero(m);
      const AffineProjector<S> proj(A, zero);
      const std::function<Vec<S>(const Vec<S>&)> gs = [&proj](const Vec<S>& v) { return proj.solve_gram(v); };
      y = dual_by_alternating_projections<S>(A, T, sys.matrix(), c, y, gs);
      ok = kkt_holds<S>(A, b, Xd, T, y, tol, trial, &nuc);
    }
    if (ok) {
      trial.X = Xd;
      trial.y = y;
      trial.rank = r;
      trial.status = SolveStatus::solved;
      trial.message = "KKT conditions verified at the rank-" + std::to_string(r) +
                      " point found by Gauss-Newton on the manifold (" +
                      std::to_string(st.iterations) + " steps)";
      res = trial;
      return true;
    }
    // feasible rank-r point that is not a verified minimiser: a higher rank will not be
    // a minimiser of this kind either; ADMM decides
    return false;
  }
  return false;
}

}  // namespace solver_detail
}  // namespace flatmin
