// Catalogue rows that need the convex solver (flatmin/solver.hpp): A Theorem 3.3, A Lemma 5.3,
// B Theorem 1. (The optimality halves of A Theorems 3.2 and 7.5 extend their rows in rows_a3.cpp
// and rows_a7.cpp.) How a solver answer enters a check, and tau_S: solver_support.hpp. In short:
// a trial whose solver status is not `solved` is not applicable (never a pass); the dual lower
// bound is recomputed and the verified gap u = tau_S max(1, value) appears as an explicit term of
// every right-hand side that involves an optimal value, derived in each row's comment; the rows'
// tolerance (1e4 eps relative to the right-hand side) covers rounding only.
#include <cmath>
#include <string>
#include <vector>

#include "common.hpp"
#include "flatmin/deep.hpp"
#include "flatmin/programs.hpp"
#include "solver_support.hpp"

namespace flatmin::catalogue::detail {

namespace {

// The D_i must be invertible (Theorem 3.2's hypothesis; D is the square root of a Gram matrix, so
// a singular one comes out with cond ~ 1/sqrt(eps): cond >= 1e6 is treated as singular, as in
// rows A.T3.2 and A.T7.5).
template <class S> bool d_invertible(const Rescaling<S>& D) {
  return spd_condition<S>(D.D1) < S(1e6) && spd_condition<S>(D.D2) < S(1e6);
}

// The solver's check of its own answer, recomputed: value <= lower + u (lower from the dual y by
// weak duality). A violation refutes the solver's `solved` and fails the trial; otherwise it is
// left out of the trial's parts, so that the reported slack is the theorem's, not the solver's
// (whose slack is u itself, ~tau_S).
template <class S>
void check_solver_claim(std::vector<Outcome>& parts, const Solved<S>& s, double tol,
                        const std::string& what) {
  const Outcome o = bound_outcome<S>(s.value, S(s.lower + s.u), std::max<S>(S(1), s.value), tol,
                                     what + ": ||X||_* <= <b,y>/||B*y||_op + u");
  if (!o.holds) parts.push_back(o);
}

// ---------------------------------------------------------------------------------------------
// Invariant of A.T3.3 (outside the printed slack): the A-noise figure's program, min ||X||_* s.t.
// ||A(X) - b|| <= eps (solve_noisy, in double on the double instance, b = A(M) + eps z / ||z|| with
// z from a generator of its own, eps = 1e-2 max(1, ||A(M)||)), where it reports `solved`, checked
// by weak duality from its own y: ||A(X) - b|| <= eps + 1e-9 max(1, ||b||), and
// |  ||X||_* - d(y) | <= 1e-6 max(1, ||X||_*), d(y) = (<b, y> - eps ||y||) / max(1, ||A^* y||_op)
// (for ||A^* y||_op <= 1, <b, y> - eps ||y|| <= <A(X'), y> = <X', A^* y> <= ||X'||_* for every
// feasible X').
inline void check_noisy_program(Invariants& inv, const Shape& shape) {
  const Instance<double> id = make_instance<double>(shape);
  if (id.empty()) return;
  Rng rng = Rng::derive(shape.seed, {0x4E01u});
  const Vec<double> z = rng.normal_vector(id.A.m());
  if (!(z.norm() > 0)) return;
  const double eps = 1e-2 * std::max(1.0, id.b.norm());
  const Vec<double> b = id.b + eps * z / z.norm();
  const SolveResult<double> r = solve_noisy<double>(id.A, b, eps);
  if (r.status != SolveStatus::solved) return;
  const double res = (id.A.apply(r.X) - b).norm(), nx = nuclear_norm<double>(r.X);
  const double yop = operator_norm<double>(id.A.adjoint(r.y));
  const double d = (b.dot(r.y) - eps * r.y.norm()) / std::max(1.0, yop);
  inv.require(res <= eps + kSolverFeasibilityRel * std::max(1.0, b.norm()),
              "solve_noisy: ||A(X) - b|| = " + num(res) + " > eps = " + num(eps));
  inv.require(std::abs(nx - d) <= kConicGapRel * std::max(1.0, nx),
              "solve_noisy: ||X||_* = " + num(nx) + " but the dual value of its y is " + num(d));
}

// ---------------------------------------------------------------------------------------------
// A Theorem 3.3. kappa = alpha2 / alpha1 with alpha1 I <= D_i <= alpha2 I for i = 1, 2 (the joint
// range). Flat solutions: the minimisers of (19) with k columns. The solver's minimiser X* of the
// relaxation (21) (status solved and rank X* <= k, else not applicable) gives them by Theorem 3.2:
// (L_f, R_f) = (D1^-1 U S^1/2, D2^-1 V S^1/2) for X* = U S V^T; every flat solution with the same
// X* is (L_f Q, R_f Q), Q orthogonal, which changes neither side. The min-norm value
// min {||L||^2 + ||R||^2 : A(LR^T) = b, k columns} = 2 min {||X||_* : A(X) = b, rank X <= k}
// (A (10)) = 2 ||X_n||_* for the solver's nuclear-norm minimiser X_n when rank X_n <= k (else
// not applicable: the rank constraint binds and 2||X_n||_* is only a lower bound).
// Checked (u_f, u_n: the verified gaps of the two programs, tau_S max(1, value)):
//  (22)  ||L_f||^2 + ||R_f||^2 <= kappa^2 2 (||X_n||_* + u_n) + 2 u_f / alpha1^2,
//  (23)  ||L_f^T L_f - R_f^T R_f||_* <= 2 (kappa^2 - 1) ||M||_* + (1 - kappa^-2) 2 u_f / alpha1^2,
//  (23') the same with ||M||_* replaced by ||X_n||_* + u_n: the proof bounds the balance gap by
//        (kappa^2 - 1) times the min-norm value, i.e. for every feasible matrix of rank <= k in
//        place of M, the least being X_n (stronger than (23) when X_n != M);
//  and both solver answers (check_solver_claim).
// Solver terms: the proof of (22) reads alpha1^2 (||L||^2 + ||R||^2) <= 2 (19)(L, R) <=
// 2 opt(19) <= alpha2^2 min-norm. At the solver's pair (19)(L_f, R_f) = ||X*||_* <= opt + u_f
// (check_solver_claim and weak duality), which adds 2 u_f / alpha1^2; the nuclear program's
// optimum is ||X_n||_* to within u_n. In (23) Lemma 3.4 holds exactly at (L_f, R_f) (a
// minimiser of (30) for its own X*) and (22) enters multiplied by 1 - kappa^-2.
// Negative control: the A = I statement (Lemma 2.2) used for general A, i.e. kappa = 1: flat
// solutions are norm-minimal (||L_f||^2 + ||R_f||^2 <= 2 (||X_n||_* + u_n) + 2 u_f / alpha1^2) and
// balanced (||L_f^T L_f - R_f^T R_f||_* <= 0); applicable when kappa > 1 + 1e-6. (kappa in place
// of kappa^2 is not a usable control: the bounds are first order in kappa - 1 while the flat
// pair's excess norm is second order at a recovered M; it was never rejected on 400 Gaussian
// shapes.)
template <class S> struct T33 {
  static constexpr double tol = kSolverCheckEps;
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    if (inst.empty()) return not_applicable("no measurements");
    const Rescaling<S> D = rescaling(inst.A);
    if (!d_invertible(D)) return not_applicable("D1 or D2 singular");
    const Index k = shape.k;
    const Solved<S> F = solve_flat_rows<S>(inst.A, inst.b, D);
    if (!F.ok) return not_applicable("flat program (21) not solved: " + F.why);
    if (F.rank > k) return not_applicable("rank X* > k: (21) does not solve (20)");
    const Solved<S> N = solve_nuclear_rows<S>(inst.A, inst.b);
    if (!N.ok) return not_applicable("nuclear program not solved: " + N.why);
    if (N.rank > k) return not_applicable("rank X_n > k: min-norm value > 2||X_n||_*");
    const DRange<S> R = d_range(D);
    const S kappa = R.kappa(), a1 = R.alpha1();
    const bool ctl = v == Variant::negative_control;
    const S k2 = ctl ? S(1) : S(kappa * kappa);
    const Factors<S> P = flat_factors<S>(F.X, D, k);
    const S norm_f = factor_norm_sq<S>(P.L, P.R), gap_f = balance_gap<S>(P.L, P.R);
    const S nm = nuclear_norm<S>(inst.M), nn = S(N.value + N.u);
    const S extra = S(2) * F.u / (a1 * a1);
    std::vector<Outcome> parts;
    const S rhs22 = k2 * S(2) * nn + extra;
    parts.push_back(bound_outcome<S>(norm_f, rhs22, rhs22, tol,
                                     ctl ? "control (kappa=1): ||Lf||^2+||Rf||^2 <= 2||X_n||_*"
                                         : "(22) ||Lf||^2+||Rf||^2 <= kappa^2 2||X_n||_*"));
    const S shrink = S(1) - S(1) / k2;
    const S rhs23 = S(2) * (k2 - S(1)) * nm + shrink * extra;
    parts.push_back(bound_outcome<S>(gap_f, rhs23, nm, tol,
                                     ctl ? "control (kappa=1): ||Lf'Lf-Rf'Rf||_* <= 0"
                                         : "(23) ||Lf'Lf-Rf'Rf||_* <= 2(kappa^2-1)||M||_*"));
    if (!ctl) {
      const S rhs23n = S(2) * (k2 - S(1)) * nn + shrink * extra;
      parts.push_back(bound_outcome<S>(gap_f, rhs23n, nn, tol,
                                       "(23') ||Lf'Lf-Rf'Rf||_* <= 2(kappa^2-1)||X_n||_*"));
      check_solver_claim<S>(parts, F, tol, "flat (21)");
      check_solver_claim<S>(parts, N, tol, "nuclear");
    }
    Outcome o = worst_of(Kind::bound, parts);
    o.detail += "; kappa=" + num(to_double(kappa)) + " ||X*||_*=" + num(to_double(F.value)) +
                " ||X_n||_*=" + num(to_double(N.value));
    const S nf = nuclear_norm<S>(Mat<S>(P.L * P.R.transpose()));
    o.regime = std::string(family_name(shape.family)) +
               (nf > N.value * S(1 + 1e-9) ? " flat!=nuclear" : " flat=nuclear");
    if (ctl) o.applicable = hypothesis_exceeds<double>(o, to_double(kappa), 1 + 1e-6, "kappa > 1 + 1e-6");
    if (!ctl) {
      Invariants inv;
      check_noisy_program(inv, shape);
      o = inv.applied_to(o);
    }
    return o;
  }
};

// ---------------------------------------------------------------------------------------------
// The dual certificate of certify / certify_flat (flatmin/solver.hpp; A-fig3's and A-fig4's
// recovery certificates), recomputed from its definition in double with other linear algebra:
// T the tangent space at M (rank r: singular values above 1e3 eps s_1, as certify counts them),
// G the d1 d2 x m matrix of y -> vec P_T(A^* y) (P_T Z = UU'Z + ZVV' - UU'ZVV'), whose singular
// values are those of the restriction J_T of A to T (G = B_T J_T^T with B_T an orthonormal basis
// of T), the minimum-norm y with P_T(A^* y) = UV^T from the SVD of G, and
// margin = 1 - ||P_T^perp(A^* y)||_op. (certify: J_T in a tangent basis, y by a complete
// orthogonal decomposition of J_T^T, and, when that y's margin is not positive, a search for a
// better y.)
struct OwnCertificate {
  Index rank = 0, dim_t = 0;
  double sigma_min = 0, sigma_max = 0;  // sigma_{dim T}(G) (0 if m < dim T) and sigma_1(G)
  bool has_dual = false;                // sigma_min > 0: the min-norm y was formed
  double margin = -INFINITY, residual = INFINITY, ynorm = 0;
};

inline OwnCertificate own_certificate(const SensingMap<double>& A, const Mat<double>& M) {
  OwnCertificate c;
  const Svd<double> d = svd<double>(M);
  const double eps = ScalarTraits<double>::epsilon();
  for (Index i = 0; i < d.s.size(); ++i)
    if (d.s(i) > 1e3 * eps * d.s(0)) ++c.rank;
  const Index r = c.rank, d1 = A.d1(), d2 = A.d2(), m = A.m(), p = d1 * d2;
  if (r == 0) return c;
  const Mat<double> U = d.U.leftCols(r), V = d.V.leftCols(r);
  const auto PT = [&](const Mat<double>& Z) {
    const Mat<double> UZ = U * (U.transpose() * Z);
    return Mat<double>(UZ + (Z - UZ) * V * V.transpose());
  };
  c.dim_t = r * (d1 + d2 - r);
  Mat<double> G(p, m);
  for (Index i = 0; i < m; ++i) {
    const Mat<double> Pi = PT(A.matrix(i));
    G.col(i) = Eigen::Map<const Vec<double>>(Pi.data(), p);
  }
  const Svd<double> g = svd<double>(G);
  if (g.s.size() == 0) return c;
  c.sigma_max = g.s(0);
  c.sigma_min = g.s.size() >= c.dim_t ? g.s(c.dim_t - 1) : 0.0;
  if (!(c.sigma_min > 0)) return c;
  const Mat<double> UVt = U * V.transpose();
  const Vec<double> rhs = Eigen::Map<const Vec<double>>(UVt.data(), p);
  Vec<double> y = Vec<double>::Zero(m);
  for (Index l = 0; l < c.dim_t; ++l) y += g.V.col(l) * (g.U.col(l).dot(rhs) / g.s(l));
  const Mat<double> Y = A.adjoint(y), PtY = PT(Y);
  c.has_dual = true;
  c.ynorm = y.norm();
  c.residual = (PtY - UVt).norm();
  c.margin = 1.0 - operator_norm<double>(Mat<double>(Y - PtY));
  return c;
}

// The certificate's fields and verdict against the recomputation, where the recomputation is
// clearly on one side of certify's thresholds (a factor 10 away, so that two computations'
// rounding cannot disagree): (i) the rank; (ii) injectivity: sigma_min > 1e3 eps sigma_1 (x10)
// => not `not_injective` and tangent_sigma_min = sigma_min; sigma_min < 1e2 eps sigma_1 =>
// `not_injective`; (iii) the margin: certify's y is the minimum-norm one or one with a larger
// margin, so margin >= the recomputed margin, and equal to it when that is positive; (iv) a
// recomputed dual clearly inside certify's acceptance region (margin > 10 x 1e3 eps (1 + ||y||
// sigma_1), residual below a tenth of it) => `certified`; (v) `certified` => margin > 0 and
// tangent_sigma_min > 0. Tolerance of (ii), (iii): the rounding of two minimum-norm solutions,
// 1e3 eps (1 + ||y|| sigma_1) cond, cond = sigma_1 / sigma_min.
inline void check_certificate(Invariants& inv, const Certificate& c, const OwnCertificate& own,
                              const std::string& what) {
  const double eps = ScalarTraits<double>::epsilon(), nj = own.sigma_max;
  inv.require(c.rank == own.rank, what + ": rank " + std::to_string(c.rank) + ", recomputed " +
                                      std::to_string(own.rank));
  const double inj = kCertificateEps * eps * nj;
  const bool injective = own.sigma_min > 10 * inj;
  if (own.sigma_min < 0.1 * inj)
    inv.require(c.verdict == Verdict::not_injective,
                what + ": A not injective on T (sigma_min " + num(own.sigma_min) + ") but verdict " +
                    verdict_name(c.verdict));
  if (injective) {
    inv.require(c.verdict != Verdict::not_injective,
                what + ": A injective on T (sigma_min " + num(own.sigma_min) + ") but verdict " +
                    verdict_name(c.verdict));
    inv.near<double>(c.tangent_sigma_min, own.sigma_min, nj, kCertificateEps,
                     what + ": tangent_sigma_min vs recomputed");
  }
  if (injective && own.has_dual) {
    const double cond = nj / own.sigma_min;
    const double tm = kCertificateEps * eps * (1 + own.ynorm * nj) * cond;
    inv.require(c.margin >= own.margin - tm,
                what + ": margin " + num(c.margin) + " below the minimum-norm dual's " +
                    num(own.margin));
    if (own.margin > tm)
      inv.require(std::abs(c.margin - own.margin) <= tm,
                  what + ": margin " + num(c.margin) + ", recomputed " + num(own.margin));
    const double thr = kCertificateEps * eps * (1 + own.ynorm * nj);
    if (own.margin > 10 * thr + tm && own.residual < 0.1 * thr)
      inv.require(c.verdict == Verdict::certified,
                  what + ": the minimum-norm dual certifies (margin " + num(own.margin) +
                      ") but verdict " + verdict_name(c.verdict));
  }
  if (c.verdict == Verdict::certified)
    inv.require(c.margin > 0 && c.tangent_sigma_min > 0,
                what + ": certified with margin " + num(c.margin) + ", sigma_min " +
                    num(c.tangent_sigma_min));
}

// ---------------------------------------------------------------------------------------------
// A Lemma 5.3, (40): if M solves (39) (min ||X||_* s.t. A(X) = A(M)), every flat solution has
// ||L_f R_f^T||_* - ||M||_* <= (kappa^2 - 1) ||M||_*, with kappa >= the condition numbers of D1
// and D2. kappa = max(cond D1, cond D2) as the lemma states it (each bounded separately: weaker
// than Theorem 3.3's joint range). This is right: the products L R^T of flat solutions do not
// change when (D1, D2) -> (c D1, D2 / c) ((L, R) -> (L / c, c R) maps the minimisers of (19) onto
// each other), and at c^2 = sqrt(lo2 hi2 / (lo1 hi1)) the joint condition number of (c D1, D2/c)
// is max(cond D1, cond D2) (lo_i, hi_i: extreme eigenvalues of D_i).
// Flat solutions as in A.T3.3 (solver's X* of (21), solved, rank <= k); L_f R_f^T = D1^-1 X* D2^-1.
// Checked:
//  (i)  at the truth M when certify(A, M) proves it the unique minimiser of (39) (the lemma's
//       hypothesis; decided in double on the same exact instance, in every precision; tag
//       "M certified"): ||L_f R_f^T||_* - ||M||_* <= (kappa^2 - 1)||M||_* + u_f / alpha1(c)^2;
//  (ii) at the solver's nuclear-norm minimiser X_n (solved, rank <= k), which solves (39) for the
//       same b whether or not M does (flat solutions depend on b only), so the lemma applies with
//       M := X_n: ||L_f R_f^T||_* - ||X_n||_* <= (kappa^2 - 1)||X_n||_* + kappa^2 u_n +
//       u_f / alpha1(c)^2;
//  and both solver answers (check_solver_claim).
// Solver terms: ||X_f||_* <= (1/2)(||L_f / c||^2 + ||c R_f||^2) (A (10)) <= (19)(L_f, R_f) /
// alpha1(c)^2 <= (opt + u_f) / alpha1(c)^2 and opt <= alpha2(c)^2 opt(39) (Theorem 3.3 for
// (c D1, D2 / c)), alpha_i(c) the joint range of (c D1, D2 / c); opt(39) = ||X_n||_* to within u_n.
// Families: completion (the lemma's setting) and Gaussian, bilinear (its proof uses only
// Theorem 3.3, so it holds for every map).
// Negative control: kappa = 1, "flat solutions solve (39)" (the A = I statement): rejected where
// the flat solution has a larger nuclear norm than the minimiser of (39) (flat != nuclear);
// applicable when kappa > 1 + 1e-6.
template <class S> struct L53 {
  static constexpr double tol = kSolverCheckEps;
  // Invariants (outside the printed slack): certify(A, M) and certify_flat(A, M) against their
  // recomputation (check_certificate), and their `certified` against the truth the solver
  // establishes: M certified => M minimises (39), so ||M||_* <= ||X_n||_* + u_n; certify_flat
  // certified => D1 M D2 minimises (21), so ||D1 M D2||_* <= ||X*||_* + u_f (a margin of
  // 1e-6 max(1, value) for X_n, X* being feasible to the solver's tolerance only; a wrong
  // certificate is off by O(1) on the shapes that are not recovered).
  static Invariants certificate_invariants(const Instance<S>& inst, const Instance<double>& id,
                                           const Rescaling<S>& D, const Certificate& cert,
                                           const Solved<S>& F, const Solved<S>& N) {
    Invariants inv;
    check_certificate(inv, cert, own_certificate(id.A, id.M), "certify(A, M)");
    const Rescaling<double> Dd = rescaling(id.A);
    const Mat<double> D1i = spd_inverse<double>(Dd.D1, "D1"), D2i = spd_inverse<double>(Dd.D2, "D2");
    const Certificate cf = certify_flat<double>(id.A, id.M);
    check_certificate(inv, cf, own_certificate(id.A.composed(D1i, D2i), Mat<double>(Dd.D1 * id.M * Dd.D2)),
                      "certify_flat(A, M)");
    const S nm = nuclear_norm<S>(inst.M);
    if (cert.verdict == Verdict::certified)
      inv.require(nm <= N.value + N.u + S(kConicGapRel) * std::max<S>(S(1), nm),
                  "certify(A, M) certified but ||M||_* = " + num(to_double(nm)) +
                      " > ||X_n||_* = " + num(to_double(N.value)));
    const S nfm = nuclear_norm<S>(Mat<S>(D.D1 * inst.M * D.D2));
    if (cf.verdict == Verdict::certified)
      inv.require(nfm <= F.value + F.u + S(kConicGapRel) * std::max<S>(S(1), nfm),
                  "certify_flat(A, M) certified but ||D1 M D2||_* = " + num(to_double(nfm)) +
                      " > ||X*||_* = " + num(to_double(F.value)));
    return inv;
  }
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    if (inst.empty()) return not_applicable("no measurements");
    const Rescaling<S> D = rescaling(inst.A);
    if (!d_invertible(D)) return not_applicable("D1 or D2 singular");
    const Index k = shape.k;
    const Solved<S> F = solve_flat_rows<S>(inst.A, inst.b, D);
    if (!F.ok) return not_applicable("flat program (21) not solved: " + F.why);
    if (F.rank > k) return not_applicable("rank X* > k: (21) does not solve (20)");
    const Solved<S> N = solve_nuclear_rows<S>(inst.A, inst.b);
    if (!N.ok) return not_applicable("(39) not solved: " + N.why);
    if (N.rank > k) return not_applicable("rank X_n > k");
    const DRange<S> R = d_range(D);
    using std::sqrt;
    const S c = S(sqrt(S(sqrt(S(R.lo2 * R.hi2 / (R.lo1 * R.hi1))))));
    const S a1c = std::min<S>(S(c * R.lo1), S(R.lo2 / c));
    const S kappa = R.kappa_separate();
    const bool ctl = v == Variant::negative_control;
    const S k2 = ctl ? S(1) : S(kappa * kappa);
    const Factors<S> P = flat_factors<S>(F.X, D, k);
    const S nf = nuclear_norm<S>(Mat<S>(P.L * P.R.transpose()));
    const S extra = F.u / (a1c * a1c);
    std::vector<Outcome> parts;
    const S nn = N.value;
    parts.push_back(bound_outcome<S>(S(nf - nn), S((k2 - S(1)) * nn + k2 * N.u + extra), nn, tol,
                                     ctl ? "control (kappa=1): ||LfRf'||_* <= ||X_n||_*"
                                         : "(40) at X_n: ||LfRf'||_* - ||X_n||_* <= "
                                           "(kappa^2-1)||X_n||_*"));
    // the hypothesis at the truth, decided once in double on the same exact instance
    const Instance<double> id = make_instance<double>(shape);
    const Certificate cert = certify<double>(id.A, id.M);
    const bool certified = cert.verdict == Verdict::certified;
    if (certified) {
      const S nm = nuclear_norm<S>(inst.M);
      parts.push_back(bound_outcome<S>(S(nf - nm), S((k2 - S(1)) * nm + extra), nm, tol,
                                       ctl ? "control (kappa=1): ||LfRf'||_* <= ||M||_*"
                                           : "(40) at M: ||LfRf'||_* - ||M||_* <= "
                                             "(kappa^2-1)||M||_*"));
    }
    if (!ctl) {
      check_solver_claim<S>(parts, F, tol, "flat (21)");
      check_solver_claim<S>(parts, N, tol, "(39)");
    }
    Outcome o = worst_of(Kind::bound, parts);
    o.detail += "; kappa=" + num(to_double(kappa)) + " ||LfRf'||_*/||X_n||_*=" +
                num(to_double(S(nf / nn)));
    if (!ctl) o = certificate_invariants(inst, id, D, cert, F, N).applied_to(o);
    o.regime = std::string(family_name(shape.family)) +
               (certified ? " M certified" : " M not certified") +
               (nf > nn * S(1 + 1e-9) ? " flat!=nuclear" : " flat=nuclear");
    if (ctl) o.applicable = hypothesis_exceeds<double>(o, to_double(kappa), 1 + 1e-6, "kappa > 1 + 1e-6");
    return o;
  }
};

