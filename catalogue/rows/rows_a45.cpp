// Catalogue rows of paper A sections 4-5 (RIP, conditioning of D_i, matrix completion):
// Lemmas 4.6, 4.8 (bound), 4.4, 4.5, 4.9, 5.2, 5.4 (stat).
//
// RIP constants come from flatmin/rip.hpp as intervals whose sides err in known directions:
//   delta1 in [delta1_certified, delta1_estimate],  delta2 in [delta2_estimate, delta2_certified]
// (estimates are attained by explicit rank-r matrices; certified sides are valid for every
// rank-r matrix). A bound row only compares quantities so that the comparison is an IMPLICATION
// of the lemma: e.g. "delta2(B) <= c delta2(A)" is checked as rho_B(X) <= c * delta2_certified(A)
// for explicit X (rho_B(X) <= delta2(B) <= c delta2(A) <= c delta2_certified(A)); comparing two
// estimates would not be (an estimate can sit anywhere below the true constant).
// Stat rows with estimated constants check a NECESSARY condition of the random event: if the map
// satisfies RIP with (delta1, delta2) then the estimates, being values at explicit X, lie in
// [delta1, delta2] too. Their frequency is therefore an upper bound on the event's frequency
// (up to the search quality), which is what "the estimated constants concentrate" means.
//
// Corrections to paper A (verified as stated in each row):
//  * Lemma 5.2: the catalogue's "D_i^2 within sqrt(p/(d1 d2))(1 +- delta)" is garbled; (37) bounds
//    D_i by sqrt((p/(d1 d2))(1 +- delta)), i.e. D_i^2 in (p/(d1 d2))[1 - delta, 1 + delta], which
//    is what (38) and the end of the proof say. This is the paper's normalisation with m = d1 d2
//    (all d1 d2 matrices xi_ij e_i e_j^T, unobserved ones being zero); flatmin's completion map
//    keeps only the |Omega| observed entries, so rescaling() gives D_i^2 = (d1 d2 / |Omega|) times
//    the paper's (checked in properties/A.L5.2.cpp). The row checks the paper's normalisation.
//  * Lemma 5.2: the concentration step "P{|(1/(p d2)) sum_j xi_ij - 1| >= delta} <=
//    2 exp(-2 p d2 delta^2)" is false for small p (d2 = 30, p = 0.126, delta = 0.9: the exact
//    binomial tail is 0.046, the printed bound 0.0044). The multiplicative Chernoff bound
//    2 exp(-delta^2 p d2 / 3) (delta in (0,1)) with the same union bound gives failure
//    probability <= 4 d_max exp(-delta^2 p d_min / 3) <= 4 d_max^{-c} <= 4 d_min^{-c} in the
//    regime p >= 3 (1 + c) log(d_max) / (delta^2 d_min): six times the printed
//    (1 + c) log(d_max) / (2 delta^2 d_min). The row uses the corrected regime; its negative
//    control is the printed regime, where the frequency falls far below 1 - 4 d_min^{-c}.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "common.hpp"
#include "flatmin/rip.hpp"

