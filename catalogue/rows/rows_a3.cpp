// Catalogue rows of paper A section 3: Lemma 3.1, Theorem 3.2 (the factor-map half, and the
// optimality half with the convex solver), Lemma 3.4. (Theorem 3.3 is in rows_solver.cpp.)
#include "common.hpp"
#include "solver_support.hpp"

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
    const double tol = kExactEps;
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
      o.applicable = (shape.d1 > 1 || shape.d2 > 1) &&
                     hypothesis_exceeds<S>(o, str_def, S(0), "str (definition) > 0");
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
    // Invariant: the library's closed form hessian_form equals the definition on S and at a
    // random point off S (drawn from a generator of its own, so the trial's draws are as before),
    // where the residual term 4<A(LR^T) - b, A(UV^T)> is not zero. Scale: the stencil's values,
    // (||A(LR^T) - b|| + 2||A(LV^T + UR^T)|| + 4||A(UV^T)||)^2.
    Invariants inv;
    inv.near<S>(hessian_form(inst.A, inst.b, P.L, P.R, U, V), form_def,
                S(stencil * stencil + S(1e-300)), tol, "hessian_form on S vs definition");
    {
      Rng off = Rng::derive(shape.seed, {0xA31u});
      const Mat<S> L0 = cast_matrix<S>(off.normal_matrix(shape.d1, shape.k));
      const Mat<S> R0 = cast_matrix<S>(off.normal_matrix(shape.d2, shape.k));
      const S s0 = (inst.A.apply(L0 * R0.transpose()) - inst.b).norm() +
                   S(2) * inst.A.apply(L0 * V.transpose() + U * R0.transpose()).norm() +
                   S(4) * inst.A.apply(U * V.transpose()).norm();
      inv.near<S>(hessian_form(inst.A, inst.b, L0, R0, U, V),
                  hessian_form_definition(inst.A, inst.b, L0, R0, U, V), S(s0 * s0 + S(1e-300)),
                  tol, "hessian_form off S vs definition");
    }
    o = inv.applied_to(o);
    o.regime = std::string(family_name(shape.family)) + (shape.k > shape.r ? " k>r" : " k=r");
    return o;
  }
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
// The optimality half (t32_optimality below) with the solver's minimiser X* of (21).

// A random pair feasible for (19): L' Gaussian (d1 x k), R' the minimum-norm solution of the
// linear system A(L' R'^T) = b, i.e. <A_i^T L', R'> = b_i (m equations in d2 k unknowns, solved
// by the SVD in S). False when the system is not (numerically) solvable: d2 k < m, or sigma_min
// below 1e-6 sigma_max. Its product is another feasible matrix of rank <= k, generally not M.
template <class S> bool random_feasible_pair(Instance<S>& inst, Index k, Factors<S>& out) {
  const Index d1 = inst.A.d1(), d2 = inst.A.d2(), m = inst.A.m();
  if (d2 * k < m) return false;
  const Mat<S> L = cast_matrix<S>(inst.rng.normal_matrix(d1, k));
  Mat<S> Jt(d2 * k, m);  // column i = vec(A_i^T L'), column-major like R'
  for (Index i = 0; i < m; ++i) {
    const Mat<S> G = inst.A.matrix(i).transpose() * L;
    Jt.col(i) = Eigen::Map<const Vec<S>>(G.data(), d2 * k);
  }
  const Svd<S> sv = svd<S>(Jt);  // J^T = U s V^T, so x = U s^{-1} V^T b solves J x = b
  if (sv.s.size() < m || !(sv.s(m - 1) > S(1e-6) * sv.s(0))) return false;
  const Vec<S> x = sv.U * (sv.V.transpose() * inst.b).cwiseQuotient(sv.s);
  out.L = L;
  out.R = Eigen::Map<const Mat<S>>(x.data(), d2, k);
  return true;
}

