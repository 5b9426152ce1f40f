#include "flatmin/objective.hpp"

#include <algorithm>
#include <cmath>

#include "flatmin/linalg.hpp"

namespace flatmin {

template <class S> S second_derivative_along(const std::function<S(const S&)>& p, const S& h) {
  const S p0 = p(S(0)), p1 = p(h), m1 = p(-h), p2 = p(S(2) * h), m2 = p(S(-2) * h);
  return (S(16) * (p1 + m1) - (p2 + m2) - S(30) * p0) / (S(12) * h * h);
}

template <class S> S first_derivative_along(const std::function<S(const S&)>& p, const S& h) {
  const S p1 = p(h), m1 = p(-h), p2 = p(S(2) * h), m2 = p(S(-2) * h);
  return (S(8) * (p1 - m1) - (p2 - m2)) / (S(12) * h);
}

namespace {
template <class S> void check_factors(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& L,
                                      const Mat<S>& R, const char* fn) {
  const std::string f(fn);
  if (L.rows() != A.d1() || R.rows() != A.d2() || L.cols() != R.cols())
    throw InvalidArgument(f + ": L must be d1 x k and R d2 x k with d1 = " +
                          std::to_string(A.d1()) + ", d2 = " + std::to_string(A.d2()) +
                          "; got L " + std::to_string(L.rows()) + " x " +
                          std::to_string(L.cols()) + ", R " + std::to_string(R.rows()) + " x " +
                          std::to_string(R.cols()));
  if (b.size() != A.m())
    throw InvalidArgument(f + ": b has length " + std::to_string(b.size()) + ", expected m = " +
                          std::to_string(A.m()));
  require_finite(L, (f + ": L").c_str());
  require_finite(R, (f + ": R").c_str());
  require_finite(b, (f + ": b").c_str());
}
template <class S> void check_sym(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& U1,
                                  const Mat<S>& U2, const char* fn) {
  const std::string f(fn);
  if (A.d1() != A.d2() || U1.rows() != A.d1() || U2.rows() != A.d1())
    throw InvalidArgument(f + ": needs a square map and U1, U2 with d rows");
  if (b.size() != A.m()) throw InvalidArgument(f + ": b must have length m");
  require_finite(U1, (f + ": U1").c_str());
  require_finite(U2, (f + ": U2").c_str());
}
}  // namespace

template <class S>
S loss(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& L, const Mat<S>& R) {
  check_factors(A, b, L, R, "loss");
  return (A.apply(L * R.transpose()) - b).squaredNorm();
}

template <class S>
Factors<S> gradient(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& L, const Mat<S>& R) {
  check_factors(A, b, L, R, "gradient");
  const Mat<S> G = A.adjoint(A.apply(L * R.transpose()) - b);
  return {S(2) * G * R, S(2) * G.transpose() * L};
}

template <class S>
S hessian_form(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& L, const Mat<S>& R,
               const Mat<S>& U, const Mat<S>& V) {
  check_factors(A, b, L, R, "hessian_form");
  require_shape(U.rows(), U.cols(), L.rows(), L.cols(), "hessian_form: U");
  require_shape(V.rows(), V.cols(), R.rows(), R.cols(), "hessian_form: V");
  const Vec<S> r = A.apply(L * R.transpose()) - b;
  return S(4) * r.dot(A.apply(U * V.transpose())) +
         S(2) * A.apply(L * V.transpose() + U * R.transpose()).squaredNorm();
}

template <class S>
S hessian_form_definition(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& L,
                          const Mat<S>& R, const Mat<S>& U, const Mat<S>& V) {
  check_factors(A, b, L, R, "hessian_form_definition");
  require_shape(U.rows(), U.cols(), L.rows(), L.cols(), "hessian_form_definition: U");
  require_shape(V.rows(), V.cols(), R.rows(), R.cols(), "hessian_form_definition: V");
  std::function<S(const S&)> p = [&](const S& t) {
    return (A.apply((L + t * U) * (R + t * V).transpose()) - b).squaredNorm();
  };
  return second_derivative_along<S>(p, S(1));
}

template <class S>
S scaled_trace_definition(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& L,
                          const Mat<S>& R) {
  check_factors(A, b, L, R, "scaled_trace_definition");
  const Index k = L.cols();
  S sum_L(0), sum_R(0);
  Mat<S> Lt = L, Rt = R;
  for (Index j = 0; j < k; ++j) {
    for (Index i = 0; i < L.rows(); ++i) {
      const S base = L(i, j);
      std::function<S(const S&)> p = [&](const S& t) {
        Lt(i, j) = base + t;
        return (A.apply(Lt * R.transpose()) - b).squaredNorm();
      };
      sum_L += second_derivative_along<S>(p, S(1));
      Lt(i, j) = base;
    }
    for (Index i = 0; i < R.rows(); ++i) {
      const S base = R(i, j);
      std::function<S(const S&)> p = [&](const S& t) {
        Rt(i, j) = base + t;
        return (A.apply(L * Rt.transpose()) - b).squaredNorm();
      };
      sum_R += second_derivative_along<S>(p, S(1));
      Rt(i, j) = base;
    }
  }
  return sum_L / S(A.d1()) + sum_R / S(A.d2());
}

template <class S>
S scaled_trace_closed(const SensingMap<S>& A, const Rescaling<S>& D, const Mat<S>& L,
                      const Mat<S>& R) {
  require_shape(D.D1.rows(), D.D1.cols(), A.d1(), A.d1(), "scaled_trace_closed: D1");
  require_shape(D.D2.rows(), D.D2.cols(), A.d2(), A.d2(), "scaled_trace_closed: D2");
  if (L.rows() != A.d1() || R.rows() != A.d2() || L.cols() != R.cols())
    throw InvalidArgument("scaled_trace_closed: L must be d1 x k and R d2 x k");
  return S(2) * S(A.m()) * ((D.D1 * L).squaredNorm() + (D.D2 * R).squaredNorm());
}

template <class S>
S sym_loss(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& U1, const Mat<S>& U2) {
  check_sym(A, b, U1, U2, "sym_loss");
  if (A.m() == 0) throw InvalidArgument("sym_loss: m = 0");
  return (A.apply(U1 * U1.transpose() - U2 * U2.transpose()) - b).squaredNorm() / S(A.m());
}

template <class S>
S sym_trace_definition(const SensingMap<S>& A, const Vec<S>& b, const Mat<S>& U1,
                       const Mat<S>& U2) {
  check_sym(A, b, U1, U2, "sym_trace_definition");
  S sum(0);
  Mat<S> V1 = U1, V2 = U2;
  for (int block = 0; block < 2; ++block) {
    Mat<S>& V = block == 0 ? V1 : V2;
    for (Index j = 0; j < V.cols(); ++j)
      for (Index i = 0; i < V.rows(); ++i) {
        const S base = V(i, j);
        std::function<S(const S&)> p = [&](const S& t) {
          V(i, j) = base + t;
          return sym_loss(A, b, V1, V2);
        };
        sum += second_derivative_along<S>(p, S(1));
        V(i, j) = base;
      }
  }
  return sum;
}

// A Lemma 7.2 (64) with the constant corrected from 4d to 8d. For a coordinate direction
// V1 = e_i e_j^T (U2 fixed) the first-order change of U1 U1^T is Z = U1 e_j e_i^T + e_i e_j^T U1^T,
// and since A_l = x_l x_l^T is symmetric <A_l, Z> = 2 <A_l, U1 e_j e_i^T> = 2 (A_l U1)_{ij}, so
// ||A(Z)||^2 = 4 sum_l (A_l U1)_{ij}^2 (the proof's (66) writes 2). Summing over (i, j):
// 4 sum_l ||A_l U1||_F^2 = 4 tr(U1^T (sum_l A_l^2) U1) = 4 m d ||D U1||_F^2, and with the factor
// 2/m of the second derivative the trace is 8 d (||D U1||^2 + ||D U2||^2). Checked against
// sym_trace_definition by the catalogue row A.L7.2 (which uses the printed 4d as its negative
// control), and by hand for d = m = k1 = 1, x = 1: f(u) = (u^2 - b)^2, f''(u) = 12u^2 - 4b = 8u^2
// at u^2 = b.
template <class S>
S sym_trace_closed(const SensingMap<S>& A, const Mat<S>& D, const Mat<S>& U1, const Mat<S>& U2) {
  require_shape(D.rows(), D.cols(), A.d1(), A.d1(), "sym_trace_closed: D");
  if (A.d1() != A.d2() || U1.rows() != A.d1() || U2.rows() != A.d1())
    throw InvalidArgument("sym_trace_closed: needs a square map and U1, U2 with d = " +
                          std::to_string(A.d1()) + " rows; got U1 " + std::to_string(U1.rows()) +
                          " x " + std::to_string(U1.cols()) + ", U2 " +
                          std::to_string(U2.rows()) + " x " + std::to_string(U2.cols()));
  require_finite(D, "sym_trace_closed: D");
  require_finite(U1, "sym_trace_closed: U1");
  require_finite(U2, "sym_trace_closed: U2");
  return S(8) * S(A.d1()) * ((D * U1).squaredNorm() + (D * U2).squaredNorm());
}

template <class S> S network_output(const Mat<S>& U1, const Mat<S>& U2, const Vec<S>& x) {
  if (U1.rows() != x.size() || U2.rows() != x.size())
    throw InvalidArgument("network_output: U1 (" + std::to_string(U1.rows()) + " rows) and U2 (" +
                          std::to_string(U2.rows()) + " rows) must have as many rows as x has "
                          "entries (" + std::to_string(x.size()) + ")");
  return (U1.transpose() * x).squaredNorm() - (U2.transpose() * x).squaredNorm();
}

template <class S>
S network_loss(const Mat<S>& U1, const Mat<S>& U2, const Mat<S>& X, const Vec<S>& y) {
  if (X.rows() != y.size() || X.rows() == 0)
    throw InvalidArgument("network_loss: need m >= 1 inputs (rows of X) and m labels; got " +
                          std::to_string(X.rows()) + " inputs and " + std::to_string(y.size()) +
                          " labels");
  if (U1.rows() != X.cols() || U2.rows() != X.cols())
    throw InvalidArgument("network_loss: U1 and U2 must have d = " + std::to_string(X.cols()) +
                          " rows (the input dimension, columns of X); got " +
                          std::to_string(U1.rows()) + " and " + std::to_string(U2.rows()));
  require_finite(U1, "network_loss: U1");
  require_finite(U2, "network_loss: U2");
  require_finite(X, "network_loss: X");
  require_finite(y, "network_loss: y");
  S acc(0);
  for (Index i = 0; i < X.rows(); ++i) {
    const S e = network_output<S>(U1, U2, X.row(i).transpose()) - y(i);
    acc += e * e;
  }
  return acc / S(X.rows());
}

namespace {
template <class S> Index numerical_rank(const Vec<S>& s) {
  if (s.size() == 0 || !(s(0) > S(0))) return 0;
  const S tol = S(kRankTolEps) * ScalarTraits<S>::epsilon() * s(0);
  Index r = 0;
  while (r < s.size() && s(r) > tol) ++r;
  return r;
}
template <class S> Mat<S> pad_columns(const Mat<S>& X, Index k) {
  Mat<S> out = Mat<S>::Zero(X.rows(), k);
  const Index c = std::min(k, X.cols());
  out.leftCols(c) = X.leftCols(c);
  return out;
}
}  // namespace

template <class S> Factors<S> svd_factors(const Mat<S>& X, Index k) {
  if (k < 0) throw InvalidArgument("svd_factors: k must be non-negative");
  Svd<S> d = svd(X);
  const Index r = numerical_rank<S>(d.s);
  if (r > k)
    throw InvalidArgument("svd_factors: rank(X) = " + std::to_string(r) + " exceeds k = " +
                          std::to_string(k));
  Vec<S> root = d.s.head(r).cwiseSqrt();
  return {pad_columns<S>(d.U.leftCols(r) * root.asDiagonal(), k),
          pad_columns<S>(d.V.leftCols(r) * root.asDiagonal(), k)};
}

template <class S> Factors<S> flat_factors(const Mat<S>& X, const Rescaling<S>& D, Index k) {
  require_shape(D.D1.rows(), D.D1.cols(), X.rows(), X.rows(), "flat_factors: D1");
  require_shape(D.D2.rows(), D.D2.cols(), X.cols(), X.cols(), "flat_factors: D2");
  Factors<S> f = svd_factors(X, k);
  return {spd_inverse<S>(D.D1, "flat_factors: D1") * f.L,
          spd_inverse<S>(D.D2, "flat_factors: D2") * f.R};
}

template <class S> SymFactors<S> sym_factors(const Mat<S>& X, Index k1, Index k2) {
  if (k1 < 0 || k2 < 0)
    throw InvalidArgument("sym_factors: k1 = " + std::to_string(k1) + " and k2 = " +
                          std::to_string(k2) + " must be non-negative");
  if (X.rows() != X.cols())
    throw InvalidArgument("sym_factors: X must be square, got " + std::to_string(X.rows()) +
                          " x " + std::to_string(X.cols()));
  require_finite(X, "sym_factors: X");
  if (!(X - X.transpose()).isZero(S(0)))
    throw InvalidArgument(
        "sym_factors: X must be exactly symmetric (symmetrise (X + X^T)/2 first)");
  SymEig<S> e = sym_eig(X);
  S scale(0);
  for (Index i = 0; i < e.lambda.size(); ++i) {
    using std::abs;
    scale = std::max<S>(scale, S(abs(e.lambda(i))));
  }
  const S tol = S(kRankTolEps) * ScalarTraits<S>::epsilon() * scale;
  std::vector<Index> pos, neg;
  for (Index i = e.lambda.size() - 1; i >= 0; --i)
    if (e.lambda(i) > tol) pos.push_back(i);
  for (Index i = 0; i < e.lambda.size(); ++i)
    if (e.lambda(i) < -tol) neg.push_back(i);
  if (Index(pos.size()) > k1 || Index(neg.size()) > k2)
    throw InvalidArgument("sym_factors: X has " + std::to_string(pos.size()) + " positive and " +
                          std::to_string(neg.size()) + " negative eigenvalues; k1 = " +
                          std::to_string(k1) + ", k2 = " + std::to_string(k2) +
                          " cannot hold them (A Lemma 7.3)");
  SymFactors<S> f{Mat<S>::Zero(X.rows(), k1), Mat<S>::Zero(X.rows(), k2)};
  using std::sqrt;
  for (std::size_t c = 0; c < pos.size(); ++c)
    f.U1.col(Index(c)) = e.P.col(pos[c]) * S(sqrt(e.lambda(pos[c])));
  for (std::size_t c = 0; c < neg.size(); ++c)
    f.U2.col(Index(c)) = e.P.col(neg[c]) * S(sqrt(S(-e.lambda(neg[c]))));
  return f;
}

template <class S>
SymFactors<S> flat_sym_factors(const Mat<S>& X, const Mat<S>& D, Index k1, Index k2) {
  require_shape(D.rows(), D.cols(), X.rows(), X.rows(), "flat_sym_factors: D");
  require_finite(D, "flat_sym_factors: D");
  // Theorem 7.5 assumes D invertible. spd_inverse only refuses a non-positive smallest
  // eigenvalue, but a D that is singular up to rounding has a tiny positive one and would give
  // huge factors. D of (63) is the square root of a Gram matrix, whose rounding (eps relative)
  // becomes sqrt(eps) in D (m < d inputs: lambda_min(D) ~ 1e-8, cond ~ 1e9 in double), so the
  // rank tolerance of the factor maps is applied to D^2: refuse when
  // cond(D)^2 >= 1 / (kRankTolEps eps)  (cond(D) >= 2.1e6 in double, 2.3e15 in quad).
  const S cond = spd_condition<S>(D);
  if (!(cond * cond * S(kRankTolEps) * ScalarTraits<S>::epsilon() < S(1)))
    throw InvalidArgument("flat_sym_factors: D is singular to working precision (condition "
                          "number " + to_string(cond, 6) + "); A Theorem 7.5 needs D invertible");
  SymFactors<S> f = sym_factors(X, k1, k2);
  const Mat<S> Dinv = spd_inverse<S>(D, "flat_sym_factors: D");
  return {Dinv * f.U1, Dinv * f.U2};
}

template <class S> Inertia inertia(const Mat<S>& X, const S& tol) {
  if (X.rows() != X.cols())
    throw InvalidArgument("inertia: X must be square, got " + std::to_string(X.rows()) + " x " +
                          std::to_string(X.cols()));
  if (!is_finite(tol) || tol < S(0))
    throw InvalidArgument("inertia: tol must be finite and non-negative");
  SymEig<S> e = sym_eig(X);
  Inertia in;
  for (Index i = 0; i < e.lambda.size(); ++i) {
    if (e.lambda(i) > tol) ++in.positive;
    if (e.lambda(i) < -tol) ++in.negative;
  }
  return in;
}

template <class S> S factor_norm_sq(const Mat<S>& L, const Mat<S>& R) {
  return L.squaredNorm() + R.squaredNorm();
}

template <class S> S balance_gap(const Mat<S>& L, const Mat<S>& R) {
  if (L.cols() != R.cols()) throw InvalidArgument("balance_gap: L and R need the same k");
  const Mat<S> G = L.transpose() * L - R.transpose() * R;
  return nuclear_norm<S>(G);
}

#define FLATMIN_INSTANTIATE_OBJECTIVE(S)                                                       \
  template S second_derivative_along<S>(const std::function<S(const S&)>&, const S&);         \
  template S first_derivative_along<S>(const std::function<S(const S&)>&, const S&);          \
  template S loss<S>(const SensingMap<S>&, const Vec<S>&, const Mat<S>&, const Mat<S>&);       \
  template Factors<S> gradient<S>(const SensingMap<S>&, const Vec<S>&, const Mat<S>&,          \
                                  const Mat<S>&);                                              \
  template S hessian_form<S>(const SensingMap<S>&, const Vec<S>&, const Mat<S>&,               \
                             const Mat<S>&, const Mat<S>&, const Mat<S>&);                     \
  template S hessian_form_definition<S>(const SensingMap<S>&, const Vec<S>&, const Mat<S>&,    \
                                        const Mat<S>&, const Mat<S>&, const Mat<S>&);          \
  template S scaled_trace_definition<S>(const SensingMap<S>&, const Vec<S>&, const Mat<S>&,    \
                                        const Mat<S>&);                                        \
  template S scaled_trace_closed<S>(const SensingMap<S>&, const Rescaling<S>&, const Mat<S>&,  \
                                    const Mat<S>&);                                            \
  template S sym_loss<S>(const SensingMap<S>&, const Vec<S>&, const Mat<S>&, const Mat<S>&);   \
  template S sym_trace_definition<S>(const SensingMap<S>&, const Vec<S>&, const Mat<S>&,       \
                                     const Mat<S>&);                                           \
  template S sym_trace_closed<S>(const SensingMap<S>&, const Mat<S>&, const Mat<S>&,           \
                                 const Mat<S>&);                                               \
  template S network_output<S>(const Mat<S>&, const Mat<S>&, const Vec<S>&);                   \
  template S network_loss<S>(const Mat<S>&, const Mat<S>&, const Mat<S>&, const Vec<S>&);      \
  template Factors<S> svd_factors<S>(const Mat<S>&, Index);                                    \
  template Factors<S> flat_factors<S>(const Mat<S>&, const Rescaling<S>&, Index);              \
  template SymFactors<S> sym_factors<S>(const Mat<S>&, Index, Index);                          \
  template SymFactors<S> flat_sym_factors<S>(const Mat<S>&, const Mat<S>&, Index, Index);      \
  template Inertia inertia<S>(const Mat<S>&, const S&);                                        \
  template S factor_norm_sq<S>(const Mat<S>&, const Mat<S>&);                                  \
  template S balance_gap<S>(const Mat<S>&, const Mat<S>&);
FLATMIN_FOR_EACH_SCALAR(FLATMIN_INSTANTIATE_OBJECTIVE)

}  // namespace flatmin
