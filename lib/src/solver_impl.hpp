// Definitions of flatmin/solver.hpp, included only by solver_<type>.cpp (one translation unit per
// scalar type: the QR / Cholesky instantiations are heavy).
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/QR>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <iomanip>
#include <set>
#include <sstream>
#include <type_traits>

#include "flatmin/linalg.hpp"
#include "flatmin/solver.hpp"
#include "solver_common.hpp"
#include "solver_ipm.hpp"

namespace flatmin {
namespace solver_detail {

// J_T: m x dim T, row i = coordinates of A_i (so J_T t = A(embed(t)), J_T^T y = coordinates(A^* y)).
template <class S> Mat<S> tangent_matrix(const SensingMap<S>& A, const Tangent<S>& T) {
  const Index m = A.m();
  Mat<S> J(m, T.dim());
  for (Index i = 0; i < m; ++i) J.row(i) = T.coordinates(A.matrix(i)).transpose();
  return J;
}

// J_T (same layout as tangent_matrix: t = [vec P (d2 x r); vec C (q x r)], column-major) by the
// structure of A, without forming the matrices A_i one by one.
// Writes into J (and the workspace W for dense maps); both keep their storage across calls of the
// same shape (fresh m x dim T matrices in every Gauss-Newton step cost more in page faults than
// the arithmetic).
template <class S>
void tangent_jacobian(const SensingMap<S>& A, const Tangent<S>& T, Mat<S>& J, Mat<S>& W) {
  const Index m = A.m(), d1 = A.d1(), d2 = A.d2(), r = T.U.cols(), q = T.Uperp.cols();
  J.resize(m, T.dim());
  switch (A.structure()) {
    case Structure::dense: {
      // R(i, j d2 + k) = A_i(j, k). P-part (A_i^T U)(k, c) = sum_j A_i(j, k) U(j, c);
      // C-part (U_perp^T A_i V)(p, c) = sum_j U_perp(j, p) (A_i V)(j, c).
      // Memory of R read as an (m d2) x d1 matrix: entry (i + m k, j) = A_i(j, k); the P-part of
      // J, read as an (m d2) x r matrix, has entry (i + m k, c) = J(i, k + d2 c): one product.
      const Mat<S>& R = A.dense_rows();
      const Eigen::Map<const Mat<S>> Rv(R.data(), m * d2, d1);
      // (matrix-vector products throughout: with r columns a matrix product would first copy R)
      for (Index c = 0; c < r; ++c)
        Eigen::Map<Vec<S>>(J.data() + m * d2 * c, m * d2).noalias() = Rv * T.U.col(c);
      W.resize(m * r, d1);  // W(i + m c, j) = (A_i V)(j, c)
      for (Index j = 0; j < d1; ++j)
        for (Index c = 0; c < r; ++c)
          W.col(j).segment(c * m, m).noalias() = R.middleCols(j * d2, d2) * T.V.col(c);
      for (Index c = 0; c < r; ++c)
        J.middleCols(d2 * r + c * q, q).noalias() = W.middleRows(c * m, m) * T.Uperp;
      return;
    }
    case Structure::rank_one:
    case Structure::quadratic: {
      // A_i = w_i a_i b_i^T: P(k, c) = w_i b_i(k) (a_i^T U)(c), C(p, c) = w_i (U_perp^T a_i)(p) (b_i^T V)(c)
      // (quadratic: a_i = b_i = x_i, w_i = 1)
      const bool quad_map = A.structure() == Structure::quadratic;
      const Mat<S>& a = A.left();
      const Mat<S>& bb = quad_map ? A.left() : A.right();
      const Vec<S> w = quad_map ? Vec<S>(Vec<S>::Ones(m)) : A.weights();
      const Mat<S> aU = a * T.U, aQ = a * T.Uperp, bV = bb * T.V;
      for (Index c = 0; c < r; ++c) {
        J.middleCols(c * d2, d2) = w.cwiseProduct(aU.col(c)).asDiagonal() * bb;
        J.middleCols(d2 * r + c * q, q) = w.cwiseProduct(bV.col(c)).asDiagonal() * aQ;
      }
      return;
    }
    case Structure::entries: {
      // A_i = w_i e_j e_k^T: P(k, c) = w_i U(j, c), C(p, c) = w_i U_perp(j, p) V(k, c)
      J.setZero();
      for (Index i = 0; i < m; ++i) {
        const auto [j, k] = A.entries()[std::size_t(i)];
        const S w = A.weights()(i);
        for (Index c = 0; c < r; ++c) {
          J(i, k + d2 * c) = w * T.U(j, c);
          // (q = 0 at full rank: no row view of the empty U_perp, whose data pointer is null)
          if (q > 0) J.row(i).segment(d2 * r + c * q, q) = (w * T.V(k, c)) * T.Uperp.row(j);
        }
      }
      return;
    }
    default: J = tangent_matrix<S>(A, T);
  }
}

template <class S> S relative(const S& num, const S& scale) {
  return num / std::max<S>(S(1), scale);
}

// ||Z||_op from the eigenvalues of the smaller Gram matrix of Z (absolute error ~ eps ||Z||, as
// good as an SVD for the comparisons with 1 made here, and several times cheaper).
template <class S> S spectral_norm(const Mat<S>& Z) {
  if (Z.size() == 0) return S(0);
  const Mat<S> G = Z.rows() <= Z.cols() ? Mat<S>(Z * Z.transpose()) : Mat<S>(Z.transpose() * Z);
  Eigen::SelfAdjointEigenSolver<Mat<S>> es(G, Eigen::EigenvaluesOnly);
  const S top = es.eigenvalues()(G.rows() - 1);
  return top > S(0) ? S(sqrt(top)) : S(0);
}

// KKT check at (X rank r with factors U, V; dual y). Fills the result's residuals.
// `nuclear`, when given, is ||X||_* known from a factored form U diag(s) V^T with orthonormal
// U, V (sum of s): it saves the d x d SVD.
template <class S>
bool kkt_holds(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& X, const Tangent<S>& T,
               const Vec<S>& y, double tol, SolveResult<S>& res, const S* nuclear = nullptr) {
  const Mat<S> Y = A.adjoint(y);
  const Index r = T.U.cols();
  const Mat<S> PtY = T.U * (T.U.transpose() * Y) + (Y - T.U * (T.U.transpose() * Y)) * T.V * T.V.transpose();
  const S eq = (PtY - T.U * T.V.transpose()).norm() / sqrt(S(double(std::max<Index>(r, 1))));
  const S opn = spectral_norm<S>(Mat<S>(Y - PtY));
  const S yscale = std::max<S>(S(1), spectral_norm<S>(Y));
  const S nuc = nuclear ? *nuclear : nuclear_norm<S>(X);
  const S gap = relative<S>(S(nuc - b.dot(y) / yscale), nuc);
  res.primal_residual = dbl(relative<S>(S((A.apply(X) - b).norm()), S(b.norm())));
  res.dual_residual = dbl(eq);
  res.gap = dbl(gap);
  return res.primal_residual <= tol && res.dual_residual <= tol && dbl(opn) <= 1 + tol &&
         std::abs(res.gap) <= tol;
}


// A dual certificate at a primal point found exactly: Y = A^* y with P_T(Y) = UV^T and
// ||P_T^perp(Y)||_op < 1, searched for between the affine set Aff = {A^* y : J_T^T y = c}
// (Frobenius projection: y = G^{-1}(A(W) - J_T lambda) with (J_T^T G^{-1} J_T) lambda =
// J_T^T G^{-1} A(W) - c) and the convex set C = {P_T(Y) = UV^T, ||P_T^perp(Y)||_op <= 1 - delta}
// (clip the singular values). Alternating projections Y <- Pi_Aff(Pi_C(Y)) are the projected
// gradient method, step 1, for phi(Y) = dist(Y, C)^2 / 2 on Aff (phi is 1-smooth); this is its
// accelerated form (FISTA: the projections are taken at the extrapolated point
// V = Y_k + beta_k (Y_k - Y_k-1)) with the gradient restart of O'Donoghue and Candes (momentum
// off when <V - Y_k+1, Y_k+1 - Y_k> > 0), which keeps the cost of a round (one eigensolve of the
// d2 x d2 matrix P^T P, one Gram solve) and cuts the rounds. Measured on shard 1/4 of the A-fig3
// sweep (1,401 searches in solves, 854 in certificates): successful searches took a median of 6
// rounds (plain alternating projections: 12), p90 15 (67), max 117 (422); failed ones a median
// of 40 (200); the accelerated search found every dual the plain one found, and 12 more.
// Shrinking the ball by delta makes the iterates enter the open unit ball in finitely many
// rounds when a dual with margin > delta exists; delta = 1e-2, then 1e-3 from the point of the
// first pass nearest to its set. Every extrapolated point is on Aff (an affine combination of two
// points of Aff), so P_T(Y) = UV^T holds to rounding at the point returned and only the norm is
// left to check. At most 1500 rounds per delta, fewer when the distance between the sets
// stagnates: the smallest distance over 10 rounds not below 98% of that over the 10 before (no
// dual with that margin: the sets do not meet).
template <class S>
Vec<S> dual_by_alternating_projections(const SensingMap<S>& A, const Tangent<S>& T,
                                       const Mat<S>& J, const Vec<S>& c, const Vec<S>& y0,
                                       const std::function<Vec<S>(const Vec<S>&)>& gram_solve) {
  if (!gram_solve) return y0;
  const Index m = A.m();
  Mat<S> GiJ(m, J.cols());
  for (Index j = 0; j < J.cols(); ++j) GiJ.col(j) = gram_solve(Vec<S>(J.col(j)));
  Eigen::CompleteOrthogonalDecomposition<Mat<S>> K(Mat<S>(J.transpose() * GiJ));
  const Mat<S> UVt = T.U * T.V.transpose();
  constexpr int kWindow = 10;
  Vec<S> best = y0;  // the point of Aff nearest to the last pass's C
  for (const double delta : {1e-2, 1e-3}) {
    const S c2 = S(1) - S(delta);
    Vec<S> y = best, y_prev = best;
    Mat<S> Y = A.adjoint(y), Y_prev = Y;
    S t(1), best_dist(-1), window_min(-1), window_before(-1);
    for (int it = 0; it < 1500; ++it) {
      const S t_next = (S(1) + sqrt(S(1) + S(4) * t * t)) / S(2);
      const S beta = (t - S(1)) / t_next;
      const Vec<S> v = y + beta * (y - y_prev);
      const Mat<S> V = Y + beta * (Y - Y_prev);
      Mat<S> P = V - T.U * (T.U.transpose() * V);
      P -= P * T.V * T.V.transpose();
      // clip the singular values of P above c2 = 1 - delta: with P^T P = sum lambda_i v_i v_i^T,
      // P - sum_{sigma_i > c2} (sigma_i - c2) u_i v_i^T = P (I - sum (1 - c2 / sigma_i) v_i v_i^T)
      // (eigenvectors of the d2 x d2 Gram matrix: several times cheaper than an SVD of P)
      const Eigen::SelfAdjointEigenSolver<Mat<S>> es(Mat<S>(P.transpose() * P));
      const Index n = es.eigenvalues().size();
      if (n == 0 || es.eigenvalues()(n - 1) < (S(1) - S(1e-9)) * (S(1) - S(1e-9))) return v;  // inside
      Mat<S> clip = Mat<S>::Identity(n, n);
      for (Index i = n - 1; i >= 0 && es.eigenvalues()(i) > c2 * c2; --i) {
        const S sigma = sqrt(es.eigenvalues()(i));
        clip -= (S(1) - c2 / sigma) * es.eigenvectors().col(i) * es.eigenvectors().col(i).transpose();
      }
      const Mat<S> W = UVt + P * clip;
      const Vec<S> aw = gram_solve(A.apply(W));
      const Vec<S> lambda = K.solve(Vec<S>(J.transpose() * aw - c));
      const Vec<S> y_next = aw - GiJ * lambda;
      const Mat<S> Y_next = A.adjoint(y_next);
      const S dist = (Y_next - W).norm();
      if (best_dist < S(0) || dist < best_dist) {
        best_dist = dist;
        best = y_next;
      }
      const bool restart = (V - Y_next).cwiseProduct(Mat<S>(Y_next - Y)).sum() > S(0);
      y_prev = restart ? y_next : y;
      Y_prev = restart ? Y_next : Y;
      y = y_next;
      Y = Y_next;
      t = restart ? S(1) : t_next;
      if (window_min < S(0) || dist < window_min) window_min = dist;
      if (it % kWindow == kWindow - 1) {
        if (window_before >= S(0) && window_min > S(0.98) * window_before) break;
        window_before = window_min;
        window_min = S(-1);
      }
    }
  }
  return best;
}

// Thin QR: Q (n x k, orthonormal columns) and R (k x k upper triangular) of K (n x k, n >= k).
template <class S> void thin_qr(const Mat<S>& K, Mat<S>& Q, Mat<S>& R) {
  Eigen::HouseholderQR<Mat<S>> qr(K);
  Q = qr.householderQ() * Mat<S>::Identity(K.rows(), K.cols());
  R = qr.matrixQR().topRows(K.cols()).template triangularView<Eigen::Upper>();
}

// The linear system of one step of kkt_newton below, solved by eliminating most of its (L, R) part
// in closed form. With the full SVD Y = P Sigma Q^T and the rotated unknowns a_c = P^T dL_c,
// c_c = Q^T dR_c (column c of dL, dR), the (L, R) block H = I_r (x) [[I, -Y], [-Y^T, I]] of the
// Jacobian is block diagonal: [[1, -sigma_j], [-sigma_j, 1]] on the pair (a_c,j, c_c,j), and 1 on
// the coordinates without a pair (d1 != d2). A block with |1 - sigma_j^2| > kKeep has the inverse
// [[1, sigma_j], [sigma_j, 1]] / (1 - sigma_j^2) (entries at most ~1 / kKeep); those coordinates
// are eliminated, which leaves a dense system in the kept pairs (sigma_j near 1: at a solution the
// r singular values of the optimal face, and the near-active ones of a degenerate minimiser), the
// m multipliers dy and the g gauge multipliers, of size 2 r k + m + g instead of (d1 + d2) r + m
// + g. Same solution as the full system in exact arithmetic (the caller verifies the KKT
// conditions at the point reached anyway). Cost: the Schur complement (m + g)^2 (d1 + d2) r flops
// as one matrix product, and the LU of the reduced system; at d = 45, r = 11, m = 380 with 11
// pairs kept 0.10 s against 0.22 s for the LU of the full system of size 1425 (one core, SSE2).
template <class S> class NewtonSystem {
 public:
  static constexpr double kKeep = 0.1;
  // Jacobian at (L, R, y): Y = A^* y, the constraint rows C = [B; G] in the original coordinates
  // (row i of B: [vec(A_i R), vec(A_i^T L)]; G: the gauge rows), m = rows of B.
  void factor(const Mat<S>& Y, const Mat<S>& C, Index m, Index r) {
    d1_ = Y.rows();
    d2_ = Y.cols();
    r_ = r;
    m_ = m;
    nc_ = C.rows();
    const Index p = std::min(d1_, d2_), nl = d1_ * r, nr = d2_ * r;
    // full orthogonal P (d1 x d1), Q (d2 x d2): the thin SVD completed by Householder QR
    const Svd<S> sv = svd<S>(Y);
    P_ = complete(sv.U);
    Q_ = complete(sv.V);
    sigma_ = sv.s;
    // rotated constraint rows: C_L,c P and C_R,c Q per column c
    Mat<S> Ct(nc_, nl + nr);
    for (Index c = 0; c < r; ++c) {
      Ct.middleCols(c * d1_, d1_).noalias() = C.middleCols(c * d1_, d1_) * P_;
      Ct.middleCols(nl + c * d2_, d2_).noalias() = C.middleCols(nl + c * d2_, d2_) * Q_;
    }
    // kept pairs, and the eliminated coordinates with their 2 x 2 (or 1 x 1) inverse blocks
    kept_.clear();
    for (Index j = 0; j < p; ++j) {
      using std::abs;
      if (!(abs(S(1) - sigma_(j) * sigma_(j)) > S(kKeep))) kept_.push_back(j);
    }
    const Index k = Index(kept_.size()), nk = 2 * r * k;
    is_kept_.assign(std::size_t(p), false);
    for (Index j : kept_) is_kept_[std::size_t(j)] = true;
    // Ct_E Hinv_E, and Ct_E (Ct with the kept columns zeroed)
    Mat<S> CH = times_hinv(Ct);
    Mat<S> CE = Ct;
    for (Index c = 0; c < r; ++c)
      for (Index j : kept_) {
        CE.col(c * d1_ + j).setZero();
        CE.col(nl + c * d2_ + j).setZero();
      }
    // reduced matrix [[Hd_K, -Ct_K^T], [Ct_K, CH CE^T]] over (z_K, q), q = (dy; -mu)
    Mat<S> Kr = Mat<S>::Zero(nk + nc_, nk + nc_);
    for (Index c = 0; c < r; ++c)
      for (Index t = 0; t < k; ++t) {
        const Index j = kept_[std::size_t(t)], ra = 2 * (c * k + t), rc = ra + 1;
        const Index ia = c * d1_ + j, ic = nl + c * d2_ + j;
        Kr(ra, ra) = S(1);
        Kr(rc, rc) = S(1);
        Kr(ra, rc) = -sigma_(j);
        Kr(rc, ra) = -sigma_(j);
        Kr.block(ra, nk, 1, nc_) = -Ct.col(ia).transpose();
        Kr.block(rc, nk, 1, nc_) = -Ct.col(ic).transpose();
        Kr.block(nk, ra, nc_, 1) = Ct.col(ia);
        Kr.block(nk, rc, nc_, 1) = Ct.col(ic);
      }
    Kr.bottomRightCorner(nc_, nc_).noalias() = CH * CE.transpose();
    Ct_ = std::move(Ct);
    CH_ = std::move(CH);
    lu_.compute(Kr);
  }
  // Solves J delta = rhs for the unknowns (vec dL, vec dR, dy, mu) in the original order and
  // coordinates (rhs in the equations' order: the (L, R) rows, the m measurement rows, the gauge).
  Vec<S> solve(const Vec<S>& rhs) const {
    const Index nl = d1_ * r_, nr = d2_ * r_, k = Index(kept_.size()), nk = 2 * r_ * k;
    // rotate the (L, R) part of the right-hand side
    Vec<S> fz(nl + nr);
    for (Index c = 0; c < r_; ++c) {
      fz.segment(c * d1_, d1_).noalias() = P_.transpose() * rhs.segment(c * d1_, d1_);
      fz.segment(nl + c * d2_, d2_).noalias() = Q_.transpose() * rhs.segment(nl + c * d2_, d2_);
    }
    // Hinv_E f_E (zero on the kept coordinates; Hinv_E is symmetric)
    const Vec<S> hf = times_hinv(Mat<S>(fz.transpose())).transpose();
    Vec<S> w(nk + nc_);
    for (Index c = 0; c < r_; ++c)
      for (Index t = 0; t < k; ++t) {
        const Index j = kept_[std::size_t(t)];
        w(2 * (c * k + t)) = fz(c * d1_ + j);
        w(2 * (c * k + t) + 1) = fz(nl + c * d2_ + j);
      }
    // the constraint rows' right-hand side: (f_3; f_gauge) - Ct_E Hinv_E f_E (Ct hf: hf is zero
    // on the kept coordinates)
    Vec<S> fc = rhs.segment(nl + nr, nc_);
    fc.noalias() -= Ct_ * hf;
    w.tail(nc_) = fc;
    const Vec<S> sol = lu_.solve(w);
    const Vec<S> q = sol.tail(nc_);
    // z_E = Hinv_E (f_E + Ct_E^T q) = hf + (CH^T q) on E; z_K from sol
    Vec<S> z = hf;
    z.noalias() += CH_.transpose() * q;  // CH is zero on the kept columns
    for (Index c = 0; c < r_; ++c)
      for (Index t = 0; t < k; ++t) {
        const Index j = kept_[std::size_t(t)];
        z(c * d1_ + j) = sol(2 * (c * k + t));
        z(nl + c * d2_ + j) = sol(2 * (c * k + t) + 1);
      }
    Vec<S> out(nl + nr + nc_);
    for (Index c = 0; c < r_; ++c) {
      out.segment(c * d1_, d1_).noalias() = P_ * z.segment(c * d1_, d1_);
      out.segment(nl + c * d2_, d2_).noalias() = Q_ * z.segment(nl + c * d2_, d2_);
    }
    out.segment(nl + nr, m_) = q.head(m_);
    out.tail(nc_ - m_) = -q.tail(nc_ - m_);
    return out;
  }

 private:
  // X Hinv_E for X with one column per rotated (L, R) coordinate: the 2 x 2 inverse blocks on the
  // eliminated pairs, 1 on the coordinates without a pair, zero columns on the kept pairs
  Mat<S> times_hinv(const Mat<S>& X) const {
    const Index nl = d1_ * r_, p = std::min(d1_, d2_);
    Mat<S> out = Mat<S>::Zero(X.rows(), X.cols());
    for (Index c = 0; c < r_; ++c)
      for (Index j = 0; j < std::max(d1_, d2_); ++j) {
        const Index ia = j < d1_ ? c * d1_ + j : -1, ic = j < d2_ ? nl + c * d2_ + j : -1;
        if (j >= p) {
          const Index i = ia >= 0 ? ia : ic;
          out.col(i) = X.col(i);
        } else if (!is_kept_[std::size_t(j)]) {
          const S s = sigma_(j), den = S(1) - s * s;
          out.col(ia) = (X.col(ia) + s * X.col(ic)) / den;
          out.col(ic) = (s * X.col(ia) + X.col(ic)) / den;
        }
      }
    return out;
  }
  // an orthogonal n x n matrix whose first p columns are the orthonormal columns of U (n x p)
  static Mat<S> complete(const Mat<S>& U) {
    const Index n = U.rows(), p = U.cols();
    if (p == n) return U;
    Eigen::HouseholderQR<Mat<S>> qr(U);
    Mat<S> Q = qr.householderQ();
    Q.leftCols(p) = U;
    return Q;
  }
  Index d1_ = 0, d2_ = 0, r_ = 0, m_ = 0, nc_ = 0;
  Mat<S> P_, Q_, Ct_, CH_;
  Vec<S> sigma_;
  std::vector<Index> kept_;
  std::vector<bool> is_kept_;
  Eigen::PartialPivLU<Mat<S>> lu_;
};

// Newton's method on the optimality conditions of min ||X||_* s.t. A(X) = b at rank r, in
// factored form X = L R^T (L: d1 x r, R: d2 x r) with the dual y (Y = A^* y):
//   F1 = L - Y R = 0,   F2 = R - Y^T L = 0,   F3 = A(L R^T) - b = 0
// (the stationarity of (||L||^2 + ||R||^2)/2 - <y, A(LR^T) - b>; at a solution L^T L = R^T R,
// so L = U S^1/2 Q, R = V S^1/2 Q and F1 = F2 = 0 say Y V = U, Y^T U = V, i.e. P_T(Y) = UV^T).
// Unknowns and equations: (d1 + d2) r + m each. The Jacobian
//   [[I, -I(x)Y, -B1^T], [-I(x)Y^T, I, -B2^T], [B1, B2, 0]],  row i of [B1 B2] = [vec(A_i R),
//   vec(A_i^T L)],
// is singular along the gauge (L W, R W), W skew (X does not change); the r(r-1)/2 equations
// skew(L^T dL + R^T dR) = 0 border it (with multipliers), which makes the system square and, at
// a nondegenerate solution (strict complementarity ||P_T^perp(Y)||_op < 1 and A injective on
// {U C V^T}), nonsingular: Newton converges quadratically. Unlike the feasibility polish it needs
// no injectivity of A on the whole tangent space, so it also finds the minimiser of instances
// that are not recovered (rank with dim T > m, where A(X) = b leaves a set of feasible points on
// the manifold and the optimality conditions pick one). Nothing is trusted: the caller checks
// the KKT conditions at the point reached. One NewtonSystem factorisation (above) per step;
// at most `steps` steps, each damped (the largest alpha = 2^-j, j <= 10, that reduces ||F|| by
// alpha/4), stopping when alpha < 1/8 (far from the basin: seen on a completion instance whose
// minimiser has singular values from 0.74 down to 3e-5, where ADMM's point after 3000 iterations
// is not close enough; such instances end at the iteration limit) unless the last chord step
// still contracted: then chord steps only (near a degenerate minimiser, below).
template <class S>
bool kkt_newton(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& X0, const Vec<S>& y0,
                Index r, int steps, Mat<S>& Lout, Mat<S>& Rout, Vec<S>& y) {
  const Index d1 = A.d1(), d2 = A.d2(), m = A.m();
  if (r < 1 || r > std::min(d1, d2) || y0.size() != m) return false;
  const Index nl = d1 * r, nr = d2 * r, g = r * (r - 1) / 2, n = nl + nr + m;
  const Svd<S> sv = svd<S>(X0);
  const Vec<S> root = sv.s.head(r).cwiseSqrt();
  Mat<S> L = sv.U.leftCols(r) * root.asDiagonal(), R = sv.V.leftCols(r) * root.asDiagonal();
  y = y0;
  Vec<S> F(n + g);
  const auto residual = [&]() -> S {
    const Mat<S> Y = A.adjoint(y);
    Eigen::Map<Mat<S>>(F.data(), d1, r) = L - Y * R;
    Eigen::Map<Mat<S>>(F.data() + nl, d2, r) = R - Y.transpose() * L;
    F.segment(nl + nr, m) = A.apply(Mat<S>(L * R.transpose())) - b;
    F.tail(g).setZero();
    return F.norm();
  };
  const S scale = std::max<S>(S(1), S(b.norm()));
  S fn = residual();
  Mat<S> C(m + g, nl + nr);
  // Two factorisations: the current one, and the older one the last chord step contracted with
  // (kept for the fallback below; pointers, so that keeping one copies nothing).
  NewtonSystem<S> sys[2];
  NewtonSystem<S>*ns = &sys[0], *older = &sys[1];
  bool full_step = false;   // the last step was a full Newton step: try the chord step first
  bool chord_only = false;  // fresh Newton steps crawl here: only chord steps, while they contract
  // the point of the last chord step that contracted (by more than 2x) but was not kept
  Mat<S> Lc, Rc;
  Vec<S> yc, Fc;
  S fc(-1);
  for (int step = 0; step < steps; ++step) {
    if (!(fn <= S(1e30))) return false;
    if (fn <= S(10) * ScalarTraits<S>::epsilon() * scale) break;
    if (full_step || chord_only) {
      // chord step with the last factorisation (one LU instead of one a step: from the interior-point
      // point at 1e-9 the chord steps contract by ~1e-5 each); kept when ||F|| drops tenfold (in
      // chord_only, twofold)
      const Vec<S> delta = ns->solve(Vec<S>(-F));
      const Mat<S> L1 = L, R1 = R;
      const Vec<S> y1 = y, F1 = F;
      fc = S(-1);
      if (delta.allFinite()) {
        L += Eigen::Map<const Mat<S>>(delta.data(), d1, r);
        R += Eigen::Map<const Mat<S>>(delta.data() + nl, d2, r);
        y += delta.segment(nl + nr, m);
        const S f1 = residual();
        if (f1 < fn / S(chord_only ? 2 : 10)) {
          fn = f1;
          continue;
        }
        if (f1 < fn / S(2)) {
          Lc = L;
          Rc = R;
          yc = y;
          Fc = F;
          fc = f1;
        }
      }
      L = L1;
      R = R1;
      y = y1;
      F = F1;
      if (chord_only) break;
    }
    if (fc >= S(0)) std::swap(ns, older);  // keep the factorisation that still contracts
    // the constraint rows of the Jacobian: row i of B = [vec(A_i R), vec(A_i^T L)], then the gauge
    // rows: for p < q, (L^T dL)_pq - (L^T dL)_qp + (R^T dR)_pq - (R^T dR)_qp = 0
    C.setZero();
    for (Index i = 0; i < m; ++i) {
      const Mat<S> Ai = A.matrix(i);
      const Mat<S> AR = Ai * R, AL = Ai.transpose() * L;
      C.row(i).head(nl) = Eigen::Map<const Vec<S>>(AR.data(), nl).transpose();
      C.row(i).segment(nl, nr) = Eigen::Map<const Vec<S>>(AL.data(), nr).transpose();
    }
    Index k = m;
    for (Index p = 0; p < r; ++p)
      for (Index q = p + 1; q < r; ++q, ++k) {
        C.block(k, q * d1, 1, d1) += L.col(p).transpose();
        C.block(k, p * d1, 1, d1) -= L.col(q).transpose();
        C.block(k, nl + q * d2, 1, d2) += R.col(p).transpose();
        C.block(k, nl + p * d2, 1, d2) -= R.col(q).transpose();
      }
    ns->factor(A.adjoint(y), C, m, r);
    const Vec<S> delta = ns->solve(Vec<S>(-F));
    if (!delta.allFinite()) return false;
    // damped: the largest alpha in 1, 1/2, ..., 1/1024 with ||F|| decreasing by alpha/4
    const Mat<S> L1 = L, R1 = R;
    const Vec<S> y1 = y;
    S alpha(1), f1(0);
    bool accepted = false;
    for (int half = 0; half <= 10; ++half, alpha /= S(2)) {
      L = L1 + alpha * Eigen::Map<const Mat<S>>(delta.data(), d1, r);
      R = R1 + alpha * Eigen::Map<const Mat<S>>(delta.data() + nl, d2, r);
      y = y1 + alpha * delta.segment(nl + nr, m);
      f1 = residual();
      if (f1 < (S(1) - alpha / S(4)) * fn) {
        accepted = true;
        break;
      }
    }
    // Near a degenerate minimiser the Jacobian at the solution is nearly singular: the fresh
    // Newton step is long and crawls, while the chord steps with the older, better-conditioned
    // factorisation still contract. Then go on from the chord point with chord steps only
    // (completion d = 20, m = 59, seed 1 of test_solver, from the interior-point point: chord
    // 2.7e-12 -> 7.0e-13, 3.8x, the fresh step stopped at alpha = 1/256, ||F|| = 1.4e-12, just
    // short of the KKT tolerance; with the chord steps it is solved at iteration 18, not 2,578).
    const bool crawling = !accepted || alpha < S(0.125);
    if (crawling && fc >= S(0) && fc < (accepted ? f1 : fn)) {
      L = Lc;
      R = Rc;
      y = yc;
      F = Fc;
      fn = fc;
      std::swap(ns, older);
      chord_only = true;
      continue;
    }
    if (!accepted) {  // no descent along Newton's direction: keep the last point
      L = L1;
      R = R1;
      y = y1;
      break;
    }
    fn = f1;
    full_step = alpha == S(1);
    if (alpha < S(0.125)) break;  // crawling: not in Newton's basin
  }
  Lout = L;
  Rout = R;
  return L.allFinite() && R.allFinite() && y.allFinite();
}

// A second dual candidate, cheap: the minimum-norm dual y0 moved along n, the part of the
// all-ones vector in the null space of J_T^T (so that P_T(A^* y) = UV^T still holds), by the t
// that minimises the convex function f(t) = ||P_T^perp(A^*(y0 + t n))||_op (golden section on
// |t| <= 2 f(0) / ||P_T^perp(A^* n)||_op, outside which f(t) > f(0)). Where the A_i share a mean
// component (quadratic maps: E[x x^T] = I) the minimum-norm dual carries a multiple of it on
// T^perp that this removes: quadnn d = 40, m = 480, seed 1: f(0) = 1.10 (no certificate), the
// shifted dual 0.76 (a certificate), found in ~60 norm evaluations instead of the alternating
// projections' hundreds of rounds with a Gram solve each.
template <class S>
Vec<S> shifted_dual(const SensingMap<S>& A, const Tangent<S>& T, const Vec<S>& y0,
                    const Vec<S>& n) {
  const auto perp = [&T](const Mat<S>& Y) {
    Mat<S> P = Y - T.U * (T.U.transpose() * Y);
    P -= P * T.V * T.V.transpose();
    return P;
  };
  const Mat<S> P0 = perp(A.adjoint(y0)), Pn = perp(A.adjoint(n));
  const S f0 = spectral_norm<S>(P0), fn = spectral_norm<S>(Pn);
  if (!(fn > S(0)) || !(f0 > S(0))) return y0;
  const auto f = [&](const S& t) { return spectral_norm<S>(Mat<S>(P0 + t * Pn)); };
  const S g = (sqrt(S(5)) - S(1)) / S(2);
  S lo = S(-2) * f0 / fn, hi = S(2) * f0 / fn;
  S x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo), f1 = f(x1), f2 = f(x2);
  for (int it = 0; it < 60; ++it) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = f(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = f(x2);
    }
  }
  const S t = f1 < f2 ? x1 : x2;
  return f(t) < f0 ? Vec<S>(y0 + t * n) : y0;
}

