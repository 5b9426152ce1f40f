// flatmin/objective.hpp — the overparameterized losses of paper A, their derivatives, and the
// scaled trace of the Hessian computed two independent ways:
//   * by its definition (A (2)): second derivatives along every coordinate direction, each
//     obtained from loss evaluations only, exactly (see second_derivative_along);
//   * by the closed forms of A (13), (16), (64).
// Notation: f(L, R) = ||A(L R^T) - b||^2 with L in R^{d1 x k}, R in R^{d2 x k} (A (1)).
#pragma once

#include <functional>
#include <vector>

#include "flatmin/sensing.hpp"

namespace flatmin {

template <class S> struct Factors {
  Mat<S> L, R;
};
template <class S> struct SymFactors {
  Mat<S> U1, U2;
};

// ---- exact derivatives of polynomials from evaluations ------------------------------------
// For p(t) = f(P + t E) a polynomial of degree <= 4 in t (true along every line for every model
// in flatmin: f(L,R) is quartic, the symmetric loss (60) is quartic, the deep loss and the
// Hadamard loss are quadratic along coordinate lines), the five-point rules
//   p''(0) = [16 (p(h) + p(-h)) - (p(2h) + p(-2h)) - 30 p(0)] / (12 h^2),
//   p'(0)  = [8 (p(h) - p(-h)) - (p(2h) - p(-2h))] / (12 h)
// are exact in exact arithmetic for any h (they annihilate t^3 and t^4 resp. t^3, t^5-free).
// Only rounding separates them from the true derivative, so they are an independent reference.
template <class S> S second_derivative_along(const std::function<S(const S&)>& p, const S& h);
template <class S> S first_derivative_along(const std::function<S(const S&)>& p, const S& h);

// ---- f(L, R) = ||A(L R^T) - b||^2 ----------------------------------------------------------
template <class S> S loss(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& L, const Mat<S>& R);
// grad_L f = 2 A*(r) R, grad_R f = 2 A*(r)^T L, r = A(L R^T) - b.
template <class S> Factors<S> gradient(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& L,
                                       const Mat<S>& R);
// Closed form of the second derivative (proof of A Lemma 3.1):
//   D^2 f(L,R)[U,V] = 4 <A(L R^T) - b, A(U V^T)> + 2 ||A(L V^T + U R^T)||^2.
template <class S> S hessian_form(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& L,
                                  const Mat<S>& R, const Mat<S>& U, const Mat<S>& V);
// The same quantity by its definition: d^2/dt^2 f(L + tU, R + tV) at t = 0, from loss values.
template <class S> S hessian_form_definition(const SensingMap<S>& A, const Vec<S>& b,
                                             const Mat<S>& L, const Mat<S>& R, const Mat<S>& U,
                                             const Mat<S>& V);
// str(D^2 f(L,R)) by definition (2): (1/d1) sum over the d1*k coordinates of L plus (1/d2) sum
// over the d2*k coordinates of R of D^2 f[e_i e_j^T]. Costs 5 (d1+d2) k loss evaluations.
template <class S> S scaled_trace_definition(const SensingMap<S>& A, const Vec<S>& b,
                                             const Mat<S>& L, const Mat<S>& R);
// str by the closed form (16): 2m (||D1 L||_F^2 + ||D2 R||_F^2), for A = I this is (13):
// 2 (||L||^2 + ||R||^2). Coordinate directions have U V^T = 0, so the first term of the
// second derivative drops and (16) holds at every (L, R), not only on the solution set.
template <class S> S scaled_trace_closed(const SensingMap<S>& A, const Rescaling<S>& D,
                                         const Mat<S>& L, const Mat<S>& R);

// ---- symmetric model of A section 7: f(U1, U2) = (1/m) ||A(U1 U1^T - U2 U2^T) - b||^2 (60) ----
template <class S> S sym_loss(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& U1,
                              const Mat<S>& U2);
// tr D^2 f by definition: the plain (unscaled) trace, sum of coordinate second derivatives.
template <class S> S sym_trace_definition(const SensingMap<S>& A, const Vec<S>& b,
                                          const Mat<S>& U1, const Mat<S>& U2);
// (64) with the constant corrected: 8 d (||D U1||_F^2 + ||D U2||_F^2), valid on the solution set
// (the paper prints 4d: its step (66) writes 2 sum <A_l, U1 e_j e_i^T>^2 where the symmetry of
// A_l gives 4; see objective.cpp and the catalogue row A.L7.2). Off the solution set a
// coordinate direction also sees the t^2 term +-e_i e_i^T of (U + tE)(U + tE)^T, and the trace by
// definition is this value plus (4/m)(k1 - k2) <A(U1 U1^T - U2 U2^T) - b, A(I)>.
template <class S> S sym_trace_closed(const SensingMap<S>& A, const Mat<S>& D, const Mat<S>& U1,
                                      const Mat<S>& U2);
// Network with quadratic activation (57): y(U, x) = u^T q(U^T x), u = (1_{k1}, -1_{k2}), q(s)=s^2.
template <class S> S network_output(const Mat<S>& U1, const Mat<S>& U2, const Vec<S>& x);
// (58): (1/m) sum_i (y(U, x_i) - y_i)^2 over the rows x_i of X (m x d); equals (60) with
// b = y when y_i = <M, x_i x_i^T> (A (59), catalogue row A.eq59). Throws InvalidArgument on
// mismatched sizes, m = 0 or non-finite data.
template <class S> S network_loss(const Mat<S>& U1, const Mat<S>& U2, const Mat<S>& X,
                                  const Vec<S>& y);

// ---- factor maps and measures ---------------------------------------------------------------
// (10): from X = U S V^T, L = U S^{1/2}, R = V S^{1/2}, zero-padded (or trimmed of zero singular
// values) to k columns. Throws InvalidArgument if rank(X) > k (singular values above
// rank_tol * s_max beyond the k-th).
template <class S> Factors<S> svd_factors(const Mat<S>& X, Index k);
// A Thm 3.2 (3): L = D1^{-1} U S^{1/2}, R = D2^{-1} V S^{1/2}, padded to k columns.
template <class S> Factors<S> flat_factors(const Mat<S>& X, const Rescaling<S>& D, Index k);
// A Lemma 7.4: X = P1 L1 P1^T - P2 L2 P2^T, U_i = [P_i L_i^{1/2}, 0] with k1, k2 columns.
// X must be exactly symmetric and finite, k1, k2 >= 0. Eigenvalues within kRankTolEps * eps *
// max|lambda| of zero count as zero; throws InvalidArgument when X has more than k1 positive or
// more than k2 negative eigenvalues (A Lemma 7.3: then no such decomposition exists).
template <class S> SymFactors<S> sym_factors(const Mat<S>& X, Index k1, Index k2);
// A Thm 7.5 (3): U_i = [D^{-1} P_i L_i^{1/2}, 0]. Throws InvalidArgument (besides the cases of
// sym_factors) when D is singular to working precision: cond(D)^2 >= 1 / (kRankTolEps eps)
// (D is the square root of a Gram matrix, so its rounding is sqrt(eps)-sized).
template <class S> SymFactors<S> flat_sym_factors(const Mat<S>& X, const Mat<S>& D, Index k1,
                                                  Index k2);
// Inertia: numbers of eigenvalues of symmetric X above tol and below -tol.
struct Inertia {
  Index positive = 0, negative = 0;
};
template <class S> Inertia inertia(const Mat<S>& X, const S& tol);
template <class S> S factor_norm_sq(const Mat<S>& L, const Mat<S>& R);   // ||L||^2 + ||R||^2
template <class S> S balance_gap(const Mat<S>& L, const Mat<S>& R);      // ||L^T L - R^T R||_*

// Rank tolerance used by the factor maps: singular values below this multiple of
// eps * s_max are treated as zero.
inline constexpr double kRankTolEps = 1e3;

}  // namespace flatmin
