// Catalogue rows of paper A section 3: Lemma 3.1, Theorem 3.2 (the factor-map half; the
// optimality half needs the convex solver), Lemma 3.4.
#include "common.hpp"

namespace flatmin::catalogue::detail {

namespace {

// A point of the solution set S = {A(L R^T) = b}: the SVD factors of M (k columns, zero padded)
// moved along the orbit (L B, R B^{-T}) by a random invertible B.
template <class S> Factors<S> solution_point(Instance<S>& inst, Index k) {
  Factors<S> f = svd_factors<S>(inst.M, k);
  const Mat<S> B = cast_matrix<S>(random_invertible(inst.rng, k));
  const Mat<S> Binv_T = inverse<S>(B, "orbit matrix B").transpose();
  return {f.L * B, f.R * Binv_T};
}

// A Lemma 3.1 (15)-(16).
template <class S> struct L31 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    if (inst.empty()) return not_applicable("no measurements");
    const Factors<S> P = solution_point(inst, shape.k);
    const Rescaling<S> D = rescaling(inst.A);
    const Mat<S> U = cast_matrix<S>(inst.rng.normal_matrix(shape.d1, shape.k));
    const Mat<S> V = cast_matrix<S>(inst.rng.normal_matrix(shape.d2, shape.k));
    const double tol = 1e4;
    // (15): D^2 f[U,V] = 2 ||A(L V^T + U R^T)||^2 on the solution set.
    const S form_def = hessian_form_definition(inst.A, inst.b, P.L, P.R, U, V);
    const S form_15 = S(2) * inst.A.apply(P.L * V.transpose() + U * P.R.transpose()).squaredNorm();
    // (16) against the definition (2).
    const S str_def = scaled_trace_definition(inst.A, inst.b, P.L, P.R);
    S str_closed = scaled_trace_closed(inst, D, P);
    if (v == Variant::negative_control) {
      // Wrong: the unscaled trace (forgetting the 1/d1, 1/d2 of (2)) equated with (16).
      str_closed = S(2) * S(inst.A.m()) *
                   (S(shape.d2) * (D.D1 * P.L).squaredNorm() + S(shape.d1) * (D.D2 * P.R).squaredNorm());
      Outcome o = exact_outcome<S>(str_def, str_closed, S(abs_of(str_def) + abs_of(str_closed)), tol,
                                   "control: unscaled trace vs (16)");
      o.applicable = (shape.d1 > 1 || shape.d2 > 1) && str_def > S(0);
      return o;
    }
    // Error scale of the five-point rule: the loss values it combines, f(L + tU, R + tV) for
    // |t| <= 2, are at most (2||A(LV^T + UR^T)|| + 4||A(UV^T)||)^2 on the solution set; the rule's
    // rounding is eps times that, however small the second derivative itself is.
    using std::sqrt;
    const S stencil = S(2) * S(sqrt(form_15 / S(2))) +
                      S(4) * inst.A.apply(U * V.transpose()).norm();
    Outcome a = exact_outcome<S>(form_def, form_15, S(stencil * stencil + S(1e-300)), tol,
                                 "(15) D2f[U,V] definition vs 2||A(LV'+UR')||^2");
    Outcome b = exact_outcome<S>(str_def, str_closed, S(abs_of(str_def) + S(1e-300)), tol,
                                 "(16) str definition vs 2m(||D1L||^2+||D2R||^2)");
    Outcome o = worst_of(Kind::exact, {a, b});
    o.regime = std::string(family_name(shape.family)) + (shape.k > shape.r ? " k>r" : " k=r");
    return o;
  }
  static S abs_of(const S& x) { return x < S(0) ? S(-x) : x; }
  static S scaled_trace_closed(const Instance<S>& inst, const Rescaling<S>& D, const Factors<S>& P) {
    return flatmin::scaled_trace_closed(inst.A, D, P.L, P.R);
  }
};

