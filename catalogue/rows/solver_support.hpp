// Internal: what the catalogue rows that use the convex solver share (rows_a3.cpp: A.T3.2,
// rows_a7.cpp: A.T7.5, rows_solver.cpp: A.T3.3, A.L5.3, B.T1).
//
// How a solver answer enters a check. The solver (flatmin/solver.hpp) returns `solved` only when
// it verified the KKT conditions to the relative tolerance tau_S it was given: primal residual
// ||A(X) - b|| <= tau_S max(1, ||b||), dual equation and dual feasibility, and the duality gap
// ||X||_* - <b, y> <= tau_S max(1, ||X||_*). The rows never take that on trust:
//   * any status other than `solved` makes the check not applicable (never a pass);
//   * the solution is truncated to the solver's reported rank (after the rank-r polish the tail is
//     rounding; when ADMM alone met the tolerance, in double, the returned X is the feasible
//     iterate and its tail is within the primal residual of the rank-r iterate Z) and the
//     feasibility left after the truncation is recomputed;
//   * the dual lower bound  lower = <b, y> / ||B^* y||_op  (weak duality: <b, y> = <B^* y, X> <=
//     ||B^* y||_op ||X||_* for every feasible X, B the map of the program actually solved) is
//     recomputed from y, and every row checks  value - lower <= tau_S max(1, value)  itself;
//   * every inequality that compares with an optimal value carries the solver's tolerance as an
//     explicit term of its right-hand side (u = tau_S max(1, value), the verified gap), derived in
//     each row's comment; the row's tolerance_eps only covers rounding.
// tau_S (SolveOptions::tol): 1e-12 in double and 1e-28 in quad (the solver's defaults) and 1e-45
// in mp50 (the default 1e-28 would stop the mp50 polish at quad accuracy; its Newton steps reach
// 1e-50 from the double ADMM point in two or three steps).
#pragma once

#include <string>
#include <type_traits>

#include "common.hpp"
#include "flatmin/linalg.hpp"
#include "flatmin/solver.hpp"
#include "symmetric_part.hpp"  // lib/src (the library's internal (X + X^T) / 2)

namespace flatmin::catalogue::detail {

template <class S> double solver_tolerance() {
  if constexpr (std::is_same_v<S, double>) return 1e-12;
  else if constexpr (std::is_same_v<S, quad>) return 1e-28;
  else return 1e-45;
}

template <class S> SolveOptions solver_options() {
  SolveOptions o;
  o.tol = solver_tolerance<S>();
  return o;
}

// One convex program solved for a row, in the program's own coordinates.
template <class S> struct Solved {
  bool ok = false;       // status `solved`
  std::string why;       // the status (and message) when not ok
  Mat<S> X;              // the solution truncated to `rank` (flat program: D1 X_f D2)
  Index rank = 0;        // the solver's rank (of its own X: see finish_solved for symmetric maps)
  S value = S(0);        // ||X||_*
  S lower = S(0);        // <b, y> / ||B^* y||_op: a lower bound on the optimal value
  S u = S(0);            // tau_S max(1, value): the gap the solver claims to have verified
  S residual = S(0);     // ||B(X) - b|| after the truncation
  S bscale = S(1);       // max(1, ||b||)
  Vec<S> y;              // the dual vector
  S ynorm = S(1);        // ||B^* y||_op
};

// Truncation of X to rank r by its SVD (r >= the number of singular values: X itself).
template <class S> Mat<S> truncate_rank(const Mat<S>& X, Index r) {
  const Svd<S> d = svd<S>(X);
  if (r >= d.s.size()) return X;
  return d.U.leftCols(r) * d.s.head(r).asDiagonal() * d.V.leftCols(r).transpose();
}

// Fills the fields common to both programs from a SolveResult whose X is already in program
// coordinates (Xp) and whose dual image is Y = B^* y; B_apply maps a program-coordinate matrix
// to its measurements.
template <class S> Solved<S> not_solved(const SolveResult<S>& res) {
  Solved<S> s;
  s.why = std::string(status_name(res.status)) + ": " + res.message;
  return s;
}
template <class S, class Apply>
Solved<S> finish_solved(const SolveResult<S>& res, const Mat<S>& Xp, const Mat<S>& Y,
                        const Vec<S>& b, Apply B_apply, bool symmetric) {
  Solved<S> s;
  s.ok = true;
  s.rank = res.rank;
  s.X = s.rank >= 1 ? truncate_rank<S>(Xp, s.rank) : Mat<S>(Mat<S>::Zero(Xp.rows(), Xp.cols()));
  // Symmetric maps: the symmetric part AFTER the truncation. The solver minimises over all
  // d x d matrices, and its minimiser need not be symmetric: seen, quadnn d=2 r=2 r2=1 k=2 m=15
  // seed=27967010140, a rank-1 X with ||X - X^T|| = 0.02 whose symmetric part (the minimiser of
  // (69), same nuclear norm) has rank 2; truncating the symmetric part to the solver's rank
  // would drop a true eigenvalue (-6e-5) and make it infeasible.
  if (symmetric) s.X = symmetric_part<S>(s.X);
  s.value = nuclear_norm<S>(s.X);
  s.y = res.y;
  s.ynorm = operator_norm<S>(Y);
  s.lower = s.ynorm > S(0) ? S(b.dot(res.y) / s.ynorm) : S(0);
  s.u = S(solver_tolerance<S>()) * std::max<S>(S(1), s.value);
  s.bscale = std::max<S>(S(1), S(b.norm()));
  s.residual = (B_apply(s.X) - b).norm();
  return s;
}

// min ||X||_* s.t. A(X) = b (A (5), (39)). Symmetric maps (quadratic): the symmetric part of the
// answer is taken (it is feasible, since such a map sees only the symmetric part, and has no
// larger nuclear norm).
template <class S> Solved<S> solve_nuclear_rows(const SensingMap<S>& A, const Vec<S>& b) {
  const SolveResult<S> res = solve_nuclear<S>(A, b, solver_options<S>());
  if (res.status != SolveStatus::solved) return not_solved<S>(res);
  return finish_solved<S>(res, res.X, A.adjoint(res.y), b,
                          [&A](const Mat<S>& X) { return A.apply(X); },
                          A.structure() == Structure::quadratic);
}

// The flat relaxation (A (21), (69)): min ||X||_* s.t. A(D1^{-1} X D2^{-1}) = b, in the program's
// coordinates X = D1 X_f D2 (solve_flat returns X_f = D1^{-1} X D2^{-1}); its dual image is
// B^* y = D1^{-1} A^*(y) D2^{-1}.
template <class S>
Solved<S> solve_flat_rows(const SensingMap<S>& A, const Vec<S>& b, const Rescaling<S>& D) {
  const SolveResult<S> res = solve_flat<S>(A, b, D, solver_options<S>());
  if (res.status != SolveStatus::solved) return not_solved<S>(res);
  const Mat<S> D1i = spd_inverse<S>(D.D1, "D1"), D2i = spd_inverse<S>(D.D2, "D2");
  const Mat<S> Y = D1i * A.adjoint(res.y) * D2i;
  return finish_solved<S>(res, Mat<S>(D.D1 * res.X * D.D2), Y, b,
                          [&A, &D1i, &D2i](const Mat<S>& X) {
                            return A.apply(Mat<S>(D1i * X * D2i));
                          },
                          A.structure() == Structure::quadratic);
}

}  // namespace flatmin::catalogue::detail

