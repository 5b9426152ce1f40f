// flatmin/rpca_solver.hpp — the robust-PCA convex program of paper A section 6,
//   (56)  min ||X||_*  s.t.  ||Y - X||_{1,1} <= tau        (tau = ||S_natural||_{1,1} in the paper),
// whose unique minimiser is the product L_f R_f^T of every flat minimiser of (50) (A Thm 6.1:
// flat (52) <=> (53) <=> (54) = (56) with rank(X) <= k, k >= r; no rescaling), and the dual
// certificate that a given M is its unique minimiser.
//
// Duality. With W the multiplier of X = Y - S, S in the ball B = {||S||_{1,1} <= tau}:
//   dual  (D)  max_W  D(W) = <W, Y> - tau ||W||_inf   s.t. ||W||_op <= 1,
// weak duality ||X||_* >= <W, X> = <W, Y> - <W, Y - X> >= D(W) for every feasible X and every W
// with ||W||_op <= 1; Slater holds for tau > 0 (X = Y), so the optimal values agree. KKT at a
// feasible X, with S = Y - X:
//   (a) ||S||_{1,1} <= tau;
//   (b) W in the subdifferential of ||.||_* at X:  ||W||_op <= 1 and <W, X> = ||X||_*
//       (for X = U Sigma V^T of rank r: P_T(W) = U V^T, ||P_T^perp(W)||_op <= 1);
//   (c) W in the normal cone of B at S:  <W, S> = tau ||W||_inf. Given (a) this is the same as
//       W = lambda G with lambda = ||W||_inf >= 0 and G in the subdifferential of ||.||_{1,1} at S
//       (G = sign(S) on supp S, |G| <= 1 elsewhere), with complementary slackness
//       lambda (tau - ||S||_{1,1}) = 0;
//   gap ||X||_* - D(W) = (||X||_* - <W, X>) + (tau ||W||_inf - <W, S>), zero exactly when (b), (c).
//
// Method (solve_rpca), chosen because it separates the two easy proximal maps and because its
// iterates expose the combinatorial structure the polish needs:
//   1. ADMM on the splitting X = Z (X feasible, Z free; scaled dual U, penalty rho):
//        S_k = P_B(Y - Z + U)  (l1-ball projection, project_l1_ball), X_k = Y - S_k,
//        Z_k = SVT_{1/rho}(X_k + U)  (singular-value thresholding),  U += X_k - Z_k,
//      rho adapted by residual balancing. W_k = rho U_k is exactly a subgradient of ||.||_* at Z_k
//      (||W_k||_op <= 1), so D(W_k) is a true lower bound. S_k is soft-thresholded, hence exactly
//      sparse: off the support of the solution |Y - Z + U| < theta once the iterate is within the
//      dual's margin, so supp S_k and sign S_k identify Omega and sigma, and the gap position of the
//      thresholded singular values identifies the rank r.
//   2. Polish, when r and (Omega, sigma) have been stable for 8 iterations (or every 60): with
//      the support and signs fixed the constraint is linear,
//        X_ij = Y_ij off Omega,   <sigma, Y - X> = tau          (so ||Y - X||_1 = tau when signs agree),
//      and Newton (Gauss-Newton) steps on the rank-r manifold solve it: least squares in the
//      orthonormal tangent coordinates of T (normal equations I - P_T P_Omega P_T + s s^T, s the
//      coordinates of sigma/sqrt|Omega|: a dim T square system), then rank-r truncation. This
//      converges quadratically to the isolated point when the linear map H -> (P_Omega^c H,
//      <sigma, H>) is injective on T (the condition of certify_rpca).
//   3. Dual by least squares: W in the subspace {W_Omega = lambda sigma} with P_T(W) = U V^T;
//      candidates: the ADMM dual rho U corrected by the least change onto that affine set, the
//      minimum-Frobenius-norm solution, and a 1-D search over lambda of the minimum-norm
//      solutions with lambda fixed. The first one passing the check below is kept.
//   4. The KKT conditions (a)-(c) and the gap are then checked directly (rpca_kkt), plus the
//      structural residual ||P_T(W) - U V^T||_F / sqrt(r). Only when every residual is <= tol is
//      the status `solved`. (Every 10 iterations ADMM's own pair (X_k, rho U_k) goes through the
//      same check (a)-(c) and gap; where it passes, that is a verified KKT point too.)
// Extended precision (quad and mp50, both instantiated): steps 1-3 in double, then the polish (2)
// and the dual (3) again in S from the double answer (support, signs, rank, and its dual as the
// hint), and the check (4) in S with tol 1e-28. On instances built in S (M exactly rank r there)
// the error to the truth is ~1e-32 in quad and ~1e-50 in mp50 (catalogue row A.T6.1).
// Statuses: `solved` (verified as above); `iteration_limit` (no verified KKT point within
// max_iterations ADMM iterations; X is the last feasible ADMM iterate, W = rho U, residuals as
// reached); `numerical_trouble` (non-finite iterates). (56) is feasible for every tau >= 0
// (X = Y), so `infeasible` does not occur. Bad input throws InvalidArgument (empty Y, non-finite
// Y or tau, tau < 0, options out of range). Every loop has a budget: max_iterations
// ADMM iterations, at most 30 Newton steps per polish, at most 30 doublings and 60 golden-section
// steps in the lambda search.
// Trivial cases: ||Y||_{1,1} <= tau gives X = 0, W = 0; tau = 0 gives X = Y (the only feasible
// point) with W = U V^T from the SVD of Y; both are run through the same check.
//
// Scale: (56) is homogeneous (Y, tau -> beta Y, beta tau gives X -> beta X and the same W), so it
// is solved with Y and tau times 2^-ex, the largest |Y_ij| brought to [1, 2), and X mapped back
// exactly: a power of two changes no status and no bit, and the residuals and every max(1, .)
// below are those of that scale-free program. A tau > 0 whose scaled value underflows is an
// InvalidArgument.
//
// The result is RpcaResult below (its own fields: (56) has a matrix dual and other residuals
// than the sensing programs).
#pragma once

