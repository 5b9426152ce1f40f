// Definitions of flatmin/solver.hpp, included only by solver_<type>.cpp (one translation unit per
// scalar type: the QR / Cholesky instantiations are heavy).
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/QR>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <type_traits>

#include "flatmin/linalg.hpp"
#include "flatmin/solver.hpp"

namespace flatmin {
namespace solver_detail {

template <class S> double dbl(const S& x) { return to_double(x); }
template <class S> S abs_s(const S& x) { return x < S(0) ? S(-x) : x; }

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
// (dependent measurements, m > d1 d2).
template <class S> class AffineProjector {
 public:
  AffineProjector(const SensingMap<S>& A, const Vec<S>& b) : A_(A), b_(b) {
    const Mat<S> G = gram(A);
    const Index m = A.m();
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
      const S top = e.lambda.size() ? abs_s(e.lambda(e.lambda.size() - 1)) : S(0);
      Vec<S> inv = Vec<S>::Zero(m);
      for (Index i = 0; i < m; ++i)
        if (e.lambda(i) > S(1e3) * S(double(m)) * eps * top) inv(i) = S(1) / e.lambda(i);
      pinv_ = e.P * inv.asDiagonal() * e.P.transpose();
    }
  }
  Vec<S> solve_gram(const Vec<S>& r) const { return use_llt_ ? Vec<S>(llt_.solve(r)) : Vec<S>(pinv_ * r); }
  Mat<S> project(const Mat<S>& V) const { return V + A_.adjoint(solve_gram(b_ - A_.apply(V))); }
  bool cholesky() const { return use_llt_; }

 private:
  const SensingMap<S>& A_;
  const Vec<S>& b_;
  Eigen::LLT<Mat<S>> llt_;
  Mat<S> pinv_;
  bool use_llt_ = false;
};

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
  gap_rank = rank;
  for (Index i = 0; i + 1 < rank; ++i)
    if (s(i) > S(100) * s(i + 1)) {
      gap_rank = i + 1;
      break;
    }
  return d.U.leftCols(rank) * s.asDiagonal() * d.V.leftCols(rank).transpose();
}

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

// J_T: m x dim T, row i = coordinates of A_i (so J_T t = A(embed(t)), J_T^T y = coordinates(A^* y)).
template <class S> Mat<S> tangent_matrix(const SensingMap<S>& A, const Tangent<S>& T) {
  const Index m = A.m();
  Mat<S> J(m, T.dim());
  for (Index i = 0; i < m; ++i) J.row(i) = T.coordinates(A.matrix(i)).transpose();
  return J;
}

template <class S> S relative(const S& num, const S& scale) {
  return num / std::max<S>(S(1), scale);
}

// KKT check at (X rank r with factors U, V; dual y). Fills the result's residuals.
template <class S>
bool kkt_holds(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& X, const Tangent<S>& T,
               const Vec<S>& y, double tol, SolveResult<S>& res) {
  const Mat<S> Y = A.adjoint(y);
  const Index r = T.U.cols();
  const Mat<S> PtY = T.U * (T.U.transpose() * Y) + (Y - T.U * (T.U.transpose() * Y)) * T.V * T.V.transpose();
  const S eq = (PtY - T.U * T.V.transpose()).norm() / sqrt(S(double(std::max<Index>(r, 1))));
  const S opn = operator_norm<S>(Mat<S>(Y - PtY));
  const S yscale = std::max<S>(S(1), operator_norm<S>(Y));
  const S nuc = nuclear_norm<S>(X);
  const S gap = relative<S>(S(nuc - b.dot(y) / yscale), nuc);
  res.primal_residual = dbl(relative<S>(S((A.apply(X) - b).norm()), S(b.norm())));
  res.dual_residual = dbl(eq);
  res.gap = dbl(gap);
  return res.primal_residual <= tol && res.dual_residual <= tol && dbl(opn) <= 1 + tol &&
         std::abs(res.gap) <= tol;
}