// Dual candidates: (1) the minimum-norm y with P_T(A^* y) = UV^T (the standard certificate);
// (2) when given, the ADMM dual estimate y_hint (rho U projected onto range A^*, which lies in
// the subdifferential of the iterate) corrected by the least change that makes P_T(A^* y) = UV^T
// hold: y = y_hint + J_T (J_T^T J_T)^+ (c - J_T^T y_hint). (1) fails where a valid dual exists
// but is not the minimum-norm one (e.g. matrix completion near the recovery boundary).
template <class S>
bool polish(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& X0, Index r, double tol,
            SolveResult<S>& res, const Vec<S>* y_hint = nullptr,
            const std::function<Vec<S>(const Vec<S>&)>& proj_gram = {}) {
  if (r < 1 || r > std::min(A.d1(), A.d2())) return false;
  Mat<S> U, V;
  Mat<S> X = truncate<S>(X0, r, &U, &V);
  const S bscale = std::max<S>(S(1), S(b.norm()));
  S last = S(-1);
  Mat<S> J, W;  // J_T by the map's structure (tangent_jacobian), and its workspace
  for (int it = 0; it < 40; ++it) {
    const Vec<S> rvec = b - A.apply(X);
    const S rn = rvec.norm() / bscale;
    if (dbl(rn) <= tol / 10) break;
    if (last >= S(0) && !(rn < last / S(2)) && it > 3) break;  // no (quadratic) progress
    last = rn;
    const Tangent<S> T = tangent_at<S>(U, V);
    tangent_jacobian<S>(A, T, J, W);
    Eigen::CompleteOrthogonalDecomposition<Mat<S>> cod(J);
    const Vec<S> t = cod.solve(rvec);
    X = truncate<S>(Mat<S>(X + T.embed(t)), r, &U, &V);
  }
  const Tangent<S> T = tangent_at<S>(U, V);
  tangent_jacobian<S>(A, T, J, W);
  Vec<S> c = Vec<S>::Zero(T.dim());
  Eigen::Map<Mat<S>>(c.data(), A.d2(), r) = T.V;
  Eigen::CompleteOrthogonalDecomposition<Mat<S>> codT(J.transpose());
  Vec<S> y = codT.solve(c);
  SolveResult<S> trial = res;
  bool ok = kkt_holds<S>(A, b, X, T, y, tol, trial);
  if (!ok && dbl(trial.primal_residual) <= tol) {
    const Vec<S> one = Vec<S>::Ones(A.m());
    const Vec<S> ys = shifted_dual<S>(A, T, y, Vec<S>(one - codT.solve(Vec<S>(J.transpose() * one))));
    if (kkt_holds<S>(A, b, X, T, ys, tol, trial)) {
      ok = true;
      y = ys;
    }
  }
  if (!ok && y_hint) {
    y = *y_hint + codT.solve(Vec<S>(c - J.transpose() * *y_hint));
    ok = kkt_holds<S>(A, b, X, T, y, tol, trial);
    if (!ok && dbl(trial.primal_residual) <= tol) {
      y = dual_by_alternating_projections<S>(A, T, J, c, y, proj_gram);
      ok = kkt_holds<S>(A, b, X, T, y, tol, trial);
    }
  }
  if (ok) {
    trial.X = X;
    trial.y = y;
    trial.rank = r;
    res = trial;
  }
  return ok;
}

