// The one-dimensional searches of the solvers and of the deep-network optimiser: the halving
// line search (backtrack) and the golden-section search for the minimum of a convex function of
// one variable (golden_section). Header-only: each caller instantiates them for its scalar type.
#pragma once

namespace flatmin {
namespace search1d {

// The halving line search: accept(a) for a = a0, a0/2, ..., a0/2^max_halvings, stopping at the
// first step it accepts (accept evaluates the trial point and keeps what it needs). True then,
// with `a` the accepted step; false when every step was refused (then a = a0/2^(max_halvings+1)).
template <class S, class Accept> bool backtrack(S& a, int max_halvings, Accept&& accept) {
  for (int h = 0; h <= max_halvings; ++h, a /= S(2))
    if (accept(static_cast<const S&>(a))) return true;
  return false;
}

// On which side the golden section keeps the bracket when f(x1) and f(x2) are equal.
enum class Ties { keep_right, keep_left };

template <class S> struct GoldenMinimum {
  S x;   // the better of the last two interior points
  S fx;  // f(x)
};

// Golden-section search for the minimum of a convex f on [lo, hi]: two interior points
// x1 = hi - ratio (hi - lo) < x2 = lo + ratio (hi - lo), ratio = (sqrt 5 - 1)/2; each of the
// `sections` steps drops the end beyond the worse point (ties: `ties`), so the bracket shrinks by
// the ratio and one new value of f is computed. ratio is the caller's (its rounding is part of
// the caller's bytes).
template <class S, class F>
GoldenMinimum<S> golden_section(F&& f, S lo, S hi, int sections, const S& ratio, Ties ties) {
  S x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo);
  S f1 = f(x1), f2 = f(x2);
  const auto left_is_better = [&] { return ties == Ties::keep_left ? f1 <= f2 : f1 < f2; };
  for (int it = 0; it < sections; ++it) {
    if (left_is_better()) {  // the minimum lies in [lo, x2]
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - ratio * (hi - lo);
      f1 = f(x1);
    } else {  // the minimum lies in [x1, hi]
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + ratio * (hi - lo);
      f2 = f(x2);
    }
  }
  return left_is_better() ? GoldenMinimum<S>{x1, f1} : GoldenMinimum<S>{x2, f2};
}

}  // namespace search1d
}  // namespace flatmin