// Rank-r truncation.
template <class S> Mat<S> truncate(const Mat<S>& X, Index r, Mat<S>* U = nullptr, Mat<S>* V = nullptr) {
  const Svd<S> d = svd<S>(X);
  if (U) *U = d.U.leftCols(r);
  if (V) *V = d.V.leftCols(r);
  return d.U.leftCols(r) * d.s.head(r).asDiagonal() * d.V.leftCols(r).transpose();
}

// The polish on the rank-r manifold from X0; true when the KKT conditions then hold.
// A dual certificate at a primal point found exactly: Y = A^* y with P_T(Y) = UV^T and
// ||P_T^perp(Y)||_op < 1, by alternating projections between the affine set
// Aff = {A^* y : J_T^T y = c} (Frobenius projection: y = G^{-1}(A(W) - J_T lambda) with
// (J_T^T G^{-1} J_T) lambda = J_T^T G^{-1} A(W) - c) and the convex set {P_T(Y) = UV^T,
// ||P_T^perp(Y)||_op <= 1 - delta} (clip the singular values). Shrinking the ball by delta makes
// the iterates enter the open unit ball in finitely many rounds when a dual with margin > delta
// exists; delta = 1e-2, then 1e-3 (measured on completion d = 40, p = 0.3: the minimum-norm dual
// has ||P_T^perp||_op = 1.28, this finds one with < 1 after 642 rounds at delta = 1e-2; at
// delta = 1e-4 it took 2916). The iterate returned is on Aff, so P_T(Y) = UV^T holds to rounding
// and only the norm is left to check. At most 1500 rounds per delta.
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
  Vec<S> y = y0;
  for (const double delta : {1e-2, 1e-3}) {
    y = y0;
    for (int it = 0; it < 1500; ++it) {
      const Mat<S> Y = A.adjoint(y);
      Mat<S> P = Y - T.U * (T.U.transpose() * Y);
      P -= P * T.V * T.V.transpose();
      const Svd<S> d = svd<S>(P);
      if (d.s.size() == 0 || d.s(0) < S(1) - S(1e-9)) return y;  // strictly inside: done
      Vec<S> s = d.s;
      for (Index i = 0; i < s.size(); ++i) s(i) = std::min<S>(s(i), S(1) - S(delta));
      const Mat<S> W = UVt + d.U * s.asDiagonal() * d.V.transpose();
      const Vec<S> aw = gram_solve(A.apply(W));
      const Vec<S> lambda = K.solve(Vec<S>(J.transpose() * aw - c));
      y = aw - GiJ * lambda;
    }
  }
  return y;
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
  for (int it = 0; it < 40; ++it) {
    const Vec<S> rvec = b - A.apply(X);
    const S rn = rvec.norm() / bscale;
    if (dbl(rn) <= tol / 10) break;
    if (last >= S(0) && !(rn < last / S(2)) && it > 3) break;  // no (quadratic) progress
    last = rn;
    const Tangent<S> T = tangent_at<S>(U, V);
    const Mat<S> J = tangent_matrix<S>(A, T);
    Eigen::CompleteOrthogonalDecomposition<Mat<S>> cod(J);
    const Vec<S> t = cod.solve(rvec);
    X = truncate<S>(Mat<S>(X + T.embed(t)), r, &U, &V);
  }
  const Tangent<S> T = tangent_at<S>(U, V);
  const Mat<S> J = tangent_matrix<S>(A, T);
  Vec<S> c = Vec<S>::Zero(T.dim());
  Eigen::Map<Mat<S>>(c.data(), A.d2(), r) = T.V;
  Eigen::CompleteOrthogonalDecomposition<Mat<S>> codT(J.transpose());
  Vec<S> y = codT.solve(c);
  SolveResult<S> trial = res;
  bool ok = kkt_holds<S>(A, b, X, T, y, tol, trial);
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

using Clock = std::chrono::steady_clock;