template <class S> Index numerical_rank(const Mat<S>& X) {
  const Vec<S> s = singular_values<S>(X);
  Index r = 0;
  for (Index i = 0; i < s.size(); ++i)
    if (s(i) > S(1e3) * ScalarTraits<S>::epsilon() * s(0)) ++r;
  return r;
}

// dim T of the rank-r matrices (d1 x d2).
inline Index tangent_dim(Index d1, Index d2, Index r) { return r * (d1 + d2 - r); }

// dim (T n Sym) of the symmetric rank-r matrices (d x d).
inline Index symmetric_tangent_dim(Index d, Index r) { return r * (r + 1) / 2 + r * (d - r); }

// dim T of the rank-r matrices the iterates of A's problem live on: the symmetric ones for a
// quadratic map, all d1 x d2 ones otherwise.
template <class S> Index iterate_tangent_dim(const SensingMap<S>& A, Index r) {
  return A.structure() == Structure::quadratic ? symmetric_tangent_dim(A.d1(), r)
                                               : tangent_dim(A.d1(), A.d2(), r);
}

// The minimiser at rank r when the optimality conditions determine it (dim T >= m: then J_T^T is
// generically injective, the dual is unique and kkt_newton's system nonsingular at a
// nondegenerate solution; below that the dual is not unique and the feasibility polish above
// applies). True, with res filled, when the KKT conditions hold at Newton's point.
template <class S>
bool newton_polish(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& X0, const Vec<S>& y0,
                   Index r, double tol, SolveResult<S>& res) {
  if (r < 1 || r > std::min(A.d1(), A.d2()) || tangent_dim(A.d1(), A.d2(), r) < A.m()) return false;
  // the dense LU costs (2/3) n^3 with n = (d1 + d2) r + m: up to n = 3000 (about 2 s a step in
  // double) it is worth it; beyond, ADMM goes on alone
  if ((A.d1() + A.d2()) * r + A.m() > 3000) return false;
  Mat<S> Ln, Rn;
  Vec<S> yn;
  if (!kkt_newton<S>(A, b, X0, y0, r, 30, Ln, Rn, yn)) return false;
  // X = L R^T = (Q_L C_L)(Q_R C_R)^T: its SVD from the r x r core C_L C_R^T, so that U and V
  // span exactly the columns of L and R (an SVD of the d1 x d2 product would lose the singular
  // vectors of small singular values to rounding, eps s_1 / s_r, and the dual equation with them).
  // A column pair of (L, R) may have collapsed to zero (the minimiser has a lower rank than r):
  // the check is made at the numerical rank.
  Mat<S> QL, CL, QR, CR;
  thin_qr<S>(Ln, QL, CL);
  thin_qr<S>(Rn, QR, CR);
  const Svd<S> core = svd<S>(Mat<S>(CL * CR.transpose()));
  Index rn = 0;
  for (Index i = 0; i < core.s.size(); ++i)
    if (core.s(i) > S(1e3) * ScalarTraits<S>::epsilon() * core.s(0)) ++rn;
  if (rn < 1) return false;
  const Mat<S> U = QL * core.U.leftCols(rn), V = QR * core.V.leftCols(rn);
  const Mat<S> X = U * core.s.head(rn).asDiagonal() * V.transpose();
  const S nuclear = core.s.head(rn).sum();
  const Tangent<S> T = tangent_at<S>(U, V);
  SolveResult<S> trial = res;
  const bool ok = kkt_holds<S>(A, b, X, T, yn, tol, trial, &nuclear);
  if (!ok) return false;
  trial.X = X;
  trial.y = yn;
  trial.rank = rn;
  res = trial;
  return true;
}

