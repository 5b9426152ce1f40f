// flatmin/programs.hpp — two more convex programs beside those of solver.hpp:
//   weighted l_q:  min f(x) = sum_j w_j |x_j|^q   s.t.  A x = b          (the depth study)
//   noisy nuclear: min ||X||_*                     s.t.  ||A(X) - b||_2 <= eps
// Both follow solver.hpp's conventions: a status that is `solved` only when optimality was
// verified to the tolerance (default 1e-12 relative in double, 1e-28 in quad), the residuals
// reached whatever the status, every loop with a budget, same input same bits.
//
// Scale (as solver.hpp's "Scale"): both are solved in a scale-free form, their data multiplied by
// powers of two chosen from the data (exact), and the solution and the dual vector mapped back:
//   weighted l_q: row i of A and b times 2^-e_i (the row's largest |entry| to [1, 2)), w times
//     2^-ew (max w_j to [1, 2)), b times 2^-ex (the size of x, ||b|| sqrt(n) / ||A||_F, to
//     [1, 2)); x = 2^ex x', y_i = 2^(ew + (q-1) ex - e_i) y'_i (rounded once when q is not an
//     integer), f(x) = 2^(ew + q ex) f'(x');
//   noisy: every row of A times 2^-g (g the largest row exponent: the norm of the residual weighs
//     the rows alike), then b and eps times 2^-(g + ex); X = 2^ex X', y = 2^-g y'.
// Multiplying A and b (and eps) by a power of two, the weights by one, or the solution's scale by
// one changes no status and no bit; the residuals and every max(1, .) below are those of the
// scale-free program, so every tolerance is relative to the data. A b_i, w_j or eps whose scaled
// value is not representable (out of all proportion to the rest) is an InvalidArgument.
//
// ## Weighted l_q (docs/usage.md, "Depth")
// A dense m x n with columns a_j, weights w_j > 0 (the depth weights D_jj^2 = ||a_j||^2 / m of
// depth.hpp), q = 1 (depth k = 2) or 1 < q < 2 (k >= 3, q = 2(k-1)/k).
// Lagrangian f(x) - y^T (A x - b), s = A^T y. The dual is  max_y d(y) = b^T y - sum_j w_j
// phi*(s_j / w_j),  phi(t) = |t|^q, phi*(u) = sup_t (u t - |t|^q).
//   q = 1:  phi* is the indicator of [-1, 1]: the dual is the LP  max b^T y  s.t. |a_j^T y| <= w_j.
//     KKT: A x = b, a_j^T y = w_j sign(x_j) on the support, |a_j^T y| <= w_j off it.
//     Method: ADMM (x in the affine set, z with the weighted soft threshold) identifies the
//     support S and the signs (polish when the sign pattern of z has been stable for 8
//     iterations, and every 60); the polish then solves A_S x_S = b (least squares, exact in the
//     working precision; entries at rounding level dropped) and a dual y with
//     A_S^T y = w_S sign(x_S) (the minimum-norm one, else ADMM's dual estimate corrected by the
//     least change that satisfies it). Solved only when the KKT conditions hold to the
//     tolerance (checked on the original A, b):
//       primal  ||A x - b|| / max(1, ||b||)
//       dual    max_j dist(a_j^T y / w_j, sign-set(x_j))   (sign-set(0) = [-1, 1])
//       gap     (f(x) - b^T y) / max(1, f(x)).
//     (Without a polish, an ADMM iterate is reported with y scaled to be dual feasible, its
//     dual_residual being ADMM's ||rho dz|| / max(1, ||x||); it counts as solved only if the
//     primal residual and the gap reach the tolerance, i.e. by weak duality.)
//   1 < q < 2:  with p = q/(q-1) > 2 (the conjugate exponent), the stationary point of
//     u t - |t|^q is |t| = (|u|/q)^{1/(q-1)}, which gives
//       phi*(u) = (q-1) |u/q|^p,
//       x_j(y) = sign(s_j) (|s_j| / (q w_j))^{1/(q-1)}        (the maximiser of s_j t - w_j |t|^q),
//     and for F(y) = -d(y) = sum_j (q-1) w_j |s_j/(q w_j)|^p - b^T y:
//       grad F(y) = A x(y) - b                 (d/ds_j of the sum is x_j(y): (q-1) p / q = 1),
//       hess F(y) = A diag(h) A^T,  h_j = dx_j/ds_j = |x_j| / ((q-1) |s_j|)   (0 at s_j = 0;
//                   = (q w_j)^{-1/(q-1)} |s_j|^{(2-q)/(q-1)} / (q-1), continuous since p > 2).
//     F is convex and C^2; the primal solution is unique (f strictly convex). Method: Newton on
//     F (each step counts as one iteration) with an Armijo backtracking line search, from y0 =
//     the least-squares fit of A^T y to the gradient of f at the minimum-norm solution; in the
//     local regime, where F's decrease is below its rounding level, a full step is accepted
//     when it halves ||grad F||. Measured: 3-7 steps for q in [4/3, 2), ~40 at q = 1.05, ~150
//     at q = 1.01 (n = 200, m = 100). Verification: x = x(y) projected onto
//     {A x = b} (the projection is quadratically small at convergence), then
//       primal  ||A x - b|| / max(1, ||b||)
//       gap     (f(x) - d(y)) / max(1, f(x))     (weak duality: f(x) >= f* >= d(y) for every y)
//     both <= tol. The dual is unconstrained, so every y is dual feasible: dual_residual = 0.
//     For q near 1 the exponents 1/(q-1) grow (q = 1.01: 100): Newton slows down and, closer
//     to 1, x(y) may overflow: the status then says numerical_trouble; use q = 1 there.
// A x = b inconsistent (least-squares residual > sqrt(max(tol, 1e3 m eps)) relative to ||b||):
// status infeasible. Rank-deficient A (dependent rows, m > n) is replaced by P^T A x = P^T b
// with P an orthonormal basis of range A (same solution set when consistent). In quad, the
// ADMM / Newton phase runs in double, then the polish / Newton steps in quad from its answer.
//
// ## Noisy nuclear norm
// Dual: max_y <b, y> - eps ||y||  s.t. ||A^* y||_op <= 1 (from min over ||r|| <= eps of <y, r>).
// KKT at X = U Sigma V^T of rank r: ||A(X) - b|| <= eps (= eps when eps < ||b||), P_T(A^* y) =
// U V^T, ||P_T^perp(A^* y)||_op <= 1, and y = lambda (b - A(X)) / eps with lambda = ||y|| >= 0
// (the normal cone of the ball at A(X) - b). Unlike the noiseless program, the solution is in
// general not of the truth's rank: with noise, small singular values of the order of eps / m
// appear (measured: rank 4-5 for a rank-2 truth at d = 10, m = 70; rank 8 at d = 40, m = 480).
// Method:
//   1. ADMM on (X; Z, w) with X = Z and A(X) - w = b: the X-update solves (I + A^*A) X = R by
//      (I + A^*A)^{-1} = I - A^*(I + A A^*)^{-1} A (the Gram A A^* formed once by structure,
//      I + A A^* Cholesky-factored once; A is scaled to mean ||A_i||_F = 1 inside), Z by
//      singular-value thresholding, w by projection onto the ball ||w|| <= eps; residual
//      balancing of the penalty. Dual estimate y = -rho v (v the scaled multiplier of A(X)-w=b).
//   2. Polish, started at the rank of the thresholded iterate once it has been stable for 8
//      iterations (and every 60 iterations), in the factors X = L R^T: the smooth problem
//      min (||L||^2 + ||R||^2)/2 s.t. ||A(LR^T) - b||^2 = eps^2, whose stationary points at
//      balanced factors satisfy exactly P_T(A^* y) = UV^T with y = nu (b - A(X)). Newton on
//      [L + nu A^*(r) R; R + nu A^*(r)^T L; (||r||^2 - eps^2)/2] = 0, r = A(LR^T) - b (scaled by
//      eps so that every block is of order one), symmetric Jacobian [[I + nu (J^T J + K), J^T r];
//      [r^T J, 0]] (J the matrix of (dL, dR) -> A(dL R^T + L dR^T), K the curvature term
//      (dL, dR) -> (A^*(r) dR, A^*(r)^T dL)); the null space of the O(r) orbit (L Q, R Q) is
//      removed by adding its orthogonal projector, then LU (complete orthogonal decomposition
//      as the fallback), damped on ||F||. Rank adaptation: components that collapse are dropped;
//      at a converged rank-r point, one component is added for each singular value > 1 of
//      P_T^perp(A^* y) (the violated dual condition), and Newton restarts (at most 10 rounds and
//      60 Newton steps per polish).
//      eps = 0 (the noiseless program): Gauss-Newton on A(LR^T) = b, then y from P_T(A^*y) = UV^T
//      in the least-squares sense (or ADMM's y corrected), as solve_nuclear does (without its
//      alternating-projection search for a dual).
//   3. Acceptance by weak duality, independent of how y was found: X feasible to tol
//      (primal_residual = max(0, ||A(X) - b|| - eps) / max(1, ||b||)) and the gap to the dual
//      value of y / max(1, ||A^* y||_op) (exactly dual feasible)
//        gap = (||X||_* - (<b, y> - eps ||y||) / max(1, ||A^* y||_op)) / max(1, ||X||_*) <= tol,
//      which bounds ||X||_* - optimum by tol max(1, ||X||_*). dual_residual reports
//      ||P_T(A^* y) - UV^T||_F / sqrt(r) but is not required: see the tolerance below.
// Tolerance. y = nu (b - A(X)) is formed from b - A(X), a vector of norm eps computed from
// vectors of norm ~ ||b||, and nu ~ ||y|| / eps: y, and every residual computed with it, carry
// an error ~ eps_mach ||b|| / eps relative. The default tolerance (o.tol = 0) is therefore
//   max(1e-12, 10 eps_mach ||b|| / eps) in double, max(1e-28, 10 eps_mach ||b|| / eps) in quad
// (1e-12 / 1e-28 at eps = 0), and the tolerance used is stated at the end of the message.
// Measured in double (d = 10, m = 70, ||b|| ~ 8, three seeds; values where the check passed):
// eps = 1e-2: gap 1e-13..5e-13, P_T residual 4e-13..2e-12; eps = 1e-4: gap 2e-11..3e-11,
// P_T residual 4e-11..5e-11; eps = 1e-6: gap 2e-9..8e-9, P_T residual 4e-9..8e-9. An explicit
// o.tol is used as given (and may then be unreachable: status iteration_limit).
// eps >= ||b||: X = 0, y = 0 (solved). eps < min_X ||A(X) - b|| by more than the feasibility
// margin sqrt(max(tol, 1e3 m eps_mach)) ||b||: status infeasible. eps < 0, NaN, mismatched sizes:
// InvalidArgument. In quad: ADMM (and its polish) in double, then the polish in quad from its
// answer and rank.
#pragma once