// A Theorem 3.2, items 1-3 without the minimisation: the factor maps are value- and
// feasibility-preserving, so the optimal values of (19) and (20) agree.
//  (i)  X = D1 M D2 is feasible for (20); (L, R) = (D1^{-1} U S^{1/2}, D2^{-1} V S^{1/2}) (zero
//       padded to k when l = rank < k) is feasible for (19): A(L R^T) = b, and
//       (1/2)(||D1 L||^2 + ||D2 R||^2) = ||X||_*; the map back gives D1 L R^T D2 = X.
//  (ii) for any feasible (L', R') = (L B, R B^{-T}):  (1/2)(||D1 L'||^2 + ||D2 R'||^2)
//       >= ||D1 L' R'^T D2||_*  (so no feasible pair beats the nuclear value: (10)).
template <class S> struct T32 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    if (inst.empty()) return not_applicable("no measurements");
    const Rescaling<S> D = rescaling(inst.A);
    // hypothesis of the theorem: D1, D2 invertible (completion can leave a row unobserved). D is
    // the square root of a Gram matrix, so a singular D comes out with eigenvalues ~sqrt(eps):
    // cond(D) >= 1e6 is treated as singular (the criterion of flat_sym_factors).
    if (!(spd_condition<S>(D.D1) < S(1e6)) || !(spd_condition<S>(D.D2) < S(1e6)))
      return not_applicable("D1 or D2 singular");
    const Mat<S> X = D.D1 * inst.M * D.D2;
    Factors<S> f = flat_factors<S>(X, D, shape.k);
    if (v == Variant::negative_control) f = svd_factors<S>(X, shape.k);  // wrong: D^{-1} forgotten
    const double tol = 1e4;
    const S nx = nuclear_norm<S>(X);
    const S half = (D.D1 * f.L).squaredNorm() / S(2) + (D.D2 * f.R).squaredNorm() / S(2);
    const Vec<S> res = inst.A.apply(f.L * f.R.transpose()) - inst.b;
    const S bnorm = inst.b.norm() + inst.M.norm();
    Outcome feas = exact_outcome<S>(res.norm(), S(0), bnorm, tol, "A(L R^T) = b");
    Outcome val = exact_outcome<S>(half, nx, nx, tol, "(19) value = ||X||_*");
    Outcome back = exact_outcome<S>((D.D1 * f.L * f.R.transpose() * D.D2 - X).norm(), S(0),
                                    X.norm(), tol, "D1 L R^T D2 = X");
    std::vector<Outcome> parts{feas, val, back};
    if (v == Variant::statement) {
      // (ii) along the orbit of the solution
      const Mat<S> B = cast_matrix<S>(random_invertible(inst.rng, shape.k));
      const Mat<S> L2 = f.L * B, R2 = f.R * inverse<S>(B, "orbit matrix B").transpose();
      const S half2 = (D.D1 * L2).squaredNorm() / S(2) + (D.D2 * R2).squaredNorm() / S(2);
      Outcome ineq = bound_outcome<S>(nuclear_norm<S>(D.D1 * L2 * R2.transpose() * D.D2), half2,
                                      nx, tol, "(10) nuclear <= (19) objective on the orbit");
      if (!ineq.holds) parts.push_back(exact_outcome<S>(S(1), S(0), S(1), 0, ineq.detail));
    }
    Outcome o = worst_of(Kind::exact, parts);
    o.regime = std::string(family_name(shape.family)) +
               (shape.k > std::min(shape.d1, shape.d2) ? " l<k (padded)" : " l>=k");
    if (v == Variant::negative_control) {
      // the control coincides with the statement only when D1 = D2 = I
      o.applicable = (D.D1 - Mat<S>::Identity(shape.d1, shape.d1)).norm() > S(1e-6) ||
                     (D.D2 - Mat<S>::Identity(shape.d2, shape.d2)).norm() > S(1e-6);
    }
    return o;
  }
};