// The interior-point method (solver_ipm.hpp) to a relative accuracy of 1e-10 or as far as it
// gets, then the rank from the largest ratio s_r / s_r+1 of the singular values of its X, then
// the exact stage at that rank: Newton's method on the optimality conditions when dim T >= m,
// the feasibility polish below that (up to three candidate ranks, by decreasing ratio). True
// (res filled, `how` saying which) when the KKT conditions hold; `used` returns the
// interior-point iterations.
// Budgets, in floating-point operations of one interior-point iteration (ipm_flops_per_iteration):
// before ADMM, right after the manifold path failed, when one iteration is cheaper than 1e8 (about
// 10 ms here: completion up to m ~ 1000, rank-one maps up to d ~ 30); from ADMM, once, when
// Newton's basin was not reached from its point and one iteration is below 2e9.
constexpr double ipm_first_flops = 1e8, ipm_late_flops = 2e9;

template <class S>
bool interior_point_polish(const SensingMap<S>& A, const Vec<S>& b, double tol, int budget,
                           SolveResult<S>& res, int& used, std::string& how) {
  Mat<S> X;
  Vec<S> y;
  IpmStats st;
  const bool finite = interior_point<S>(A, b, std::min(budget, 100), 1e-10, X, y, st);
  used = st.iterations;
  how = "interior point: " + std::to_string(st.iterations) + " iterations, " + st.why;
  if (!finite) return false;
  const Vec<S> s = singular_values<S>(X);
  std::vector<std::pair<S, Index>> ranks;
  for (Index r = 1; r < s.size(); ++r)
    if (s(r) > S(0)) ranks.emplace_back(s(r - 1) / s(r), r);
  std::sort(ranks.begin(), ranks.end(), [](const auto& p, const auto& q) { return p.first > q.first; });
  if (ranks.size() > 3) ranks.resize(3);
  for (const auto& cand : ranks) {
    const Index r = cand.second;
    const bool newton = tangent_dim(A.d1(), A.d2(), r) >= A.m();
    if (newton ? newton_polish<S>(A, b, X, y, r, tol, res) : polish<S>(A, b, X, r, tol, res, &y)) {
      how = (newton ? "Newton's method on the optimality conditions at rank "
                    : "the feasibility polish at rank ") +
            std::to_string(res.rank) + " from the interior-point method's point (" + how + ")";
      return true;
    }
  }
  return false;
}


