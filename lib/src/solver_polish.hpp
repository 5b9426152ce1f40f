// The exact stages that end a solve: the feasibility polish at a given rank (with two dual
// candidates), Newton's method at ranks where the optimality conditions determine the minimiser,
// the interior-point method as a start for both, the Farkas check behind `infeasible`, and b = 0.
// Instantiated once per scalar type in solver_polish_<type>.cpp (FLATMIN_SOLVER_POLISH_STAGES).
#pragma once

#include <iomanip>
#include <set>
#include <sstream>
#include <utility>

#include "search1d.hpp"
#include "solver_ipm.hpp"
#include "solver_kkt.hpp"

namespace flatmin {
namespace solver_detail {

// A second dual candidate, cheap: the minimum-norm dual y0 moved along n, the part of the
// all-ones vector in the null space of J_T^T (so that P_T(A^* y) = UV^T still holds), by the t
// that minimises the convex function f(t) = ||P_T^perp(A^*(y0 + t n))||_op (golden section on
// |t| <= 2 f(0) / ||P_T^perp(A^* n)||_op, outside which f(t) > f(0)). Where the A_i share a mean
// component (quadratic maps: E[x x^T] = I) the minimum-norm dual carries a multiple of it on
// T^perp that this removes, in tens of norm evaluations instead of the alternating projections'
// hundreds of rounds (docs/solver.md, "Dual search").
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
  const S ratio = (sqrt(S(5)) - S(1)) / S(2);
  const search1d::GoldenMinimum<S> best = search1d::golden_section<S>(
      f, S(-2) * f0 / fn, S(2) * f0 / fn, 60, ratio, search1d::Ties::keep_right);
  return best.fx < f0 ? Vec<S>(y0 + best.x * n) : y0;
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
  return ok && adopt<S>(trial, X, y, r, res);
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
  return ok && adopt<S>(trial, X, yn, rn, res);
}

// The interior-point method (solver_ipm.hpp) to a relative accuracy of 1e-10 or as far as it
// gets, then the rank from the largest ratio s_r / s_r+1 of the singular values of its X, then
// the exact stage at that rank: Newton's method on the optimality conditions when dim T >= m,
// the feasibility polish below that (up to three candidate ranks, by decreasing ratio). True
// (res filled, `how` saying which) when the KKT conditions hold; `used` returns the
// interior-point iterations.
// Budgets, in floating-point operations of one interior-point iteration (ipm_flops_per_iteration):
// before ADMM, right after the manifold path failed, when one iteration is cheaper than 1e8; from
// ADMM, once, when Newton's basin was not reached from its point and one iteration is below 2e9
// (docs/solver.md, "Interior point").
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
  for (Index i = 0; i < A.m(); ++i) weight += abs_of<S>(y(i)) * S(A.matrix(i).norm());
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

}  // namespace solver_detail
}  // namespace flatmin

// The functions of this stage that other translation units call, instantiated explicitly (with
// PREFIX `template`) in solver_polish_<type>.cpp and declared `extern template` everywhere else,
// so that their Eigen decompositions are compiled once per scalar type.
#define FLATMIN_SOLVER_POLISH_STAGES(PREFIX, S)                                                   \
  PREFIX bool flatmin::solver_detail::polish<S>(                                                 \
      const SensingMap<S>&, const Vec<S>&, const Mat<S>&, Index, double, SolveResult<S>&,         \
      const Vec<S>*, const std::function<Vec<S>(const Vec<S>&)>&);                               \
  PREFIX bool flatmin::solver_detail::newton_polish<S>(const SensingMap<S>&, const Vec<S>&,       \
                                                       const Mat<S>&, const Vec<S>&, Index,       \
                                                       double, SolveResult<S>&);                 \
  PREFIX bool flatmin::solver_detail::kkt_holds<S>(const SensingMap<S>&, const Vec<S>&,           \
                                                   const Mat<S>&, const Tangent<S>&,              \
                                                   const Vec<S>&, double, SolveResult<S>&,        \
                                                   const S*);                                    \
  PREFIX Vec<S> flatmin::solver_detail::dual_by_alternating_projections<S>(                      \
      const SensingMap<S>&, const Tangent<S>&, const Mat<S>&, const Vec<S>&, const Vec<S>&,       \
      const std::function<Vec<S>(const Vec<S>&)>&);                                              \
  PREFIX Vec<S> flatmin::solver_detail::shifted_dual<S>(const SensingMap<S>&, const Tangent<S>&,  \
                                                        const Vec<S>&, const Vec<S>&);           \
  PREFIX void flatmin::solver_detail::tangent_jacobian<S>(const SensingMap<S>&,                   \
                                                          const Tangent<S>&, Mat<S>&, Mat<S>&);  \
  PREFIX S flatmin::solver_detail::spectral_norm<S>(const Mat<S>&);

// The interior-point method runs in double only (the first-order stages of every precision do).
#define FLATMIN_SOLVER_INTERIOR_POINT_STAGE(PREFIX)                                              \
  PREFIX bool flatmin::solver_detail::interior_point_polish<double>(                             \
      const SensingMap<double>&, const Vec<double>&, double, int, SolveResult<double>&, int&,     \
      std::string&);

namespace flatmin {
FLATMIN_SOLVER_INTERIOR_POINT_STAGE(extern template)
#define FLATMIN_SOLVER_POLISH_EXTERN(S) FLATMIN_SOLVER_POLISH_STAGES(extern template, S)
FLATMIN_FOR_EACH_SCALAR(FLATMIN_SOLVER_POLISH_EXTERN)
#undef FLATMIN_SOLVER_POLISH_EXTERN
}  // namespace flatmin
