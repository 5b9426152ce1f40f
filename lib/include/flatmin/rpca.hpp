// flatmin/rpca.hpp — robust PCA of paper A section 6: Y = M + S with M low rank and S sparse,
//   Omega = {S : ||S||_{1,1} <= tau}   (tau = ||S_natural||_{1,1} in the paper),
//   f(L, R) = dist^2_Omega(Y - L R^T)                                   (50)
//   f_{Lt,Rt}(L, R) = ||Y - L R^T - P_Omega(Y - Lt Rt^T)||_F^2           (51), the local model,
// and the Euclidean projection P_Omega onto the entrywise l1 ball that all of them need.
//
// Facts the catalogue row A.S6 checks (all elementary):
//  * majorisation: P_Omega(Y - Lt Rt^T) lies in Omega, so f_{Lt,Rt}(L,R) >= dist^2_Omega(Y - LR^T)
//    = f(L,R) for every (L,R), with equality at (L,R) = (Lt,Rt);
//  * first order: Z -> dist^2_Omega(Z) is C^1 with gradient 2 (Z - P_Omega(Z)) (Moreau: the
//    envelope (1/2) dist^2 of a closed convex set has gradient Z - P(Z)); chained through
//    Z = Y - L R^T this gives rpca_gradient below, which is also the gradient of the local model at
//    its base point (the shift P_Omega(Y - Lt Rt^T) is frozen there);
//  * the local model is ||L R^T - W||^2 with W = Y - P_Omega(Y - Lt Rt^T), i.e. the A = I loss of
//    paper A (11) with target W, so Lemma 2.1 gives str(D^2 f_{Lt,Rt}) = 2(||L||^2 + ||R||^2).
#pragma once

#include "flatmin/objective.hpp"
#include "flatmin/rng.hpp"
#include "flatmin/scalar.hpp"

namespace flatmin {

// ||Z||_{1,1} = sum_ij |Z_ij|.
template <class S> S l1_norm(const Mat<S>& Z);

// Euclidean projection of Z onto the ball {X : ||X||_{1,1} <= tau} (entries of Z taken as one
// vector), by the sort-based algorithm of Duchi, Shalev-Shwartz, Singer, Chandra, "Efficient
// projections onto the l1-ball for learning in high dimensions", ICML 2008, Figure 1:
//   if ||Z||_1 <= tau the projection is Z itself (theta = 0); otherwise sort u = |Z| in
//   non-increasing order, rho = max{ j : j u_j > (u_1 + ... + u_j) - tau } (rho >= 1 since
//   u_1 > u_1 - tau for tau > 0), theta = ((u_1 + ... + u_rho) - tau) / rho, and
//   P(Z)_ij = sign(Z_ij) max(|Z_ij| - theta, 0)  (soft thresholding at theta).
// tau = 0 gives the zero matrix. Cost O(n log n), n = number of entries.
// Optimality (KKT): with R = Z - P(Z), for Z outside the ball, ||P(Z)||_1 = tau, |R_ij| <= theta
// everywhere with R_ij = theta sign(P_ij) wherever P_ij != 0, hence <R, P(Z)> = tau ||R||_inf:
// R is in the normal cone of the ball at P(Z).
// Throws InvalidArgument if tau < 0, tau or an entry of Z is not finite.
template <class S> Mat<S> project_l1_ball(const Mat<S>& Z, const S& tau);
// The threshold theta of the projection above (0 when ||Z||_1 <= tau; max |Z_ij| when tau = 0).
template <class S> S l1_projection_threshold(const Mat<S>& Z, const S& tau);

// dist^2_Omega(Z) = ||Z - P_Omega(Z)||_F^2 for Omega the l1 ball of radius tau.
template <class S> S dist2_l1_ball(const Mat<S>& Z, const S& tau);

// (50): f(L, R) = dist^2_Omega(Y - L R^T). L is d1 x k, R is d2 x k, Y is d1 x d2.
template <class S> S rpca_loss(const Mat<S>& Y, const S& tau, const Mat<S>& L, const Mat<S>& R);
// Gradient of (50): with Z = Y - L R^T and G = 2 (Z - P_Omega(Z)),
//   grad_L f = -G R,  grad_R f = -G^T L.
template <class S> Factors<S> rpca_gradient(const Mat<S>& Y, const S& tau, const Mat<S>& L,
                                            const Mat<S>& R);
// W = Y - P_Omega(Y - Lt Rt^T): the target of the local model at the base point (Lt, Rt).
template <class S> Mat<S> rpca_local_target(const Mat<S>& Y, const S& tau, const Mat<S>& Lt,
                                            const Mat<S>& Rt);
// (51): f_{Lt,Rt}(L, R) = ||Y - L R^T - P_Omega(Y - Lt Rt^T)||_F^2.
template <class S> S rpca_local_model(const Mat<S>& Y, const S& tau, const Mat<S>& Lt,
                                      const Mat<S>& Rt, const Mat<S>& L, const Mat<S>& R);

// A sparse corruption S (drawn in double by the portable generator): the d1 x d2 cells are
// visited in a uniformly random order (Fisher-Yates with Rng::below), and a cell is kept when
// Rng::bernoulli(p) succeeds and its row and its column hold fewer than `per_line` kept cells;
// a kept cell gets an N(0, 1) value times `scale`. So S has at most per_line nonzero entries in
// every row and every column (A section 6: l_natural = per_line). Draw order: the permutation,
// then for each visited cell the Bernoulli draw, then (if kept) the normal draw.
Mat<double> sparse_corruption(Rng& rng, Index d1, Index d2, Index per_line, double p,
                              double scale);

}  // namespace flatmin