// Infeasibility of A(X) = b is claimed only with a Farkas certificate y (the residual of the
// refined least-squares solution X_ls): <b, y> > 0 and A^* y = 0 to within rounding, so that
// every X with A(X) = b has ||X||_F >= radius = <b, y> / (||A^* y||_F + its rounding bound
// gamma_m sum_i |y_i| ||A_i||_F). Verified when the radius exceeds ||X_ls||_F / sqrt(eps)
// (1e8 in double): no solution of any size the data could mean.
struct FarkasCheck {
  bool verified = false;
  std::string message;
};
template <class S>
FarkasCheck farkas_check(const SensingMap<S>& A, const Vec<S>& b, const Vec<S>& y, const S& xls) {
  const S eps = ScalarTraits<S>::epsilon(), m(double(A.m()));
  S weight(0);
  for (Index i = 0; i < A.m(); ++i) weight += abs_s<S>(y(i)) * S(A.matrix(i).norm());
  const S aty = A.adjoint(y).norm(), by = b.dot(y);
  const S denom = aty + m * eps / (S(1) - m * eps) * weight;
  FarkasCheck f;
  const S radius = denom > S(0) ? S(by / denom) : S(0);
  f.verified = by > S(0) && (denom == S(0) || radius * sqrt(eps) > xls);
  const auto g = [](const S& v) {
    std::ostringstream os;
    os << std::setprecision(3) << dbl(v);
    return os.str();
  };
  const std::string numbers = "<b, y> = " + g(by) + ", ||A^* y||_F = " + g(aty) +
                              " with rounding bound " + g(S(denom - aty)) + ", ||X_ls||_F = " + g(xls);
  if (f.verified)
    f.message = "infeasible by the Farkas certificate y = b - A(X_ls) (" + numbers +
                "): no X with ||X||_F < " + (denom > S(0) ? g(radius) : std::string("infinity")) +
                " (scale-free units) satisfies A(X) = b";
  else
    f.message = "but b - A(X_ls) is no verified Farkas certificate (" + numbers +
                "; the radius " + g(radius) + " does not exceed ||X_ls||_F / sqrt(eps)): " +
                "feasibility is not decided in this precision";
  return f;
}

// b = 0: X = 0 is the minimiser (feasible, and ||X||_* >= 0 = ||0||_*), y = 0 its dual.
template <class S> SolveResult<S> zero_solution(const SensingMap<S>& A) {
  SolveResult<S> res;
  res.X = Mat<S>::Zero(A.d1(), A.d2());
  res.y = Vec<S>::Zero(A.m());
  res.status = SolveStatus::solved;
  res.rank = 0;
  res.message = "b = 0: X = 0";
  return res;
}

using Clock = std::chrono::steady_clock;

// The ADMM loop polishes at a new gap rank once it has been stable for 8 iterations, and at an
// unchanged rank after kPolishEvery iterations, an interval that doubles (up to kPolishEveryMax)
// with each polish at the same rank and is reset by a new rank. A repeated polish at one rank
// from a nearby point mostly lands on the same feasible point as the last; what changes between
// two is ADMM's dual estimate. (Measured on the transition trials of the A-fig3 sweep that end
// at iteration_limit: 50 polishes each at one rank, 65% of such a trial.)
constexpr int kPolishEvery = 60;
constexpr int kPolishEveryMax = 480;

// With SolveOptions::stop_below, the first ADMM iteration at which Newton's method on the
// optimality conditions may be tried.
constexpr int kStopBelowNewtonAfter = 400;

