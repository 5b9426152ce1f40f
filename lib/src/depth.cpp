// Definitions of flatmin/depth.hpp.
#include "flatmin/depth.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "flatmin/abs.hpp"
#include "flatmin/objective.hpp"

namespace flatmin {

namespace {
template <class S> S pow_of(const S& x, const S& q) {
  using std::pow;
  return S(pow(x, q));
}

// Validates the factors and returns n.
template <class S> Index check_factors(const HadamardFactors<S>& v, const char* fn) {
  const std::string f(fn);
  if (v.empty()) throw InvalidArgument(f + ": need at least one factor (k >= 1)");
  const Index n = v.front().size();
  for (std::size_t l = 0; l < v.size(); ++l) {
    if (v[l].size() != n)
      throw InvalidArgument(f + ": factor " + std::to_string(l + 1) + " has length " +
                            std::to_string(v[l].size()) + ", expected n = " + std::to_string(n));
    require_finite(v[l], (f + ": factor " + std::to_string(l + 1)).c_str());
  }
  return n;
}

template <class S> void check_system(const Mat<S>& A, const Vec<S>& b, Index n, const char* fn) {
  const std::string f(fn);
  if (A.rows() < 1) throw InvalidArgument(f + ": A needs at least one row (m >= 1)");
  if (A.cols() != n)
    throw InvalidArgument(f + ": A has " + std::to_string(A.cols()) +
                          " columns, the factors have length n = " + std::to_string(n));
  if (b.size() != A.rows())
    throw InvalidArgument(f + ": b has length " + std::to_string(b.size()) + ", expected m = " +
                          std::to_string(A.rows()));
  require_finite(A, (f + ": A").c_str());
  require_finite(b, (f + ": b").c_str());
}

template <class S> S loss_unchecked(const Mat<S>& A, const Vec<S>& b, const HadamardFactors<S>& v) {
  Vec<S> x = v.front();
  for (std::size_t l = 1; l < v.size(); ++l) x = x.cwiseProduct(v[l]);
  return (A * x - b).squaredNorm() / S(A.rows());
}
}  // namespace

template <class S> Vec<S> hadamard_product(const HadamardFactors<S>& v) {
  check_factors(v, "hadamard_product");
  Vec<S> x = v.front();
  for (std::size_t l = 1; l < v.size(); ++l) x = x.cwiseProduct(v[l]);
  return x;
}

template <class S> S hadamard_loss(const Mat<S>& A, const Vec<S>& b, const HadamardFactors<S>& v) {
  const Index n = check_factors(v, "hadamard_loss");
  check_system(A, b, n, "hadamard_loss");
  return loss_unchecked(A, b, v);
}

template <class S>
S hadamard_trace_definition(const Mat<S>& A, const Vec<S>& b, const HadamardFactors<S>& v) {
  const Index n = check_factors(v, "hadamard_trace_definition");
  check_system(A, b, n, "hadamard_trace_definition");
  HadamardFactors<S> w = v;
  S sum(0);
  for (std::size_t l = 0; l < w.size(); ++l)
    for (Index j = 0; j < n; ++j) {
      const S base = w[l](j);
      std::function<S(const S&)> p = [&](const S& t) {
        w[l](j) = base + t;
        return loss_unchecked(A, b, w);
      };
      sum += second_derivative_along<S>(p, S(1));
      w[l](j) = base;
    }
  return sum;
}

template <class S> Vec<S> hadamard_weights(const Mat<S>& A) {
  if (A.rows() < 1) throw InvalidArgument("hadamard_weights: A needs at least one row (m >= 1)");
  require_finite(A, "hadamard_weights: A");
  Vec<S> w(A.cols());
  for (Index j = 0; j < A.cols(); ++j) w(j) = A.col(j).squaredNorm() / S(A.rows());
  return w;
}

template <class S> S hadamard_trace_closed(const Mat<S>& A, const HadamardFactors<S>& v) {
  const Index n = check_factors(v, "hadamard_trace_closed");
  if (A.cols() != n)
    throw InvalidArgument("hadamard_trace_closed: A has " + std::to_string(A.cols()) +
                          " columns, the factors have length n = " + std::to_string(n));
  const Vec<S> w = hadamard_weights(A);
  S sum(0);
  for (Index j = 0; j < n; ++j) {
    S inner(0);
    for (std::size_t l = 0; l < v.size(); ++l) {
      S prod(1);
      for (std::size_t l2 = 0; l2 < v.size(); ++l2)
        if (l2 != l) prod *= v[l2](j) * v[l2](j);
      inner += prod;
    }
    sum += w(j) * inner;
  }
  return S(2) * sum;
}

template <class S> S depth_exponent(Index k) {
  if (k < 1) throw InvalidArgument("depth_exponent: k must be at least 1");
  return S(2 * (k - 1)) / S(k);
}

template <class S> S weighted_lq_penalty(const Vec<S>& w, const Vec<S>& x, const S& q) {
  if (w.size() != x.size())
    throw InvalidArgument("weighted_lq_penalty: w has length " + std::to_string(w.size()) +
                          ", x has length " + std::to_string(x.size()));
  if (!is_finite(q) || !(q > S(0)))
    throw InvalidArgument("weighted_lq_penalty: q must be positive and finite");
  require_finite(w, "weighted_lq_penalty: w");
  require_finite(x, "weighted_lq_penalty: x");
  S sum(0);
  for (Index j = 0; j < x.size(); ++j) {
    if (w(j) < S(0))
      throw InvalidArgument("weighted_lq_penalty: weight " + std::to_string(j) + " is negative");
    const S a = abs_of(x(j));
    S term;
    if (a == S(0))
      term = S(0);
    else if (q == S(1))
      term = a;
    else if (q == S(2))
      term = a * a;
    else
      term = pow_of(a, q);
    sum += w(j) * term;
  }
  return sum;
}

template <class S> S depth_penalty(const Mat<S>& A, const Vec<S>& x, Index k) {
  if (k < 2) throw InvalidArgument("depth_penalty: depth k must be at least 2");
  if (A.cols() != x.size())
    throw InvalidArgument("depth_penalty: A has " + std::to_string(A.cols()) +
                          " columns, x has length " + std::to_string(x.size()));
  return weighted_lq_penalty<S>(hadamard_weights(A), x, depth_exponent<S>(k));
}

template <class S> S depth_trace_lower_bound(const Mat<S>& A, const Vec<S>& x, Index k) {
  return S(2 * k) * depth_penalty(A, x, k);
}

template <class S> HadamardFactors<S> balanced_hadamard_factors(const Vec<S>& x, Index k) {
  if (k < 1) throw InvalidArgument("balanced_hadamard_factors: k must be at least 1");
  require_finite(x, "balanced_hadamard_factors: x");
  Vec<S> root(x.size());
  for (Index j = 0; j < x.size(); ++j) {
    const S a = abs_of(x(j));
    using std::sqrt;
    if (a == S(0) || k == 1)
      root(j) = a;
    else if (k == 2)
      root(j) = S(sqrt(a));
    else if (k == 4)
      root(j) = S(sqrt(S(sqrt(a))));
    else
      root(j) = pow_of(a, S(S(1) / S(k)));
  }
  HadamardFactors<S> v(static_cast<std::size_t>(k), root);
  for (Index j = 0; j < x.size(); ++j)
    if (x(j) < S(0)) v.front()(j) = -root(j);
  return v;
}

template <class S>
HadamardFactors<S> complete_hadamard_factors(const Vec<S>& x, const HadamardFactors<S>& tail) {
  require_finite(x, "complete_hadamard_factors: x");
  Vec<S> prod = Vec<S>::Ones(x.size());
  if (!tail.empty()) {
    const Index n = check_factors(tail, "complete_hadamard_factors");
    if (n != x.size())
      throw InvalidArgument("complete_hadamard_factors: the tail factors have length " +
                            std::to_string(n) + ", x has length " + std::to_string(x.size()));
    prod = hadamard_product(tail);
  }
  HadamardFactors<S> v;
  v.reserve(tail.size() + 1);
  Vec<S> first(x.size());
  for (Index j = 0; j < x.size(); ++j) {
    if (prod(j) == S(0) || !is_finite(prod(j)))
      throw InvalidArgument("complete_hadamard_factors: the tail product vanishes at entry " +
                            std::to_string(j));
    first(j) = x(j) / prod(j);
  }
  v.push_back(first);
  for (const Vec<S>& t : tail) v.push_back(t);
  return v;
}

Vec<double> sparse_vector(Rng& rng, Index n, Index s) {
  if (n < 0 || s < 0 || s > n)
    throw InvalidArgument("sparse_vector: need 0 <= s <= n, got n = " + std::to_string(n) +
                          ", s = " + std::to_string(s));
  std::vector<Index> perm(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) perm[std::size_t(i)] = i;
  for (Index i = n - 1; i >= 1; --i) {
    const Index j = Index(rng.below(std::uint64_t(i + 1)));
    std::swap(perm[std::size_t(i)], perm[std::size_t(j)]);
  }
  Vec<double> chosen = Vec<double>::Zero(n);  // support indicator
  for (Index i = 0; i < s; ++i) chosen(perm[std::size_t(i)]) = 1.0;
  Vec<double> x = Vec<double>::Zero(n);
  for (Index i = 0; i < n; ++i)
    if (chosen(i) != 0.0) x(i) = rng.normal();
  return x;
}

#define FLATMIN_INSTANTIATE_DEPTH(S)                                                            \
  template Vec<S> hadamard_product<S>(const HadamardFactors<S>&);                               \
  template S hadamard_loss<S>(const Mat<S>&, const Vec<S>&, const HadamardFactors<S>&);         \
  template S hadamard_trace_definition<S>(const Mat<S>&, const Vec<S>&,                         \
                                          const HadamardFactors<S>&);                           \
  template Vec<S> hadamard_weights<S>(const Mat<S>&);                                           \
  template S hadamard_trace_closed<S>(const Mat<S>&, const HadamardFactors<S>&);                \
  template S depth_exponent<S>(Index);                                                          \
  template S weighted_lq_penalty<S>(const Vec<S>&, const Vec<S>&, const S&);                    \
  template S depth_penalty<S>(const Mat<S>&, const Vec<S>&, Index);                             \
  template S depth_trace_lower_bound<S>(const Mat<S>&, const Vec<S>&, Index);                   \
  template HadamardFactors<S> balanced_hadamard_factors<S>(const Vec<S>&, Index);               \
  template HadamardFactors<S> complete_hadamard_factors<S>(const Vec<S>&,                       \
                                                           const HadamardFactors<S>&);
FLATMIN_FOR_EACH_SCALAR(FLATMIN_INSTANTIATE_DEPTH)

}  // namespace flatmin
