// Catalogue rows of paper A section 2 (A = I): the nuclear-norm characterisation (10), Lemma 2.1
// (second derivative and scaled trace), Lemma 2.2 (flat <=> norm-minimal <=> balanced).
//
// A tool used by all three rows, the exact form of the gap in (10): for X of rank r with compact
// SVD X = U S V^T (U d1 x r, V d2 x r) and any factorisation X = L R^T (k columns),
//   (||L||^2 + ||R||^2)/2 - ||X||_* = (1/2)(||U^T L - V^T R||^2 + ||(I - UU^T) L||^2
//                                               + ||(I - VV^T) R||^2),                       (G)
// because ||L||^2 = ||U^T L||^2 + ||(I - UU^T) L||^2 (likewise R) and
// <U^T L, V^T R> = tr(U^T L R^T V) = tr(U^T X V) = tr S = ||X||_*. So every factorisation is >= the
// SVD one, with equality iff L = U N, R = V N for one r x k matrix N — the balanced factorisations.
// Consequence used in A.L2.2 (proved here; not in the paper): with G = L^T L - R^T R,
//   ||G||_F^2 <= (||L||^2 + ||R||^2 + 2||X||_*) (||L||^2 + ||R||^2 - 2||X||_*).             (B)
// Proof: write L = U N1 + P1, R = V N2 + P2 (P1 perp U, P2 perp V), D = N1 - N2, T = N1 + N2,
// p = ||P1||^2 + ||P2||^2. Then G = (T^T D + D^T T)/2 + P1^T P1 - P2^T P2, so
// ||G||_F <= ||T||_F ||D||_F + p, while by (G) the right side of (B) is (||T||^2 + p)(||D||^2 + p)
// >= (||T|| ||D|| + p)^2 (AM-GM on the cross term). So an unbalanced factorisation (G != 0) is
// strictly above the minimum: quantitatively "norm-minimal => balanced".
//
// Typo corrected: A (10) is printed as min (1/2)(||L||_F^2 + ||R^2||_F); the correct
// characterisation (Srebro et al. [54, Lemma 1]) is min (1/2)(||L||_F^2 + ||R||_F^2), which is what
// A.eq10 checks (the printed form is not even homogeneous of degree 2 in (L, R)).
#include <functional>

#include "common.hpp"

