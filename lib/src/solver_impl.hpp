// Definitions of flatmin/solver.hpp: the drivers (solve_nuclear, solve_flat: validation, the
// scale-free form, the flat program's rescaling), the stage schedule, and the dual certificate.
// The stages live in their own headers and translation units (docs/solver.md has the picture):
//   solver_kkt.hpp       KKT check, dual search, Newton's method on the optimality conditions
//   solver_polish.hpp    the exact stages (feasibility polish, Newton polish, interior point)
//   solver_ipm.hpp       the interior-point method
//   solver_admm.hpp      ADMM, which calls the exact stages once its iterates show a rank
//   solver_manifold.hpp  Gauss-Newton on the rank-r manifold (the fast path)
// Included by solver_<type>.cpp, one translation unit per scalar type.
#pragma once

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "solver_polish.hpp"

namespace flatmin {
namespace solver_detail {

// The first-order stage and the fast path, instantiated for double in solver_admm_double.cpp
// and solver_manifold_double.cpp (extended-precision solves run both in double).
template <class S>
SolveResult<S> admm(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o, double tol);
template <class S>
bool manifold_path(const SensingMap<S>& A, const Vec<S>& b, double tol, int budget,
                   SolveResult<S>& res, int& used);

template <class S> void validate(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o) {
  if (A.m() == 0) throw InvalidArgument("solve: the map has no measurements (m = 0)");
  if (A.d1() == 0 || A.d2() == 0) throw InvalidArgument("solve: zero dimension");
  if (b.size() != A.m())
    throw InvalidArgument("solve: b has length " + std::to_string(b.size()) + ", expected m = " +
                          std::to_string(A.m()));
  require_finite(b, "solve: b");
  if (o.max_iterations < 1 || o.max_iterations > 10000000)
    throw InvalidArgument("solve: max_iterations must be in [1, 1e7]");
  if (!(o.stop_below >= 0) || !std::isfinite(o.stop_below))
    throw InvalidArgument("solve: stop_below must be finite and >= 0 (0: off)");
  if (!(o.tol >= 0) || !std::isfinite(o.tol)) throw InvalidArgument("solve: tol must be >= 0");
}

template <class S>
SolveResult<S> solve_scale_free(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o);

}  // namespace solver_detail

template <class S>
SolveResult<S> solve_nuclear(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o) {
  using namespace solver_detail;
  validate(A, b, o);
  const ScaleFree<S> q = scale_free<S>(A, b, A.row_exponents());
  SolveOptions oq = o;
  oq.stop_below = scaled_bound(o.stop_below, -q.ex);
  const bool zero = (q.b.array() == S(0)).all();
  SolveResult<S> res = zero ? zero_solution<S>(q.A) : solve_scale_free<S>(q.A, q.b, oq);
  scale_back(res, q);
  return res;
}

template <class S>
SolveResult<S> solver_detail::solve_scale_free(const SensingMap<S>& A, const Vec<S>& b,
                                               const SolveOptions& o) {
  const double tol = default_tol<S>(o.tol);
  if constexpr (std::is_same_v<S, double>) {
    const auto start = Clock::now();
    SolveResult<S> res;
    int used = 0;
    bool done = o.polish && o.manifold && o.max_iterations > 1 &&
                manifold_path<S>(A, b, tol, o.max_iterations - 1, res, used);
    bool ipm_tried = false;
    if (!done && o.polish && o.interior_point && !(o.stop_below > 0) &&
        o.max_iterations - used > 1 && ipm_flops_per_iteration<S>(A) <= ipm_first_flops) {
      ipm_tried = true;
      int ipm_used = 0;
      std::string how;
      done = interior_point_polish<S>(A, b, tol, o.max_iterations - used - 1, res, ipm_used, how);
      used += ipm_used;
      if (done) {
        res.status = SolveStatus::solved;
        res.message = "KKT conditions verified after " + how;
      }
    }
    if (done) {
      res.iterations = used;
    } else {
      SolveOptions rest = o;
      rest.max_iterations = o.max_iterations - used;
      if (ipm_tried) rest.interior_point = false;
      res = admm<S>(A, b, rest, tol);
      res.iterations += used;
    }
    res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return res;
  } else {
    // extended precision: the ADMM phase in double, then the polish in S from its answer
    const auto start = Clock::now();
    SolveOptions od = o;
    od.tol = 1e-12;
    const SensingMap<double> Ad = A.template cast<double>();
    const Vec<double> bd = b.unaryExpr([](const S& x) { return to_double(x); });
    SolveResult<double> rd = solve_nuclear<double>(Ad, bd, od);
    SolveResult<S> res;
    const Index r = rd.rank;
    polish_in_extended_precision<S>(
        rd, o.polish, res,
        [&](SolveResult<S>& rs) {
          const Vec<S> y_hint = rs.y;
          return polish<S>(A, b, rs.X, r, tol, rs) ||
                 newton_polish<S>(A, b, rs.X, y_hint, r, tol, rs);
        },
        [r](const SolveResult<S>&) {
          return "KKT conditions verified in extended precision after the rank-" +
                 std::to_string(r) + " polish";
        });
    res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return res;
  }
}

namespace solver_detail {

// The flat program is solved for 2^-g A and 2^-g b, g the largest row exponent of A (the same X):
// D1, D2 scale by 2^-g, the rescaled map A(D1^-1 . D2^-1) by 2^g and its X by 2^-2g, so that
// neither D1 M D2 nor b over the rescaled map's rows over- or underflows at any scale of A; its y
// is times 2^g back.
template <class S> int flat_exponent(const SensingMap<S>& A) {
  const std::vector<int> e = A.row_exponents();
  return *std::max_element(e.begin(), e.end());
}
template <class S> SensingMap<S> flat_scaled_map(const SensingMap<S>& A, int g) {
  return g == 0 ? A : A.rows_scaled(std::vector<int>(A.row_exponents().size(), -g));
}

// The caller's rescaling of A for the scaled map: D1, D2 times 2^-g (exact: the same bits as
// rescaling(2^-g A), which rescaling() itself forms before scaling back by 2^g).
template <class S>
Rescaling<S> scaled_rescaling(const SensingMap<S>& A, const Rescaling<S>& D, int g,
                              const char* who) {
  require_shape(D.D1.rows(), D.D1.cols(), A.d1(), A.d1(), (std::string(who) + ": D1").c_str());
  require_shape(D.D2.rows(), D.D2.cols(), A.d2(), A.d2(), (std::string(who) + ": D2").c_str());
  require_finite(D.D1, (std::string(who) + ": D1").c_str());
  require_finite(D.D2, (std::string(who) + ": D2").c_str());
  return {times_pow2_each(D.D1, -g), times_pow2_each(D.D2, -g)};
}

// solve_flat for As = 2^-g A with Ds its rescaling.
template <class S>
SolveResult<S> solve_flat_scaled(const SensingMap<S>& As, const Vec<S>& b, int g,
                                 const Rescaling<S>& D, const SolveOptions& o,
                                 Clock::time_point start) {
  const Vec<S> bs = times_pow2_each(b, -g);
  SolveOptions os = o;
  os.stop_below = scaled_bound(o.stop_below, -2 * g);
  SolveResult<S> res;
  res.method = Method::flat;
  const double c1 = dbl(spd_condition<S>(D.D1)), c2 = dbl(spd_condition<S>(D.D2));
  if (!(c1 < o.d_condition_max) || !(c2 < o.d_condition_max)) {
    res.status = SolveStatus::d_singular;
    res.message = "D1 or D2 is singular (condition numbers " + std::to_string(c1) + ", " +
                  std::to_string(c2) + ")";
    return res;
  }
  const Mat<S> D1i = spd_inverse<S>(D.D1, "D1"), D2i = spd_inverse<S>(D.D2, "D2");
  const SensingMap<S> B = As.composed(D1i, D2i);
  res = solve_nuclear<S>(B, bs, os);
  res.method = Method::flat;
  if (res.X.size()) res.X = D1i * res.X * D2i;
  res.y = times_pow2_each(res.y, g);
  res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return res;
}

}  // namespace solver_detail

template <class S>
SolveResult<S> solve_flat(const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o) {
  using namespace solver_detail;
  validate(A, b, o);
  const auto start = Clock::now();
  const int g = flat_exponent(A);
  const SensingMap<S> As = flat_scaled_map(A, g);
  return solve_flat_scaled<S>(As, b, g, rescaling(As), o, start);
}

template <class S>
SolveResult<S> solve_flat(const SensingMap<S>& A, const Vec<S>& b, const Rescaling<S>& D,
                          const SolveOptions& o) {
  using namespace solver_detail;
  validate(A, b, o);
  const auto start = Clock::now();
  const int g = flat_exponent(A);
  return solve_flat_scaled<S>(flat_scaled_map(A, g), b, g, scaled_rescaling(A, D, g, "solve_flat"),
                              o, start);
}

template <class S>
SolveResult<S> solve(Method m, const SensingMap<S>& A, const Vec<S>& b, const SolveOptions& o) {
  return m == Method::flat ? solve_flat<S>(A, b, o) : solve_nuclear<S>(A, b, o);
}

namespace solver_detail {
template <class S>
Certificate certify_scaled(const SensingMap<S>& A, const Mat<S>& M, bool symmetric);

// The certificate's conditions are invariant under A -> 2^-g A (y -> 2^g y; sigma_min(J_T) scales
// by 2^-g): it is computed for the map whose largest entry is near 1, so that no Gram sum over-
// or underflows at any scale of the data, with the same bits otherwise.
template <class S> Certificate certify_impl(const SensingMap<S>& A, const Mat<S>& M, bool symmetric) {
  require_shape(M.rows(), M.cols(), A.d1(), A.d2(), "certify: M");
  require_finite(M, "certify: M");
  if (A.m() == 0) throw InvalidArgument("certify: the map has no measurements (m = 0)");
  const std::vector<int> e = A.row_exponents();
  const int g = *std::max_element(e.begin(), e.end());
  if (g == 0) return certify_scaled<S>(A, M, symmetric);
  Certificate c = certify_scaled<S>(A.rows_scaled(std::vector<int>(e.size(), -g)), M, symmetric);
  c.tangent_sigma_min = times_pow2<double>(c.tangent_sigma_min, g);
  return c;
}

template <class S>
Certificate certify_scaled(const SensingMap<S>& A, const Mat<S>& M, bool symmetric) {
  Certificate c;
  const Svd<S> d = svd<S>(M);
  Index r = 0;
  for (Index i = 0; i < d.s.size(); ++i)
    if (d.s(i) > S(1e3) * ScalarTraits<S>::epsilon() * d.s(0)) ++r;
  c.rank = r;
  if (r == 0) throw InvalidArgument("certify: M = 0 (nothing to certify)");
  const Tangent<S> T = tangent_at<S>(Mat<S>(d.U.leftCols(r)), Mat<S>(d.V.leftCols(r)));
  Mat<S> J, W;
  tangent_jacobian<S>(A, T, J, W);
  const S eps = ScalarTraits<S>::epsilon();
  // (divide and conquer: the injectivity test needs O(eps ||J||) accuracy, which it has, and the
  // Jacobi SVD of J was the largest single cost of the A-fig3 sweep)
  const Vec<S> sv = singular_values_dc<S>(J);
  const S jn = sv.size() ? sv(0) : S(0);
  // Symmetric sensing (A_i = x_i x_i^T) sees only the symmetric part of X: the program is over
  // symmetric matrices ((69)), and for symmetric M the tangent space splits into its symmetric
  // part (dim r(r+1)/2 + r(d-r)) and skew part, which every such A annihilates. Injectivity is
  // asked on the symmetric part: sigma_min is the dim(T n Sym)-th singular value of J_T.
  Index need = T.dim();
  if (symmetric) need = symmetric_tangent_dim(A.d1(), r);
  c.tangent_sigma_min = J.rows() >= need && sv.size() >= need ? dbl(sv(need - 1)) : 0.0;
  Vec<S> rhs = Vec<S>::Zero(T.dim());
  Eigen::Map<Mat<S>>(rhs.data(), A.d2(), r) = T.V;
  Eigen::CompleteOrthogonalDecomposition<Mat<S>> codT(J.transpose());
  Vec<S> y = codT.solve(rhs);
  const auto measure = [&](const Vec<S>& yy) {
    const Mat<S> Y = A.adjoint(yy);
    const Mat<S> PtY = T.U * (T.U.transpose() * Y) +
                       (Y - T.U * (T.U.transpose() * Y)) * T.V * T.V.transpose();
    c.equation_residual = dbl(S((PtY - T.U * T.V.transpose()).norm()));
    c.margin = dbl(S(S(1) - operator_norm<S>(Mat<S>(Y - PtY))));
  };
  measure(y);
  if (!(c.margin > 0) && c.tangent_sigma_min > 0) {
    // the minimum-norm dual is not a certificate: search the affine set for one that is
    const Vec<S> zero = Vec<S>::Zero(A.m());
    const AffineProjector<S> proj(A, zero);
    const std::function<Vec<S>(const Vec<S>&)> gs = [&proj](const Vec<S>& v) { return proj.solve_gram(v); };
    const Vec<S> y2 = dual_by_alternating_projections<S>(A, T, J, rhs, y, gs);
    const double keep_margin = c.margin, keep_res = c.equation_residual;
    measure(y2);
    if (c.margin > keep_margin) {
      y = y2;
    } else {
      c.margin = keep_margin;
      c.equation_residual = keep_res;
    }
  }
  const double e = dbl(eps), ny = dbl(S(y.norm())), nj = dbl(jn);
  if (!(c.tangent_sigma_min > 1e3 * e * nj)) {
    c.verdict = Verdict::not_injective;
  } else if (c.equation_residual <= 1e3 * e * (1 + ny * nj) && c.margin > 1e3 * e * (1 + ny * nj)) {
    c.verdict = Verdict::certified;
  } else {
    c.verdict = Verdict::not_certified;
  }
  return c;
}

// certify_flat for As = 2^-g A with Ds its rescaling: the certificate of D1 M D2 for the map
// As(D1^-1 . D2^-1); the verdict and margin do not scale, tangent_sigma_min by 2^g.
template <class S>
Certificate certify_flat_scaled(const SensingMap<S>& As, const Mat<S>& M, int g,
                                const Rescaling<S>& D) {
  const Mat<S> D1i = spd_inverse<S>(D.D1, "D1"), D2i = spd_inverse<S>(D.D2, "D2");
  Certificate c = certify_impl<S>(As.composed(D1i, D2i), Mat<S>(D.D1 * M * D.D2),
                                  As.structure() == Structure::quadratic);
  c.tangent_sigma_min = times_pow2<double>(c.tangent_sigma_min, -g);
  return c;
}
}  // namespace solver_detail

template <class S> Certificate certify(const SensingMap<S>& A, const Mat<S>& M) {
  return solver_detail::certify_impl<S>(A, M, A.structure() == Structure::quadratic);
}

template <class S> Certificate certify_flat(const SensingMap<S>& A, const Mat<S>& M) {
  require_shape(M.rows(), M.cols(), A.d1(), A.d2(), "certify_flat: M");
  require_finite(M, "certify_flat: M");
  if (A.m() == 0) throw InvalidArgument("certify_flat: the map has no measurements (m = 0)");
  // for 2^-g A (largest entry near 1, so that D1 M D2 does not overflow at any scale of A): D and
  // the rescaled map A(D1^-1 . D2^-1) scale by 2^-g and 2^g, the verdict and margin not at all
  const int g = solver_detail::flat_exponent(A);
  const SensingMap<S> As = solver_detail::flat_scaled_map(A, g);
  return solver_detail::certify_flat_scaled<S>(As, M, g, rescaling(As));
}

template <class S>
Certificate certify_flat(const SensingMap<S>& A, const Mat<S>& M, const Rescaling<S>& D) {
  require_shape(M.rows(), M.cols(), A.d1(), A.d2(), "certify_flat: M");
  require_finite(M, "certify_flat: M");
  if (A.m() == 0) throw InvalidArgument("certify_flat: the map has no measurements (m = 0)");
  const int g = solver_detail::flat_exponent(A);
  return solver_detail::certify_flat_scaled<S>(solver_detail::flat_scaled_map(A, g), M, g,
                                               solver_detail::scaled_rescaling(A, D, g, "certify_flat"));
}

template <class S> std::string SolveResult<S>::brief_report() const {
  std::ostringstream os;
  os << method_name(method) << ": " << status_name(status) << ", " << iterations
     << " iterations, rank " << rank << std::scientific << std::setprecision(2) << ", primal "
     << primal_residual << ", dual " << dual_residual << ", gap " << gap << std::defaultfloat
     << std::setprecision(3) << ", " << seconds << " s";
  return os.str();
}

#define FLATMIN_INSTANTIATE_SOLVER(S)                                                           \
  template std::string SolveResult<S>::brief_report() const;                                    \
  template SolveResult<S> solve_nuclear<S>(const SensingMap<S>&, const Vec<S>&, const SolveOptions&); \
  template SolveResult<S> solve_flat<S>(const SensingMap<S>&, const Vec<S>&, const SolveOptions&);    \
  template SolveResult<S> solve_flat<S>(const SensingMap<S>&, const Vec<S>&, const Rescaling<S>&,          \
                                        const SolveOptions&);                                            \
  template SolveResult<S> solve<S>(Method, const SensingMap<S>&, const Vec<S>&, const SolveOptions&); \
  template Certificate certify<S>(const SensingMap<S>&, const Mat<S>&);                        \
  template Certificate certify_flat<S>(const SensingMap<S>&, const Mat<S>&);                           \
  template Certificate certify_flat<S>(const SensingMap<S>&, const Mat<S>&, const Rescaling<S>&);

}  // namespace flatmin