template <class S>
SolveResult<S> admm(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o, double tol) {
  SolveResult<S> res;
  const auto start = Clock::now();
  const Index d1 = A.d1(), d2 = A.d2();
  AffineProjector<S> proj(A, b);
  Mat<S> X0 = proj.project(Mat<S>::Zero(d1, d2));
  res.X = X0;
  res.y = Vec<S>::Zero(A.m());
  res.primal_residual = dbl(relative<S>(S((A.apply(X0) - b).norm()), S(b.norm())));
  const double feas_tol = std::max(tol, 1e3 * dbl(ScalarTraits<S>::epsilon()) * double(A.m()));
  // An ill-conditioned Gram matrix leaves an error in the least-squares solution that iterative
  // refinement removes (X0 += A^*(G^+ (b - A(X0))), while the residual halves)
  for (int k = 0; k < 5 && res.primal_residual > std::sqrt(feas_tol); ++k) {
    const Mat<S> X1 = X0 + A.adjoint(proj.solve_gram(Vec<S>(b - A.apply(X0))));
    const double r1 = dbl(relative<S>(S((A.apply(X1) - b).norm()), S(b.norm())));
    if (!(r1 < res.primal_residual / 2)) break;
    X0 = X1;
    res.X = X0;
    res.primal_residual = r1;
  }
  if (res.primal_residual > std::sqrt(feas_tol)) {
    const Vec<S> r = b - A.apply(X0);
    const FarkasCheck f = farkas_check<S>(A, b, r, S(X0.norm()));
    res.status = f.verified ? SolveStatus::infeasible : SolveStatus::numerical_trouble;
    res.message = "the least-squares residual of A(X) = b is " +
                  std::to_string(res.primal_residual) + " relative to ||b||; " + f.message;
    if (f.verified) res.y = r;
    return res;
  }
  if (b.norm() == S(0)) {
    res = zero_solution<S>(A);
    res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return res;
  }
  // ||X_k||_* of the feasible iterate, computed once per iteration k (the stop_below check and
  // measure() below both need it at every 10th iteration)
  S nuc_cached = S(0);
  int nuc_k = -1;
  // Maps whose A_i are all symmetric (quadratic) keep the iterates symmetric in exact arithmetic
  // (the projection of a symmetric point, the prox of a symmetric one): they are kept exactly
  // symmetric, and the SVDs become symmetric eigendecompositions.
  const bool symmetric = A.structure() == Structure::quadratic;
  // With stop_below the thresholding works on the Gram matrix (svt_gram: ~5x cheaper than the
  // Jacobi SVD at d = 45, where it was half of ADMM's time in the A-fig3 sweep): there the
  // iterates only have to go below the bound or reach the rank of the exact stages, whose every
  // verdict is checked exactly. Not the default (yet): it would move the path, and so the bytes,
  // of every other figure's solves.
  const bool gram_svt = o.stop_below > 0;
  // (singular values by divide and conquer: the same O(eps ||X||) accuracy as the Jacobi SVD,
  // 1.6x faster at d = 50; with the operator norm in measure() below these were ~7% of the sweep)
  const auto nuclear_at = [&](const Mat<S>& Xk, int k) {
    if (k != nuc_k) {
      nuc_cached = symmetric && Xk == Xk.transpose() ? symmetric_nuclear_norm<S>(Xk)
                                                     : S(singular_values_dc<S>(Xk).sum());
      nuc_k = k;
    }
    return nuc_cached;
  };
  // stop_below: a feasible point with a smaller nuclear norm than the bound ends the solve
  const auto below = [&](const Mat<S>& Xk, int k) {
    if (!(o.stop_below > 0)) return false;
    const double feas = dbl(relative<S>(S((A.apply(Xk) - b).norm()), S(b.norm())));
    const S nuc = nuclear_at(Xk, k);
    if (feas > 1e-12 || !(nuc < S(o.stop_below))) return false;
    res.X = Xk;
    res.status = SolveStatus::below_bound;
    res.primal_residual = feas;
    res.iterations = k;
    res.rank = numerical_rank<S>(Xk);
    res.message = "a feasible point with ||X||_* = " + std::to_string(dbl(nuc)) +
                  " < stop_below = " + std::to_string(o.stop_below) + " (iteration " +
                  std::to_string(k) + "): every minimiser is below the bound";
    return true;
  };
  if (below(X0, 0)) {
    res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return res;
  }
  Mat<S> Z = Mat<S>::Zero(d1, d2), Ud = Mat<S>::Zero(d1, d2), X = X0;
  S rho = S(1) / (S(0.1) * operator_norm<S>(X0));
  Index rank = -1, stable = 0, polished_rank = -1;
  std::set<Index> searched_ranks;
  int since_polish = 0, polish_every = kPolishEvery;
  int next_newton = o.stop_below > 0 ? kStopBelowNewtonAfter : 20;
  bool polish_failed = false;  // Newton only after the polish at the gap rank failed once
  bool ipm_tried = false;
  Index gap_rank = 0, newton_rank = -1, newton_rank_seen = -1, newton_stable = 0;
  bool finished = false;  // solved or numerical trouble; otherwise the budget ran out
  // Residuals of an ADMM state. Dual estimate: y with A^* y = the projection of rho Ud onto
  // range A^*, scaled to ||A^* y||_op <= 1, so that <b, y> is a lower bound on the optimum.
  S rp = S(0), rd = S(0);
  const auto measure = [&](const Mat<S>& Xk, const S& rpk, const S& rdk, const S& rhok,
                           const Mat<S>& Uk, int k) {
    const Vec<S> y = proj.solve_gram(A.apply(Mat<S>(rhok * Uk)));
    const Mat<S> Y = A.adjoint(y);
    const S yscale = std::max<S>(S(1), spectral_norm<S>(Y));
    const S nuc = nuclear_at(Xk, k);
    res.X = Xk;
    res.y = y / yscale;
    res.primal_residual = dbl(relative<S>(S((A.apply(Xk) - b).norm() + rpk), S(b.norm())));
    res.dual_residual = dbl(relative<S>(rdk, S(std::max<S>(S(1), S(Xk.norm())))));
    res.gap = dbl(relative<S>(S(nuc - b.dot(y) / yscale), nuc));
  };
  for (int k = 1; k <= o.max_iterations && !finished; ++k) {
    res.iterations = k;
    X = proj.project(Mat<S>(Z - Ud));
    if (symmetric) X = symmetric_part<S>(X);
    const bool check_now = k % 10 == 0 || k == 1 || k == 2 || k == 4 || k == 8;
    if (check_now && below(X, k)) {
      finished = true;
      break;
    }
    const Mat<S> Zold = Z;
    Index rk = 0;
    Index grk = 0;
    Z = symmetric   ? svt_symmetric<S>(Mat<S>(X + Ud), S(1) / rho, rk, grk)
        : gram_svt ? svt_gram<S>(Mat<S>(X + Ud), S(1) / rho, rk, grk)
                   : svt<S>(Mat<S>(X + Ud), S(1) / rho, rk, grk);
    Ud += X - Z;
    rp = (X - Z).norm();
    rd = rho * (Z - Zold).norm();
    stable = grk == gap_rank ? stable + 1 : 0;
    rank = rk;
    gap_rank = grk;
    ++since_polish;
    if (k % 10 == 0) {
      if (rp > S(10) * rd) {
        rho *= S(2);
        Ud /= S(2);
      } else if (rd > S(10) * rp) {
        rho /= S(2);
        Ud *= S(2);
      }
      measure(X, rp, rd, rho, Ud, res.iterations);
      if (res.primal_residual <= tol && res.dual_residual <= tol && std::abs(res.gap) <= tol) {
        res.status = SolveStatus::solved;
        res.rank = rank;  // of Z, the thresholded iterate (X itself is feasible, not low-rank)
        res.message = "ADMM met the tolerance (primal, dual and gap with a dual-feasible y)";
        finished = true;
        break;
      }
    }
    // (with stop_below, before kStopBelowNewtonAfter, not at ranks with dim T >= m: there A(X) = b
    // leaves a set of feasible rank-r points, the polish lands on one of them rather than on the
    // minimiser, and its KKT check fails; Newton's method is the exact stage at those ranks. On
    // the unrecovered instances of the A-fig3 sweep these polishes were 60% of a solve.)
    const bool polish_due = o.polish && gap_rank >= 1 &&
                            ((stable >= 8 && gap_rank != polished_rank) ||
                             since_polish >= polish_every) &&
                            !(o.stop_below > 0 && k < kStopBelowNewtonAfter &&
                              iterate_tangent_dim<S>(A, gap_rank) >= A.m());
    if (polish_due && !check_now && below(X, k)) {  // (a polish costs more than this check)
      finished = true;
      break;
    }
    if (polish_due) {
      // the dual search only on the first polish at a rank: repeating it at every polish made
      // unrecoverable instances (no certificate exists) cost minutes
      // (with stop_below, not before kStopBelowNewtonAfter: on the unrecovered instances of the
      // figure sweeps the search is futile and costs more than the iterations that refute them)
      const bool search_allowed = !(o.stop_below > 0) || k >= kStopBelowNewtonAfter;
      const bool first_at_rank = search_allowed && searched_ranks.insert(gap_rank).second;
      polish_every = gap_rank == polished_rank ? std::min(2 * polish_every, kPolishEveryMax)
                                               : kPolishEvery;
      polished_rank = gap_rank;
      since_polish = 0;
      const Vec<S> y_hint = proj.solve_gram(A.apply(Mat<S>(rho * Ud)));
      const auto gram_solve = [&proj](const Vec<S>& v) { return proj.solve_gram(v); };
      const std::function<Vec<S>(const Vec<S>&)> none;
      polish_failed = true;  // (unless it succeeds just below)
      if (polish<S>(A, b, Z, gap_rank, tol, res, &y_hint, first_at_rank ? gram_solve : none)) {
        res.status = SolveStatus::solved;
        res.message = "KKT conditions verified after the rank-" + std::to_string(gap_rank) +
                      " polish";
        finished = true;
        break;
      }
    }
    // Newton on the optimality conditions (instances whose minimiser has dim T >= m: those not
    // recovered): at the rank of the thresholded iterate once it has been stable for 8
    // iterations, and at iterations 20, 40, 80, 160, ... at the rank r with dim T >= m and
    // r <= rank Z where the singular values of the feasible iterate X drop most (s_r / s_r+1;
    // rank Z itself can sit above the minimiser's rank by a tail of tiny values for long); only
    // after the polish at the gap rank has failed once (recovered instances end there, and a
    // Newton attempt at the high ranks of the first iterations costs more than ADMM itself)
    newton_stable = rk == newton_rank_seen ? newton_stable + 1 : 0;
    newton_rank_seen = rk;
    Index newton_at = -1;
    // With stop_below, Newton waits for ADMM's iterates to have had the chance to go below the
    // bound (measured on the figure sweeps: most unrecovered instances are refuted by iteration
    // 30-60, near-boundary ones by 200-300; one Newton step there, a dense LU of size
    // (d1 + d2) r + m ~ 1500, costs as much as ~500 ADMM iterations at d = 50).
    if (o.polish && polish_failed && rk >= 1 && tangent_dim(d1, d2, rk) >= A.m() &&
        (!(o.stop_below > 0) || k >= kStopBelowNewtonAfter)) {
      if (newton_stable >= 8 && rk != newton_rank) {
        newton_at = rk;
      } else if (k >= next_newton) {
        next_newton *= 2;
        const Vec<S> sx = singular_values<S>(X);
        S best(-1);
        for (Index r = 1; r <= rk && r + 1 <= sx.size(); ++r) {
          if (tangent_dim(d1, d2, r) < A.m() || !(sx(r) > S(0))) continue;
          const S ratio = sx(r - 1) / sx(r);
          if (ratio > best) {
            best = ratio;
            newton_at = r;
          }
        }
      }
    }
    if (newton_at >= 1 && below(X, k)) {
      finished = true;
      break;
    }
    if (newton_at >= 1) {
      newton_rank = newton_at;
      const Vec<S> y_hint = proj.solve_gram(A.apply(Mat<S>(rho * Ud)));
      if (newton_polish<S>(A, b, Z, y_hint, newton_at, tol, res)) {
        res.status = SolveStatus::solved;
        res.message = "KKT conditions verified after Newton's method at rank " +
                      std::to_string(res.rank);
        finished = true;
        break;
      }
      // Newton's basin not reached from ADMM's point: once, where affordable, the
      // interior-point method, which needs neither the rank nor a start
      if (!ipm_tried && o.interior_point && ipm_flops_per_iteration<S>(A) <= ipm_late_flops) {
        ipm_tried = true;
        int used = 0;
        std::string how;
        const bool ok = interior_point_polish<S>(A, b, tol, o.max_iterations - k, res, used, how);
        k += used;
        res.iterations = k;
        if (ok) {
          res.status = SolveStatus::solved;
          res.message = "KKT conditions verified after " + how;
          finished = true;
          break;
        }
      }
    }
    if (!std::isfinite(dbl(rp)) || !std::isfinite(dbl(rd))) {
      res.status = SolveStatus::numerical_trouble;
      res.message = "ADMM residuals are not finite";
      finished = true;
      break;
    }
  }
  if (!finished) {
    measure(X, rp, rd, rho, Ud, res.iterations);
    res.status = SolveStatus::iteration_limit;
    res.message = "no KKT point within " + std::to_string(o.max_iterations) +
                  " iterations; residuals as reached";
    res.rank = rank;
  }
  res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return res;
}