// ---------------------------------------------------------------------------------------------
// B Theorem 1 at depth L = 2, where every quantity is exactly computable.
// Convention: paper B's F is half the Hessian trace (deep.hpp; rows B.L2, B.eq7). At L = 2,
// Theorem 5 (row B.T5) gives F(X) = 2||(sum A_i A_i^T/n)^1/2 X (sum A_i^T A_i/n)^1/2||_*
// (paper_b_two_layer_value) = 2 sqrt(d0 dL) ||D1 X D2||_* with paper A's D_i (m = n), and
// F'(X) = L (d0 dL)^{1/L} ||X||_*^{2(L-1)/L} = 2 sqrt(d0 dL) ||X||_* (Lemma 4, row B.L4;
// induced_rip_value).
// delta: delta_D = max_i ||D_i^2 - I||_op. For a unit vector u, u^T D1^2 u = (1/d0) sum_j (1/n)
// sum_i <A_i, u e_j^T>^2 is an average of the ratio of (9) over rank-one matrices, so delta_D <=
// the (1, delta)-RIP constant of the map: checking with delta_D checks a statement at least as
// strong as the theorem's (the bounds weaken as delta grows). It holds at L = 2 because
// sqrt(1 - delta) I <= D_i <= sqrt(1 + delta) I gives (1 - delta)||X||_* <= ||D1 X D2||_* <=
// (1 + delta)||X||_*. Not applicable when delta_D >= 1 (the bounds are vacuous or undefined).
// Checked:
//  (5)  at X = M, X_n, X_f: (1 - delta) F'(X) <= F(X) <= (1 + delta) F'(X); it holds for every X,
//       so no solver term;
//  part 2: at L = 2 the end-to-end matrix of a minimum-trace interpolating W* minimises F over
//       {A(X) = b}, i.e. it is the minimiser X_f of the flat relaxation (21) (solve_flat; paper
//       B's widths d_1 >= min(d0, dL) put no rank constraint). Checked
//       ||X_f||_* <= [(1 + delta) ||X_n||_* + u_f + e_n] / (1 - delta)
//       (the exponent L / (2(L-1)) of the proof's sharper bound is 1 at L = 2), from the proof's
//       chain at the solver's points: (1 - delta)||X_f||_* <= ||D1 X_f D2||_* <= opt(21) + u_f <=
//       ||D1 X_n D2||_* + e_n + u_f <= (1 + delta)||X_n||_* + e_n + u_f, where e_n =
//       tau_S max(1, ||D1 X_n D2||_*) prices the solver's nuclear minimiser X_n being feasible to
//       tau_S only; and both solver answers (check_solver_claim).
// Not checked: depth L >= 3. There F has no closed form (Theorem 7 needs n = 1), so neither the
// sandwich's lower side nor E(W*) (a global minimisation over deep factorisations with varying
// end-to-end matrix) can be computed or certified; the two ingredients of (5) for every L are
// checked by B.L3 (Lemma 3 at interpolating W, certified delta) and B.L4 (F' in closed form).
// Negative control: the RIP constant read off D instead of D^2, delta' = max_i ||D_i - I||_op
// (about delta / 2), in (5) and in part 2.
template <class S> struct BT1 {
  static constexpr double tol = kSolverCheckEps;
  static Outcome run(const Shape& shape, Variant v) {
    Instance<S> inst = make_instance<S>(shape);
    if (inst.empty()) return not_applicable("no measurements");
    const Rescaling<S> D = rescaling(inst.A);
    if (!d_invertible(D)) return not_applicable("D1 or D2 singular");
    const bool ctl = v == Variant::negative_control;
    S delta(0);
    for (const Mat<S>* Di : {&D.D1, &D.D2}) {
      const Index n = Di->rows();
      const Mat<S> Q = ctl ? Mat<S>(*Di) : Mat<S>(*Di * *Di);
      const SymEig<S> e = sym_eig<S>(Mat<S>(Q - Mat<S>::Identity(n, n)));
      delta = std::max<S>(delta, std::max<S>(abs_of<S>(e.lambda(0)), abs_of<S>(e.lambda(n - 1))));
    }
    if (!(delta < S(1))) return not_applicable("delta_D >= 1");
    const Solved<S> F = solve_flat_rows<S>(inst.A, inst.b, D);
    if (!F.ok) return not_applicable("flat program (21) not solved: " + F.why);
    const Solved<S> N = solve_nuclear_rows<S>(inst.A, inst.b);
    if (!N.ok) return not_applicable("nuclear program not solved: " + N.why);
    const Mat<S> D1i = spd_inverse<S>(D.D1, "D1"), D2i = spd_inverse<S>(D.D2, "D2");
    const Mat<S> Xf = D1i * F.X * D2i;
    const Index L = 2;
    std::vector<Outcome> parts;
    const std::pair<const Mat<S>*, const char*> points[] = {
        {&inst.M, "M"}, {&N.X, "X_n"}, {&Xf, "X_f"}};
    for (const auto& [X, name] : points) {
      const S Fv = paper_b_two_layer_value<S>(inst.A, *X);
      const S Fp = induced_rip_value<S>(*X, L);
      if (!(Fp > S(0))) continue;
      const std::string at = std::string(" at ") + name;
      parts.push_back(bound_outcome<S>(S((S(1) - delta) * Fp), Fv, Fp, tol,
                                       "(5) (1-delta) F'(X) <= F(X)" + at));
      parts.push_back(bound_outcome<S>(Fv, S((S(1) + delta) * Fp), Fp, tol,
                                       "(5) F(X) <= (1+delta) F'(X)" + at));
    }
    const S nf = nuclear_norm<S>(Xf), nn = nuclear_norm<S>(N.X);
    const S e_n = S(solver_tolerance<S>()) *
                  std::max<S>(S(1), nuclear_norm<S>(Mat<S>(D.D1 * N.X * D.D2)));
    const S rhs2 = (S(S(1) + delta) * nn + F.u + e_n) / (S(1) - delta);
    parts.push_back(bound_outcome<S>(nf, rhs2, nn, tol,
                                     "part 2: ||E(W*)||_* <= (1+delta)/(1-delta) min ||X||_*"));
    if (!ctl) {
      check_solver_claim<S>(parts, F, tol, "flat (21)");
      check_solver_claim<S>(parts, N, tol, "nuclear");
    }
    Outcome o = worst_of(Kind::bound, parts);
    o.detail += "; delta=" + num(to_double(delta)) + " ||X_f||_*/||X_n||_*=" +
                num(to_double(S(nf / nn)));
    o.regime = std::string(to_double(delta) < 0.5 ? "delta<0.5" : "delta>=0.5") +
               (nf > nn * S(1 + 1e-9) ? " flat!=nuclear" : " flat=nuclear");
    return o;
  }
};

}  // namespace