namespace flatmin::catalogue::detail {

namespace {

template <class S> S sq(const S& x) { return x * x; }
template <class S> S sqrt_s(const S& x) {
  using std::sqrt;
  return S(sqrt(x));
}

// lhs <= rhs, relative to the larger of the two and of `level`: lower RIP constants and small
// eigenvalues are computed with an ABSOLUTE error of a few eps times the largest singular value /
// eigenvalue of the same matrix, so comparisons of lower sides pass that largest value as level.
template <class S>
Outcome leq(const S& lhs, const S& rhs, double tol, const std::string& what,
            const S& level = S(0)) {
  S scale = std::max<S>({abs_of(lhs), abs_of(rhs), abs_of(level)});
  if (!(scale > S(0))) scale = S(1);
  return bound_outcome<S>(lhs, rhs, scale, tol, what);
}

// The l2 RIP constants over all matrices, sigma_max / sqrt(m) and sigma_min / sqrt(m) (0 if
// m < d1 d2), straight from the SVD of the m x d1d2 matrix: row A.L4.6 compares them exactly as
// the lemma states (the same numbers as full_rank_l2_constants today, computed here so that the
// comparison does not depend on how the certified sides are rounded).
template <class S> FullRankL2<S> full_rank_computed(const SensingMap<S>& A) {
  const Vec<S> sv = singular_values<S>(A.dense());
  const S sm = sqrt_s(S(A.m()));
  FullRankL2<S> out{S(0), S(sv(0) / sm)};
  if (A.m() >= A.d1() * A.d2()) out.lower = sv(sv.size() - 1) / sm;
  return out;
}

RipOptions options_for(const Shape& s, bool certify) {
  RipOptions o;
  o.seed = s.seed ^ 0x9e3779b97f4a7c15ULL;
  o.certify = certify;
  return o;
}
// Stat rows: many draws, so a smaller search budget (spectral start + 2 random restarts for l2,
// 4 for l1; 30 sweeps, 8 inner l1 iterations). On m = 360, d = 6, rank 4 this changes the l2
// estimates by < 1e-6 and the l1 ones by a few % relative to 16 restarts x 200 sweeps x 30
// inner iterations (the l1 maximum is then slightly underestimated: the event is easier).
RipOptions stat_options_for(const Shape& s, RipNorm p) {
  RipOptions o = options_for(s, false);
  o.restarts = p == RipNorm::l2 ? 2 : 4;
  o.sweeps = 30;
  o.inner = 8;
  return o;
}

Outcome stat_outcome(bool event, double value, std::string regime, std::string detail) {
  Outcome o;
  o.holds = event;
  o.value = value;
  o.regime = std::move(regime);
  o.detail = std::move(detail);
  return o;
}

// ------------------------------------------------------------------------------------------
// A Lemma 4.6: if A satisfies l_p/l_2 RIP (r, delta1, delta2) and alpha1 I <= Q_i <= alpha2 I,
// then B = A(Q1^{-1} . Q2^{-1}) satisfies it with (r, alpha2^-2 delta1, alpha1^-2 delta2).
// (Proof: Q1^{-1} X Q2^{-1} has rank rank X and alpha2^-2 ||X|| <= ||Q1^{-1} X Q2^{-1}|| <=
// alpha1^-2 ||X||.) Checked for p = 2 and p = 1 through comparisons that the lemma implies:
//  (a) rho_B(X) <= alpha1^-2 delta2_cert(A) and rho_B(X) >= alpha2^-2 delta1_cert(A) for the
//      explicit X attaining B's estimates and for a random rank-r X;
//  (b) the lemma applied to B with P_i = Q_i^{-1} (spectra in [1/alpha2, 1/alpha1]) gives
//      A = B(P1^{-1} . P2^{-1}) in (alpha1^2 delta1(B), alpha2^2 delta2(B)): checked as
//      rho_A(X_max^A) <= alpha2^2 delta2_cert(B), rho_A(X_min^A) >= alpha1^2 delta1_cert(B);
//  (c) l2 at rank min(d1, d2), where the certified constants ARE the constants
//      (sigma_max/sqrt m, sigma_min/sqrt m for m >= d1 d2): sigma_max(B) <= alpha1^-2 sigma_max(A)
//      and sigma_min(B) >= alpha2^-2 sigma_min(A) exactly as the lemma states them.
// These are tight when Q1, Q2 act as alpha1 I (or alpha2 I) on the extremal directions: e.g. for
// the identity map with d1, d2 >= 2 (random_spd puts the eigenvalue alpha1 = lo in both Q_i, so
// sigma_max(B) = alpha1^-2 = alpha1^-2 sigma_max(A) exactly: slack ~1e-15 in double, ~1e-33 in
// quad).
// Negative control: alpha1 and alpha2 interchanged, i.e. (r, alpha1^-2 delta1, alpha2^-2 delta2).
// Tolerance 1e3 eps: every side is an SVD (Jacobi, O(d eps)), an eigenvalue of Q (O(d eps)), or
// a norm of A(X) for m <= 40 measurements (O(m eps)); a few hundred ulps covers their sum.
template <class S> struct L46 {
  static constexpr double tol = kRipEps;
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    if (inst.empty()) return not_applicable("no measurements");
    const Index d1 = shape.d1, d2 = shape.d2;
    const double lo = inst.rng.uniform(0.3, 1.5), hi = lo * inst.rng.uniform(1.0, 3.0);
    const Mat<S> Q1 = cast_matrix<S>(random_spd(inst.rng, d1, lo, hi));
    const Mat<S> Q2 = cast_matrix<S>(random_spd(inst.rng, d2, lo, hi));
    const Mat<S> Xr = assemble<S>(random_low_rank(inst.rng, d1, d2, shape.r));
    const SymEig<S> e1 = sym_eig<S>(Q1), e2 = sym_eig<S>(Q2);
    const S a1 = std::min<S>(e1.lambda(0), e2.lambda(0));
    const S a2 = std::max<S>(e1.lambda(d1 - 1), e2.lambda(d2 - 1));
    if (!(a1 > S(0))) return not_applicable("Q_i not positive definite");
    const SensingMap<S> B =
        inst.A.composed(spd_inverse<S>(Q1, "Q1"), spd_inverse<S>(Q2, "Q2"));
    const bool ctl = v == Variant::negative_control;
    // B's claimed interval [lo_f delta1(A), up_f delta2(A)]; A's from B: [rlo_f .., rup_f ..]
    const S up_f = S(1) / sq(ctl ? a2 : a1), lo_f = S(1) / sq(ctl ? a1 : a2);
    const S rup_f = sq(ctl ? a1 : a2), rlo_f = sq(ctl ? a2 : a1);
    const RipOptions opt = options_for(shape, true);
    std::vector<Outcome> parts;
    for (RipNorm p : {RipNorm::l2, RipNorm::l1}) {
      const RipBounds<S> ra = rip_constants<S>(inst.A, shape.r, p, opt);
      const RipBounds<S> rb = rip_constants<S>(B, shape.r, p, opt);
      const std::string t = std::string(rip_norm_name(p)) + ": ";
      const S rr = rip_ratio<S>(B, Xr, p);
      parts.push_back(leq<S>(rb.delta2_estimate, up_f * ra.delta2_certified, tol,
                             t + "rho_B(X_max^B) <= a1^-2 d2cert(A)"));
      parts.push_back(leq<S>(rr, up_f * ra.delta2_certified, tol,
                             t + "rho_B(Xrand) <= a1^-2 d2cert(A)"));
      const S lvB = std::max<S>(lo_f * ra.delta2_certified, rb.delta2_certified);
      parts.push_back(leq<S>(lo_f * ra.delta1_certified, rb.delta1_estimate, tol,
                             t + "a2^-2 d1cert(A) <= rho_B(X_min^B)", lvB));
      parts.push_back(leq<S>(lo_f * ra.delta1_certified, rr, tol,
                             t + "a2^-2 d1cert(A) <= rho_B(Xrand)", lvB));
      parts.push_back(leq<S>(ra.delta2_estimate, rup_f * rb.delta2_certified, tol,
                             t + "rho_A(X_max^A) <= a2^2 d2cert(B)"));
      parts.push_back(leq<S>(rlo_f * rb.delta1_certified, ra.delta1_estimate, tol,
                             t + "a1^2 d1cert(B) <= rho_A(X_min^A)",
                             std::max<S>(rlo_f * rb.delta2_certified, ra.delta2_certified)));
    }
    const FullRankL2<S> fa = full_rank_computed<S>(inst.A), fb = full_rank_computed<S>(B);
    parts.push_back(leq<S>(fb.upper, up_f * fa.upper, tol,
                           "l2 full rank: smax(B) <= a1^-2 smax(A)"));
    parts.push_back(leq<S>(lo_f * fa.lower, fb.lower, tol, "l2 full rank: a2^-2 smin(A) <= smin(B)",
                           std::max<S>(lo_f * fa.upper, fb.upper)));
    Outcome o = worst_of(Kind::bound, parts);
    const double kappa = to_double(S(a2 / a1));
    o.regime = std::string(family_name(shape.family)) +
               (inst.A.m() >= d1 * d2 ? " m>=d1d2" : " m<d1d2") +
               (kappa < 1.5 ? " kappa<1.5" : " kappa>=1.5");
    if (ctl) o.applicable = hypothesis_exceeds<double>(o, kappa, 1.01, "kappa > 1.01");
    return o;
  }
};

// ------------------------------------------------------------------------------------------
// A Lemma 4.8: rank-1 l2/l2 RIP (delta1, delta2) => delta1 I <= D_i <= delta2 I. The proof is
// identity (18): sum_{i<=d2} sum_{j<=k} ||A(L e_j e_i^T)||^2 = m d2 ||D1 L||_F^2, which for
// L = v (unit) says lambda(D1)^2 on v is the average of rho(v e_i^T)^2 over i. Checked (in
// squares, delta^2 I <= D_i^2, equivalent for PSD D_i and free of psd_sqrt's loss of accuracy
// at small eigenvalues):
//  (a) lambda_max(D_i) <= delta2_cert and lambda_min(D_i) >= delta1_cert (rank-1 certified
//      sides: valid for the true constants, so these are implications of the lemma);
//  (b) the converse reading, D's extreme eigenvalues bound the rank-1 constants: with v the top
//      (bottom) eigenvector, max_i rho(v e_i^T) >= lambda_max(D1) and min_i rho(v e_i^T) <=
//      lambda_min(D1) — explicit rank-1 witnesses, so delta2 >= lambda_max(D_i) and delta1 <=
//      lambda_min(D_i) (and likewise for D2 with e_i u^T);
//  (c) identity (18) itself for a random L (d1 x k) and its D2 analogue, to rounding.
// (a) and (b) are tight for the identity map (D_i = I/sqrt(d1 d2) = every rho) and for d1 or
// d2 = 1 (all matrices rank 1: the certified sides are the constants).
// Negative control: D_i computed without the 1/d_i of (14) (D1^2 = (1/m) sum A_i A_i^T), in (a)
// and (b)-upper. Tolerance 1e3 eps relative to the largest eigenvalue involved: sums of
// m d_i k squares (m <= 50) and Jacobi SVD / eigenvalues of d <= 5 matrices.
template <class S> struct L48 {
  static constexpr double tol = kRipEps;
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    if (inst.empty()) return not_applicable("no measurements");
    const Index d1 = shape.d1, d2 = shape.d2, m = inst.A.m();
    const bool ctl = v == Variant::negative_control;
    const Rescaling<S> D = rescaling(inst.A);
    // compared in squares: delta1 I <= D_i <= delta2 I  <=>  delta1^2 I <= D_i^2 <= delta2^2 I
    // (D_i PSD); the eigenvalues of D_i^2 carry an absolute error O(eps ||D_i||^2), whereas
    // those of psd_sqrt's D_i near zero carry O(eps ||D_i||^2 / lambda_min(D_i)).
    Mat<S> P1 = D.D1 * D.D1, P2 = D.D2 * D.D2;
    if (ctl) {  // wrong: (14) without the 1/d_i
      P1 *= S(d2);
      P2 *= S(d1);
    }
    const SymEig<S> e1 = sym_eig<S>(P1), e2 = sym_eig<S>(P2);
    const S top1 = e1.lambda(d1 - 1), top2 = e2.lambda(d2 - 1);
    const RipBounds<S> rb = rip_constants<S>(inst.A, 1, RipNorm::l2, options_for(shape, true));
    const S c1 = rb.delta1_certified * rb.delta1_certified;
    const S c2 = rb.delta2_certified * rb.delta2_certified;
    std::vector<Outcome> parts;
    parts.push_back(leq<S>(top1, c2, tol, "lmax(D1^2) <= d2cert^2"));
    parts.push_back(leq<S>(top2, c2, tol, "lmax(D2^2) <= d2cert^2"));
    // (b): rank-1 witnesses v e_i^T (D1) and e_i u^T (D2), v, u eigenvectors of D_i^2
    auto witness = [&](const SymEig<S>& e, bool left, bool top) {
      const Index n = left ? d1 : d2, other = left ? d2 : d1;
      const Vec<S> vec = e.P.col(top ? n - 1 : 0);
      S best = top ? S(0) : std::numeric_limits<S>::infinity();
      for (Index i = 0; i < other; ++i) {
        Mat<S> Z = Mat<S>::Zero(d1, d2);
        if (left)
          Z.col(i) = vec;
        else
          Z.row(i) = vec.transpose();
        const S rho = rip_ratio<S>(inst.A, Z, RipNorm::l2);
        best = top ? std::max<S>(best, rho * rho) : std::min<S>(best, rho * rho);
      }
      return best;
    };
    parts.push_back(leq<S>(top1, witness(e1, true, true), tol,
                           "lmax(D1^2) <= max_i rho(v e_i^T)^2"));
    parts.push_back(leq<S>(top2, witness(e2, false, true), tol,
                           "lmax(D2^2) <= max_i rho(e_i u^T)^2"));
    if (!ctl) {
      parts.push_back(leq<S>(c1, e1.lambda(0), tol, "d1cert^2 <= lmin(D1^2)", top1));
      parts.push_back(leq<S>(c1, e2.lambda(0), tol, "d1cert^2 <= lmin(D2^2)", top2));
      parts.push_back(leq<S>(witness(e1, true, false), e1.lambda(0), tol,
                             "min_i rho(v e_i^T)^2 <= lmin(D1^2)", top1));
      parts.push_back(leq<S>(witness(e2, false, false), e2.lambda(0), tol,
                             "min_i rho(e_i u^T)^2 <= lmin(D2^2)", top2));
      // (c) identity (18) and its D2 analogue
      const Index k = shape.k;
      const Mat<S> L = cast_matrix<S>(inst.rng.normal_matrix(d1, k));
      const Mat<S> R = cast_matrix<S>(inst.rng.normal_matrix(d2, k));
      S lhs1(0), lhs2(0);
      for (Index j = 0; j < k; ++j) {
        for (Index i = 0; i < d2; ++i) {
          Mat<S> Z = Mat<S>::Zero(d1, d2);
          Z.col(i) = L.col(j);
          lhs1 += inst.A.apply(Z).squaredNorm();
        }
        for (Index i = 0; i < d1; ++i) {
          Mat<S> Z = Mat<S>::Zero(d1, d2);
          Z.row(i) = R.col(j).transpose();
          lhs2 += inst.A.apply(Z).squaredNorm();
        }
      }
      // the scale of the rounding is m d2 ||D1||^2 ||L||^2 (the right side can be small)
      const S rhs1 = S(m) * S(d2) * (D.D1 * L).squaredNorm();
      const S rhs2 = S(m) * S(d1) * (D.D2 * R).squaredNorm();
      const S sc1 = S(m) * S(d2) * top1 * L.squaredNorm() + lhs1 + S(1e-300);
      const S sc2 = S(m) * S(d1) * top2 * R.squaredNorm() + lhs2 + S(1e-300);
      parts.push_back(bound_outcome<S>(abs_of(S(lhs1 - rhs1)), S(0), sc1, tol,
                                       "(18) sum ||A(L e_j e_i^T)||^2 = m d2 ||D1 L||^2"));
      parts.push_back(bound_outcome<S>(abs_of(S(lhs2 - rhs2)), S(0), sc2, tol,
                                       "(18') sum ||A(e_i e_j^T R^T)||^2 = m d1 ||D2 R||^2"));
    }
    Outcome o = worst_of(Kind::bound, parts);
    o.detail += "; estimates d1est=" + num(to_double(rb.delta1_estimate)) +
                " d2est=" + num(to_double(rb.delta2_estimate));
    o.regime = std::string(family_name(shape.family)) +
               (d1 == 1 || d2 == 1 ? " rank1=all" : "") +
               (m >= d1 * d2 ? " m>=d1d2" : " m<d1d2");
    if (ctl) o.applicable = d1 > 1 || d2 > 1;
    return o;
  }
};

