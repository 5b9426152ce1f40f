// flatmin/rip.hpp — restricted isometry constants of a sensing map over matrices of rank <= r,
// as two-sided intervals whose every side is a valid bound on the true constant.
//
// Paper A (31), l_p/l_2 RIP (p = 2 or p = 1): for all X with rank X <= r,
//     delta1 ||X||_F <= ||A(X)||_p / m^{1/p} <= delta2 ||X||_F,
// and the best constants are delta1 = min rho_p(X), delta2 = max rho_p(X) over rank <= r, X != 0,
// where rho_p(X) = ||A(X)||_p / (m^{1/p} ||X||_F) (rip_ratio below). Computing them exactly is
// NP-hard in general, so rip_constants returns, for each, an interval containing it:
//
//   delta1 in [delta1_certified, delta1_estimate],   delta2 in [delta2_estimate, delta2_certified]
//
//  * estimate side: the value rho_p(X) at an explicit matrix X of rank <= r (returned), found by
//    alternating optimisation over X = U V^T (U, V with r columns) from several random restarts
//    of the portable Rng, both factors random (plus a spectral start when d1 d2 is small).
//    Whatever the optimiser's quality, rho_p(X_max) <= delta2 and rho_p(X_min) >= delta1 hold
//    because X is feasible: the estimate errs low for delta2 (a valid LOWER bound) and high for
//    delta1 (a valid UPPER bound). Both witnesses are feasible for both sides, so if the two
//    local searches cross they are swapped: always delta1_estimate <= delta2_estimate. For p = 2 it is typically exact to the digits shown (it matched a brute-force grid
//    on 2 x 3 maps); for p = 1 the search is local and can miss the maximum by a few percent.
//  * certified side (errs the other way, a valid bound for every X of rank <= r):
//      l2:  delta2 <= min( ||A||_op / sqrt(m),  sqrt( (1/m) sum_i ||A_i||_(r)^2 ) ),
//           delta1 >= sigma_min(A) / sqrt(m)   when m >= d1 d2   (else 0),
//      where ||A||_op, sigma_min are the extreme singular values of the m x (d1 d2) matrix of
//      the map (the RIP constants over ALL matrices, i.e. at rank min(d1, d2)), and
//      ||A_i||_(r) = (sum of the r largest sigma_j(A_i)^2)^{1/2} = max <A_i, X> over rank <= r,
//      ||X||_F = 1 (so |<A_i, X>| <= ||A_i||_(r) ||X||_F).
//      l1:  from the l2 constants by norm inequalities on y = A(X) in R^m:
//           ||y||_1 <= sqrt(m) ||y||_2  and  |y_i| <= ||A_i||_(r) ||X||_F give
//             delta2^{l1} <= min( delta2_certified^{l2},  (1/m) sum_i ||A_i||_(r) );
//           ||y||_1 >= ||y||_2  and  ||y||_1 >= ||y||_2^2 / ||y||_inf give
//             delta1^{l1} >= max( delta1_certified^{l2} / sqrt(m),
//                                 (delta1_certified^{l2})^2 / max_i ||A_i||_(r) ).
//      These are exact constants only in special cases (e.g. l2 when r >= min(d1, d2), or a map
//      with orthogonal rows of equal norm); in general they are loose but always valid.
// All of the certified quantities are computed in the working precision S (Jacobi SVD, accurate
// to O(eps) relative to ||A||), so "valid" means valid up to an ABSOLUTE rounding error of order
// eps ||A||: when the true delta1 is 0 (a rank-deficient map with m >= d1 d2) delta1_certified
// and delta1_estimate are both rounding noise (e.g. 4.6e-17 and 2.0e-17 in double), so callers
// compare lower sides on the scale of delta2. The search
// itself runs in double (it only proposes X); the reported values rho_p(X) are evaluated in S at
// the exact rank-r matrix X = U V^T formed in S.
//
// Paper B (9), "(r, delta)-RIP": the smallest delta with
//     (1 - delta) ||X||_F^2 <= (1/n) sum_i <A_i, X>^2 <= (1 + delta) ||X||_F^2   (rank X <= r),
// i.e. delta_B = max(1 - delta1^2, delta2^2 - 1) with the l2 constants of (31) (n = m). Hence
//     delta_B in [ max(1 - rho(X_min)^2, rho(X_max)^2 - 1),
//                  max(1 - delta1_certified^2, delta2_certified^2 - 1) ]   (rip_delta_b).
//
// Every loop has a budget (RipOptions: restarts x sweeps x inner iterations). Bad input (r < 1,
// m = 0, a non-positive budget, X of the wrong shape or X = 0) throws InvalidArgument.
#pragma once

