// flatmin/abs.hpp — |x| for every scalar type flatmin computes in (double, quad, mp50), defined
// once. std::abs is not found by argument-dependent lookup for the Boost.Multiprecision types in
// every context, and where it is found it may return an expression template; this returns S.
// Used by the library, the solvers and the catalogue alike.
#pragma once

namespace flatmin {

template <class S> S abs_of(const S& x) { return x < S(0) ? S(-x) : x; }

}  // namespace flatmin
