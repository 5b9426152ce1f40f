// flatmin/deep.hpp — deep matrix factorization of paper B: E(W) = W_L ... W_1 (B (1)), the MSE
// loss (B (2)) L(W) = (1/n) sum_i (<A_i, E(W)> - b_i)^2, its Hessian trace by definition and in
// closed form, paper B's regularizer R(W) (10) and its induced regularizers.
//
// Constant convention (checked, not assumed; see rows B.L2 and B.eq7): by B Lemma 2 the Hessian
// trace at an interpolating W is (2/n) sum_i ||grad f_i(W)||^2, while the display before B (7),
// Lemma 3, Theorem 1, Theorem 5 and Theorem 7 are stated for (1/n) sum_i ||grad f_i||^2, i.e.
// half the trace; (7) itself, printed without the 1/n, is n/2 times the trace.
// flatmin's *_trace_* functions return the true trace; the "paper_b" quantities are half of it.
//
// Every entry point validates its arguments and throws InvalidArgument naming what is wrong:
// no layers, layer shapes that do not chain (W_{j+1}.cols() != W_j.rows()), a map whose
// matrices are not d_L x d_0, a label vector of the wrong length, no measurements, non-finite
// entries.
#pragma once

#include <vector>

#include "flatmin/rng.hpp"
#include "flatmin/sensing.hpp"