// ---------------------------------------------------------------------------------------------
// The fast path: Gauss-Newton on the manifold of rank-r matrices, then the KKT check.
//
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
    bool decreased = false;
    S step = S(1);
    for (int h = 0; h < 6 && !decreased; ++h, step /= S(2)) {
      const RankR<S> Xn = retract<S>(X, T, Vec<S>(step * t));
      const Vec<S> rv = b - A.apply(Xn.dense());
      const S rnn = rv.norm() / bscale;
      if (rnn < rn) {
        X = Xn;
        rvec = rv;
        rn = rnn;
        decreased = true;
      }
    }
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

// The minimum-norm dual at a rank-r point: y = J_T (J_T^T J_T)^{-1} c solves J_T^T y = c with
// c = coordinates(U V^T) = [vec V; 0], i.e. P_T(A^* y) = U V^T.
template <class S> Vec<S> tangent_rhs(const Tangent<S>& T) {
  Vec<S> c = Vec<S>::Zero(T.dim());
  Eigen::Map<Mat<S>>(c.data(), T.V.rows(), T.U.cols()) = T.V;
  return c;
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

template <class S> void validate(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o) {
  if (A.m() == 0) throw InvalidArgument("solve: the map has no measurements (m = 0)");
  if (A.d1() == 0 || A.d2() == 0) throw InvalidArgument("solve: zero dimension");
  if (b.size() != A.m())
    throw InvalidArgument("solve: b has length " + std::to_string(b.size()) + ", expected m = " +
                          std::to_string(A.m()));
  require_finite(b, "solve: b");
  if (o.max_iterations < 1 || o.max_iterations > 10000000)
    throw InvalidArgument("solve: max_iterations must be in [1, 1e7]");
  if (!(o.stop_below >= 0) || !std::isfinite(o.stop_below))
    throw InvalidArgument("solve: stop_below must be finite and >= 0 (0: off)");
  if (!(o.tol >= 0) || !std::isfinite(o.tol)) throw InvalidArgument("solve: tol must be >= 0");
}

template <class S>
SolveResult<S> solve_scale_free(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o);

}  // namespace solver_detail

template <class S>
SolveResult<S> solve_nuclear(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o) {
  using namespace solver_detail;
  validate(A, b, o);
  const ScaleFree<S> q = scale_free<S>(A, b, A.row_exponents());
  SolveOptions oq = o;
  oq.stop_below = scaled_bound(o.stop_below, -q.ex);
  const bool zero = (q.b.array() == S(0)).all();
  SolveResult<S> res = zero ? zero_solution<S>(q.A) : solve_scale_free<S>(q.A, q.b, oq);
  scale_back(res, q);
  return res;
}

template <class S>
SolveResult<S> solver_detail::solve_scale_free(const SensingMap<S>& A, const Vec<S>& b,
                                               const SolveOptions& o) {
  const double tol = default_tol<S>(o.tol);
  if constexpr (std::is_same_v<S, double>) {
    const auto start = Clock::now();
    SolveResult<S> res;
    int used = 0;
    bool done = o.polish && o.manifold && o.max_iterations > 1 &&
                manifold_path<S>(A, b, tol, o.max_iterations - 1, res, used);
    bool ipm_tried = false;
    if (!done && o.polish && o.interior_point && !(o.stop_below > 0) &&
        o.max_iterations - used > 1 && ipm_flops_per_iteration<S>(A) <= ipm_first_flops) {
      ipm_tried = true;
      int ipm_used = 0;
      std::string how;
      done = interior_point_polish<S>(A, b, tol, o.max_iterations - used - 1, res, ipm_used, how);
      used += ipm_used;
      if (done) {
        res.status = SolveStatus::solved;
        res.message = "KKT conditions verified after " + how;
      }
    }
    if (done) {
      res.iterations = used;
    } else {
      SolveOptions rest = o;
      rest.max_iterations = o.max_iterations - used;
      if (ipm_tried) rest.interior_point = false;
      res = admm<S>(A, b, rest, tol);
      res.iterations += used;
    }
    res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return res;
  } else {
    // extended precision: the ADMM phase in double, then the polish in S from its answer
    const auto start = Clock::now();
    SolveOptions od = o;
    od.tol = 1e-12;
    const SensingMap<double> Ad = A.template cast<double>();
    const Vec<double> bd = b.unaryExpr([](const S& x) { return to_double(x); });
    SolveResult<double> rd = solve_nuclear<double>(Ad, bd, od);
    SolveResult<S> res;
    res.iterations = rd.iterations;
    res.status = rd.status;
    res.X = cast_matrix<S>(rd.X);
    res.y = rd.y.template cast<S>();
    res.primal_residual = rd.primal_residual;
    res.dual_residual = rd.dual_residual;
    res.gap = rd.gap;
    res.rank = rd.rank;
    res.message = "double phase: " + rd.message;
    if (rd.status == SolveStatus::solved || rd.status == SolveStatus::iteration_limit) {
      const Index r = rd.rank;
      const Vec<S> y_hint = res.y;
      if (o.polish && (polish<S>(A, b, res.X, r, tol, res) ||
                       newton_polish<S>(A, b, res.X, y_hint, r, tol, res))) {
        res.status = SolveStatus::solved;
        res.message = "KKT conditions verified in extended precision after the rank-" +
                      std::to_string(r) + " polish";
      } else {
        res.status = SolveStatus::iteration_limit;
        res.message += "; the extended-precision polish did not reach the tolerance";
      }
    }
    res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return res;
  }
}