namespace flatmin::catalogue::detail {

namespace {



// The orbit point (L B, R B^{-T}) of a factorisation, B = random_invertible (drawn in double).
template <class S> Factors<S> orbit_point(const Factors<S>& f, Rng& rng) {
  const Index k = f.L.cols();
  const Mat<S> B = cast_matrix<S>(random_invertible(rng, k));
  const Mat<S> Binv_T = inverse<S>(B, "orbit matrix B").transpose();
  return {f.L * B, f.R * Binv_T};
}

// Right side of (G) for the rank-r part of X: (1/2)(||U^T L - V^T R||^2 + ||(I - UU^T) L||^2 +
// ||(I - VV^T) R||^2), with U, V the leading r singular vectors of X.
template <class S> S gap_identity_rhs(const Mat<S>& U, const Mat<S>& V, const Factors<S>& f) {
  const Mat<S> UL = U.transpose() * f.L, VR = V.transpose() * f.R;
  const S perp_L = (f.L - U * UL).squaredNorm(), perp_R = (f.R - V * VR).squaredNorm();
  return ((UL - VR).squaredNorm() + perp_L + perp_R) / S(2);
}

// A bound checked inside an exact row: it contributes nothing when it holds (its slack is
// reported in the detail) and a failing exact part when it is violated (as in rows_a3 T32).
template <class S> void push_bound(std::vector<Outcome>& parts, const S& lhs, const S& rhs,
                                   const S& scale, double tol, const std::string& what,
                                   std::string& notes) {
  Outcome b = bound_outcome<S>(lhs, rhs, scale, tol, what);
  if (!b.holds)
    parts.push_back(exact_outcome<S>(S(1), S(0), S(1), 0, b.detail));
  else
    notes += "; " + b.detail;
}

std::string k_regime(const Shape& s) {
  std::string g = s.k > s.r ? "k>r" : "k=r";
  if (s.d1 == 1 || s.d2 == 1) g += " d=1";
  return g;
}

// ---------------------------------------------------------------------------------------------
// A (10): ||X||_* = min_{X = LR^T} ||L||_F ||R||_F = min_{X = LR^T} (||L||_F^2 + ||R||_F^2)/2
// (printed with ||R^2||_F; corrected, see the file comment). Checked on X = M (rank r):
//  * the SVD-built factors (U S^{1/2}, V S^{1/2}) zero-padded to k columns (svd_factors) attain
//    both minima and factor X (exact);
//  * other factorisations are >= (bound): the orbit point (L B, R B^{-T}) with a random
//    invertible B, and for k > r the factorisation ([L_r, G] B, [R_r, 0] B^{-T}) with a random
//    block G in the padded columns (not on the orbit of the SVD factors); both factor X (exact),
//    and their excess over ||X||_* equals the right side of (G) (exact), which is >= 0.
// Negative control: the identity (||L||^2 + ||R||^2)/2 = ||X||_* claimed at the random orbit
// point (applicable where that point is unbalanced, ||L^T L - R^T R||_F > 1e-3 ||X||_*).
// Tolerance 1e4 eps: SVD (Jacobi, O(eps ||X||) per singular value) and sums of at most d k <= 54
// products, as the other exact rows.
template <class S> struct EQ10 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    const Mat<S>& X = inst.M;
    const Index k = shape.k, r = shape.r;
    const double tol = kExactEps;
    const S nuc = nuclear_norm<S>(X);
    const S xf = X.norm();
    const Factors<S> f = svd_factors<S>(X, k);
    const Svd<S> d = svd<S>(X);
    const Mat<S> U = d.U.leftCols(r), V = d.V.leftCols(r);

    std::vector<Factors<S>> others;
    others.push_back(orbit_point(f, inst.rng));
    if (k > r) {
      Factors<S> g = f;
      g.L.rightCols(k - r) = cast_matrix<S>(inst.rng.normal_matrix(shape.d1, k - r));
      others.push_back(orbit_point(g, inst.rng));
    }
    const Factors<S>& o = others.front();
    const S half_o = (o.L.squaredNorm() + o.R.squaredNorm()) / S(2);

    if (v == Variant::negative_control) {
      Outcome c = exact_outcome<S>(half_o, nuc, nuc, tol,
                                   "control: (10) claimed at a random orbit point (LB, RB^-T)");
      const S unbal = (o.L.transpose() * o.L - o.R.transpose() * o.R).norm();
      c.applicable = hypothesis_exceeds<S>(c, unbal, S(S(1e-3) * nuc), "||L^T L - R^T R||_F > 1e-3 ||X||_*");
      c.regime = k_regime(shape);
      return c;
    }

    const S nL = f.L.norm(), nR = f.R.norm();
    std::vector<Outcome> parts;
    parts.push_back(exact_outcome<S>(S(nL * nR), nuc, nuc, tol, "SVD factors: ||L|| ||R|| = ||X||_*"));
    parts.push_back(exact_outcome<S>(S((nL * nL + nR * nR) / S(2)), nuc, nuc, tol,
                                     "SVD factors: (||L||^2+||R||^2)/2 = ||X||_*"));
    parts.push_back(exact_outcome<S>(S((f.L * f.R.transpose() - X).norm()), S(0), xf, tol,
                                     "SVD factors: L R^T = X"));
    std::string notes;
    const char* names[] = {"orbit point", "padded-block point"};
    for (std::size_t i = 0; i < others.size(); ++i) {
      const Factors<S>& g = others[i];
      const std::string nm = names[i];
      const S a = g.L.norm(), b = g.R.norm();
      const S half = (a * a + b * b) / S(2);
      parts.push_back(exact_outcome<S>(S((g.L * g.R.transpose() - X).norm()), S(0), S(a * b), tol,
                                       nm + ": L R^T = X"));
      parts.push_back(exact_outcome<S>(S(half - nuc), gap_identity_rhs(U, V, g), half, tol,
                                       nm + ": excess over ||X||_* = (G)"));
      push_bound<S>(parts, nuc, S(a * b), nuc, tol, nm + ": ||X||_* <= ||L|| ||R||", notes);
      push_bound<S>(parts, S(a * b), half, nuc, tol, nm + ": ||L|| ||R|| <= (||L||^2+||R||^2)/2",
                    notes);
    }
    Outcome out = worst_of(Kind::exact, parts);
    out.detail += notes;
    out.regime = k_regime(shape);
    return out;
  }
};