namespace flatmin {

// W[0] = W_1 (d_1 x d_0), ..., W[L-1] = W_L (d_L x d_{L-1}); measurements are d_L x d_0.
template <class S> using Layers = std::vector<Mat<S>>;

template <class S> Mat<S> end_to_end(const Layers<S>& W);  // W_L ... W_1
template <class S> S deep_loss(const SensingMap<S>& A, const Vec<S>& b, const Layers<S>& W);
// Hessian trace by definition: sum over every coordinate of every layer of the exact second
// derivative along it (the loss is quadratic along coordinate lines).
template <class S> S deep_trace_definition(const SensingMap<S>& A, const Vec<S>& b,
                                           const Layers<S>& W);
// Closed form at an interpolating W (B (7) with the constant of Lemma 2):
//   (2/n) sum_i sum_j ||W_{j-1} ... W_1 A_i^T W_L ... W_{j+1}||_F^2.
template <class S> S deep_trace_closed(const SensingMap<S>& A, const Layers<S>& W);
// B (10): R(W) = d_0 ||W_L..W_2||^2 + sum_{j=2}^{L-1} ||W_L..W_{j+1}||^2 ||W_{j-1}..W_1||^2
//               + d_L ||W_{L-1}..W_1||^2.
template <class S> S regularizer_R(const Layers<S>& W);
// B Lemma 4: L (d_0 d_L)^{1/L} ||M||_*^{2(L-1)/L}, and the construction attaining it for the
// given widths (d_0, ..., d_L) with every d_i >= rank(M).
template <class S> S induced_rip_value(const Mat<S>& M, Index L);
template <class S> Layers<S> lemma4_factors(const Mat<S>& M, const std::vector<Index>& widths);

// ---- additions (rows B.L2, B.L4, B.T5, B.T7, B.T4) --------------------------------------------

// sum_i ||grad f_i(W)||^2 for f_i(W) = <A_i, E(W)>, every partial derivative by its definition
// (first_derivative_along; f_i is affine along each coordinate line, so the rule is exact).
template <class S> S deep_output_gradients_sq_definition(const SensingMap<S>& A,
                                                         const Layers<S>& W);
// Gradient of deep_trace_closed with respect to every layer (used by the minimiser).
template <class S> Layers<S> deep_trace_closed_gradient(const SensingMap<S>& A,
                                                        const Layers<S>& W);

// The construction in the proof of B Lemma 4 with explicit constants alpha, alpha' > 0:
//   W_L = alpha' alpha^{-(L-2)/2} U Lambda^{1/2} Q_{L-1}^T,  W_i = alpha Q_i Q_{i-1}^T,
//   W_1 = alpha'^{-1} alpha^{-(L-2)/2} Q_1 Lambda^{1/2} V^T,
// M = U Lambda V^T (rank r), Q_i = the first r columns of I_{d_i}. Its product is M for every
// alpha, alpha'. lemma4_factors uses the corrected constants
//   alpha' = (d_L / d_0)^{1/4},  alpha = (||M||_* / sqrt(d_0 d_L))^{1/L};
// the proof prints alpha' = (d_L/d_0)^{1/2} and alpha = (||M||_*/(d_0 d_L))^{1/L}, which balance
// the unsquared norms of (17)-(18) although (10) multiplies d_0, d_L by squared norms (row B.L4).
template <class S> Layers<S> lemma4_construction(const Mat<S>& M, const std::vector<Index>& widths,
                                                 const S& alpha, const S& alpha_prime);
template <class S> S lemma4_alpha(const Mat<S>& M, Index L, bool as_printed = false);
template <class S> S lemma4_alpha_prime(Index d0, Index dL, bool as_printed = false);

// W_j -> G_j W_j G_{j-1}^{-1} (G_0 = I, G_L = I), G[j-1] = G_j (d_j x d_j, invertible) for
// j = 1..L-1: the end-to-end matrix is unchanged.
template <class S> Layers<S> gauge_transform(const Layers<S>& W, const std::vector<Mat<S>>& G);

// B Theorem 5 (8), in paper B's convention (half the trace):
//   2 || (sum_i A_i A_i^T / n)^{1/2} M (sum_i A_i^T A_i / n)^{1/2} ||_*.
// The minimum over W_2 W_1 = M of the true trace (deep_trace_closed) is twice this.
template <class S> S paper_b_two_layer_value(const SensingMap<S>& A, const Mat<S>& M);
// The attaining pair of the proof: W_2 = B_1^+ U Lambda^{1/2}, W_1 = Lambda^{1/2} V^T B_2^+,
// B_1 = (sum A_i A_i^T)^{1/2}, B_2 = (sum A_i^T A_i)^{1/2}, U Lambda V^T the SVD of B_1 M B_2,
// zero-padded to width k >= rank(B_1 M B_2). Its product is M when the column space of M lies in
// range(B_1) and the row space in range(B_2) (always when B_1, B_2 are invertible).
template <class S> Layers<S> theorem5_factors(const SensingMap<S>& A, const Mat<S>& M, Index k);

// B Theorem 7 (24), n = 1, paper B's convention: L || (A^T M)^{L-1} A^T ||_{S_{2/L}}^{2/L}.
template <class S> S paper_b_single_value(const Mat<S>& A, const Mat<S>& M, Index L);
// An explicit factorisation attaining (24) (flatmin's derivation, documented in deep_impl.hpp, row
// B.T7): for d_L <= d_0, X = (A^T M)^{L-1} A^T = P Sigma Q^T (thin SVD, rho = d_L), S =
// Sigma^{1/L}, N = P^T A^T M P:  W_1 = S^{-1} P^T A^T M,  W_j = S^{-j} N S^{j-1} (1 < j < L),
// W_L = Q S^{-L} N S^{L-1}; for d_L > d_0 the transposed problem; intermediate widths > rho are
// filled by isometric embedding. Requires rank(X) = min(d_0, d_L) (then M has full rank);
// throws InvalidArgument otherwise (the infimum need not be attained: A = I, M nilpotent, L = 3
// has F = 0 < trace of every factorisation).
template <class S> Layers<S> theorem7_factors(const Mat<S>& A, const Mat<S>& M,
                                              const std::vector<Index>& widths);

// Numerical minimisation of the true trace (deep_trace_closed) over the gauge orbit
// { gauge_transform(W0, G) : G_1..G_{L-1} invertible }. When every intermediate width equals
// rank(M) = min(d_0, d_L) this orbit is the set of all factorisations with those widths.
// BFGS over the G's (Armijo backtracking), restarted from the current point every `restart`
// iterations. Converged when the gauge gradient (sum_j ||dT/dG_j G_j^T||_F^2)^{1/2} is at most
// gradient_tolerance * trace.
struct TraceMinOptions {
  int max_iterations = 2000;
  int restart = 200;
  double gradient_tolerance = 1e-10;
};
template <class S> struct TraceMinResult {
  Layers<S> W;              // the best factorisation found (its product is E(W0))
  S trace = S(0);           // deep_trace_closed at W
  int iterations = 0;
  double gradient_norm = 0; // relative gauge gradient at W
  bool converged = false;
};
template <class S> TraceMinResult<S> minimise_trace_over_factorisations(
    const SensingMap<S>& A, const Layers<S>& W0, const TraceMinOptions& opt = TraceMinOptions());

// B Theorem 4: the minimum-Frobenius-norm interpolant argmin { ||M||_F : A(M) = b }, i.e. the
// end-to-end matrix of argmin_{L(W) = 0} ||E(W)||_F. Needs the m x (d1 d2) matrix of the map to
// have full rank (throws InvalidArgument if its Gram matrix is singular).
template <class S> Mat<S> min_frobenius_interpolant(const SensingMap<S>& A, const Vec<S>& b);

}  // namespace flatmin
