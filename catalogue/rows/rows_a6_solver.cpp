// Catalogue row A.T6.1 (paper A Theorem 6.1, robust PCA): the one row of section 6 that needs
// the convex solver of (56) (flatmin/rpca_solver.hpp).
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "common.hpp"
#include "flatmin/linalg.hpp"
#include "flatmin/rpca.hpp"
#include "flatmin/rpca_solver.hpp"

namespace flatmin::catalogue::detail {

namespace {

// The strong incoherence (A (48)) of M = U Sigma V^T of rank r: the smallest mu with
// ||U||_{2,inf}^2 <= mu r / d1, ||V||_{2,inf}^2 <= mu r / d2 and ||U V^T||_inf^2 <= mu r / (d1 d2).
double strong_incoherence(const Mat<double>& M, Index r) {
  const Index d1 = M.rows(), d2 = M.cols();
  const Svd<double> s = svd<double>(M);
  const Mat<double> U = s.U.leftCols(r), V = s.V.leftCols(r);
  double mu = 0;
  for (Index i = 0; i < d1; ++i) mu = std::max(mu, U.row(i).squaredNorm() * double(d1) / double(r));
  for (Index j = 0; j < d2; ++j) mu = std::max(mu, V.row(j).squaredNorm() * double(d2) / double(r));
  const double uv = (U * V.transpose()).cwiseAbs().maxCoeff();
  return std::max(mu, uv * uv * double(d1) * double(d2) / double(r));
}

// A Theorem 6.1: in the regime l <= c d_min / (mu r), every flat minimiser (L_f, R_f) of (50)
// satisfies L_f R_f^T = M. The theorem names a numerical constant c but the displayed inequality
// omits it; we take it as printed, c = 1. Which program the flat solution solves (proof of the
// theorem): the local model (51) at a point of the solution set is the A = I loss ||LR^T - W||^2,
// so str = 2(||L||^2 + ||R||^2) (row A.S6) and flat minimisers solve (53), i.e. X_f = L_f R_f^T
// solves (54) = (56) plus rank(X) <= k; no rescaling enters (unlike sections 4-5, where D1, D2
// do). When M is the unique minimiser of (56) it is also the unique minimiser of (54) (k >= r),
// so X_f = M. The event checked per trial is exactly that premise, established twice:
//   * the solver (it does not see M) returns `solved` (KKT conditions of (56) verified to 1e-12 in
//     double, 1e-28 in quad/mp50) with ||X - M||_F <= 1e-10 (double) / 1e-25 (quad, mp50), and
//   * certify_rpca(M, S, W) is `certified` (injectivity of H -> (P_Omega^c H, <sign S, H>) on the
//     tangent space at M and a dual W with both margins > 0: M is the UNIQUE minimiser, which the
//     solver's optimality check alone does not show). The solver's dual is the first candidate.
// Instance: the truth M = G1 G2^T / ||.||_F (Gaussian factors, the figures' model) is drawn up to
// 30 times until l_max = floor(c d_min / (mu r)) >= 1 (rejection: M conditioned on the regime;
// not applicable if no draw qualifies), then l uniform in [1, l_max], S = sparse_corruption(l per
// line, p = 1: lines filled up to l in random order, N(0,1) values), Y = M + S and tau = ||S||_1
// formed in the working precision. The Gaussian truths have mu ~ 15-30 at d = 20-32 (the
// ||UV^T||_inf term dominates), so the literal regime mostly means r = 1 and l = 1-2.
// Measured (budget 400 ADMM iterations; `flatmin check` seeds 1 and 2, 400 trials each): 666
// applicable draws (r = 1, l = 1: 400; r = 2, l = 1: 256; r = 1, l = 2: 10), the event held in all
// 666 (frequency 1.000; largest error 1.2e-13, at most 74 iterations, smallest certificate
// margin 1.1e-4); the property's long run (2000 trials, seed 20221): 1665/1665; quad 53/53
// (errors <= 8e-32), mp50 4/4 (errors <= 6e-50). With 0 failures in 2331 the one-sided 95% lower
// bound on the frequency is 1 - 3/2331 = 0.9987; min_frequency = 0.90 tolerates 3 failures among
// the ~37 applicable draws of the 40-trial default test (more than 3 has probability < 1e-3 at a
// true frequency of 0.99).
// The control at 40 trials (seed 20221): frequency 0.30 (11/37; 22 of the 26 failures have the
// solver's feasible point beating M in nuclear norm, a proof that M is not the minimiser).
// Negative control (far outside the regime): dense corruption, l = ceil(d_min / 3) per line (about
// a third of the entries); the same event must fail by frequency. Where the solver's feasible
// iterate has a smaller nuclear norm than M the detail says "M beaten" (a proof that M is not
// the minimiser, whatever the status).
template <class S> struct T61 {
  static constexpr double c = 1.0;
  static constexpr int max_draws = 30;
  static constexpr int budget = 400;  // ADMM iterations; recovered instances needed <= 74
  static Outcome run(const Shape& shape, Variant v) {
    const bool ctl = v == Variant::negative_control;
    const Index d1 = shape.d1, d2 = shape.d2, r = shape.r, dmin = std::min(d1, d2);
    Rng rng(shape.seed);
    LowRankFactors f;
    double mu = 0;
    Index lmax = 0;
    int draws = 0;
    while (draws < max_draws) {
      ++draws;
      f = random_low_rank(rng, d1, d2, r);
      mu = strong_incoherence(assemble<double>(f), r);
      lmax = Index(std::floor(c * double(dmin) / (mu * double(r))));
      if (lmax >= 1) break;
    }
    if (lmax < 1)
      return not_applicable("no truth in the regime in " + std::to_string(max_draws) +
                            " draws (last mu = " + num(mu) + ")");
    Index l = 1 + Index(rng.below(std::uint64_t(lmax)));
    if (ctl) l = (dmin + 2) / 3;
    const Mat<double> Sd = sparse_corruption(rng, d1, d2, l, 1.0, 1.0);
    const Mat<S> M = assemble<S>(f), Sn = cast_matrix<S>(Sd);
    const Mat<S> Y = M + Sn;
    const S tau = l1_norm<S>(Sn);

    SolveOptions opt;
    opt.max_iterations = budget;
    const RpcaResult<S> res = solve_rpca<S>(Y, tau, opt);
    const double err = to_double(S((res.X - M).norm()));
    const double thr = std::is_same_v<S, double> ? kRpcaRecoveryDouble : kRpcaRecoveryQuad;
    // the solver's dual as the certificate's first candidate (when it is finite)
    const Mat<S>& W = res.W;
    bool finite = true;
    for (Index i = 0; i < W.size(); ++i) finite = finite && is_finite(W.data()[i]);
    const RpcaCertificate cert = certify_rpca<S>(M, Sn, finite && W.size() ? &W : nullptr);
    const bool solved = res.status == SolveStatus::solved;
    Outcome o;
    o.holds = solved && err <= thr && cert.verdict == Verdict::certified;
    o.value = err;
    o.regime = "r=" + std::to_string(r) + " l=" + std::to_string(l);
    const double nx = to_double(nuclear_norm<S>(res.X)), nm = to_double(nuclear_norm<S>(M));
    const bool beaten = res.primal_residual <= 1e-12 && nx < nm - 1e-9 * std::max(1.0, nm);
    o.detail = std::string(ctl ? "control (dense corruption): " : "") + "mu=" + num(mu) +
               " l=" + std::to_string(l) + " l_max=" + std::to_string(lmax) + " (draw " +
               std::to_string(draws) + ") |S|=" + std::to_string(cert.support) + " status=" +
               status_name(res.status) + " iterations=" + std::to_string(res.iterations) +
               " ||X-M||_F=" + num(err) + " gap=" + num(res.gap) + " certificate=" +
               verdict_name(cert.verdict) + " (margins op " + num(cert.margin_op) + ", inf " +
               num(cert.margin_inf) + ", sigma_min " + num(cert.tangent_sigma_min) + ", dual " +
               cert.dual + ")" +
               (beaten ? " M beaten: ||X||_*=" + num(nx) + " < ||M||_*=" + num(nm) : "");
    return o;
  }
};

}  // namespace

void register_rows_a6_solver(std::vector<Row>& out) {
  ShapeSpec spec;
  spec.families = {FamilyId::identity};  // no sensing map: Y is observed entrywise
  spec.d_min = 20;
  spec.d_max = 32;
  spec.r_max = 2;
  spec.k_extra_max = 0;  // k plays no role: M unique for (56) makes it unique for (54), k >= r
  out.push_back({"A.T6.1", "A Thm 6.1", Kind::stat,
                 "robust PCA, l <= d_min/(mu r) (c = 1, as printed): the flat solution, i.e. the "
                 "minimiser of (56) min ||X||_* s.t. ||Y - X||_{1,1} <= ||S||_{1,1} (no "
                 "rescaling), is M: solver `solved` with ||X - M||_F <= 1e-10 (quad 1e-25) and M "
                 "certified as the unique minimiser",
                 {"solve_rpca", "certify_rpca", "sparse_corruption"},
                 {"A-rpca"},
                 spec, 0, 0.90, 40, false, dispatch<T61>()});
}

}  // namespace flatmin::catalogue::detail