// ---------------------------------------------------------------------------------------------
// A Lemma 2.1 (A = I, f(L,R) = ||LR^T - M||^2):
//  (12) on the solution set, D^2 f(L,R)[U,V] (by definition: hessian_form_definition, exact
//       five-point rule on the quartic t -> f(L + tU, R + tV)) = 2||L V^T + U R^T||^2, at an orbit
//       point (L B, R B^{-T}) of the SVD factors of M and random U, V;
//  (proof) off the solution set, at random (L, R): D^2 f[U,V] = 4<LR^T - M, UV^T> + 2||LV^T+UR^T||^2;
//  (13) str by definition (2) (scaled_trace_definition) = 2(||L||^2 + ||R||^2), at the solution
//       point; it also holds off the solution set (coordinate directions have U V^T = 0), which
//       is checked at the random point as well.
// Negative control: (12) (without the extra term) used off the solution set; applicable where the
// extra term is not negligible (4|<LR^T - M, UV^T>| > 1e-8 times the stencil scale below).
// Scales: D^2 f[U,V] by definition combines the values p(t) = ||r + tX + t^2 W||^2 (r = LR^T - M,
// X = LV^T + UR^T, W = UV^T), at most (||r|| + 2||X|| + 4||W||)^2 on the stencil |t| <= 2, and its
// rounding error is a few eps times that; the result itself can be much smaller (on S when
// ||X|| << ||W||, off S by cancellation of the two terms), so this stencil bound is the scale,
// on and off S (|lhs| + |rhs| failed at 1.9e4 eps on d1 = d2 = 1 shapes with ||X||^2 ~ 3e-4, a
// conditioning effect, not an error: quad shows the same relative error shrunk by 1e-18).
// str: str + 2k f(L,R) (see below; = str on S). Tolerance 1e4 eps (as A.L3.1: brute-force sums
// over d k <= 54 coordinates).
template <class S> struct L21 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    const double tol = kExactEps;
    const Factors<S> P = orbit_point(svd_factors<S>(inst.M, shape.k), inst.rng);
    const Mat<S> U = cast_matrix<S>(inst.rng.normal_matrix(shape.d1, shape.k));
    const Mat<S> V = cast_matrix<S>(inst.rng.normal_matrix(shape.d2, shape.k));
    const Mat<S> L0 = cast_matrix<S>(inst.rng.normal_matrix(shape.d1, shape.k));
    const Mat<S> R0 = cast_matrix<S>(inst.rng.normal_matrix(shape.d2, shape.k));

    // off the solution set
    const Mat<S> r0 = L0 * R0.transpose() - inst.M;
    const Mat<S> X0 = L0 * V.transpose() + U * R0.transpose();
    const Mat<S> W = U * V.transpose();
    const S inner = (r0.array() * W.array()).sum();
    const S off_def = hessian_form_definition(inst.A, inst.b, L0, R0, U, V);
    const S off_12 = S(2) * X0.squaredNorm();
    const S stencil = [&] {
      const S s = r0.norm() + S(2) * X0.norm() + S(4) * W.norm();
      return S(s * s);
    }();

    if (v == Variant::negative_control) {
      Outcome c = exact_outcome<S>(off_def, off_12, stencil, tol,
                                   "control: (12) used off the solution set");
      c.applicable = hypothesis_exceeds<S>(c, S(S(4) * abs_of(inner)), S(S(1e-8) * stencil),
                                         "4 |<.,.>| > 1e-8 stencil");
      c.regime = k_regime(shape);
      return c;
    }

    const S off_full = S(4) * inner + off_12;
    const Mat<S> rS = P.L * P.R.transpose() - inst.M;  // ~ rounding: P is on the solution set
    const Mat<S> XS = P.L * V.transpose() + U * P.R.transpose();
    const S form_def = hessian_form_definition(inst.A, inst.b, P.L, P.R, U, V);
    const S form_12 = S(2) * XS.squaredNorm();
    const S stencil_S = [&] {
      const S s = rS.norm() + S(2) * XS.norm() + S(4) * W.norm();
      return S(s * s);
    }();
    const S str_def = scaled_trace_definition(inst.A, inst.b, P.L, P.R);
    const S str_13 = S(2) * (P.L.squaredNorm() + P.R.squaredNorm());
    const S str_def0 = scaled_trace_definition(inst.A, inst.b, L0, R0);
    const S str_130 = S(2) * (L0.squaredNorm() + R0.squaredNorm());
    // str scale: every loss value the definition combines is at least f(L,R) = ||r||^2, and each
    // of the 2k column blocks contributes (after the 1/d scaling) one such combination, so the
    // rounding is a few eps times str + 2k f(L,R) (= str on the solution set).
    const S str_scale0 = str_130 + S(2 * shape.k) * r0.squaredNorm();
    Outcome o = worst_of(
        Kind::exact,
        {exact_outcome<S>(form_def, form_12, stencil_S, tol,
                          "(12) on S: D2f[U,V] definition vs 2||LV'+UR'||^2"),
         exact_outcome<S>(off_def, off_full, stencil, tol,
                          "off S: D2f[U,V] definition vs 4<LR'-M,UV'> + 2||LV'+UR'||^2"),
         exact_outcome<S>(str_def, str_13, str_13, tol, "(13) on S: str definition vs 2(|L|^2+|R|^2)"),
         exact_outcome<S>(str_def0, str_130, str_scale0, tol,
                          "(13) off S: str definition vs 2(|L|^2+|R|^2)")});
    // Invariant: the library's closed form hessian_form (what A-fig1's curvature uses) is the
    // second derivative by definition, off the solution set (its residual term 4<LR'-M,UV'>
    // matters there) and on it.
    Invariants inv;
    inv.near<S>(hessian_form(inst.A, inst.b, L0, R0, U, V), off_def, stencil, tol,
                "hessian_form off S vs D2f[U,V] by definition");
    inv.near<S>(hessian_form(inst.A, inst.b, P.L, P.R, U, V), form_def, stencil_S, tol,
                "hessian_form on S vs D2f[U,V] by definition");
    o = inv.applied_to(o);
    o.regime = k_regime(shape);
    return o;
  }
};

