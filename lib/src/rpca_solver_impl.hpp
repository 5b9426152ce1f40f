// Definitions of flatmin/rpca_solver.hpp, included only by rpca_solver_<type>.cpp (one translation
// unit per scalar type): the driver (scale-free form, the double-then-extended schedule), the KKT
// residuals and the certificate; the stages are rpca_solver_stages.hpp and rpca_solver_admm.hpp.
#pragma once

#include "rpca_solver_admm.hpp"

namespace flatmin {

template <class S>
RpcaKkt rpca_kkt(const Mat<S>& Y, const S& tau, const Mat<S>& X, const Mat<S>& W) {
  using namespace rpca_detail;
  require_shape(X.rows(), X.cols(), Y.rows(), Y.cols(), "rpca_kkt: X");
  require_shape(W.rows(), W.cols(), Y.rows(), Y.cols(), "rpca_kkt: W");
  require_finite(Y, "rpca_kkt: Y");
  require_finite(X, "rpca_kkt: X");
  require_finite(W, "rpca_kkt: W");
  const Mat<S> Sp = Y - X;
  const S nuc = nuclear_norm<S>(X), opn = operator_norm<S>(W), winf = max_abs<S>(W);
  const S sc = std::max<S>(S(1), nuc);
  RpcaKkt k;
  k.primal = dbl(S(std::max<S>(S(0), S(l1_norm<S>(Sp) - tau)) / std::max<S>(S(1), tau)));
  k.dual_norm = dbl(std::max<S>(S(0), S(opn - S(1))));
  k.subgradient = dbl(S((nuc - inner<S>(W, X)) / sc));
  k.normal_cone = dbl(S((tau * winf - inner<S>(W, Sp)) / sc));
  const S dual = (inner<S>(W, Y) - tau * winf) / std::max<S>(S(1), opn);
  k.gap = dbl(S((nuc - dual) / sc));
  k.lambda = dbl(winf);
  return k;
}

namespace rpca_detail {
template <class S> SolveResult<S> solve_scale_free(const Mat<S>& Y, const S& tau, const SolveOptions& o);
}  // namespace rpca_detail

// (56) is solved in its scale-free form (solver_common.hpp, "Scale"): Y and tau times 2^-ex, the
// largest |Y_ij| brought to [1, 2); X = 2^ex X', and W is unchanged (the program is homogeneous).
template <class S>
RpcaResult<S> solve_rpca(const Mat<S>& Y, const S& tau, const SolveOptions& o) {
  using namespace rpca_detail;
  validate<S>(Y, tau, o);
  const auto start = Clock::now();
  const int ex = solver_detail::unit_exponent<S>(max_abs<S>(Y));
  const Mat<S> Yq = times_pow2_each(Y, -ex);
  S tau_q = times_pow2<S>(tau, -ex);
  if (tau > S(0) && !(tau_q > S(0)))
    throw InvalidArgument("solve_rpca: tau = " + to_string(tau, 6) +
                          " is out of all proportion to Y (tau / max |Y_ij| underflows)");
  // tau / max |Y_ij| overflows: then tau >= ||Y||_{1,1} by far, and any radius above ||Y'||_{1,1}
  // has the same solution X = 0 and the same residuals
  if (!is_finite(tau_q)) tau_q = times_pow2<S>(l1_norm<S>(Yq), 1);
  SolveResult<S> res = solve_scale_free<S>(Yq, tau_q, o);
  // the stages' common result (W as the vector y) becomes the program's own
  RpcaResult<S> out;
  out.status = res.status;
  if (res.X.size()) out.X = times_pow2_each(res.X, ex);
  if (res.y.size() == Y.size()) out.W = Eigen::Map<const Mat<S>>(res.y.data(), Y.rows(), Y.cols());
  out.iterations = res.iterations;
  out.primal_residual = res.primal_residual;
  out.dual_residual = res.dual_residual;
  out.gap = res.gap;
  out.rank = res.rank;
  out.message = std::move(res.message);
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

template <class S>
SolveResult<S> rpca_detail::solve_scale_free(const Mat<S>& Y, const S& tau, const SolveOptions& o) {
  const auto start = Clock::now();
  const double tol = default_tol<S>(o.tol);
  SolveResult<S> res;
  const auto finish = [&](SolveResult<S>& r) {
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
  };
  if (trivial<S>(Y, tau, tol, res)) return finish(res);
  if constexpr (std::is_same_v<S, double>) {
    Phase<double> ph = admm<double>(Y, tau, o, tol);
    return finish(ph.res);
  } else {
    // extended precision: ADMM (and its polish) in double, then polish and check in S
    SolveOptions od = o;
    od.tol = 1e-12;
    const Mat<double> Yd = Y.unaryExpr([](const S& x) { return to_double(x); });
    const double taud = to_double(tau);
    Phase<double> pd;
    if (trivial<double>(Yd, taud, od.tol, pd.res)) {
      // ||Y||_1 and tau agree to double precision: report the feasible X = Y with W = 0
      res.X = Y;
      const Mat<S> W = Mat<S>::Zero(Y.rows(), Y.cols());
      fill_residuals<S>(Y, tau, res.X, W, 0.0, res);
      store_dual<S>(W, res);
      res.rank = numerical_rank_of<S>(Y);
      res.status = SolveStatus::numerical_trouble;
      res.message = "the instance is trivial in double (||Y||_1 <= tau or tau = 0 after rounding) "
                    "but not in extended precision";
      return finish(res);
    }
    pd = admm<double>(Yd, taud, od, od.tol);
    int newton = 0;
    solver_detail::polish_in_extended_precision<S>(
        pd.res, o.polish && pd.structure, res,
        [&](SolveResult<S>& rs) {
          Pattern<S> pat;
          pat.sign = cast_matrix<S>(pd.pat.sign);
          pat.cells = pd.pat.cells;
          const Mat<S> hint = cast_matrix<S>(pd.W);
          return polish<S>(Y, tau, cast_matrix<S>(pd.start), pd.rank, pat, tol, &hint, rs, newton);
        },
        [&](const SolveResult<S>&) {
          return std::string("KKT conditions verified in ") + ScalarTraits<S>::name +
                 " after the rank-" + std::to_string(pd.rank) + " polish (" +
                 std::to_string(newton) + " Newton steps; double phase: " + pd.res.message + ")";
        },
        std::string("the ") + ScalarTraits<S>::name + " polish");
    return finish(res);
  }
}

template <class S>
RpcaCertificate certify_rpca(const Mat<S>& M, const Mat<S>& Snat, const Mat<S>* hint) {
  using namespace rpca_detail;
  if (M.rows() == 0 || M.cols() == 0) throw InvalidArgument("certify_rpca: M is empty");
  require_shape(Snat.rows(), Snat.cols(), M.rows(), M.cols(), "certify_rpca: Snat");
  require_finite(M, "certify_rpca: M");
  require_finite(Snat, "certify_rpca: Snat");
  if (hint) {
    require_shape(hint->rows(), hint->cols(), M.rows(), M.cols(), "certify_rpca: hint");
    require_finite(*hint, "certify_rpca: hint");
  }
  RpcaCertificate c;
  const Pattern<S> pat = pattern_of<S>(Snat);
  c.support = Index(pat.cells.size());
  const Svd<S> d = svd<S>(M);
  const Index r = numerical_rank_of<S>(M);
  c.rank = r;
  if (r == 0 || pat.cells.empty()) {  // the degenerate cases of the header
    c.verdict = Verdict::certified;
    c.margin_op = c.margin_inf = 1;
    c.dual = r == 0 ? "M = 0" : "Snat = 0";
    return c;
  }
  const Tangent<S> T = tangent_at<S>(Mat<S>(d.U.leftCols(r)), Mat<S>(d.V.leftCols(r)));
  const Linearised<S> L = linearise<S>(T, pat);
  const S eps = ScalarTraits<S>::epsilon();
  const SymEig<S> e = sym_eig<S>(L.N);
  const S lmin = e.lambda.size() ? e.lambda(0) : S(0);
  using std::sqrt;
  c.tangent_sigma_min = lmin > S(0) ? dbl(S(sqrt(lmin))) : 0.0;
  const bool injective = lmin > S(1e3) * eps * S(double(T.dim()));
  const Vec<S> cu = uvt_coordinates<S>(T);
  const double e3 = 1e3 * dbl(eps);
  // Candidates in order (hint, min-norm, lambda search); the first that certifies is kept,
  // otherwise the one with the largest min(margin_op, margin_inf).
  bool have = false;
  S best_worst(0);
  const auto consider = [&](const std::string& name, const Mat<S>& W) {
    if (W.size() == 0) return false;
    const Margins<S> m = margins<S>(T, L, W);
    const double lam = dbl(m.lambda), wn = dbl(S(W.norm()));
    const double res = dbl(S((T.coordinates(W) - cu).norm()));
    const bool ok = injective && lam > 0 && res <= e3 * (1 + wn) &&
                    dbl(m.margin_op()) > e3 * (1 + wn) && dbl(m.margin_inf()) > e3 * (1 + wn / lam);
    if (!have || ok || m.worst() > best_worst) {
      have = true;
      best_worst = m.worst();
      c.lambda = lam;
      c.margin_op = dbl(m.margin_op());
      c.margin_inf = dbl(m.margin_inf());
      c.equation_residual = res;
      c.dual = name;
    }
    return ok;
  };
  Eigen::LLT<Mat<S>> llt;
  const bool factored = factor<S>(L.N, llt);
  bool ok = false;
  if (factored && hint) ok = consider("hint", dual_from_hint<S>(T, L, llt, *hint));
  Mat<S> Wmn;
  if (factored && !ok) ok = consider("min-norm", Wmn = dual_min_norm<S>(T, L, llt));
  if (!ok) {
    const S ref = Wmn.size() ? margins<S>(T, L, Wmn).lambda : S(0);
    ok = consider("lambda-search", dual_lambda_search<S>(T, L, ref));
  }
  if (!injective)
    c.verdict = Verdict::not_injective;
  else
    c.verdict = ok ? Verdict::certified : Verdict::not_certified;
  if (!have) c.dual = "none (the normal matrices are singular)";
  return c;
}

#define FLATMIN_INSTANTIATE_RPCA_SOLVER(S)                                                       \
  template RpcaResult<S> solve_rpca<S>(const Mat<S>&, const S&, const SolveOptions&);          \
  template RpcaKkt rpca_kkt<S>(const Mat<S>&, const S&, const Mat<S>&, const Mat<S>&);         \
  template RpcaCertificate certify_rpca<S>(const Mat<S>&, const Mat<S>&, const Mat<S>*);

}  // namespace flatmin
