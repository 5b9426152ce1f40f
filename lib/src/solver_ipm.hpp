// A primal-dual interior-point method for min ||X||_* s.t. A(X) = b, through its standard SDP
// embedding (n = d1 + d2):
//   primal  min <C, Z>  s.t.  <Abar_i, Z> = b_i,  Z >= 0,   C = I/2,
//           Abar_i = [[0, A_i/2], [A_i^T/2, 0]]   (so <Abar_i, Z> = <A_i, Z12>, and
//           min (tr W1 + tr W2)/2 over Z = [[W1, X], [X^T, W2]] >= 0 is ||X||_*),
//   dual    max <b, y>  s.t.  S = C - sum_i y_i Abar_i >= 0   (<=> ||A^* y||_op <= 1).
// The dual y is the nuclear-norm program's dual as it is.
//
// Why: the other paths of the solver (Gauss-Newton on the rank-r manifold, the feasibility
// polish, Newton's method on the factored optimality conditions) need the rank of the minimiser
// and a start inside a basin; ADMM gives both only after the singular values of its iterate have
// separated, which takes thousands of iterations where the minimiser is degenerate (singular
// values spread over many orders of magnitude: matrix completion near its recovery boundary).
// An interior-point method does not identify anything: it follows the central path, and at a
// relative accuracy of ~1e-9 the rank is plain from the singular values of X. Newton's method on
// the optimality conditions then takes that point to the 1e-12 of the KKT check (this method
// alone does not reach it: the central path's conditioning grows like 1/mu).
//
// Method: infeasible-start path following with the HKM search direction and Mehrotra's
// predictor-corrector (as in SDPT3 and CSDP): per iteration the Schur complement
// M_ij = <Abar_i, Z Abar_j S^{-1}> (m x m, symmetric positive definite), formed by the structure
// of A — O(m^2) for completion (each Abar_i has two entries), O(m^2 (d1 + d2)) for the rank-one
// and quadratic maps (Abar_i = (p_i q_i^T + q_i p_i^T)/2), O(m d^3 + m^2 d^2) for dense maps —
// and its Cholesky factor (m^3 / 3). Step lengths from the smallest eigenvalue of
// L^{-1} dZ L^{-T} (L the Cholesky factor of Z), damped by 0.95 (0.98 close to the end).
// Stops when the relative primal and dual infeasibilities and the relative gap are below
// `target`, when a factorisation fails (numerical trouble), when a step is too short to make
// progress, or after `max_iterations`. Nothing is trusted: the caller runs the KKT check.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "solver_common.hpp"