// ------------------------------------------------------------------------------------------
// A Lemma 4.4: Gaussian ensemble, m >= c r (d1 + d2) => l2/l2 RIP (2r, 1 - delta, 1 + delta)
// with probability >= 1 - exp(-C m). We fix delta = 0.5 and c = 10 (m drawn in
// [10, 15] r (d1 + d2)); the event is the necessary condition
//   delta1_estimate >= 1 - delta  and  delta2_estimate <= 1 + delta   (rank min(2r, d1, d2)),
// (see the file comment). Negative control: the same event far outside the regime,
// m = ceil(r (d1 + d2) / 4), where rank-2r matrices in the kernel of A exist.
template <class S> struct L44 {
  static constexpr double delta = 0.5;
  static Outcome run(const Shape& shape, Variant v) {
    Shape s = shape;
    const double rd = double(s.r) * double(s.d1 + s.d2);
    if (v == Variant::negative_control) s.m = std::max<Index>(1, Index(std::ceil(rd / 4)));
    Instance<S> inst = make_instance<S>(s);
    if (inst.empty()) return not_applicable("no measurements");
    const Index rank = std::min<Index>({2 * s.r, s.d1, s.d2});
    const RipBounds<S> rb =
        rip_constants<S>(inst.A, rank, RipNorm::l2, stat_options_for(s, RipNorm::l2));
    const double e1 = to_double(rb.delta1_estimate), e2 = to_double(rb.delta2_estimate);
    const bool event = e1 >= 1 - delta && e2 <= 1 + delta;
    const double ratio = double(s.m) / rd;
    return stat_outcome(event, std::max(1 - e1, e2 - 1),
                        ratio >= 10 ? "m>=10r(d1+d2)" : "m<10r(d1+d2)",
                        "rank " + std::to_string(rank) + " l2: d1est=" + num(e1) +
                            " d2est=" + num(e2) + " (need in [0.5, 1.5])");
  }
};