// ---------------------------------------------------------------------------------------------
// A Lemma 2.2 (A = I): on the solution set LR^T = M, flat <=> norm-minimal <=> balanced.
// Exact comparisons (per trial):
//  balanced pairs (L, R) = (U S^{1/2} Q, V S^{1/2} Q) (svd_factors times a random orthogonal Q):
//    str by definition = 4||M||_*, ||L||^2 + ||R||^2 = 2||M||_* (the minimum, by (10)),
//    ||L^T L - R^T R||_F = 0: balanced pairs are norm-minimal and flat;
//  an unbalanced orbit point (L', R') = (L B, R B^{-T}), B random invertible:
//    L'R'^T = M; str by definition = 2(||L'||^2 + ||R'||^2) (so on S, str is a fixed multiple of
//    the norm: flat <=> norm-minimal); and the gradient of phi(B) = (1/2)||L'B||^2 +
//    (1/2)||R'B^{-T}||^2 at B = I is L'^T L' - R'^T R' (the proof's formula), checked by
//    definition along two directions where phi is exactly a polynomial of degree <= 4:
//      - a random nilpotent E = u w^T (w perp u; k >= 2): (I + tE)^{-1} = I - tE, phi(I + tE) is
//        quadratic, D phi(I)[E] (first_derivative_along, h = 1, phi evaluated with the computed
//        inverse) = <L'^T L' - R'^T R', E>;
//      - the scaling E = I: q(t) = (1+t)^2 phi((1+t) I) = ((1+t)^4 ||L'||^2 + ||R'||^2)/2, so
//        D phi(I)[I] = q'(0) - 2 q(0) (h = 1/4) = tr(L'^T L' - R'^T R').
//  Bound (strictness, (B) in the file comment): ||L'^T L' - R'^T R'||_F^2 <=
//    (||L'||^2 + ||R'||^2 + 2||M||_*)(||L'||^2 + ||R'||^2 - 2||M||_*): a nonzero gradient forces
//    a strictly larger norm, hence (by the exact str identity) a strictly larger str.
// Negative control: the unbalanced orbit point claimed flat, str(L', R') = 4||M||_*; applicable
// where the point is genuinely unbalanced (||L'^T L' - R'^T R'||_F > 1e-3 (||L'||^2+||R'||^2)),
// where (B) puts the true str at least 5e-7 (relative) above 4||M||_*.
// Tolerance 1e4 eps, as A.L2.1 (the same brute-force str).
template <class S> struct L22 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    const double tol = kExactEps;
    const Index k = shape.k;
    const S nuc = nuclear_norm<S>(inst.M);
    const Factors<S> f = svd_factors<S>(inst.M, k);
    const Mat<S> Q = random_orthogonal<S>(inst.rng, k);
    const Factors<S> bal{f.L * Q, f.R * Q};
    const Factors<S> un = orbit_point(f, inst.rng);
    const S norm_u = un.L.squaredNorm() + un.R.squaredNorm();
    const Mat<S> G = un.L.transpose() * un.L - un.R.transpose() * un.R;
    const S str_u = scaled_trace_definition(inst.A, inst.b, un.L, un.R);
    const bool unbalanced = G.norm() > S(1e-3) * norm_u;

    if (v == Variant::negative_control) {
      Outcome c = exact_outcome<S>(str_u, S(4) * nuc, S(4) * nuc, tol,
                                   "control: unbalanced orbit point claimed flat, str = 4||M||_*");
      c.applicable = unbalanced;
      c.regime = k_regime(shape);
      return c;
    }

    std::vector<Outcome> parts;
    // balanced pair
    const S str_b = scaled_trace_definition(inst.A, inst.b, bal.L, bal.R);
    const S norm_b = bal.L.squaredNorm() + bal.R.squaredNorm();
    const S gap_b = (bal.L.transpose() * bal.L - bal.R.transpose() * bal.R).norm();
    parts.push_back(exact_outcome<S>(str_b, S(4) * nuc, S(4) * nuc, tol,
                                     "balanced: str definition = 4||M||_*"));
    parts.push_back(exact_outcome<S>(norm_b, S(2) * nuc, S(2) * nuc, tol,
                                     "balanced: ||L||^2+||R||^2 = 2||M||_*"));
    parts.push_back(exact_outcome<S>(gap_b, S(0), nuc, tol, "balanced: ||L'L - R'R||_F = 0"));
    // unbalanced orbit point
    parts.push_back(exact_outcome<S>(S((un.L * un.R.transpose() - inst.M).norm()), S(0),
                                     S(un.L.norm() * un.R.norm()), tol, "orbit point: L R^T = M"));
    parts.push_back(exact_outcome<S>(str_u, S(2) * norm_u, S(2) * norm_u, tol,
                                     "orbit point: str definition = 2(||L||^2+||R||^2)"));
    auto phi = [&](const Mat<S>& B) {
      const Mat<S> Binv_T = inverse<S>(B, "phi: B").transpose();
      return S((un.L * B).squaredNorm() / S(2) + (un.R * Binv_T).squaredNorm() / S(2));
    };
    const Mat<S> I = Mat<S>::Identity(k, k);
    if (k >= 2) {
      const Vec<S> u = cast_vector<S>(inst.rng.normal_vector(k));
      Vec<S> w = cast_vector<S>(inst.rng.normal_vector(k));
      w -= (u.dot(w) / u.squaredNorm()) * u;
      Mat<S> E = u * w.transpose();
      E /= S(2) * E.norm();  // ||E||_F = 1/2: the stencil stays within ||B - I|| <= 1
      std::function<S(const S&)> p = [&](const S& t) { return phi(I + t * E); };
      const S dphi = first_derivative_along<S>(p, S(1));
      const S pred = (G.array() * E.array()).sum();
      parts.push_back(exact_outcome<S>(dphi, pred, norm_u, tol,
                                       "grad phi(I) = L'L - R'R along a nilpotent direction"));
    }
    {
      std::function<S(const S&)> q = [&](const S& t) {
        const S c = S(1) + t;
        return S(c * c * phi(S(c) * I));
      };
      const S dphi = first_derivative_along<S>(q, S(0.25)) - S(2) * phi(I);
      parts.push_back(exact_outcome<S>(dphi, S(G.trace()), norm_u, tol,
                                       "grad phi(I) = L'L - R'R along the scaling direction I"));
    }
    std::string notes;
    push_bound<S>(parts, S(G.squaredNorm()), S((norm_u + S(2) * nuc) * (norm_u - S(2) * nuc)),
                  S(norm_u * (norm_u + S(2) * nuc)), tol,
                  "(B) ||L'L-R'R||_F^2 <= (n+2||M||_*)(n-2||M||_*)", notes);
    Outcome o = worst_of(Kind::exact, parts);
    o.detail += notes;
    o.regime = k_regime(shape) + (unbalanced ? "" : " nearly balanced orbit point");
    return o;
  }
};

}  // namespace

