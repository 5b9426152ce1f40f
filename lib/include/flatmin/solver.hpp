// flatmin/solver.hpp — the convex programs whose minimisers are the flat solutions of paper A:
//   nuclear:  min ||X||_*  s.t.  A(X) = b                                   (A (5))
//   flat:     min ||X||_*  s.t.  A(D1^{-1} X D2^{-1}) = b, answer D1^{-1} X D2^{-1}   (A (21), (69))
// and the dual certificate of unique optimality at a given point (the ground truth).
//
// Method (solve_nuclear):
//   0. Gauss-Newton on the manifold of rank-r matrices, r = 1, 2, ... (while dim T <= m), from
//      the spectral start (the best rank-r approximation of A^*(b)): least squares in the tangent
//      space T through the normal equations of J_T (m x dim T, formed by structure), retraction
//      through the SVD of a 2r x 2r core. At a converged point the KKT conditions below are
//      checked (minimum-norm dual, then alternating projections); verified: `solved`. Otherwise
//      (wrong rank, stalled, not certified, a quadratic map) the ADMM path decides. This is what
//      makes recovered instances cheap: no m x m Gram matrix and no d x d SVD per iteration.
//   0'. Where the manifold path did not decide and one iteration is cheap (completion, small
//      rank-one and quadratic maps): a primal-dual interior-point method on the standard SDP
//      embedding (HKM direction, Mehrotra predictor-corrector; lib/src/solver_ipm.hpp) to a
//      relative accuracy of ~1e-10, which needs neither the rank nor a start; the rank is read
//      off the largest gap s_r / s_r+1 of its X, then step 2 or 3 below takes its point to the
//      KKT tolerance (an interior-point method alone stalls near 1e-10 in double). This decides
//      degenerate minimisers (singular values over many orders of magnitude) that ADMM would
//      take thousands of iterations to separate.
//   1. ADMM on X = Z (X in the affine set, Z free; projection onto {A(X) = b} through the Cholesky
//      factor of the Gram matrix A A^* formed once by structure; singular-value thresholding for Z;
//      penalty adapted by residual balancing). Its iterates carry a dual estimate y (the
//      projection of rho U onto range A^*, scaled to ||A^* y||_op <= 1), hence a true duality gap.
//   2. When the rank of Z is stable, a polish on the rank-r manifold: Newton steps onto
//      {A(X) = b} within the tangent space T at X (min-norm least squares, then truncated SVD),
//      then the dual y solving P_T(A^* y) = U V^T in the least-squares sense. The KKT conditions
//      are then checked directly: A(X) = b, P_T(A^* y) = UV^T, ||A^* y||_op <= 1, and the gap
//      ||X||_* - <b, y>. Only when all hold to the tolerance is the status `solved`.
//   The polish decides the unique-solution case where the feasible rank-r point is isolated
//   (m >= dim T, the recovery regime of the figures).
//   3. Where the minimiser has dim T >= m (instances that are not recovered: A(X) = b leaves a
//      set of feasible points on the manifold), Newton's method on the optimality conditions in
//      factored form, L = A^*(y) R, R = A^*(y)^T L, A(L R^T) = b, gauge-fixed and damped, from
//      the ADMM point and its dual estimate (when the rank of Z is stable, and at iterations 20,
//      40, 80, ...; dense LU of size (d1 + d2) r + m, tried up to 3000), followed by the same KKT
//      check. It fails where the minimiser is degenerate (singular values spread over many orders
//      of magnitude near the recovery boundary); then, once, the interior-point stage 0' if one
//      of its iterations costs below 2e9 flops, and otherwise the ADMM iterate and its residuals
//      are returned with status `iteration_limit` unless ADMM itself met the tolerance.
// Every loop has a budget; every result carries a status and the residuals it reached.
//
// Scale: the program is solved in a scale-free form. Row i of A and b is multiplied by the power
// of two that brings A_i's largest entry to [1, 8) (SensingMap::row_exponents), then b by the
// power of two that brings the size of X (estimated as ||b|| sqrt(d1 d2) / ||A||_F) to [1, 2); X
// and y are mapped back exactly. The
// scalings are exact in binary floating point and leave the feasible set, the minimisers and the
// certificate unchanged, so every tolerance is relative to the data: multiplying A and b by
// alpha, or the truth and b by beta, changes no status (a power of two changes no bit), and a
// badly scaled row weighs as much as any other. The residuals reported are the scale-free
// program's.
//
// Status `infeasible` only with a verified Farkas certificate (y = b - A(X_ls) with A^* y = 0 to
// within the rounding error of forming it and <b, y> > 0 above its own; y is returned): then no X
// of any size the data could mean satisfies A(X) = b (the message gives the radius). A large
// least-squares residual without such a certificate is `numerical_trouble`.
// b = 0: X = 0, y = 0, rank 0, `solved`.
#pragma once