// ------------------------------------------------------------------------------------------
// A Lemma 4.5: bilinear ensemble, m >= c r (d1 + d2) => l1/l2 RIP (k r, delta1, delta2) with
// numerical constants delta1, delta2 > 0. We take k = 2, c = 10 (m in [10, 15] r (d1 + d2)) and
// the numerical constants delta1 = 0.2, delta2 = 1.5 (for ||X||_F = 1 the population value
// E|a^T X b| lies in [2/pi, sqrt(2/pi)] = [0.64, 0.80]; at m = 10 r(d1+d2) the estimates over
// rank 2r spread to about [0.27, 1.28]); the event is the necessary condition
// delta1_estimate >= 0.2 and delta2_estimate <= 1.5 at rank min(2r, d1, d2).
// Negative control: far outside the regime, m = ceil(r (d1 + d2) / 4) (a rank-2r matrix in the
// kernel exists, so the l1 lower constant is 0).
template <class S> struct L45 {
  static constexpr double lower = 0.2, upper = 1.5;
  static Outcome run(const Shape& shape, Variant v) {
    Shape s = shape;
    const double rd = double(s.r) * double(s.d1 + s.d2);
    if (v == Variant::negative_control) s.m = std::max<Index>(1, Index(std::ceil(rd / 4)));
    Instance<S> inst = make_instance<S>(s);
    if (inst.empty()) return not_applicable("no measurements");
    const Index rank = std::min<Index>({2 * s.r, s.d1, s.d2});
    const RipBounds<S> rb =
        rip_constants<S>(inst.A, rank, RipNorm::l1, stat_options_for(s, RipNorm::l1));
    const double e1 = to_double(rb.delta1_estimate), e2 = to_double(rb.delta2_estimate);
    const bool event = e1 >= lower && e2 <= upper;
    return stat_outcome(event, e1, double(s.m) / rd >= 10 ? "m>=10r(d1+d2)" : "m<10r(d1+d2)",
                        "rank " + std::to_string(rank) + " l1: d1est=" + num(e1) +
                            " d2est=" + num(e2) + " (need d1est>=0.2, d2est<=1.5)");
  }
};