// A Lemma 3.4 (25): minimisers (L, R) of (24) satisfy
//   ||L^T L - R^T R||_* <= (1 - kappa^{-2}) (||L||^2 + ||R||^2),  kappa = alpha2 / alpha1.
// Minimisers are (Q1^{-1} U S^{1/2}, Q2^{-1} V S^{1/2}) for X = U S V^T (Thm 3.2 with D = Q).
// Negative control: the A = I conclusion (Lemma 2.2) "minimisers are balanced", i.e. bound 0.
template <class S> struct L34 {
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    const double lo = inst.rng.uniform(0.2, 1.0), hi = lo * inst.rng.uniform(1.0, 4.0);
    Rescaling<S> Q{cast_matrix<S>(random_spd(inst.rng, shape.d1, lo, hi)),
                   cast_matrix<S>(random_spd(inst.rng, shape.d2, lo, hi))};
    const SymEig<S> e1 = sym_eig<S>(Q.D1), e2 = sym_eig<S>(Q.D2);
    const S a1 = std::min(e1.lambda(0), e2.lambda(0));
    const S a2 = std::max(e1.lambda(e1.lambda.size() - 1), e2.lambda(e2.lambda.size() - 1));
    const S kappa = a2 / a1;
    const Factors<S> f = flat_factors<S>(inst.M, Q, shape.k);
    const S lhs = balance_gap<S>(f.L, f.R);
    const S nrm = factor_norm_sq<S>(f.L, f.R);
    S rhs = (S(1) - S(1) / (kappa * kappa)) * nrm;
    if (v == Variant::negative_control) rhs = S(0);
    Outcome o = bound_outcome<S>(lhs, rhs, nrm, 1e4, "(25) balance gap <= (1-kappa^-2)(|L|^2+|R|^2)");
    o.regime = to_double(kappa) < 1.5 ? "kappa<1.5" : "kappa>=1.5";
    if (v == Variant::negative_control) o.applicable = to_double(kappa) > 1.01;
    return o;
  }
};

}  // namespace

void register_rows_a3(std::vector<Row>& out) {
  ShapeSpec all;
  all.families = {FamilyId::identity, FamilyId::gaussian, FamilyId::bilinear,
                  FamilyId::completion};
  all.d_min = 1;
  all.d_max = 5;
  all.r_max = 3;
  all.k_extra_max = 3;
  all.m_min = 1;
  all.m_hi_rd = 3.0;
  out.push_back({"A.L3.1", "A Lemma 3.1", Kind::exact,
                 "D^2 f = 2||A(LV^T+UR^T)||^2 on the solution set; str by definition (2) = "
                 "2m(||D1 L||^2 + ||D2 R||^2) (16)",
                 all, 1e4, 0, 100, false, dispatch<L31>()});

  ShapeSpec t32 = all;
  t32.families = {FamilyId::gaussian, FamilyId::bilinear, FamilyId::completion};
  t32.m_lo_rd = 1.0;
  t32.m_hi_rd = 4.0;
  t32.m_hi_abs = 40;
  t32.p_min = 0.6;
  out.push_back({"A.T3.2", "A Theorem 3.2", Kind::exact,
                 "factor maps X -> (D1^-1 U S^1/2, D2^-1 V S^1/2) (zero-padded when l < k) and "
                 "(L,R) -> D1 L R^T D2 preserve feasibility and value, so (19) and (20) have equal "
                 "optimal values (optimality half: with the solver)",
                 t32, 1e4, 0, 100, false, dispatch<T32>()});

  ShapeSpec l34 = all;
  l34.families = {FamilyId::gaussian};
  out.push_back({"A.L3.4", "A Lemma 3.4", Kind::bound,
                 "minimisers of (24): ||L^T L - R^T R||_* <= (1 - kappa^-2)(||L||^2 + ||R||^2)",
                 l34, 1e4, 0, 100, false, dispatch<L34>()});
}

}  // namespace flatmin::catalogue::detail
