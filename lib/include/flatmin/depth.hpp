// flatmin/depth.hpp — the depth discussion of the later version of paper A (docs/usage.md,
// "Depth"): sparse recovery b = A x with x parameterised as a Hadamard product of k factors,
//   x = v_1 ⊙ v_2 ⊙ ... ⊙ v_k,        f(v) = (1/m) ||A (v_1 ⊙ ... ⊙ v_k) - b||^2,
// A an m x n matrix with columns a_j.
//
// Hessian trace (derived here from the definition, not taken from the text). Along the coordinate
// v_{l,j} only x_j moves, linearly: x_j(t) = (v_{l,j} + t) P_{l,j} with P_{l,j} = prod_{l' != l}
// v_{l',j}, so f is a quadratic in t with second derivative (2/m) ||a_j||^2 P_{l,j}^2 — at every v,
// not only at solutions. Summing over all k n coordinates,
//   tr D^2 f(v) = 2 sum_j D_jj^2 sum_l prod_{l' != l} v_{l',j}^2,   D_jj^2 = ||a_j||^2 / m,   (*)
// which confirms the constant D_jj^2 = ||a_j||^2 / m of docs/usage.md ("Depth") for the 1/m-normalised loss.
// AM-GM over the k products (whose product is |x_j|^{2(k-1)}) gives, for every factorisation of x,
//   tr D^2 f(v) >= 2k sum_j D_jj^2 |x_j|^{2(k-1)/k} = 2k * depth_penalty(A, x, k),
// with equality iff |v_{1,j}| = ... = |v_{k,j}| for every j, i.e. at the balanced factors
// |v_{l,j}| = |x_j|^{1/k}. The induced penalty is a weighted l_q "norm" to the power q,
// q = 2(k-1)/k: weighted l1 for k = 2, q in (1, 2) for k >= 3, q -> 2 as k -> infinity.
// The weights and the penalty are separate functions so that a weighted l_q solver can use them.
#pragma once

#include <vector>

#include "flatmin/rng.hpp"
#include "flatmin/scalar.hpp"

namespace flatmin {

// v[0] = v_1, ..., v[k-1] = v_k, each of length n; k >= 1.
template <class S> using HadamardFactors = std::vector<Vec<S>>;

// v_1 ⊙ ... ⊙ v_k (entrywise product, left to right). Throws InvalidArgument for k = 0, factors
// of different lengths, or non-finite entries.
template <class S> Vec<S> hadamard_product(const HadamardFactors<S>& v);

// f(v) = (1/m) ||A (v_1 ⊙ ... ⊙ v_k) - b||^2; A is m x n with m >= 1, b has length m.
template <class S> S hadamard_loss(const Mat<S>& A, const Vec<S>& b, const HadamardFactors<S>& v);

// tr D^2 f(v) by definition: the sum over all k n coordinates v_{l,j} of the second derivative
// of f along the coordinate, each from five loss evaluations (second_derivative_along with h = 1,
// exact because f is quadratic along coordinate lines). Costs 5 k n loss evaluations.
template <class S> S hadamard_trace_definition(const Mat<S>& A, const Vec<S>& b,
                                               const HadamardFactors<S>& v);

// The weights D_jj^2 = ||a_j||^2 / m (column norms of A squared over m). Throws for m = 0.
template <class S> Vec<S> hadamard_weights(const Mat<S>& A);

// The closed form (*): 2 sum_j D_jj^2 sum_l prod_{l' != l} v_{l',j}^2 (valid at every v).
template <class S> S hadamard_trace_closed(const Mat<S>& A, const HadamardFactors<S>& v);

// q = 2(k - 1)/k, the exponent of the penalty induced by depth k >= 1 (k = 1 gives 0).
template <class S> S depth_exponent(Index k);

// sum_j w_j |x_j|^q for weights w_j >= 0 and an exponent q > 0 (0^q = 0; q = 1 and q = 2 are
// evaluated without pow). Throws for mismatched lengths, negative or non-finite weights, non-finite
// x, or q not positive and finite.
template <class S> S weighted_lq_penalty(const Vec<S>& w, const Vec<S>& x, const S& q);

// The depth-k penalty sum_j D_jj^2 |x_j|^{2(k-1)/k} = weighted_lq_penalty(hadamard_weights(A), x,
// depth_exponent(k)); k >= 2.
template <class S> S depth_penalty(const Mat<S>& A, const Vec<S>& x, Index k);

// The AM-GM lower bound of the trace over factorisations of x: 2k * depth_penalty(A, x, k).
template <class S> S depth_trace_lower_bound(const Mat<S>& A, const Vec<S>& x, Index k);

// The balanced factorisation of x into k >= 1 factors: |v_{l,j}| = |x_j|^{1/k} for every l, the
// sign of x_j carried by the first factor (v_{1,j} = sign(x_j) |x_j|^{1/k}). It attains the
// lower bound above.
template <class S> HadamardFactors<S> balanced_hadamard_factors(const Vec<S>& x, Index k);

// Completes given factors v_2..v_k (`tail`, k - 1 >= 0 vectors with non-zero entries) to a
// factorisation of x: v_1 = x ⊘ (v_2 ⊙ ... ⊙ v_k) entrywise. Throws if an entry of the product of
// the tail is zero or not finite.
template <class S> HadamardFactors<S> complete_hadamard_factors(const Vec<S>& x,
                                                               const HadamardFactors<S>& tail);

// An s-sparse vector of length n (drawn in double): the support is the first s entries of a
// uniformly random permutation of {0..n-1} (Fisher-Yates with Rng::below, from the last index
// down), then the s values are N(0, 1) in increasing index order. Requires 0 <= s <= n.
Vec<double> sparse_vector(Rng& rng, Index n, Index s);

}  // namespace flatmin