template <class S>
SolveResult<S> admm(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o, double tol) {
  SolveResult<S> res;
  const auto start = Clock::now();
  const Index d1 = A.d1(), d2 = A.d2();
  AffineProjector<S> proj(A, b);
  const Mat<S> X0 = proj.project(Mat<S>::Zero(d1, d2));
  res.X = X0;
  res.y = Vec<S>::Zero(A.m());
  res.primal_residual = dbl(relative<S>(S((A.apply(X0) - b).norm()), S(b.norm())));
  const double feas_tol = std::max(tol, 1e3 * dbl(ScalarTraits<S>::epsilon()) * double(A.m()));
  if (res.primal_residual > std::sqrt(feas_tol)) {
    res.status = SolveStatus::infeasible;
    res.message = "A(X) = b has no solution: the least-squares residual is " +
                  std::to_string(res.primal_residual) + " relative to ||b||";
    return res;
  }
  if (b.norm() == S(0)) {
    res.X = Mat<S>::Zero(d1, d2);
    res.status = SolveStatus::solved;
    res.primal_residual = res.dual_residual = res.gap = 0;
    res.message = "b = 0: X = 0";
    return res;
  }
  Mat<S> Z = Mat<S>::Zero(d1, d2), Ud = Mat<S>::Zero(d1, d2), X = X0;
  S rho = S(1) / (S(0.1) * operator_norm<S>(X0));
  Index rank = -1, stable = 0, polished_rank = -1;
  int since_polish = 0;
  Index gap_rank = 0;
  bool finished = false;  // solved or numerical trouble; otherwise the budget ran out
  // Residuals of an ADMM state. Dual estimate: y with A^* y = the projection of rho Ud onto
  // range A^*, scaled to ||A^* y||_op <= 1, so that <b, y> is a lower bound on the optimum.
  S rp = S(0), rd = S(0);
  const auto measure = [&](const Mat<S>& Xk, const S& rpk, const S& rdk, const S& rhok,
                           const Mat<S>& Uk) {
    const Vec<S> y = proj.solve_gram(A.apply(Mat<S>(rhok * Uk)));
    const Mat<S> Y = A.adjoint(y);
    const S yscale = std::max<S>(S(1), operator_norm<S>(Y));
    const S nuc = nuclear_norm<S>(Xk);
    res.X = Xk;
    res.y = y / yscale;
    res.primal_residual = dbl(relative<S>(S((A.apply(Xk) - b).norm() + rpk), S(b.norm())));
    res.dual_residual = dbl(relative<S>(rdk, S(std::max<S>(S(1), S(Xk.norm())))));
    res.gap = dbl(relative<S>(S(nuc - b.dot(y) / yscale), nuc));
  };
  for (int k = 1; k <= o.max_iterations && !finished; ++k) {
    res.iterations = k;
    X = proj.project(Mat<S>(Z - Ud));
    const Mat<S> Zold = Z;
    Index rk = 0;
    Index grk = 0;
    Z = svt<S>(Mat<S>(X + Ud), S(1) / rho, rk, grk);
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
      measure(X, rp, rd, rho, Ud);
      if (res.primal_residual <= tol && res.dual_residual <= tol && std::abs(res.gap) <= tol) {
        res.status = SolveStatus::solved;
        res.rank = rank;  // of Z, the thresholded iterate (X itself is feasible, not low-rank)
        res.message = "ADMM met the tolerance (primal, dual and gap with a dual-feasible y)";
        finished = true;
        break;
      }
    }
    if (o.polish && gap_rank >= 1 &&
        ((stable >= 8 && gap_rank != polished_rank) || since_polish >= 60)) {
      polished_rank = gap_rank;
      since_polish = 0;
      const Vec<S> y_hint = proj.solve_gram(A.apply(Mat<S>(rho * Ud)));
      const auto gram_solve = [&proj](const Vec<S>& v) { return proj.solve_gram(v); };
      if (polish<S>(A, b, Z, gap_rank, tol, res, &y_hint, gram_solve)) {
        res.status = SolveStatus::solved;
        res.message = "KKT conditions verified after the rank-" + std::to_string(gap_rank) +
                      " polish";
        finished = true;
        break;
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
    measure(X, rp, rd, rho, Ud);
    res.status = SolveStatus::iteration_limit;
    res.message = "no KKT point within " + std::to_string(o.max_iterations) +
                  " iterations; residuals as reached";
    res.rank = rank;
  }
  res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return res;
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
  if (!(o.tol >= 0) || !std::isfinite(o.tol)) throw InvalidArgument("solve: tol must be >= 0");
}

}  // namespace solver_detail