#include <cstdint>
#include <limits>

#include "flatmin/sensing.hpp"

namespace flatmin {

enum class RipNorm { l2, l1 };  // the l_p of paper A (31): p = 2 or p = 1
const char* rip_norm_name(RipNorm p);

struct RipOptions {
  int restarts = 8;        // random starts, start s drawn from Rng::derive(seed, {side, s}):
                           // a Gaussian U, or for the l1 maximum the top-r singular vectors of
                           // A*(random signs). p = 2 rarely needs them (the spectral start finds
                           // the extremes of small instances); p = 1 has local optima
  int sweeps = 60;         // alternating sweeps (one U-step and one V-step) per start
  int inner = 12;          // inner iterations of the l1 sub-solvers per half step
  double rel_tol = 1e-10;  // a start stops once a sweep changes its best value by less than this
  std::uint64_t seed = 0x52495031;  // "RIP1"
  bool spectral_start = true;  // d1 d2 <= 256: also start from the extreme singular
                               // vector of the full m x d1d2 matrix (truncated to rank r)
  bool certify = true;     // compute the certified sides; if false they are left at their
                           // trivially valid values 0 and +infinity
};

template <class S> struct RipBounds {
  Index rank = 0;          // effective rank min(r, d1, d2) of the search
  RipNorm norm = RipNorm::l2;
  S delta1_certified;      // <= delta1   (valid lower bound)
  S delta1_estimate;       // >= delta1   (= rip_ratio(A, X_min): valid upper bound)
  S delta2_estimate;       // <= delta2   (= rip_ratio(A, X_max): valid lower bound)
  S delta2_certified;      // >= delta2   (valid upper bound)
  Mat<S> X_min, X_max;     // rank <= r, ||X||_F = 1 (to rounding), formed in S as U V^T
  int sweeps_used = 0;     // total alternating sweeps over all starts
};

// ||A(X)||_p / (m^{1/p} ||X||_F). Throws InvalidArgument for a wrong shape or X = 0.
template <class S> S rip_ratio(const SensingMap<S>& A, const Mat<S>& X, RipNorm p);

// The full-rank l2 constants, i.e. (31) over all matrices (rank min(d1, d2)):
//   upper = sigma_max(A) / sqrt(m),  lower = sigma_min(A) / sqrt(m) if m >= d1 d2, else 0,
// from the singular values of the m x d1d2 matrix (entries and identity maps: from the weights).
template <class S> struct FullRankL2 {
  S lower, upper;
};
template <class S> FullRankL2<S> full_rank_l2_constants(const SensingMap<S>& A);

// ||A_i||_(r) for every measurement (see above); for rank-one A_i it is ||A_i||_F.
template <class S> Vec<S> measurement_kyfan_norms(const SensingMap<S>& A, Index r);

template <class S>
RipBounds<S> rip_constants(const SensingMap<S>& A, Index r, RipNorm p,
                           const RipOptions& opt = RipOptions{});

// Paper B (9): delta_B in [estimate, certified]; X is the rank <= r witness of the estimate
// (||X||_F = 1). Uses rip_constants(A, r, l2, opt).
template <class S> struct RipDeltaB {
  S estimate;   // <= delta_B, attained by X
  S certified;  // >= delta_B (+infinity when opt.certify is false)
  Mat<S> X;
  RipBounds<S> l2;  // the underlying l2 interval
};
template <class S>
RipDeltaB<S> rip_delta_b(const SensingMap<S>& A, Index r, const RipOptions& opt = RipOptions{});

}  // namespace flatmin