void register_rows_a2(std::vector<Row>& out) {
  ShapeSpec spec;
  spec.families = {FamilyId::identity};
  spec.d_min = 1;  // d = 1 allowed: X is a row or column vector, rank 1
  spec.d_max = 6;
  spec.r_max = 3;
  spec.k_extra_max = 3;  // k = r (no padding) up to r + 3 (zero-padded factors)
  out.push_back({"A.eq10", "A (10)", Kind::exact,
                 "||X||_* = min_{X=LR^T} ||L|| ||R|| = min (||L||^2+||R||^2)/2 (printed with "
                 "||R^2||_F: corrected); SVD factors attain both, orbit and padded-block "
                 "factorisations are >= with excess (1/2)(||U'L-V'R||^2+||P_U^perp L||^2+"
                 "||P_V^perp R||^2)",
                 {"svd_factors", "nuclear_norm"},
                 {"A-fig1", "A-fig2", "A-fig3", "A-fig4"},
                 spec, kExactEps, 0, 100, false, dispatch<EQ10>()});
  out.push_back({"A.L2.1", "A Lemma 2.1", Kind::exact,
                 "A = I: D^2 f[U,V] = 2||LV^T+UR^T||^2 on LR^T = M (12); off it "
                 "4<LR^T-M,UV^T> + 2||LV^T+UR^T||^2; str by definition = 2(||L||^2+||R||^2) (13)",
                 {"hessian_form", "hessian_form_definition", "scaled_trace_definition",
                  "svd_factors"},
                 {"A-fig1", "A-fig2"},
                 spec, kExactEps, 0, 100, false, dispatch<L21>()});
  out.push_back({"A.L2.2", "A Lemma 2.2", Kind::exact,
                 "A = I, LR^T = M: balanced pairs have str = 4||M||_* = 2 min-norm; at an "
                 "unbalanced orbit point str = 2 norm, grad phi(I) = L^TL - R^TR and "
                 "||L^TL-R^TR||_F^2 <= (n+2||M||_*)(n-2||M||_*) (n = ||L||^2+||R||^2): "
                 "flat <=> norm-minimal <=> balanced",
                 {"scaled_trace_definition", "first_derivative_along", "svd_factors",
                  "nuclear_norm"},
                 {"A-fig1", "A-fig2", "A-fig3", "A-fig4"},
                 spec, kExactEps, 0, 100, false, dispatch<L22>()});
}

}  // namespace flatmin::catalogue::detail
