// Catalogue row "Depth": the Hadamard-product sparse recovery model of the later version of
// paper A (spec/figures.md, "Depth"); the computations are in flatmin/depth.hpp.
#include "common.hpp"
#include "flatmin/depth.hpp"
#include "flatmin/programs.hpp"

namespace flatmin::catalogue::detail {

namespace {

// Instance (draw order, part of the specification): Rng(shape.seed); A = normal_matrix(m, n);
// x = sparse_vector(n, s) (s = shape.r nonzero N(0,1) entries); then the tail factors
// v_2, ..., v_k = normal_vector(n) each; b = A x formed in the working precision.
// Shape fields: n = d1 (= d2, square spec), m, s = r, k = depth.
//
// Checked per trial (kind exact, with the AM-GM bound inside):
//  * trace formula: tr D^2 f(v) by definition (sum of the k n exact coordinate second
//    derivatives of f(v) = (1/m)||A(v_1 ⊙ ... ⊙ v_k) - b||^2) = 2 sum_j D_jj^2 sum_l
//    prod_{l' != l} v_{l',j}^2 with D_jj^2 = ||a_j||^2 / m, at a random factorisation
//    v_1 = x ⊘ (v_2 ⊙ ... ⊙ v_k) and at the balanced one (exact). The constant: along v_{l,j}, x_j
//    moves by t prod_{l' != l} v_{l',j}, so f'' = (2/m)||a_j||^2 prod_{l'!=l} v_{l',j}^2 — which
//    confirms D_jj^2 = ||a_j||^2/m for the 1/m-normalised loss (derived in depth.hpp);
//  * AM-GM lower bound: 2k sum_j D_jj^2 |x_j|^{2(k-1)/k} <= tr at the random factorisation
//    (bound, reported as a failing exact part if violated);
//  * attained: tr by definition at the balanced factors (|v_{l,j}| = |x_j|^{1/k}, sign on v_1)
//    = 2k sum_j D_jj^2 |x_j|^{2(k-1)/k} (exact).
// Negative control: the penalty without the D weights, 2k sum_j |x_j|^{2(k-1)/k}, claimed to be
// attained (applicable where it differs from the weighted one by more than 1e-8 relative).
// Tolerance 1e4 eps: sums of k n <= 32 five-point second derivatives, each a combination of loss
// values of size comparable to the derivative (the residual vanishes at a factorisation of x),
// and pow(|x_j|, 1/k), pow(|x_j|, 2(k-1)/k) accurate to a few ulps.
// Invariant (outside the printed error): the depth figure's program (fig_depth: the flat solution
// for k factors minimises f(x) = sum_j w_j |x_j|^q s.t. A x = b, w = hadamard_weights(A),
// q = depth_exponent(k) = 2(k-1)/k; solve_weighted_lq in double on the double instance) is, where
// it reports `solved`, checked by weak duality from its own y, recomputed here:
//   A x = b to 1e-9 max(1, ||b||), the reported objective = f(x), and |f(x) - d(y)| <= 1e-7 max(1,
//   f(x)), with d(y) <= f(x') for every feasible x' (Fenchel-Young: w|t|^q >= s t - w phi*(s/w)):
//   q > 1: d(y) = b'y - sum_j w_j (q-1) |a_j'y / (q w_j)|^{q/(q-1)};
//   q = 1: d(y) = b'y / max(1, max_j |a_j'y| / w_j) (y scaled into the dual feasible set).
inline void check_depth_program(Invariants& inv, const Shape& shape) {
  const Index n = shape.d1, m = shape.m, s = shape.r, k = shape.depth;
  Rng rng(shape.seed);
  const Mat<double> A = rng.normal_matrix(m, n);
  const Vec<double> x0 = sparse_vector(rng, n, s);
  const Vec<double> b = A * x0;
  const Vec<double> w = hadamard_weights<double>(A);
  const double q = depth_exponent<double>(k);
  const LqResult<double> r = solve_weighted_lq<double>(A, b, w, q);
  if (r.status != SolveStatus::solved) return;
  double f = 0;
  for (Index j = 0; j < n; ++j)
    if (r.x(j) != 0) f += w(j) * std::pow(std::abs(r.x(j)), q);
  const Vec<double> s_dual = A.transpose() * r.y;
  double d = b.dot(r.y);
  if (q > 1) {
    for (Index j = 0; j < n; ++j)
      d -= w(j) * (q - 1) * std::pow(std::abs(s_dual(j) / (q * w(j))), q / (q - 1));
  } else {
    double ratio = 1;
    for (Index j = 0; j < n; ++j) ratio = std::max(ratio, std::abs(s_dual(j)) / w(j));
    d /= ratio;
  }
  const double fs = std::max(1.0, f);
  inv.require((A * r.x - b).norm() <= kSolverFeasibilityRel * std::max(1.0, b.norm()),
              "solve_weighted_lq: ||Ax - b|| = " + num((A * r.x - b).norm()));
  inv.require(std::abs(r.objective - f) <= kSolverFeasibilityRel * fs,
              "solve_weighted_lq: objective " + num(r.objective) + ", sum w|x|^q = " + num(f));
  inv.require(std::abs(f - d) <= kWeightedLqDualGapRel * fs,
              "solve_weighted_lq: f(x) = " + num(f) + " but the dual value of its y is " + num(d));
}

template <class S> struct DepthRow {
  static Outcome run(const Shape& shape, Variant v) {
    const Index n = shape.d1, m = shape.m, s = shape.r, k = shape.depth;
    if (k < 2) return not_applicable("depth k < 2");
    if (s < 1 || s > n) return not_applicable("sparsity outside [1, n]");
    const double tol = kExactEps;
    Rng rng(shape.seed);
    const Mat<S> A = cast_matrix<S>(rng.normal_matrix(m, n));
    const Vec<S> x = cast_vector<S>(sparse_vector(rng, n, s));
    HadamardFactors<S> tail;
    for (Index l = 1; l < k; ++l) tail.push_back(cast_vector<S>(rng.normal_vector(n)));
    const Vec<S> b = A * x;

    const HadamardFactors<S> vr = complete_hadamard_factors<S>(x, tail);
    const HadamardFactors<S> vb = balanced_hadamard_factors<S>(x, k);
    const S lower = depth_trace_lower_bound<S>(A, x, k);
    const S tr_def_b = hadamard_trace_definition<S>(A, b, vb);
    std::string regime = "k=" + std::to_string(k) + (s == n ? " s=n" : " s<n");
    if (n == 1) regime += " n=1";

    if (v == Variant::negative_control) {
      const S unweighted = S(2 * k) * weighted_lq_penalty<S>(Vec<S>::Ones(n), x,
                                                             depth_exponent<S>(k));
      Outcome c = exact_outcome<S>(tr_def_b, unweighted, unweighted, tol,
                                   "control: balanced trace = 2k sum |x_j|^q (no D weights)");
      const S diff = unweighted > lower ? S(unweighted - lower) : S(lower - unweighted);
      c.applicable = hypothesis_exceeds<S>(c, diff, S(S(1e-8) * lower), "|unweighted - lower| > 1e-8 lower");
      c.regime = regime;
      return c;
    }

    const S tr_def_r = hadamard_trace_definition<S>(A, b, vr);
    const S tr_cl_r = hadamard_trace_closed<S>(A, vr);
    const S tr_cl_b = hadamard_trace_closed<S>(A, vb);
    std::vector<Outcome> parts;
    parts.push_back(exact_outcome<S>(tr_def_r, tr_cl_r, tr_cl_r, tol,
                                     "random factors: tr definition = 2 sum D^2 sum prod v^2"));
    parts.push_back(exact_outcome<S>(tr_def_b, tr_cl_b, tr_cl_b, tol,
                                     "balanced factors: tr definition = 2 sum D^2 sum prod v^2"));
    parts.push_back(exact_outcome<S>(tr_def_b, lower, lower, tol,
                                     "balanced factors attain 2k sum D^2 |x|^(2(k-1)/k)"));
    Outcome bound = bound_outcome<S>(lower, tr_def_r, lower, tol,
                                     "AM-GM: 2k sum D^2 |x|^(2(k-1)/k) <= tr at random factors");
    if (!bound.holds) parts.push_back(exact_outcome<S>(S(1), S(0), S(1), 0, bound.detail));
    Outcome o = worst_of(Kind::exact, parts);
    if (bound.holds) o.detail += "; " + bound.detail;
    Invariants inv;
    check_depth_program(inv, shape);
    o = inv.applied_to(o);
    o.regime = regime;
    return o;
  }
};

}  // namespace

void register_rows_depth(std::vector<Row>& out) {
  ShapeSpec spec;
  spec.families = {FamilyId::gaussian};
  spec.square = true;  // d1 = d2 = n, so that r = s ranges over [1, min(r_max, n)]
  spec.d_min = 1;      // n = 1: a scalar x = v_1 ... v_k
  spec.d_max = 8;
  spec.r_max = 4;        // sparsity s
  spec.k_extra_max = 0;  // the factor width k of the matrix rows is unused
  spec.m_min = 1;        // m = 1 allowed (the identities need no recovery)
  spec.m_lo_rd = 0.0;
  spec.m_hi_rd = 0.5;    // m up to s n (= 0.5 s (d1 + d2))
  spec.m_hi_abs = 12;
  spec.depth_min = 2;
  spec.depth_max = 4;
  out.push_back({"Depth", "A (later version), depth discussion", Kind::exact,
                 "Hadamard model x = v_1 ⊙ ... ⊙ v_k, f = (1/m)||A x - b||^2: tr D^2 f by "
                 "definition = 2 sum_j D_jj^2 sum_l prod_{l'!=l} v_{l',j}^2 (D_jj^2 = ||a_j||^2/m, "
                 "derived); >= 2k sum_j D_jj^2 |x_j|^{2(k-1)/k} (AM-GM), attained by balanced "
                 "factors",
                 {"hadamard_trace_closed", "hadamard_trace_definition", "hadamard_weights",
                  "depth_exponent", "depth_trace_lower_bound", "balanced_hadamard_factors",
                  "complete_hadamard_factors", "solve_weighted_lq", "weighted_lq_penalty",
                  "sparse_vector"},
                 {"depth"},
                 spec, kExactEps, 0, 100, false, dispatch<DepthRow>()});
}

}  // namespace flatmin::catalogue::detail