template <class S>
SolveResult<S> solve_flat(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o) {
  using namespace solver_detail;
  validate(A, b, o);
  const auto start = Clock::now();
  // For 2^-g A and 2^-g b, g the largest row exponent (the same X): D1, D2 scale by 2^-g, the
  // rescaled map A(D1^-1 . D2^-1) by 2^g and its X by 2^-2g, so that neither D1 M D2 nor b over
  // the rescaled map's rows over- or underflows at any scale of A; its y is times 2^g back.
  const std::vector<int> e = A.row_exponents();
  const int g = *std::max_element(e.begin(), e.end());
  const SensingMap<S> As = g == 0 ? A : A.rows_scaled(std::vector<int>(e.size(), -g));
  const Vec<S> bs = times_pow2_each(b, -g);
  SolveOptions os = o;
  os.stop_below = scaled_bound(o.stop_below, -2 * g);
  const Rescaling<S> D = rescaling(As);
  SolveResult<S> res;
  res.method = Method::flat;
  const double c1 = dbl(spd_condition<S>(D.D1)), c2 = dbl(spd_condition<S>(D.D2));
  if (!(c1 < o.d_condition_max) || !(c2 < o.d_condition_max)) {
    res.status = SolveStatus::d_singular;
    res.message = "D1 or D2 is singular (condition numbers " + std::to_string(c1) + ", " +
                  std::to_string(c2) + ")";
    return res;
  }
  const Mat<S> D1i = spd_inverse<S>(D.D1, "D1"), D2i = spd_inverse<S>(D.D2, "D2");
  const SensingMap<S> B = As.composed(D1i, D2i);
  res = solve_nuclear<S>(B, bs, os);
  res.method = Method::flat;
  if (res.X.size()) res.X = D1i * res.X * D2i;
  res.y = times_pow2_each(res.y, g);
  res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return res;
}

template <class S>
SolveResult<S> solve(Method m, const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o) {
  return m == Method::flat ? solve_flat<S>(A, b, o) : solve_nuclear<S>(A, b, o);
}

namespace solver_detail {
template <class S>
Certificate certify_scaled(const SensingMap<S>& A, const Mat<S>& M, bool symmetric);

// The certificate's conditions are invariant under A -> 2^-g A (y -> 2^g y; sigma_min(J_T) scales
// by 2^-g): it is computed for the map whose largest entry is near 1, so that no Gram sum over-
// or underflows at any scale of the data, with the same bits otherwise.
template <class S> Certificate certify_impl(const SensingMap<S>& A, const Mat<S>& M, bool symmetric) {
  require_shape(M.rows(), M.cols(), A.d1(), A.d2(), "certify: M");
  require_finite(M, "certify: M");
  if (A.m() == 0) throw InvalidArgument("certify: the map has no measurements (m = 0)");
  const std::vector<int> e = A.row_exponents();
  const int g = *std::max_element(e.begin(), e.end());
  if (g == 0) return certify_scaled<S>(A, M, symmetric);
  Certificate c = certify_scaled<S>(A.rows_scaled(std::vector<int>(e.size(), -g)), M, symmetric);
  c.tangent_sigma_min = times_pow2<double>(c.tangent_sigma_min, g);
  return c;
}

template <class S>
Certificate certify_scaled(const SensingMap<S>& A, const Mat<S>& M, bool symmetric) {
  Certificate c;
  const Svd<S> d = svd<S>(M);
  Index r = 0;
  for (Index i = 0; i < d.s.size(); ++i)
    if (d.s(i) > S(1e3) * ScalarTraits<S>::epsilon() * d.s(0)) ++r;
  c.rank = r;
  if (r == 0) throw InvalidArgument("certify: M = 0 (nothing to certify)");
  const Tangent<S> T = tangent_at<S>(Mat<S>(d.U.leftCols(r)), Mat<S>(d.V.leftCols(r)));
  Mat<S> J, W;
  tangent_jacobian<S>(A, T, J, W);
  const S eps = ScalarTraits<S>::epsilon();
  // (divide and conquer: the injectivity test needs O(eps ||J||) accuracy, which it has, and the
  // Jacobi SVD of J was the largest single cost of the A-fig3 sweep)
  const Vec<S> sv = singular_values_dc<S>(J);
  const S jn = sv.size() ? sv(0) : S(0);
  // Symmetric sensing (A_i = x_i x_i^T) sees only the symmetric part of X: the program is over
  // symmetric matrices ((69)), and for symmetric M the tangent space splits into its symmetric
  // part (dim r(r+1)/2 + r(d-r)) and skew part, which every such A annihilates. Injectivity is
  // asked on the symmetric part: sigma_min is the dim(T n Sym)-th singular value of J_T.
  Index need = T.dim();
  if (symmetric) need = symmetric_tangent_dim(A.d1(), r);
  c.tangent_sigma_min = J.rows() >= need && sv.size() >= need ? dbl(sv(need - 1)) : 0.0;
  Vec<S> rhs = Vec<S>::Zero(T.dim());
  Eigen::Map<Mat<S>>(rhs.data(), A.d2(), r) = T.V;
  Eigen::CompleteOrthogonalDecomposition<Mat<S>> codT(J.transpose());
  Vec<S> y = codT.solve(rhs);
  const auto measure = [&](const Vec<S>& yy) {
    const Mat<S> Y = A.adjoint(yy);
    const Mat<S> PtY = T.U * (T.U.transpose() * Y) +
                       (Y - T.U * (T.U.transpose() * Y)) * T.V * T.V.transpose();
    c.equation_residual = dbl(S((PtY - T.U * T.V.transpose()).norm()));
    c.margin = dbl(S(S(1) - operator_norm<S>(Mat<S>(Y - PtY))));
  };
  measure(y);
  if (!(c.margin > 0) && c.tangent_sigma_min > 0) {
    // the minimum-norm dual is not a certificate: search the affine set for one that is
    const Vec<S> zero = Vec<S>::Zero(A.m());
    const AffineProjector<S> proj(A, zero);
    const std::function<Vec<S>(const Vec<S>&)> gs = [&proj](const Vec<S>& v) { return proj.solve_gram(v); };
    const Vec<S> y2 = dual_by_alternating_projections<S>(A, T, J, rhs, y, gs);
    const double keep_margin = c.margin, keep_res = c.equation_residual;
    measure(y2);
    if (c.margin > keep_margin) {
      y = y2;
    } else {
      c.margin = keep_margin;
      c.equation_residual = keep_res;
    }
  }
  const double e = dbl(eps), ny = dbl(S(y.norm())), nj = dbl(jn);
  if (!(c.tangent_sigma_min > 1e3 * e * nj)) {
    c.verdict = Verdict::not_injective;
  } else if (c.equation_residual <= 1e3 * e * (1 + ny * nj) && c.margin > 1e3 * e * (1 + ny * nj)) {
    c.verdict = Verdict::certified;
  } else {
    c.verdict = Verdict::not_certified;
  }
  return c;
}

}  // namespace solver_detail

template <class S> Certificate certify(const SensingMap<S>& A, const Mat<S>& M) {
  return solver_detail::certify_impl<S>(A, M, A.structure() == Structure::quadratic);
}

template <class S> Certificate certify_flat(const SensingMap<S>& A, const Mat<S>& M) {
  require_shape(M.rows(), M.cols(), A.d1(), A.d2(), "certify_flat: M");
  require_finite(M, "certify_flat: M");
  if (A.m() == 0) throw InvalidArgument("certify_flat: the map has no measurements (m = 0)");
  // for 2^-g A (largest entry near 1, so that D1 M D2 does not overflow at any scale of A): D and
  // the rescaled map A(D1^-1 . D2^-1) scale by 2^-g and 2^g, the verdict and margin not at all
  const std::vector<int> e = A.row_exponents();
  const int g = *std::max_element(e.begin(), e.end());
  const SensingMap<S> As = g == 0 ? A : A.rows_scaled(std::vector<int>(e.size(), -g));
  const Rescaling<S> D = rescaling(As);
  const Mat<S> D1i = spd_inverse<S>(D.D1, "D1"), D2i = spd_inverse<S>(D.D2, "D2");
  Certificate c = solver_detail::certify_impl<S>(As.composed(D1i, D2i), Mat<S>(D.D1 * M * D.D2),
                                                 A.structure() == Structure::quadratic);
  c.tangent_sigma_min = times_pow2<double>(c.tangent_sigma_min, -g);
  return c;
}

#define FLATMIN_INSTANTIATE_SOLVER(S)                                                           \
  template SolveResult<S> solve_nuclear<S>(const SensingMap<S>&, const Vec<S>&, const SolveOptions&); \
  template SolveResult<S> solve_flat<S>(const SensingMap<S>&, const Vec<S>&, const SolveOptions&);    \
  template SolveResult<S> solve<S>(Method, const SensingMap<S>&, const Vec<S>&, const SolveOptions&); \
  template Certificate certify<S>(const SensingMap<S>&, const Mat<S>&);                        \
  template Certificate certify_flat<S>(const SensingMap<S>&, const Mat<S>&);

}  // namespace flatmin