namespace flatmin {
namespace solver_detail {

struct IpmStats {
  int iterations = 0;
  double primal = 0, dual = 0, gap = 0;  // relative infeasibilities and gap reached
  bool converged = false;
  std::string why;  // how it ended, in words
};

// Floating-point operations of one interior-point iteration (the Schur complement and its
// Cholesky factor), to decide whether the method is affordable.
template <class S> double ipm_flops_per_iteration(const SensingMap<S>& A) {
  const double m = double(A.m()), d1 = double(A.d1()), d2 = double(A.d2()), n = d1 + d2;
  double schur = 0;
  switch (A.structure()) {
    case Structure::entries: schur = 8 * m * m; break;
    case Structure::rank_one:
    case Structure::quadratic: schur = 4 * m * m * n + 4 * m * n * n; break;
    case Structure::dense:
    case Structure::identity: schur = m * (8 * n * d1 * d2 / std::max(d1, d2) * 2 + m * d1 * d2); break;
  }
  return schur + m * m * m / 3 + 10 * n * n * n;
}

template <class S> class SdpEmbedding {
 public:
  explicit SdpEmbedding(const SensingMap<S>& A) : A_(A), d1_(A.d1()), d2_(A.d2()) {
    const Index m = A.m();
    if (A.structure() == Structure::rank_one || A.structure() == Structure::quadratic) {
      // columns a_i w_i and b_i (quadratic: x_i and x_i)
      a_ = A.left().transpose();
      b_ = A.structure() == Structure::quadratic ? a_ : Mat<S>(A.right().transpose());
      if (A.structure() == Structure::rank_one)
        for (Index i = 0; i < m; ++i) a_.col(i) *= A.weights()(i);
    }
  }
  Index n() const { return d1_ + d2_; }
  // <Abar_i, W> for every i, W square of order n (not necessarily symmetric)
  Vec<S> apply(const Mat<S>& W) const {
    return A_.apply(Mat<S>((W.topRightCorner(d1_, d2_) + W.bottomLeftCorner(d2_, d1_).transpose()) / S(2)));
  }
  // sum_i y_i Abar_i
  Mat<S> adjoint(const Vec<S>& y) const {
    Mat<S> W = Mat<S>::Zero(n(), n());
    const Mat<S> Y = A_.adjoint(y) / S(2);
    W.topRightCorner(d1_, d2_) = Y;
    W.bottomLeftCorner(d2_, d1_) = Y.transpose();
    return W;
  }
  // The HKM Schur complement M_ij = <Abar_i, Z Abar_j G> (Z, G symmetric), into M (m x m; its
  // storage is reused across iterations: a fresh 2 MB matrix per iteration cost more in page
  // faults than the arithmetic at m = 500).
  void schur(const Mat<S>& Z, const Mat<S>& G, Mat<S>& M) const {
    const Index m = A_.m(), d1 = d1_, d2 = d2_;
    M.resize(m, m);
    switch (A_.structure()) {
      case Structure::entries: {
        // Abar_i = w_i (e_u e_v^T + e_v e_u^T) / 2, u = j_i, v = d1 + k_i:
        // M_ij = w_i w_j / 4 (Z_{v_i u_j} G_{v_j u_i} + Z_{v_i v_j} G_{u_j u_i}
        //                     + Z_{u_i u_j} G_{v_j v_i} + Z_{u_i v_j} G_{u_j v_i})
        const auto& idx = A_.entries();
        const Vec<S>& w = A_.weights();
        for (Index j = 0; j < m; ++j) {
          const Index uj = idx[std::size_t(j)].first, vj = d1 + idx[std::size_t(j)].second;
          for (Index i = j; i < m; ++i) {
            const Index ui = idx[std::size_t(i)].first, vi = d1 + idx[std::size_t(i)].second;
            const S v = Z(vi, uj) * G(vj, ui) + Z(vi, vj) * G(uj, ui) + Z(ui, uj) * G(vj, vi) +
                        Z(ui, vj) * G(uj, vi);
            M(i, j) = M(j, i) = w(i) * w(j) * v / S(4);
          }
        }
        return;
      }
      case Structure::rank_one:
      case Structure::quadratic: {
        // Abar_i = (p_i q_i^T + q_i p_i^T) / 2, p_i = (a_i, 0), q_i = (0, b_i):
        // 4 M = (Q'ZP) o (P'GQ) + (Q'ZQ) o (P'GP) + (P'ZP) o (Q'GQ) + (P'ZQ) o (Q'GP)
        const Mat<S> ZPa = Z.topLeftCorner(d1, d1) * a_, ZQb = Z.bottomRightCorner(d2, d2) * b_;
        const Mat<S> GPa = G.topLeftCorner(d1, d1) * a_, GQb = G.bottomRightCorner(d2, d2) * b_;
        const Mat<S> QZP = b_.transpose() * (Z.bottomLeftCorner(d2, d1) * a_);
        const Mat<S> PGQ = a_.transpose() * (G.topRightCorner(d1, d2) * b_);
        const Mat<S> QZQ = b_.transpose() * ZQb, PGP = a_.transpose() * GPa;
        const Mat<S> PZP = a_.transpose() * ZPa, QGQ = b_.transpose() * GQb;
        M = QZP.cwiseProduct(PGQ) + QZQ.cwiseProduct(PGP) + PZP.cwiseProduct(QGQ) +
            QZP.transpose().cwiseProduct(PGQ.transpose());
        M /= S(4);
        M = (M + M.transpose()).eval() / S(2);
        return;
      }
      case Structure::dense:
      case Structure::identity: {
        // Z Abar_j G = (Z_{:,1} A_j G_{2,:} + Z_{:,2} A_j^T G_{1,:}) / 2; only its blocks
        // (1,2) and (2,1) enter <Abar_i, .>
        const auto Z11 = Z.topLeftCorner(d1, d1), Z12 = Z.topRightCorner(d1, d2);
        const auto Z21 = Z.bottomLeftCorner(d2, d1), Z22 = Z.bottomRightCorner(d2, d2);
        const auto G11 = G.topLeftCorner(d1, d1), G12 = G.topRightCorner(d1, d2);
        const auto G21 = G.bottomLeftCorner(d2, d1), G22 = G.bottomRightCorner(d2, d2);
        for (Index j = 0; j < m; ++j) {
          const Mat<S> Aj = A_.matrix(j);
          const Mat<S> W12 = (Z11 * Aj * G22 + Z12 * Aj.transpose() * G12) / S(2);
          const Mat<S> W21 = (Z21 * Aj * G21 + Z22 * Aj.transpose() * G11) / S(2);
          M.col(j) = A_.apply(Mat<S>((W12 + W21.transpose()) / S(2)));
        }
        M = (M + M.transpose()).eval() / S(2);
        return;
      }
    }
    throw InvalidArgument("schur: unknown structure");
  }

 private:
  const SensingMap<S>& A_;
  Index d1_, d2_;
  Mat<S> a_, b_;
};

// The largest alpha <= 1 / 0 (that is, unbounded: returned as +inf) with X + alpha dX >= 0, from
// the Cholesky factor L of X: -1 / lambda_min(L^{-1} dX L^{-T}). NaN when L fails.
template <class S> S max_step(const Eigen::LLT<Mat<S>>& L, const Mat<S>& dX) {
  const auto tri = L.matrixL();
  Mat<S> W = tri.solve(dX);
  W = tri.solve(Mat<S>(W.transpose()));
  const Eigen::SelfAdjointEigenSolver<Mat<S>> es(symmetric_part<S>(W), Eigen::EigenvaluesOnly);
  if (es.info() != Eigen::Success) return std::numeric_limits<S>::quiet_NaN();
  const S lmin = es.eigenvalues()(0);
  return lmin < S(0) ? S(-1) / lmin : std::numeric_limits<S>::infinity();
}

template <class S>
bool interior_point(const SensingMap<S>& A, const Vec<S>& b, int max_iterations, double target,
                    Mat<S>& X, Vec<S>& y, IpmStats& st) {
  const Index m = A.m(), d1 = A.d1(), d2 = A.d2(), n = d1 + d2;
  const SdpEmbedding<S> E(A);
  // scale b to unit largest entry (the program is homogeneous: X scales, y does not)
  const S beta = std::max<S>(b.cwiseAbs().maxCoeff(), std::numeric_limits<S>::min());
  const Vec<S> bs = b / beta;
  const Mat<S> C = Mat<S>::Identity(n, n) / S(2);
  // SDPT3's starting point: Z = xi I, S = eta I, y = 0
  S amax(0), ratio(0);
  for (Index i = 0; i < m; ++i) {
    const S ai = S(A.matrix(i).norm()) / std::sqrt(S(2));  // ||Abar_i||_F
    amax = std::max(amax, ai);
    ratio = std::max(ratio, (S(1) + abs_of(bs(i))) / (S(1) + ai));
  }
  const S rn = std::sqrt(S(double(n)));
  const S xi = std::max({S(10), rn, S(double(n)) * ratio});
  const S eta = std::max({S(10), rn, amax, S(C.norm())});
  Mat<S> Z = xi * Mat<S>::Identity(n, n), Sd = eta * Mat<S>::Identity(n, n);
  y = Vec<S>::Zero(m);
  const S bnorm = S(1) + bs.norm(), cnorm = S(1) + S(C.norm());
  st = IpmStats{};
  Mat<S> M(m, m);
  Eigen::LLT<Mat<S>> lm(m);
  // the point reached is returned however the method ended (a factorisation that fails close to
  // the optimum is the usual end in double): true when it is finite
  const auto finish = [&]() {
    X = beta * Z.topRightCorner(d1, d2);
    return X.allFinite() && y.allFinite();
  };
  for (int k = 0; k < max_iterations; ++k) {
    const Vec<S> rp = bs - E.apply(Z);
    const Mat<S> Rd = C - Sd - E.adjoint(y);
    const S mu = Z.cwiseProduct(Sd).sum() / S(double(n));
    const S pobj = Z.trace() / S(2), dobj = bs.dot(y);
    st.primal = dbl(S(rp.norm() / bnorm));
    st.dual = dbl(S(Rd.norm() / cnorm));
    st.gap = dbl(S(abs_of(S(pobj - dobj)) / (S(1) + abs_of(pobj) + abs_of(dobj))));
    st.iterations = k;
    if (!std::isfinite(st.primal) || !std::isfinite(st.dual) || !std::isfinite(st.gap)) {
      st.why = "non-finite residuals";
      return false;
    }
    if (st.primal <= target && st.dual <= target && st.gap <= target) {
      st.converged = true;
      st.why = "converged";
      break;
    }
    const Eigen::LLT<Mat<S>> lz(Z), ls(Sd);
    if (lz.info() != Eigen::Success || ls.info() != Eigen::Success) {
      st.why = "Z or S lost definiteness";
      return finish();
    }
    const Mat<S> G = ls.solve(Mat<S>::Identity(n, n));
    E.schur(Z, G, M);
    lm.compute(M);
    if (lm.info() != Eigen::Success) {
      st.why = "the Schur complement is not positive definite";
      return finish();
    }
    // direction for the complementarity target sigma mu, with the second-order term K
    // (dZ_pred dS_pred G in the corrector): dS = Rd - Abar^*(dy),
    // dZ = sym(sigma mu G - Z - Z dS G - K), M dy = rp - Abar(sigma mu G - Z - Z Rd G - K)
    const Mat<S> ZRdG = Z * Rd * G;
    const auto direction = [&](const S& smu, const Mat<S>* K, Mat<S>& dZ, Mat<S>& dS, Vec<S>& dy) {
      Mat<S> base = smu * G - Z - ZRdG;
      if (K) base -= *K;
      dy = lm.solve(Vec<S>(rp - E.apply(base)));
      dS = Rd - E.adjoint(dy);
      dZ = base + Z * E.adjoint(dy) * G;
      dZ = (dZ + dZ.transpose()).eval() / S(2);
    };
    Mat<S> dZp, dSp;
    Vec<S> dyp;
    direction(S(0), nullptr, dZp, dSp, dyp);
    const S ap = std::min<S>(S(1), max_step<S>(lz, dZp)), ad = std::min<S>(S(1), max_step<S>(ls, dSp));
    if (!(ap > S(0)) || !(ad > S(0))) {
      st.why = "no step along the predictor";
      return finish();
    }
    const S mu_aff = (Z + ap * dZp).cwiseProduct(Mat<S>(Sd + ad * dSp)).sum() / S(double(n));
    const S ratio_aff = std::min<S>(S(1), mu_aff / mu);
    const S sigma = ratio_aff * ratio_aff * ratio_aff;
    const Mat<S> K = dZp * dSp * G;
    Mat<S> dZ, dS;
    Vec<S> dy;
    direction(sigma * mu, &K, dZ, dS, dy);
    const S gamma = st.gap < 1e-6 ? S(0.98) : S(0.95);
    const S a1 = std::min<S>(S(1), gamma * max_step<S>(lz, dZ));
    const S a2 = std::min<S>(S(1), gamma * max_step<S>(ls, dS));
    if (!(a1 > S(1e-8)) || !(a2 > S(1e-8))) {
      st.why = "step too short (" + std::to_string(dbl(a1)) + ", " + std::to_string(dbl(a2)) + ")";
      break;
    }
    Z += a1 * dZ;
    Sd += a2 * dS;
    y += a2 * dy;
    st.iterations = k + 1;
  }
  if (!st.converged && st.why.empty()) st.why = "iteration limit";
  return finish();
}

}  // namespace solver_detail
}  // namespace flatmin