#include "flatmin/solver.hpp"

namespace flatmin {

// The result of solve_rpca.
template <class S> struct RpcaResult {
  SolveStatus status = SolveStatus::numerical_trouble;  // solved: the KKT conditions verified
  Mat<S> X;                    // the low-rank part (d1 x d2); Y - X is the sparse part
  Mat<S> W;                    // the dual matrix (d1 x d2; empty when none was formed)
  int iterations = 0;          // ADMM iterations (of the double phase in extended precision)
  double primal_residual = 0;  // max(0, ||Y - X||_{1,1} - tau) / max(1, tau)
  // the largest of ||P_T(W) - UV^T||_F / sqrt(r) (polish), max(0, ||W||_op - 1),
  // |||X||_* - <W, X>| / max(1, ||X||_*) and |tau ||W||_inf - <W, S>| / max(1, ||X||_*)
  double dual_residual = 0;
  double gap = 0;              // (||X||_* - D(W / max(1, ||W||_op))) / max(1, ||X||_*)
  double seconds = 0;
  Index rank = 0;              // r of the polish (rank of the thresholded iterate otherwise)
  std::string message;         // what happened, in words
};

// Solve (56). Y is d1 x d2 (d1, d2 >= 1), tau >= 0; o.tol = 0 means 1e-12 in double and 1e-28
// in quad and mp50; o.polish = false leaves ADMM alone (`solved` only where ADMM's own pair
// passes the check).
template <class S>
RpcaResult<S> solve_rpca(const Mat<S>& Y, const S& tau, const SolveOptions& o = {});

// The KKT residuals of (56) at (X, W), computed from their definitions (no structure assumed):
struct RpcaKkt {
  double primal = 0;       // max(0, ||Y - X||_{1,1} - tau) / max(1, tau)               (a)
  double dual_norm = 0;    // max(0, ||W||_op - 1)                                       (b)
  double subgradient = 0;  // (||X||_* - <W, X>) / max(1, ||X||_*)                       (b)
  double normal_cone = 0;  // (tau ||W||_inf - <W, Y - X>) / max(1, ||X||_*)             (c)
  double gap = 0;          // (||X||_* - D(W / max(1, ||W||_op))) / max(1, ||X||_*)
  double lambda = 0;       // ||W||_inf, the multiplier of the l1 constraint
  // All of (a)-(c) and the gap within tol (absolute values for the two-sided ones).
  bool holds(double tol) const;
};
template <class S>
RpcaKkt rpca_kkt(const Mat<S>& Y, const S& tau, const Mat<S>& X, const Mat<S>& W);

// Dual certificate that M is the unique minimiser of (56) for Y = M + Snat, tau = ||Snat||_{1,1}.
// With T the tangent space at M (rank r = numerical rank of M), Omega = supp Snat, sigma =
// sign Snat, the conditions are
//   (i)   injectivity: H in T, H = 0 off Omega, <sigma, H> = 0  =>  H = 0
//         (tangent_sigma_min = sigma_min of H -> (P_Omega^c H, <sigma, H>/sqrt|Omega|) on T,
//          from the smallest eigenvalue of its normal matrix);
//   (ii)  W with P_T(W) = U V^T and W = lambda sigma on Omega, lambda > 0;
//   (iii) ||P_T^perp(W)||_op < 1 (margin_op = 1 - that) and max_{Omega^c} |W_ij| < lambda
//         (margin_inf = 1 - max_{Omega^c} |W_ij| / lambda).
// Proof that (i)-(iii) suffice (exact arithmetic): for feasible X = M + H,
//   ||M + H||_* - ||M||_* >= <UV^T, H> + ||P_T^perp H||_*
//     >= (lambda - ||P_Omega^c W||_inf) ||P_Omega^c H||_1 + (1 - ||P_T^perp W||_op) ||P_T^perp H||_*
//        + lambda (<sigma, P_Omega H> - ||P_Omega^c H||_1),
// and feasibility ||Snat - H||_1 <= ||Snat||_1 gives <sigma, P_Omega H> >= ||P_Omega^c H||_1, so
// every term is >= 0; equality forces P_Omega^c H = 0, P_T^perp H = 0 and <sigma, H> = 0, i.e.
// H = 0 by (i). (For the (55)-form results of [7, 11, 14] lambda is fixed; here it is free.)
// W candidates, in this order: `hint` (e.g. the solver's dual) corrected by the least change onto
// (ii), the minimum-Frobenius-norm solution of (ii), and a 1-D search over lambda of the
// minimum-norm solutions with lambda fixed (both conditions of (iii) are convex in lambda). The
// first that certifies is reported, otherwise the one with the largest min(margin_op, margin_inf).
// Verdict `certified` when (i)-(iii) hold beyond rounding allowances: tangent_sigma_min^2 >
// 1e3 eps dim T, equation residual <= 1e3 eps (1 + ||W||_F), both margins > 1e3 eps (1 +
// ||W||_F / lambda). This is floating point, not interval arithmetic: the allowances bound the
// rounding of the computed quantities, they are not a proof. `not_certified` does not prove that
// M is not the unique minimiser (the candidates are the standard ones, not a full search).
// Degenerate cases: Snat = 0 (tau = 0, the feasible set is {M}) and M = 0 (0 is the only matrix
// with ||X||_* = 0) are certified with margins 1 and lambda 0.
struct RpcaCertificate {
  Verdict verdict = Verdict::not_certified;
  double margin_op = 0;
  double margin_inf = 0;
  double lambda = 0;
  double tangent_sigma_min = 0;
  double equation_residual = 0;  // ||P_T(W) - UV^T||_F
  Index rank = 0;
  Index support = 0;             // |Omega|
  std::string dual;              // which candidate was kept: hint, min-norm, lambda-search
};
template <class S>
RpcaCertificate certify_rpca(const Mat<S>& M, const Mat<S>& Snat, const Mat<S>* hint = nullptr);

}  // namespace flatmin