// ------------------------------------------------------------------------------------------
// A Lemma 4.9: bilinear ensemble, in the regime m >= c3 d_max / delta^2 and
// log m <= c4 delta^2 d_min:  (1 - delta) I <= D_i <= (1 + delta) I for i = 1, 2 with
// probability >= 1 - c2 exp(-c1 d_min delta^2). We take delta = 0.4, c3 = 2 (m >= 12.5 d_max)
// and c4 = 3 (log m <= 0.48 d_min); shapes outside this regime are not applicable. The event is
// checked on the eigenvalues of D1 and D2 (square roots of those of D_i^2 of (14)).
// Negative control: far outside the regime, m = ceil(d_min / 2) < d_1: (1/m) sum a_i a_i^T is
// singular, so lambda_min(D1) = 0.
template <class S> struct L49 {
  static constexpr double delta = 0.4, c3 = 2.0, c4 = 3.0;
  static Outcome run(const Shape& shape, Variant v) {
    Shape s = shape;
    const Index dmin = std::min(s.d1, s.d2), dmax = std::max(s.d1, s.d2);
    if (v == Variant::negative_control) {
      s.m = std::max<Index>(1, (dmin + 1) / 2);
    } else {
      if (double(s.m) < c3 * double(dmax) / (delta * delta))
        return not_applicable("m < c3 d_max / delta^2");
      if (portable_log(double(s.m)) > c4 * delta * delta * double(dmin))
        return not_applicable("log m > c4 delta^2 d_min");
    }
    Instance<S> inst = make_instance<S>(s);
    if (inst.empty()) return not_applicable("no measurements");
    // eigenvalues of D_i = square roots of those of D_i^2 = gram / (m d_j) (14): one symmetric
    // eigenproblem per side instead of rescaling()'s square root followed by another one
    const S m(inst.A.m());
    const SymEig<S> e1 = sym_eig<S>(Mat<S>(inst.A.gram_left() / (m * S(s.d2))));
    const SymEig<S> e2 = sym_eig<S>(Mat<S>(inst.A.gram_right() / (m * S(s.d1))));
    auto root = [](const S& x) { return x > S(0) ? std::sqrt(to_double(x)) : 0.0; };
    const double lo = std::min(root(e1.lambda(0)), root(e2.lambda(0)));
    const double hi = std::max(root(e1.lambda(s.d1 - 1)), root(e2.lambda(s.d2 - 1)));
    const bool event = lo >= 1 - delta && hi <= 1 + delta;
    return stat_outcome(event, std::max(1 - lo, hi - 1),
                        "m/d_max=" + std::string(double(s.m) / double(dmax) >= 20 ? ">=20" : "<20"),
                        "spectra of D1, D2 in [" + num(lo) + ", " + num(hi) +
                            "] (need [0.6, 1.4])");
  }
};

