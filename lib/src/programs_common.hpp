// Shared by the programs of flatmin/programs.hpp (programs_lq.hpp, programs_noisy.hpp): the
// scalar helpers and the scale-free form from the solver (solver_common.hpp).
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <Eigen/QR>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "flatmin/linalg.hpp"
#include "flatmin/programs.hpp"
#include "solver_common.hpp"

namespace flatmin {
namespace programs_detail {

using solver_detail::dbl;
using solver_detail::default_tol;
using solver_detail::scale_back;
using solver_detail::scale_free;
using solver_detail::ScaleFree;
using solver_detail::unit_exponent;
using Clock = std::chrono::steady_clock;

template <class S> S rel(const S& num, const S& scale) { return num / std::max<S>(S(1), scale); }
template <class S> S sign_of(const S& x) { return x > S(0) ? S(1) : (x < S(0) ? S(-1) : S(0)); }
template <class S> S pow_s(const S& x, const S& p) {
  using std::pow;
  return S(pow(x, p));
}
template <class S> S sqrt_s(const S& x) {
  using std::sqrt;
  return S(sqrt(x));
}
template <class S> double seconds_since(const Clock::time_point& t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
// The feasibility margin of solver_impl.hpp's admm: sqrt(max(tol, 1e3 eps m)).
template <class S> double feasibility_margin(double tol, Index m) {
  return std::sqrt(std::max(tol, 1e3 * epsilon_of<S>() * double(m)));
}

}  // namespace programs_detail
}  // namespace flatmin
