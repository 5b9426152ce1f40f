// The KKT conditions of min ||X||_* s.t. A(X) = b at a rank-r point and the exact methods built
// on them: the tangent-space Jacobian J_T, the KKT check, the dual search by accelerated
// alternating projections, and Newton's method on the factored optimality conditions (with its
// bordered linear system). Part of the solver's definitions (solver_impl.hpp); the functions
// that other stages call are instantiated once per scalar type in solver_polish_<type>.cpp.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/QR>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "flatmin/linalg.hpp"
#include "flatmin/solver.hpp"
#include "search1d.hpp"
#include "solver_common.hpp"

namespace flatmin {
namespace solver_detail {

using Clock = std::chrono::steady_clock;


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
// d2 x d2 matrix P^T P, one Gram solve) and cuts the rounds by half to a fifth (docs/solver.md,
// "Dual search").
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

// The constraint rows C ((m + r(r-1)/2) x (d1 + d2) r) of kkt_newton's Jacobian at (L, R):
// row i = [vec(A_i R), vec(A_i^T L)], then the gauge rows: for p < q,
// (L^T dL)_pq - (L^T dL)_qp + (R^T dR)_pq - (R^T dR)_qp = 0.
template <class S>
void newton_constraint_rows(const SensingMap<S>& A, const Mat<S>& L, const Mat<S>& R, Mat<S>& C) {
  const Index m = A.m(), d1 = A.d1(), d2 = A.d2(), r = L.cols(), nl = d1 * r, nr = d2 * r;
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
}

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
    newton_constraint_rows<S>(A, L, R, C);
    ns->factor(A.adjoint(y), C, m, r);
    const Vec<S> delta = ns->solve(Vec<S>(-F));
    if (!delta.allFinite()) return false;
    // damped: the largest alpha in 1, 1/2, ..., 1/1024 with ||F|| decreasing by alpha/4
    const Mat<S> L1 = L, R1 = R;
    const Vec<S> y1 = y;
    S alpha(1), f1(0);
    const bool accepted = search1d::backtrack<S>(alpha, 10, [&](const S& a) {
      L = L1 + a * Eigen::Map<const Mat<S>>(delta.data(), d1, r);
      R = R1 + a * Eigen::Map<const Mat<S>>(delta.data() + nl, d2, r);
      y = y1 + a * delta.segment(nl + nr, m);
      f1 = residual();
      return f1 < (S(1) - a / S(4)) * fn;
    });
    // Near a degenerate minimiser the Jacobian at the solution is nearly singular: the fresh
    // Newton step is long and crawls, while the chord steps with the older, better-conditioned
    // factorisation still contract. Then go on from the chord point with chord steps only
    // (docs/solver.md, "Newton's method": the case that needs it).
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


// The minimum-norm dual at a rank-r point: y = J_T (J_T^T J_T)^{-1} c solves J_T^T y = c with
// c = coordinates(U V^T) = [vec V; 0], i.e. P_T(A^* y) = U V^T.
template <class S> Vec<S> tangent_rhs(const Tangent<S>& T) {
  Vec<S> c = Vec<S>::Zero(T.dim());
  Eigen::Map<Mat<S>>(c.data(), T.V.rows(), T.U.cols()) = T.V;
  return c;
}

}  // namespace solver_detail
}  // namespace flatmin