#include <string>

#include "flatmin/scalar.hpp"
#include "flatmin/sensing.hpp"
#include "flatmin/solver.hpp"

namespace flatmin {

// The result of solve_weighted_lq (SolveResult's fields for a vector unknown).
template <class S> struct LqResult {
  SolveStatus status = SolveStatus::numerical_trouble;
  Vec<S> x;                    // the solution (length n)
  Vec<S> y;                    // the dual vector (length m)
  int iterations = 0;          // ADMM iterations (q = 1) or Newton steps (q > 1), all phases
  double primal_residual = 0;  // ||A x - b|| / max(1, ||b||)
  double dual_residual = 0;    // q = 1: max_j dist(a_j^T y / w_j, sign-set(x_j)) (polished) or
                               // ADMM's ||rho dz|| / max(1, ||x||); q > 1: 0 (no constraint)
  double gap = 0;              // (f(x) - d(y)) / max(1, f(x))
  double objective = 0;        // f(x) = sum_j w_j |x_j|^q
  double seconds = 0;
  Index support = 0;           // number of non-zero entries of x
  std::string message;         // what happened, in words
};

// min sum_j w_j |x_j|^q s.t. A x = b, q in [1, 2). Throws InvalidArgument for m = 0 or n = 0,
// mismatched sizes, non-finite A, b or w, some w_j <= 0, q outside [1, 2), bad options.
template <class S>
LqResult<S> solve_weighted_lq(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, const S& q,
                              const SolveOptions& o = {});

// The formulas above, exposed for tests (q in (1, 2), no argument checks beyond sizes):
// phi*(u) = (q - 1) |u/q|^{q/(q-1)};  d(y) = b^T y - sum_j w_j phi*(a_j^T y / w_j);
// x(y)_j = sign(s_j) (|s_j| / (q w_j))^{1/(q-1)}.
template <class S> S lq_conjugate(const S& u, const S& q);
template <class S> S lq_dual_value(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, const S& q,
                                   const Vec<S>& y);
template <class S> Vec<S> lq_primal_from_dual(const Mat<S>& A, const Vec<S>& w, const S& q,
                                              const Vec<S>& y);

// min ||X||_* s.t. ||A(X) - b|| <= eps. Result as solve_nuclear's (method nuclear): y the dual
// above, primal_residual = max(0, ||A(X) - b|| - eps) / max(1, ||b||), dual_residual and gap as
// in the KKT check. Throws InvalidArgument for eps < 0 or not finite and as solve_nuclear.
template <class S>
SolveResult<S> solve_noisy(const SensingMap<S>& A, const Vec<S>& b, const S& eps,
                           const SolveOptions& o = {});

}  // namespace flatmin