// ------------------------------------------------------------------------------------------
// A Lemma 5.2 (corrected regime, see the file comment): for delta = 0.95 and c = 1, in the regime
// p >= 3 (1 + c) log(d_max) / (delta^2 d_min), with probability >= 1 - 4 d_min^{-c}:
//   (p / (d1 d2)) (1 - delta) I <= D_i^2 <= (p / (d1 d2)) (1 + delta) I,   i = 1, 2,
// with the paper's D_i^2 = (1/(d1 d2 d_j)) sum A A^T over all d1 d2 matrices xi e_i e_j^T, i.e.
// gram/(d1 d2 d_j) (= diag(row counts)/(d1 d2^2) for i = 1, (38)). The spec has d in [30, 50],
// so 1 - 4 d_min^{-1} >= 0.867; p is drawn uniformly in [p_req, 1] (shape.p is the fraction).
// Negative control: the printed regime, p uniform in [1, 1.5] x (1 + c) log(d_max) /
// (2 delta^2 d_min).
template <class S> struct L52 {
  static constexpr double delta = 0.95, c = 1.0;
  static Outcome run(const Shape& shape, Variant v) {
    Shape s = shape;
    const Index dmin = std::min(s.d1, s.d2), dmax = std::max(s.d1, s.d2);
    const double lg = portable_log(double(dmax)), u = std::clamp(shape.p, 0.0, 1.0);
    if (v == Variant::negative_control) {
      const double p_printed = (1 + c) * lg / (2 * delta * delta * double(dmin));
      s.p = std::min(1.0, p_printed * (1 + 0.5 * u));
    } else {
      const double p_req = 3 * (1 + c) * lg / (delta * delta * double(dmin));
      if (p_req > 1) return not_applicable("p_req > 1: regime empty for these dimensions");
      s.p = p_req + (1 - p_req) * u;
    }
    Instance<S> inst = make_instance<S>(s);
    if (inst.empty()) return not_applicable("no measurements");
    const S base = S(s.p) / (S(s.d1) * S(s.d2));
    const S dd = S(s.d1) * S(s.d2);
    const Mat<S> G1 = inst.A.gram_left() / (dd * S(s.d2));   // paper's D1^2
    const Mat<S> G2 = inst.A.gram_right() / (dd * S(s.d1));  // paper's D2^2
    double worst = 0;
    bool event = true;
    auto scan = [&](const Mat<S>& G) {
      // the completion Gram matrices are diagonal (counts); fall back to eigenvalues otherwise
      Vec<S> ev = G.diagonal();
      if (!(Mat<S>(G - Mat<S>(G.diagonal().asDiagonal())).cwiseAbs().maxCoeff() == S(0)))
        ev = sym_eig<S>(G).lambda;
      for (Index i = 0; i < ev.size(); ++i) {
        const S rel = ev(i) / base - S(1);
        worst = std::max(worst, std::abs(to_double(rel)));
        if (!(ev(i) >= base * S(1 - delta) && ev(i) <= base * S(1 + delta))) event = false;
      }
    };
    scan(G1);
    scan(G2);
    return stat_outcome(event, worst, s.p >= 0.8 ? "p>=0.8" : "p<0.8",
                        "p=" + num(s.p) + " max |lambda(D_i^2) (d1 d2)/p - 1| = " + num(worst) +
                            " (need <= 0.95)");
  }
};