// A Theorem 3.2, the optimality half. X* = the solver's minimiser of the relaxation (21) (in its
// own coordinates, X* = D1 X_f D2; `solved` required, else this half is skipped and the regime
// says so). When rank X* <= k, X* is feasible for (20), hence minimises (20) ((21) relaxes it),
// and by items 1 and 3 the factor map (L, R) = (D1^{-1} U S^{1/2}, D2^{-1} V S^{1/2}) of X*
// minimises (19) with value ||X*||_* = opt (20). Checked, with u = tau_S max(1, ||X*||_*) the
// solver's tolerance in value units (solver_support.hpp):
//  (a) ||X*||_* <= lower + u, lower = <b, y>/||B^* y||_op recomputed from the dual y (weak
//      duality: opt (21) >= lower), i.e. the solver's claim of optimality re-verified;
//  (b) A(L R^T) = b to the solver's primal tolerance: ||A(LR^T) - b|| <= tau_S max(1,||b||)
//      (1 + ||B||_F) (the last factor: the truncation to rank X*, within the primal residual);
//  (c) (19)-value of (L, R) = ||X*||_* (exact: the factor map; only rounding);
//  (d) no feasible pair does better: (19)-value(P') >= ||X*||_* - u - |<A(L'R'^T) - b, y>| /
//      ||B^* y||_op for pairs P' = (L', R'): the orbit (L B, R B^{-T}); the norm-minimal and the
//      D-balanced factors of the truth M; the D-balanced and norm-minimal factors of the solver's
//      nuclear-norm minimiser X_n (rank <= k); a random feasible pair (L' Gaussian, R' solving
//      A(L'R'^T) = b) and the D-balanced factors of its product. The last term is the candidate's
//      own infeasibility, priced by the dual (it is rounding for all but X_n). By weak duality
//      (19)(P') >= ||D1 L'R'^T D2||_* >= <A(L'R'^T), y>/||B^* y||_op, so (d) follows from (a);
//      it is checked directly, as the theorem states it.
// Regime tag: "opt: solved", "opt: not solved" or "opt: rank X* > k" (the relaxation is not
// tight: (20) is then not solved by the solver).
template <class S>
std::vector<Outcome> t32_optimality(Instance<S>& inst, const Rescaling<S>& D, Index k,
                                    std::string& regime) {
  const double tol = kExactEps;
  const Solved<S> F = solve_flat_rows<S>(inst.A, inst.b, D);
  if (!F.ok) {
    regime = "opt: not solved";
    return {};
  }
  if (F.rank > k) {
    regime = "opt: rank X* > k";
    return {};
  }
  regime = "opt: solved";
  const S tau(solver_tolerance<S>());
  std::vector<Outcome> parts;
  parts.push_back(bound_within_exact<S>(F.value, S(F.lower + F.u), F.value, tol,
                                        "(a) (21) ||X*||_* <= <b,y>/||B*y||_op + u"));
  const Factors<S> P = flat_factors<S>(F.X, D, k);
  const Mat<S> D1i = spd_inverse<S>(D.D1, "D1"), D2i = spd_inverse<S>(D.D2, "D2");
  const S Bf = inst.A.composed(D1i, D2i).dense().norm();
  const S bnorm = inst.b.norm() + inst.M.norm();
  const S res = (inst.A.apply(Mat<S>(P.L * P.R.transpose())) - inst.b).norm();
  parts.push_back(bound_within_exact<S>(res, S(tau * F.bscale * (S(1) + Bf)), bnorm, tol,
                                        "(b) factor map of X*: ||A(LR')-b|| <= "
                                        "tau max(1,|b|)(1+|B|_F)"));
  const S val = objective19<S>(D, P);
  parts.push_back(exact_outcome<S>(val, F.value, F.value, tol,
                                   "(c) (19)-value of the factor map of X* = ||X*||_*"));
  auto candidate = [&](const Factors<S>& C, const std::string& what) {
    const S vc = objective19<S>(D, C);
    const S infeas =
        abs_of<S>(S((inst.A.apply(Mat<S>(C.L * C.R.transpose())) - inst.b).dot(F.y))) / F.ynorm;
    parts.push_back(bound_within_exact<S>(S(F.value - F.u - infeas), vc, F.value, tol,
                                          "(d) " + what + ": (19) >= ||X*||_* - u - infeas"));
  };
  const Mat<S> B = cast_matrix<S>(random_invertible(inst.rng, k));
  candidate({P.L * B, P.R * inverse<S>(B, "orbit matrix B").transpose()}, "orbit of (L,R)");
  if (inst.M.norm() > S(0)) {
    candidate(svd_factors<S>(inst.M, k), "norm-minimal factors of M");
    candidate(flat_factors<S>(Mat<S>(D.D1 * inst.M * D.D2), D, k), "D-balanced factors of M");
  }
  const Solved<S> N = solve_nuclear_rows<S>(inst.A, inst.b);
  if (N.ok && N.rank <= k && N.rank >= 1) {
    candidate(svd_factors<S>(N.X, k), "norm-minimal factors of X_n");
    candidate(flat_factors<S>(Mat<S>(D.D1 * N.X * D.D2), D, k), "D-balanced factors of X_n");
  }
  Factors<S> Q;
  if (random_feasible_pair<S>(inst, k, Q)) {
    candidate(Q, "random feasible pair");
    const Mat<S> XQ = D.D1 * Q.L * Q.R.transpose() * D.D2;
    if (XQ.norm() > S(0)) candidate(flat_factors<S>(XQ, D, k), "D-balanced refactorisation of it");
    regime += " +random pair";
  }
  return parts;
}

