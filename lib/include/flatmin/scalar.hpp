// flatmin/scalar.hpp — the scalar types flatmin computes in, and everything numeric about them
// (epsilon, names, printing, exact conversion from double) in one traits class.
//
// Three precisions are supported, and every templated routine of the library is instantiated
// exactly once for each of them inside lib/ (see lib/src/*.cpp):
//   double  IEEE binary64                       (53-bit significand, eps = 2^-52   ~ 2.2e-16)
//   quad    boost::multiprecision::float128     (113-bit significand, eps = 2^-112 ~ 1.9e-34)
//   mp50    MPFR with 50 decimal digits, et_off (~168-bit significand, eps ~ 5.3e-51)
// Random instances are always drawn in double and converted exactly, so an instance is the same
// matrix in every precision and only the arithmetic differs.
#pragma once

#include <boost/multiprecision/float128.hpp>
#include <boost/multiprecision/mpfr.hpp>
#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

namespace flatmin {

using quad = boost::multiprecision::float128;
using mp50 = boost::multiprecision::number<boost::multiprecision::mpfr_float_backend<50>,
                                           boost::multiprecision::et_off>;

template <class S> using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S> using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;
using Index = Eigen::Index;

// Every error a caller can cause (wrong dimensions, non-finite data, a parameter out of range)
// is reported by throwing InvalidArgument with a message naming the argument; never an assert.
struct InvalidArgument : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Runtime name of a precision, as accepted on the command line.
enum class Precision { binary64, quad, mp50 };
Precision parse_precision(const std::string& name);  // throws InvalidArgument
const char* precision_name(Precision p);
// False in a build configured with FLATMIN_EXTENDED_PRECISION=OFF (double only).
constexpr bool has_extended_precision() {
#ifdef FLATMIN_DOUBLE_ONLY
  return false;
#else
  return true;
#endif
}

template <class S> struct ScalarTraits;

template <> struct ScalarTraits<double> {
  static constexpr Precision precision = Precision::binary64;
  static constexpr const char* name = "double";
  static double epsilon() { return std::numeric_limits<double>::epsilon(); }
  static int digits10() { return 17; }  // digits that round-trip
};
template <> struct ScalarTraits<quad> {
  static constexpr Precision precision = Precision::quad;
  static constexpr const char* name = "quad";
  static quad epsilon() { return std::numeric_limits<quad>::epsilon(); }
  static int digits10() { return 36; }
};
template <> struct ScalarTraits<mp50> {
  static constexpr Precision precision = Precision::mp50;
  static constexpr const char* name = "mp50";
  static mp50 epsilon() { return std::numeric_limits<mp50>::epsilon(); }
  static int digits10() { return 52; }
};

// Conversions. from_double is exact for all three types; to_double rounds to nearest.
template <class S> inline S from_double(double x) { return S(x); }
template <class S> inline double to_double(const S& x) { return static_cast<double>(x); }
template <class S> inline double epsilon_of() { return to_double(ScalarTraits<S>::epsilon()); }

template <class S> inline bool is_finite(const S& x) {
  using std::isfinite;
  using boost::multiprecision::isfinite;
  return isfinite(x);
}

// Powers of two, exact in every type (barring under- and overflow): exponent_of(x) = e with
// |x| = f 2^e, f in [1/2, 1) (0 for x = 0); times_pow2(x, e) = x 2^e; times_pow2_each(X, e) for
// every entry of a matrix or vector.
template <class S> inline int exponent_of(const S& x) {
  using std::frexp;
  int e = 0;
  if (x != S(0)) frexp(x, &e);
  return e;
}
template <class S> inline S times_pow2(const S& x, int e) {
  using std::ldexp;
  return S(ldexp(x, e));
}
template <class Derived>
auto times_pow2_each(const Eigen::MatrixBase<Derived>& X, int e) {
  using S = typename Derived::Scalar;
  return X.unaryExpr([e](const S& v) { return times_pow2<S>(v, e); }).eval();
}

template <class S> std::string to_string(const S& x, int digits = ScalarTraits<S>::digits10()) {
  std::ostringstream os;
  os.precision(digits);
  os << x;
  return os.str();
}

// Exact conversion of a double matrix (every double is representable in quad and mp50).
template <class S> Mat<S> cast_matrix(const Mat<double>& X) { return X.template cast<S>(); }
template <class S> Vec<S> cast_vector(const Vec<double>& x) { return x.template cast<S>(); }

// Argument checks shared by every public entry point.
template <class Derived>
void require_finite(const Eigen::MatrixBase<Derived>& X, const char* what) {
  for (Index j = 0; j < X.cols(); ++j)
    for (Index i = 0; i < X.rows(); ++i)
      if (!is_finite(X(i, j)))
        throw InvalidArgument(std::string(what) + ": entry (" + std::to_string(i) + ", " +
                              std::to_string(j) + ") is not finite");
}
inline void require_shape(Index rows, Index cols, Index want_rows, Index want_cols,
                          const char* what) {
  if (rows != want_rows || cols != want_cols)
    throw InvalidArgument(std::string(what) + ": expected a " + std::to_string(want_rows) + " x " +
                          std::to_string(want_cols) + " matrix, got " + std::to_string(rows) +
                          " x " + std::to_string(cols));
}

}  // namespace flatmin

// Applies MACRO to each scalar type the library is instantiated for. A build configured with
// -DFLATMIN_EXTENDED_PRECISION=OFF (the sanitizer build of ci/test.sh, which runs the
// double-precision properties) defines FLATMIN_DOUBLE_ONLY and instantiates double alone: a
// third of the compile time. Asking such a build for quad or mp50 is an InvalidArgument.
#ifdef FLATMIN_DOUBLE_ONLY
#define FLATMIN_FOR_EACH_SCALAR(MACRO) MACRO(double)
#else
#define FLATMIN_FOR_EACH_SCALAR(MACRO) \
  MACRO(double)                        \
  MACRO(::flatmin::quad)               \
  MACRO(::flatmin::mp50)
#endif