#include <string>

#include "flatmin/scalar.hpp"
#include "flatmin/sensing.hpp"

namespace flatmin {

enum class SolveStatus {
  solved,             // the KKT conditions hold at X, y to the tolerance (verified, not assumed)
  iteration_limit,    // the budget ran out; X, y and the residuals are the last ones reached
  numerical_trouble,  // a non-finite residual, or A(X) = b unsolvable without a Farkas proof
  infeasible,         // A(X) = b has no solution: y is a verified Farkas certificate
  d_singular,         // flat program: D1 or D2 numerically singular (X empty)
  below_bound         // stop_below: X is feasible with ||X||_* < stop_below (not a minimiser)
};
const char* status_name(SolveStatus s);

enum class Method { nuclear, flat };
const char* method_name(Method m);
Method parse_method(const std::string& name);  // throws InvalidArgument

// Ceres-style options: each field says the inequality it tests. The defaults are what the figures
// and the catalogue use.
struct SolveOptions {
  // ---- iteration
  int max_iterations = 3000;  // stop when Gauss-Newton steps + ADMM iterations > this
                              // (an interior-point iteration counts as one, a polish as one)
  // ---- termination
  double tol = 0;  // solved when primal, dual residual and |gap| <= tol (relative; see
                   // SolveResult); 0: 1e-12 in double, 1e-28 in quad and mp50
  // stop_below > 0: stop (below_bound) at a feasible X, ||A(X) - b|| <= 1e-12 max(1, ||b||), with
  // ||X||_* < stop_below. Every minimiser then has ||X*||_* < stop_below; with stop_below =
  // ||M||_* - delta this proves ||X* - M||_F > delta / sqrt(min(d1, d2)) without computing X*
  // (the figure sweeps decide "not recovered" this way). Tested at ADMM's start point, at
  // iterations 1, 2, 4, 8 and every 10, and before every exact stage; the interior-point stage
  // before ADMM is skipped, Newton's method and the dual search wait until iteration 400.
  // flat: the bound is on the rescaled program's ||X||_* (X = D1 X_flat D2).
  double stop_below = 0;
  // ---- stages (docs/solver.md)
  bool polish = true;          // the exact stages (polish, Newton); without them only ADMM's
                               // own tolerance test can give solved
  bool manifold = true;        // Gauss-Newton on the rank-r manifold first (needs polish)
  bool interior_point = true;  // the interior-point stage where affordable (needs polish)
  // ---- flat program
  double d_condition_max = 1e12;  // d_singular when cond(D1) or cond(D2) >= this
};

// The result of the nuclear-norm programs over a sensing map: solve_nuclear, solve_flat and
// solve_noisy (programs.hpp), with the same meaning of every field in each. (Robust PCA and the
// weighted l_q program have their own results, RpcaResult and LqResult.)
template <class S> struct SolveResult {
  SolveStatus status = SolveStatus::numerical_trouble;
  Method method = Method::nuclear;
  Mat<S> X;               // the solution (flat: mapped back, D1^{-1} X D2^{-1}); with status
                          // below_bound the feasible point found (not a minimiser)
  Vec<S> y;               // dual vector of the program solved (flat: of the rescaled program)
  int iterations = 0;
  // residuals of the scale-free program (see "Scale" above) that was solved
  // the violation of the constraint, / max(1, ||b||): ||A(X) - b|| (A(X) = b), or
  // max(0, ||A(X) - b|| - eps) (solve_noisy's ||A(X) - b|| <= eps)
  double primal_residual = 0;
  // the dual residual of the stage that produced (X, y): ||P_T(A^* y) - UV^T||_F / sqrt(r) when
  // an exact stage (polish, Newton, interior point) did, ADMM's ||rho dZ|| / max(1, ||X||)
  // when ADMM's own test or its budget ended the solve
  double dual_residual = 0;
  // the duality gap (||X||_* - dual value of y) / max(1, ||X||_*), y scaled dual-feasible
  // (dual value <b, y>, or <b, y> - eps ||y|| for solve_noisy)
  double gap = 0;
  double seconds = 0;
  Index rank = 0;              // numerical rank of X (singular values > 1e3 eps sigma_1)
  std::string message;         // what happened, in words

  // True when the status is a verified claim about the program: solved (KKT verified),
  // infeasible (Farkas certificate), below_bound (a feasible point below the bound).
  bool usable() const {
    return status == SolveStatus::solved || status == SolveStatus::infeasible ||
           status == SolveStatus::below_bound;
  }
  // One line, as Ceres' BriefReport: method, status, iterations, rank, residuals, time.
  std::string brief_report() const;
};

template <class S>
SolveResult<S> solve_nuclear(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o = {});
// The flat relaxation; status d_singular (X empty) when D1 or D2 is numerically singular.
template <class S>
SolveResult<S> solve_flat(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o = {});
// The same with the rescaling D of the program given by the caller: min ||X||_* s.t.
// A(D1^{-1} X D2^{-1}) = b. With D = rescaling(A) the result is solve_flat(A, b, o)'s to the last
// bit (barring D entries that underflow when scaled down by A's largest row exponent): a caller
// that needs D anyway (a figure's bound, a certificate) computes it once and hands it on.
// InvalidArgument when D1 is not d1 x d1, D2 not d2 x d2, or either is not finite.
template <class S>
SolveResult<S> solve_flat(const SensingMap<S>& A, const Vec<S>& b, const Rescaling<S>& D,
                          const SolveOptions& o = {});
template <class S>
SolveResult<S> solve(Method m, const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o = {});

// Dual certificate that M is the unique minimiser of min ||X||_* s.t. A(X) = A(M):
// T the tangent space at M (rank r = numerical rank of M), J_T the matrix of A restricted to T in
// an orthonormal basis of T. Conditions: (i) A injective on T (tangent_sigma_min = sigma_min(J_T)
// > 0), (ii) Y = A^* y with P_T(Y) = UV^T (y: the minimum-norm solution), (iii)
// ||P_T^perp(Y)||_op < 1; margin = 1 - ||P_T^perp(Y)||_op. Verdict `certified` when (i)-(iii) hold
// beyond their rounding errors: tangent_sigma_min > 1e3 eps ||J_T||, the residual of (ii) below
// 1e3 eps (1 + ||y|| ||J_T||) and margin > 1e3 eps (1 + ||y|| ||A||) (the rounding error of
// forming Y); `not_injective`, `not_certified` otherwise. The min-norm y is a sufficient
// certificate (the standard one): `not_certified` does not prove M is not the minimiser.
enum class Verdict { certified, not_injective, not_certified };
const char* verdict_name(Verdict v);
struct Certificate {
  Verdict verdict = Verdict::not_certified;
  double margin = 0;
  double tangent_sigma_min = 0;
  double equation_residual = 0;  // ||P_T(A^* y) - UV^T||_F
  Index rank = 0;
};
template <class S> Certificate certify(const SensingMap<S>& A, const Mat<S>& M);
// The same for the flat program at M: the certificate of D1 M D2 for the map A(D1^{-1}.D2^{-1}).
template <class S> Certificate certify_flat(const SensingMap<S>& A, const Mat<S>& M);
// The same with D = rescaling(A) computed by the caller (as solve_flat's overload).
template <class S>
Certificate certify_flat(const SensingMap<S>& A, const Mat<S>& M, const Rescaling<S>& D);

namespace testing {
// One step's linear system of the rank-r Newton iteration on the optimality conditions (solver
// internals, exposed for the unit tests only): unknowns (vec dL, vec dR, dy, mu), Jacobian
//   [[I, -I(x)Y, -B^T, G^T], [-I(x)Y^T, I, ...], [B, 0, 0], [G, 0, 0]],  C = [B; G] ((m + g) x
//   (d1 + d2) r, the first m rows B), solved by the closed-form elimination in the SVD basis of Y.
Vec<double> newton_system_solve(const Mat<double>& Y, const Mat<double>& C, Index m, Index r,
                                const Vec<double>& rhs);
}  // namespace testing

}  // namespace flatmin