// ------------------------------------------------------------------------------------------
// A Lemma 5.4 (41): for feasible X = M + Delta (Delta supported on the unobserved entries),
//   ||X - M||_* <= 8 (1 + sqrt(6 r / p)) (||X||_* - ||M||_*),
// w.h.p. in the regime p >= C mu r log(mu r) log(d_max) / d_min, mu the incoherence (34) of M.
// We take C = 0.5 (the lemma leaves C unspecified; with C = 0.25 the frequency drops to ~0.97:
// at p ~ 0.3, d ~ 14 a row or column of M is often unobserved and M is not recoverable) and
// draw p uniformly in [p_req, 0.95] (shape.p is the fraction; shapes with
// p_req > 0.95 are not applicable). "Any feasible X" is probed by candidates: random Gaussian
// Delta on the unobserved entries at scales 1e-2..10 and both signs, Delta = -t P_{Omega^c}(M)
// (zeroing part of M), and the iterates of projected subgradient descent on ||X||_* over the
// feasible set started at M (the adversary: it finds a feasible X with ||X||_* <= ||M||_*
// whenever M is not the unique nuclear-norm minimiser). Candidates are ranked in double; the
// three worst are evaluated in the working precision. The event is that all of them satisfy
// (41) (tolerance 1e3 eps relative to 8 (1 + sqrt(6r/p)) (||X||_* + ||M||_*): Jacobi SVDs of
// d <= 22 matrices).
// Negative control: far outside the regime, p / 5 (M is typically not recoverable).
template <class S> struct L54 {
  static constexpr double C = 0.5, p_top = 0.95, tol = kRipEps;
  static Outcome run(const Shape& shape, Variant v) {
    const bool ctl = v == Variant::negative_control;
    Shape s = shape;
    Instance<S> inst0 = make_instance<S>(s);  // the truth does not depend on p (drawn first)
    const Index d1 = s.d1, d2 = s.d2, r = s.r;
    const Svd<S> sv = svd<S>(inst0.M);
    double mu = 0;
    for (Index j = 0; j < d1; ++j)
      mu = std::max(mu, to_double(S(sv.U.row(j).head(r).squaredNorm())) * double(d1) / double(r));
    for (Index k = 0; k < d2; ++k)
      mu = std::max(mu, to_double(S(sv.V.row(k).head(r).squaredNorm())) * double(d2) / double(r));
    const double mr = mu * double(r);
    const double p_req = C * mr * (mr > 1 ? portable_log(mr) : 0.0) *
                         portable_log(double(std::max(d1, d2))) / double(std::min(d1, d2));
    if (p_req > p_top) return not_applicable("p_req = " + num(p_req) + " > 0.95");
    const double u = std::clamp(shape.p, 0.0, 1.0);
    s.p = p_req + (p_top - p_req) * u;
    if (ctl) s.p /= 5;
    Instance<S> inst = make_instance<S>(s);
    if (inst.empty()) return not_applicable("no measurements");
    const double K = 8 * (1 + std::sqrt(6 * double(r) / s.p));

    // unobserved mask and the truth in double (for the candidate search)
    Mat<double> unobs = Mat<double>::Ones(d1, d2);
    for (const auto& [j, k] : inst.A.entries()) unobs(j, k) = 0;
    Mat<double> Md(d1, d2);
    for (Index j = 0; j < d1; ++j)
      for (Index k = 0; k < d2; ++k) Md(j, k) = to_double(inst.M(j, k));
    const double nucM = nuclear_norm<double>(Md);
    std::vector<Mat<double>> cands;
    for (int q = 0; q < 4; ++q) {
      Mat<double> G = inst.rng.normal_matrix(d1, d2).cwiseProduct(unobs);
      const double n = G.norm();
      if (!(n > 0)) break;
      G /= n;
      for (double t : {1e-2, 1e-1, 1.0, 10.0}) {
        cands.push_back(t * G);
        cands.push_back(-t * G);
      }
    }
    const Mat<double> PcM = Md.cwiseProduct(unobs);
    if (PcM.norm() > 0)
      for (double t : {0.25, 0.5, 1.0, 1.5}) cands.push_back(-t * PcM);
    {
      Mat<double> X = Md;
      for (int it = 0; it < 40; ++it) {
        const Svd<double> sx = svd<double>(X);
        const double smax = sx.s.size() ? sx.s(0) : 0.0;
        Index rk = 0;
        while (rk < sx.s.size() && sx.s(rk) > 1e-12 * smax) ++rk;
        Mat<double> G =
            (sx.U.leftCols(rk) * sx.V.leftCols(rk).transpose()).cwiseProduct(unobs);
        const double gn = G.norm();
        if (!(gn > 0)) break;
        X -= (0.5 / std::sqrt(double(it + 1))) * G / gn;
        cands.push_back(X - Md);
      }
    }
    if (cands.empty()) return not_applicable("everything observed: no feasible X != M");
    // rank by lhs / rhs in double (rhs <= 0 is the worst)
    std::vector<std::pair<double, std::size_t>> score;
    for (std::size_t c = 0; c < cands.size(); ++c) {
      const double lhs = nuclear_norm<double>(cands[c]);
      if (!(lhs > 0)) continue;
      const double rhs = K * (nuclear_norm<double>(Mat<double>(Md + cands[c])) - nucM);
      score.push_back({rhs > 0 ? lhs / rhs : std::numeric_limits<double>::infinity(), c});
    }
    std::sort(score.begin(), score.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    const S nucMs = nuclear_norm<S>(inst.M);
    std::vector<Outcome> parts;
    double worst_ratio = 0;  // max of lhs / rhs (> 1 or rhs <= 0: (41) fails)
    for (std::size_t i = 0; i < std::min<std::size_t>(3, score.size()); ++i) {
      const Mat<S> Delta = cast_matrix<S>(cands[score[i].second]);
      const S lhs = nuclear_norm<S>(Delta);
      const S nx = nuclear_norm<S>(Mat<S>(inst.M + Delta));
      const S rhs = S(K) * (nx - nucMs);
      worst_ratio = std::max(worst_ratio, rhs > S(0) ? to_double(S(lhs / rhs))
                                                     : std::numeric_limits<double>::infinity());
      parts.push_back(bound_outcome<S>(lhs, rhs, S(S(K) * (nx + nucMs)), tol,
                                       "(41) ||X-M||_* <= 8(1+sqrt(6r/p))(||X||_*-||M||_*)"));
    }
    if (parts.empty()) return not_applicable("no candidate");
    Outcome o = worst_of(Kind::bound, parts);
    o.value = worst_ratio;
    o.regime = std::string("mu r=") + (mr < 4 ? "<4" : ">=4") + (s.p >= 0.7 ? " p>=0.7" : " p<0.7");
    o.detail = "p=" + num(s.p) + " mu=" + num(mu) + " p_req=" + num(p_req) +
               " max lhs/rhs=" + num(worst_ratio) + ": " + o.detail;
    return o;
  }
};

}  // namespace