template <class S>
SolveResult<S> solve_nuclear(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o) {
  using namespace solver_detail;
  validate(A, b, o);
  const double tol = default_tol<S>(o.tol);
  if constexpr (std::is_same_v<S, double>) {
    return admm<S>(A, b, o, tol);
  } else {
    // extended precision: the ADMM phase in double, then the polish in S from its answer
    const auto start = Clock::now();
    SolveOptions od = o;
    od.tol = 1e-12;
    const SensingMap<double> Ad = A.template cast<double>();
    const Vec<double> bd = b.unaryExpr([](const S& x) { return to_double(x); });
    SolveResult<double> rd = admm<double>(Ad, bd, od, od.tol);
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
      if (o.polish && polish<S>(A, b, res.X, r, tol, res)) {
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
  const Rescaling<S> D = rescaling(A);
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
  const SensingMap<S> B = A.composed(D1i, D2i);
  res = solve_nuclear<S>(B, b, o);
  res.method = Method::flat;
  if (res.X.size()) res.X = D1i * res.X * D2i;
  res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return res;
}

template <class S>
SolveResult<S> solve(Method m, const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o) {
  return m == Method::flat ? solve_flat<S>(A, b, o) : solve_nuclear<S>(A, b, o);
}

namespace solver_detail {
template <class S> Certificate certify_impl(const SensingMap<S>& A, const Mat<S>& M, bool symmetric) {
  require_shape(M.rows(), M.cols(), A.d1(), A.d2(), "certify: M");
  require_finite(M, "certify: M");
  if (A.m() == 0) throw InvalidArgument("certify: the map has no measurements (m = 0)");
  Certificate c;
  const Svd<S> d = svd<S>(M);
  Index r = 0;
  for (Index i = 0; i < d.s.size(); ++i)
    if (d.s(i) > S(1e3) * ScalarTraits<S>::epsilon() * d.s(0)) ++r;
  c.rank = r;
  if (r == 0) throw InvalidArgument("certify: M = 0 (nothing to certify)");
  const Tangent<S> T = tangent_at<S>(Mat<S>(d.U.leftCols(r)), Mat<S>(d.V.leftCols(r)));
  const Mat<S> J = tangent_matrix<S>(A, T);
  const S eps = ScalarTraits<S>::epsilon();
  const Vec<S> sv = singular_values<S>(J);
  const S jn = sv.size() ? sv(0) : S(0);
  // Symmetric sensing (A_i = x_i x_i^T) sees only the symmetric part of X: the program is over
  // symmetric matrices ((69)), and for symmetric M the tangent space splits into its symmetric
  // part (dim r(r+1)/2 + r(d-r)) and skew part, which every such A annihilates. Injectivity is
  // asked on the symmetric part: sigma_min is the dim(T n Sym)-th singular value of J_T.
  Index need = T.dim();
  if (symmetric) need = r * (r + 1) / 2 + r * (A.d1() - r);
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
  const Rescaling<S> D = rescaling(A);
  const Mat<S> D1i = spd_inverse<S>(D.D1, "D1"), D2i = spd_inverse<S>(D.D2, "D2");
  return solver_detail::certify_impl<S>(A.composed(D1i, D2i), Mat<S>(D.D1 * M * D.D2),
                                        A.structure() == Structure::quadratic);
}

#define FLATMIN_INSTANTIATE_SOLVER(S)                                                           \
  template SolveResult<S> solve_nuclear<S>(const SensingMap<S>&, const Vec<S>&, const SolveOptions&); \
  template SolveResult<S> solve_flat<S>(const SensingMap<S>&, const Vec<S>&, const SolveOptions&);    \
  template SolveResult<S> solve<S>(Method, const SensingMap<S>&, const Vec<S>&, const SolveOptions&); \
  template Certificate certify<S>(const SensingMap<S>&, const Mat<S>&);                        \
  template Certificate certify_flat<S>(const SensingMap<S>&, const Mat<S>&);

}  // namespace flatmin