void register_rows_solver(std::vector<Row>& out) {
  // A Theorem 3.3: every family with a map, small d so that a trial takes milliseconds; m from
  // 0.6 r(d1 + d2) (flat != nuclear appears) to 2 r(d1 + d2) (recovery).
  ShapeSpec t33;
  t33.families = {FamilyId::identity, FamilyId::gaussian, FamilyId::bilinear,
                  FamilyId::completion};
  t33.d_min = 1;
  t33.d_max = 5;
  t33.r_max = 3;
  t33.k_extra_max = 2;
  t33.m_min = 1;
  t33.m_lo_rd = 0.6;
  t33.m_hi_rd = 2.0;
  t33.p_min = 0.5;
  t33.p_max = 1.0;
  out.push_back({"A.T3.3", "A Theorem 3.3", Kind::bound,
                 "flat solutions (factor map of the solver's minimiser of (21), rank <= k): "
                 "(22) ||Lf||^2+||Rf||^2 <= kappa^2 min-norm value (= 2||X_n||_*, solver, "
                 "rank <= k) and (23) ||Lf'Lf - Rf'Rf||_* <= 2(kappa^2-1)||M||_* (also with "
                 "||X_n||_*), kappa = alpha2/alpha1 of the joint range of D1, D2; plus the "
                 "solver's gap u as explicit slack",
                 {"solve_flat", "solve_nuclear", "solve_noisy", "flat_factors", "balance_gap",
                  "factor_norm_sq", "rescaling"},
                 {"A-fig1", "A-fig2", "A-fig3", "A-fig4", "A-noise", "B-fig1", "B-fig2", "B-thm4"},
                 t33, T33<double>::tol, 0, 100, false, dispatch<T33>()});

  ShapeSpec l53 = t33;
  l53.families = {FamilyId::completion, FamilyId::gaussian, FamilyId::bilinear};
  l53.d_min = 2;
  out.push_back({"A.L5.3", "A Lemma 5.3", Kind::bound,
                 "(40) ||Lf Rf'||_* - ||M||_* <= (kappa^2-1)||M||_*, kappa = max(cond D1, "
                 "cond D2), at the truth M when certify proves it solves (39), and at the solver's "
                 "minimiser X_n of (39) (which solves (39) for the same b); flat solutions from "
                 "the solver's minimiser of (21); the solver's gap u as explicit slack",
                 {"certify", "certify_flat", "solve_flat", "solve_nuclear", "flat_factors",
                  "rescaling"},
                 {"A-fig1", "A-fig2", "A-fig3", "A-fig4", "A-noise", "B-fig1", "B-fig2", "B-thm4"},
                 l53, L53<double>::tol, 0, 100, false, dispatch<L53>()});

  // B Theorem 1: Gaussian measurements (B Example 1), L = 2 (see the row's comment: what L >= 3
  // would need), n from 0.75 r(d0 + dL) to 2 r(d0 + dL) so that the flat and the nuclear
  // minimisers differ on some shapes, d >= 2 so that delta_D < 1 is common.
  ShapeSpec bt1;
  bt1.families = {FamilyId::gaussian};
  bt1.d_min = 2;
  bt1.d_max = 4;
  bt1.r_max = 2;
  bt1.k_extra_max = 0;
  bt1.m_min = 4;
  bt1.m_lo_rd = 0.75;
  bt1.m_hi_rd = 2.0;
  bt1.depth_min = 2;
  bt1.depth_max = 2;
  out.push_back({"B.T1", "B Theorem 1", Kind::bound,
                 "L = 2 only (L >= 3 not checked: no closed form of F, E(W*) not computable): (5) "
                 "(1-delta)F'(X) <= F(X) <= (1+delta)F'(X) at M, the nuclear and the flat "
                 "minimisers, F by Theorem 5, F' by Lemma 4, delta = max ||D_i^2 - I||_op (<= the "
                 "(1,delta)-RIP constant); part 2 ||E(W*)||_* <= (1+delta)/(1-delta) min ||X||_* "
                 "with E(W*) = the flat minimiser (21); the solver's gap u as explicit slack",
                 {"paper_b_two_layer_value", "induced_rip_value", "rescaling", "solve_flat",
                  "solve_nuclear"},
                 {"A-fig1", "A-fig2", "A-fig3", "A-fig4", "A-noise", "B-fig1", "B-fig2",
                  "B-thm4"},
                 bt1, BT1<double>::tol, 0, 100, false, dispatch<BT1>()});
}

}  // namespace flatmin::catalogue::detail