// Negative control of the optimality half: "flat = norm-minimal", the norm-minimal factors
// (U S^{1/2}, V S^{1/2}) of the nuclear-norm minimiser X_n (solver, rank <= k) claimed to attain
// opt (20) = ||X*||_*. Coincides with the statement when D1, D2 are multiples of the identity
// (completion with equal row and column counts). Tag "ctl-opt: rejected/accepted/coincides/
// skipped".
template <class S>
bool t32_optimality_control(Instance<S>& inst, const Rescaling<S>& D, Index k, Outcome& out,
                            std::string& regime) {
  const Solved<S> F = solve_flat_rows<S>(inst.A, inst.b, D);
  const Solved<S> N = solve_nuclear_rows<S>(inst.A, inst.b);
  if (!F.ok || F.rank > k || !N.ok || N.rank > k || N.rank < 1) {
    regime = "ctl-opt: skipped";
    return false;
  }
  // D1 = c1 I and D2 = c2 I: (19) is then minimised by the norm-minimal factors rescaled, whose
  // product is the same, and X_n = D1^-1 X* D2^-1 up to the solver: the control coincides
  auto scalar = [](const Mat<S>& Di) {
    const S c = Di.trace() / S(double(Di.rows()));
    return (Di - c * Mat<S>::Identity(Di.rows(), Di.rows())).norm() <= S(1e-9) * c;
  };
  if (scalar(D.D1) && scalar(D.D2)) {
    regime = "ctl-opt: coincides (D_i scalar)";
    return false;
  }
  const S vn = objective19<S>(D, svd_factors<S>(N.X, k));
  out = exact_outcome<S>(vn, F.value, F.value, kExactEps,
                         "control: norm-minimal factors of X_n attain opt (20)");
  regime = out.holds ? "ctl-opt: accepted" : "ctl-opt: rejected";
  return true;
}

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
    const double tol = kExactEps;
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
    std::string opt_regime;
    if (v == Variant::statement) {
      const std::vector<Outcome> opt = t32_optimality<S>(inst, D, shape.k, opt_regime);
      parts.insert(parts.end(), opt.begin(), opt.end());
    } else {
      Outcome c;
      if (t32_optimality_control<S>(inst, D, shape.k, c, opt_regime)) parts.push_back(c);
    }
    Outcome o = worst_of(Kind::exact, parts);
    o.regime = std::string(family_name(shape.family)) +
               (shape.k > std::min(shape.d1, shape.d2) ? " l<k (padded)" : " l>=k") + " | " +
               opt_regime;
    if (v == Variant::negative_control) {
      // the control coincides with the statement only when D1 = D2 = I
      o.applicable = hypothesis_exceeds<S>(o, S((D.D1 - Mat<S>::Identity(shape.d1, shape.d1)).norm()),
                                           S(1e-6), "||D1 - I|| > 1e-6") ||
                     hypothesis_exceeds<S>(o, S((D.D2 - Mat<S>::Identity(shape.d2, shape.d2)).norm()),
                                           S(1e-6), "||D2 - I|| > 1e-6");
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
    Outcome o = bound_outcome<S>(lhs, rhs, nrm, kExactEps, "(25) balance gap <= (1-kappa^-2)(|L|^2+|R|^2)");
    o.regime = to_double(kappa) < 1.5 ? "kappa<1.5" : "kappa>=1.5";
    if (v == Variant::negative_control)
      o.applicable = hypothesis_exceeds<double>(o, to_double(kappa), 1.01, "kappa > 1.01");
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
                 {"rescaling", "scaled_trace_closed", "scaled_trace_definition", "hessian_form",
                  "hessian_form_definition"},
                 {"A-fig1", "A-fig2", "A-fig3", "A-fig4", "A-noise"},
                 all, kExactEps, 0, 100, false, dispatch<L31>()});

  ShapeSpec t32 = all;
  t32.families = {FamilyId::gaussian, FamilyId::bilinear, FamilyId::completion};
  t32.m_lo_rd = 1.0;
  t32.m_hi_rd = 4.0;
  t32.m_hi_abs = 40;
  t32.p_min = 0.6;
  out.push_back({"A.T3.2", "A Theorem 3.2", Kind::exact,
                 "factor maps X -> (D1^-1 U S^1/2, D2^-1 V S^1/2) (zero-padded when l < k) and "
                 "(L,R) -> D1 L R^T D2 preserve feasibility and value, so (19) and (20) have equal "
                 "optimal values; optimality: the factor map of the solver's minimiser X* of (21) "
                 "(rank <= k) is feasible with (19)-value ||X*||_* = opt (20) (dual bound "
                 "recomputed) and no feasible pair (orbit, factors of M, of the nuclear minimiser, "
                 "random feasible pairs) does better, up to the solver's tolerance",
                 {"rescaling", "flat_factors", "solve_flat", "solve_nuclear", "nuclear_norm"},
                 {"A-fig1", "A-fig2", "A-fig3", "A-fig4", "A-noise", "B-fig1", "B-fig2", "B-thm4"},
                 t32, kExactEps, 0, 100, false, dispatch<T32>()});

  ShapeSpec l34 = all;
  l34.families = {FamilyId::gaussian};
  out.push_back({"A.L3.4", "A Lemma 3.4", Kind::bound,
                 "minimisers of (24): ||L^T L - R^T R||_* <= (1 - kappa^-2)(||L||^2 + ||R||^2)",
                 {"flat_factors", "balance_gap", "factor_norm_sq"},
                 {"A-fig1", "A-fig2", "A-fig4"},
                 l34, kExactEps, 0, 100, false, dispatch<L34>()});
}

}  // namespace flatmin::catalogue::detail
