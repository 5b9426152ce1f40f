// The catalogue's tolerances, in one table: every number a row's acceptance test (holds or
// violated, or a library invariant that makes the trial a defect) compares an error or a slack
// with. A row's registered tolerance_eps is the entry its evaluator uses, so that `flatmin check
// --list --long` and docs/catalogue.md print what is actually applied.
//
// "Eps" entries are in units of the precision's epsilon (the error allowed grows with nothing but
// rounding, so it shrinks with the precision); "Rel" entries are relative thresholds checked in
// double (invariants of double-only library paths such as the solvers' own outputs).
//
// NOT here, and deliberately left beside the hypothesis they state in the row: the regime
// thresholds that decide whether a trial is applicable or which regime it is classified in (e.g.
// A.eq10's "unbalanced: ||L^T L - R^T R||_F > 1e-3 ||X||_*", A.T3.2's "D_i scalar: ||D_i - c I||
// <= 1e-9 c", "kappa > 1 + 1e-6" of the solver rows' controls, the rank cut kRankTolEps of
// flatmin/objective.hpp), the problem constants of a statement (delta, c, C of the stat rows) and
// the solvers' own stopping tolerances (solver_tolerance in solver_support.hpp, which the rows
// add as explicit slack u rather than as a tolerance).
#pragma once

namespace flatmin::catalogue::detail {

// Exact and bound rows of small dense linear algebra (SVDs, symmetric eigenproblems, products and
// brute-force sums of at most ~150 terms, d <= 8): each computed side is O(10-100 eps) off; 1e4
// eps leaves two orders of margin, while every negative control is off by >= 1e-3 relative
// (>= 1e12 eps in double). Also the library invariants of those rows (hessian_form, the
// TraceTracker, one train step against W - eta grad).
inline constexpr double kExactEps = 1e4;

// RIP rows (A.L4.6, A.L4.8, A.L5.4, B.L3, B.L5): ratios ||A(X)||^2 / ||X||^2 of one candidate X
// and eigenvalues of d x d Gram matrices, a handful of operations each, no SVD chains.
inline constexpr double kRipEps = 1e3;

// Rows that solve a program (A.T3.3, A.L5.3, B.T1): the rounding of the comparisons around the
// solver's minimiser; the solver's own gap u enters each comparison as explicit slack.
inline constexpr double kSolverCheckEps = 1e4;

// A.L5.3's invariants of certify / certify_flat against the row's own recomputation (one SVD of
// the tangent-space matrix, a minimum-norm dual): tangent_sigma_min within kCertificateEps eps
// sigma_1; the injectivity band (not injective below 0.1, injective above 10 times
// kCertificateEps eps sigma_1); the margin within kCertificateEps eps (1 + ||y|| sigma_1) cond.
// (The rank cut of its recomputation, 1e3 eps sigma_1, mirrors certify's and stays there.)
inline constexpr double kCertificateEps = 1e3;

// A.T6.1: ||X - M||_F of solve_rpca's output, absolute (M has entries O(1)); the ADMM stops at
// relative residuals 1e-12 (double) / 1e-28 (quad), so a recovered M is well inside.
inline constexpr double kRpcaRecoveryDouble = 1e-10;
inline constexpr double kRpcaRecoveryQuad = 1e-25;

// Invariants of the double-precision solvers' outputs, relative to max(1, size):
// feasibility ||A x - b|| and the recomputed objective of solve_weighted_lq (Depth), the noise
// constraint ||A(X) - b|| <= eps of solve_noisy (A.T3.3): a direct solve's rounding;
inline constexpr double kSolverFeasibilityRel = 1e-9;
// the duality gap of solve_weighted_lq (Depth): an iterative method's stopping accuracy;
inline constexpr double kWeightedLqDualGapRel = 1e-7;
// the duality gap of solve_noisy (A.T3.3), and "certify(A, M) / certify_flat(A, M) certified,
// so M is no worse than the solver's minimiser" (A.L5.3): a conic solver's accuracy.
inline constexpr double kConicGapRel = 1e-6;

}  // namespace flatmin::catalogue::detail