namespace flatmin::catalogue::detail {

// An inequality lhs <= rhs inside an exact row (the optimality halves of A.T3.2 and A.T7.5):
// passes with error 0 when bound_outcome accepts it, fails with an error no tolerance accepts
// otherwise; the detail keeps both sides and the slack.
template <class S> Outcome bound_within_exact(const S& lhs, const S& rhs, const S& scale,
                                              double tol, const std::string& what) {
  const Outcome b = bound_outcome<S>(lhs, rhs, scale, tol, what);
  Outcome o = exact_outcome<S>(b.holds ? S(0) : S(1), S(0), S(1), tol, what);
  o.detail = (b.holds ? "" : "VIOLATED ") + b.detail;
  return o;
}

// Extreme eigenvalues of the rescaling matrices: alpha1 = min(lambda_min(D1), lambda_min(D2)),
// alpha2 = max(lambda_max(D1), lambda_max(D2)) (A Thm 3.3: kappa = alpha2 / alpha1), and each
// matrix's own range (A Lemma 5.3 bounds the two condition numbers separately).
template <class S> struct DRange {
  S lo1, hi1, lo2, hi2;
  S alpha1() const { return std::min(lo1, lo2); }
  S alpha2() const { return std::max(hi1, hi2); }
  S kappa() const { return alpha2() / alpha1(); }
  S kappa_separate() const { return std::max(hi1 / lo1, hi2 / lo2); }
};
template <class S> DRange<S> d_range(const Rescaling<S>& D) {
  const SymEig<S> e1 = sym_eig<S>(D.D1), e2 = sym_eig<S>(D.D2);
  return {e1.lambda(0), e1.lambda(e1.lambda.size() - 1), e2.lambda(0),
          e2.lambda(e2.lambda.size() - 1)};
}

// (1/2)(||D1 L||^2 + ||D2 R||^2): the objective of A (19).
template <class S> S objective19(const Rescaling<S>& D, const Factors<S>& P) {
  return (D.D1 * P.L).squaredNorm() / S(2) + (D.D2 * P.R).squaredNorm() / S(2);
}

}  // namespace flatmin::catalogue::detail