void register_rows_a45(std::vector<Row>& out) {
  // A.L4.6: every family (the lemma is deterministic); degenerate d = 1 (scalar Q_i, where the
  // bound is tight when q1 = q2) and m below and above d1 d2 (delta1_cert > 0 only above).
  ShapeSpec l46;
  l46.families = {FamilyId::identity, FamilyId::gaussian, FamilyId::bilinear,
                  FamilyId::completion};
  l46.d_min = 1;
  l46.d_max = 4;
  l46.r_max = 2;
  l46.k_extra_max = 0;
  l46.m_min = 1;
  l46.m_lo_rd = 0.5;
  l46.m_hi_rd = 4.0;
  l46.p_min = 0.3;
  l46.p_max = 1.0;
  out.push_back({"A.L4.6", "A Lemma 4.6", Kind::bound,
                 "l_p/l_2 RIP (p = 2, 1) of A(Q1^-1 . Q2^-1) within (alpha2^-2 delta1, "
                 "alpha1^-2 delta2): explicit-X estimates of one map against certified sides of "
                 "the other, both directions, and exactly at full rank (l2)",
                 {"rip_constants", "rip_ratio"},
                 {},
                 l46, L46<double>::tol, 0, 100, false, dispatch<L46>()});

  ShapeSpec l48 = l46;
  l48.d_max = 5;
  l48.r_max = 1;
  l48.k_extra_max = 2;
  l48.m_hi_rd = 5.0;
  out.push_back({"A.L4.8", "A Lemma 4.8", Kind::bound,
                 "rank-1 l2/l2 RIP: delta1 <= lambda(D_i) <= delta2 (certified sides), rank-1 "
                 "witnesses v e_i^T attaining rho >= lambda_max(D_i) / <= lambda_min(D_i), and "
                 "identity (18) sum ||A(L e_j e_i^T)||^2 = m d2 ||D1 L||^2",
                 {"rescaling", "rip_constants", "rip_ratio"},
                 {"A-fig1", "A-fig2", "A-fig3", "A-fig4", "A-noise"},
                 l48, L48<double>::tol, 0, 100, false, dispatch<L48>()});

  ShapeSpec l44;
  l44.families = {FamilyId::gaussian};
  l44.d_min = 2;
  l44.d_max = 6;
  l44.r_max = 2;
  l44.k_extra_max = 0;
  l44.m_lo_rd = 10.0;
  l44.m_hi_rd = 15.0;
  out.push_back({"A.L4.4", "A Lemma 4.4", Kind::stat,
                 "Gaussian, m in [10, 15] r(d1+d2): estimated l2/l2 RIP constants at rank 2r lie "
                 "in [1 - 0.5, 1 + 0.5] (necessary condition of RIP (2r, 1-delta, 1+delta))",
                 {"gaussian_map", "rip_constants"},
                 {"A-fig1", "A-fig2", "A-fig3", "A-fig4", "A-noise", "B-fig1", "B-fig2", "B-thm4"},
                 l44, 0, 0.95, 200, false, dispatch<L44>()});

  ShapeSpec l45 = l44;
  l45.families = {FamilyId::bilinear};
  out.push_back({"A.L4.5", "A Lemma 4.5", Kind::stat,
                 "bilinear, m in [10, 15] r(d1+d2): estimated l1/l2 RIP constants at rank 2r lie "
                 "in [0.2, 1.5] (numerical constants delta1, delta2 of the lemma, fixed here)",
                 {"bilinear_map", "rip_constants"},
                 {"A-fig3", "A-fig4"},
                 l45, 0, 0.95, 100, false, dispatch<L45>()});

  ShapeSpec l49;
  l49.families = {FamilyId::bilinear};
  l49.d_min = 16;
  l49.d_max = 24;
  l49.r_max = 1;
  l49.k_extra_max = 0;
  l49.m_lo_rd = 7.5;   // m >= 7.5 (d1 + d2) >= 12.5 d_max (d_max <= 0.6 (d1 + d2))
  l49.m_hi_rd = 15.0;
  out.push_back({"A.L4.9", "A Lemma 4.9", Kind::stat,
                 "bilinear, m >= 2 d_max/delta^2, log m <= 3 delta^2 d_min, delta = 0.4: "
                 "(1-delta) I <= D_i <= (1+delta) I",
                 {"bilinear_map", "gram_left", "gram_right"},
                 {"A-fig3", "A-fig4"},
                 l49, 0, 0.95, 100, false, dispatch<L49>()});

  ShapeSpec l52;
  l52.families = {FamilyId::completion};
  l52.d_min = 30;
  l52.d_max = 50;
  l52.r_max = 1;
  l52.k_extra_max = 0;
  l52.p_min = 0.0;  // shape.p is the position of p in [p_req, 1]
  l52.p_max = 1.0;
  out.push_back({"A.L5.2", "A Lemma 5.2", Kind::stat,
                 "completion, delta = 0.95, c = 1: (p/(d1d2))(1-delta) I <= D_i^2 <= "
                 "(p/(d1d2))(1+delta) I (paper's m = d1 d2 normalisation; the catalogue's "
                 "sqrt belongs to D_i) with frequency >= 1 - 4/d_min, in the CORRECTED regime "
                 "p >= 3(1+c) log(d_max)/(delta^2 d_min) (printed: (1+c) log(d_max)/(2 delta^2 "
                 "d_min), from a false tail bound; it is the negative control)",
                 {"completion_map", "gram_left", "gram_right"},
                 {"A-fig3", "A-fig4"},
                 l52, 0, 0.86, 200, false, dispatch<L52>()});

  ShapeSpec l54;
  l54.families = {FamilyId::completion};
  l54.d_min = 16;  // about 70% of the shapes are in the regime (mu is random)
  l54.d_max = 22;
  l54.r_max = 1;  // r = 2 needs p_req = 0.5 mu r log(mu r) log(d_max)/d_min > 1 unless d >~ 60
  l54.k_extra_max = 0;
  l54.p_min = 0.0;  // shape.p is the position of p in [p_req, 0.95]
  l54.p_max = 1.0;
  out.push_back({"A.L5.4", "A Lemma 5.4", Kind::stat,
                 "completion, p >= 0.5 mu r log(mu r) log(d_max)/d_min: (41) ||X - M||_* <= "
                 "8(1 + sqrt(6r/p))(||X||_* - ||M||_*) for feasible X (random, shrinking and "
                 "subgradient-descent candidates)",
                 {"completion_map", "nuclear_norm"},
                 {"A-fig2", "A-fig3", "A-fig4"},
                 l54, L54<double>::tol, 0.95, 200, false, dispatch<L54>()});
}

}  // namespace flatmin::catalogue::detail
