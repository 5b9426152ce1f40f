#include "flatmin/catalogue.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <map>

#include "flatmin/determinism.hpp"
#include "rows/registry.hpp"

namespace flatmin {

Precision parse_precision(const std::string& name) {
  if (name == "double") return Precision::binary64;
  if (name == "quad") return Precision::quad;
  if (name == "mp50") return Precision::mp50;
  throw InvalidArgument("unknown precision '" + name + "' (expected double, quad or mp50)");
}

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::binary64: return "double";
    case Precision::quad: return "quad";
    case Precision::mp50: return "mp50";
  }
  return "?";
}

}  // namespace flatmin

namespace flatmin::catalogue {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::exact: return "exact";
    case Kind::bound: return "bound";
    case Kind::stat: return "stat";
  }
  return "?";
}

const char* family_name(FamilyId f) {
  switch (f) {
    case FamilyId::identity: return "identity";
    case FamilyId::gaussian: return "gaussian";
    case FamilyId::bilinear: return "bilinear";
    case FamilyId::completion: return "completion";
    case FamilyId::quadratic: return "quadnn";
  }
  return "?";
}

static std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

std::string Shape::describe() const {
  std::string s = std::string("family=") + family_name(family) + " d1=" + std::to_string(d1) +
                  " d2=" + std::to_string(d2) + " r=" + std::to_string(r);
  if (r2) s += " r2=" + std::to_string(r2);
  s += " k=" + std::to_string(k);
  if (family == FamilyId::completion)
    s += " p=" + fmt("%.4g", p);
  else
    s += " m=" + std::to_string(m);
  if (depth != 2) s += " L=" + std::to_string(depth);
  s += " seed=" + std::to_string(seed);
  return s;
}

static Index between(Rng& rng, Index lo, Index hi) {
  if (hi <= lo) return lo;
  return lo + Index(rng.below(std::uint64_t(hi - lo + 1)));
}

static void m_range(const ShapeSpec& spec, const Shape& s, Index& lo, Index& hi) {
  const double rd = double(s.r) * double(s.d1 + s.d2);
  lo = std::max<Index>(spec.m_min, Index(std::ceil(spec.m_lo_rd * rd)));
  hi = std::max<Index>({lo, Index(std::ceil(spec.m_hi_rd * rd)), spec.m_hi_abs});
}

Shape draw_shape(const ShapeSpec& spec, Rng& rng) {
  Shape s;
  s.family = spec.families.at(rng.below(spec.families.size()));
  s.d1 = between(rng, spec.d_min, spec.d_max);
  s.d2 = spec.square ? s.d1 : between(rng, spec.d_min, spec.d_max);
  s.r = between(rng, 1, std::min({spec.r_max, s.d1, s.d2}));
  s.r2 = spec.symmetric_split ? between(rng, 0, s.r) : 0;
  s.k = s.r + between(rng, 0, spec.k_extra_max);
  Index lo, hi;
  m_range(spec, s, lo, hi);
  s.m = between(rng, lo, hi);
  s.p = rng.uniform(spec.p_min, spec.p_max);
  s.depth = between(rng, spec.depth_min, spec.depth_max);
  s.seed = rng.next();
  return s;
}

bool normalise_shape(const ShapeSpec& spec, Shape& s) {
  if (std::find(spec.families.begin(), spec.families.end(), s.family) == spec.families.end())
    return false;
  s.d1 = std::clamp(s.d1, spec.d_min, spec.d_max);
  s.d2 = spec.square ? s.d1 : std::clamp(s.d2, spec.d_min, spec.d_max);
  s.r = std::clamp<Index>(s.r, 1, std::min({spec.r_max, s.d1, s.d2}));
  s.r2 = spec.symmetric_split ? std::clamp<Index>(s.r2, 0, s.r) : 0;
  s.k = std::clamp(s.k, s.r, s.r + spec.k_extra_max);
  Index lo, hi;
  m_range(spec, s, lo, hi);
  s.m = std::clamp(s.m, lo, hi);
  s.p = std::clamp(s.p, spec.p_min, spec.p_max);
  s.depth = std::clamp(s.depth, spec.depth_min, spec.depth_max);
  return true;
}

template <class S>
Outcome exact_outcome(const S& lhs, const S& rhs, const S& scale, double tolerance_eps,
                      std::string detail) {
  using std::abs;
  Outcome o;
  if (!is_finite(lhs) || !is_finite(rhs)) {
    o.holds = false;
    o.value = INFINITY;
    o.relative = INFINITY;
    o.detail = detail + " (non-finite)";
    return o;
  }
  const S err = S(abs(S(lhs - rhs))) / (scale > S(0) ? scale : S(1));
  o.relative = to_double(err);
  o.value = to_double(S(err / ScalarTraits<S>::epsilon()));
  o.holds = o.value <= tolerance_eps;
  o.detail = detail + ": lhs=" + to_string(lhs, 17) + " rhs=" + to_string(rhs, 17) +
             " rel.err=" + fmt("%.3g", o.relative);
  return o;
}

template <class S>
Outcome bound_outcome(const S& lhs, const S& rhs, const S& scale, double tolerance_eps,
                      std::string detail) {
  Outcome o;
  if (!is_finite(lhs) || !is_finite(rhs)) {
    o.holds = false;
    o.value = -INFINITY;
    o.detail = detail + " (non-finite)";
    return o;
  }
  const S slack = (rhs - lhs) / (scale > S(0) ? scale : S(1));
  o.value = to_double(slack);
  o.relative = o.value;
  o.holds = o.value >= -tolerance_eps * epsilon_of<S>();
  o.detail = detail + ": lhs=" + to_string(lhs, 17) + " <= rhs=" + to_string(rhs, 17) +
             " slack=" + fmt("%.3g", o.value);
  return o;
}

Outcome worst_of(Kind kind, const std::vector<Outcome>& parts) {
  if (parts.empty()) throw InvalidArgument("worst_of: no parts");
  Outcome w = parts.front();
  std::string details;
  for (const Outcome& o : parts) {
    if (!details.empty()) details += "; ";
    details += o.detail;
    const bool worse = kind == Kind::bound ? o.value < w.value : o.value > w.value;
    if (worse || (!o.holds && w.holds)) w = o;
  }
  bool all = true, applicable = true;
  for (const Outcome& o : parts) {
    all = all && o.holds;
    applicable = applicable && o.applicable;
  }
  w.holds = all;
  w.applicable = applicable;
  // a defect in any part (a library invariant broken, a NaN hypothesis) is the trial's defect
  w.defect = std::any_of(parts.begin(), parts.end(), [](const Outcome& o) { return o.defect; });
  w.detail = details;
  return w;
}

template <class S>
bool hypothesis_exceeds(Outcome& o, const S& lhs, const S& rhs, const std::string& what) {
  using std::isnan;
  if (isnan(lhs) || isnan(rhs)) {
    o.defect = true;
    o.holds = false;
    o.detail += (o.detail.empty() ? "" : "; ") + std::string("hypothesis ") + what + " is NaN";
    return true;
  }
  return lhs > rhs;
}

#define FLATMIN_INSTANTIATE_OUTCOMES(S)                                                      \
  template Outcome exact_outcome<S>(const S&, const S&, const S&, double, std::string);     \
  template Outcome bound_outcome<S>(const S&, const S&, const S&, double, std::string);     \
  template bool hypothesis_exceeds<S>(Outcome&, const S&, const S&, const std::string&);
FLATMIN_FOR_EACH_SCALAR(FLATMIN_INSTANTIATE_OUTCOMES)

const std::vector<Row>& rows() {
  static const std::vector<Row> all = [] {
    pin_eigen();
    std::vector<Row> v;
    detail::register_rows_a2(v);
    detail::register_rows_a3(v);
    detail::register_rows_a45(v);
    detail::register_rows_a6(v);
    detail::register_rows_a6_solver(v);
    detail::register_rows_a7(v);
    detail::register_rows_b(v);
    detail::register_rows_b_rip(v);
    detail::register_rows_depth(v);
    detail::register_rows_solver(v);
    // Present them in the order of the papers (A, then B, then flatmin's own rows), as
    // docs/catalogue.md lists them.
    static const char* const order[] = {
        "A.eq10", "A.L2.1", "A.L2.2", "A.L3.1", "A.T3.2", "A.T3.3", "A.L3.4", "A.L4.6",
        "A.L4.8", "A.L4.4", "A.L4.5", "A.L4.9", "A.L5.2", "A.L5.3", "A.L5.4", "A.T6.1",
        "A.S6",   "A.eq59", "A.L7.2", "A.L7.3", "A.L7.4", "A.T7.5", "A.L7.6", "B.L1",
        "B.L2",   "B.eq7",  "B.L3",   "B.L4",   "B.T1",   "B.T5",   "B.T7",   "B.L5",
        "B.T4",   "Depth"};
    auto rank = [](const std::string& id) {
      for (std::size_t i = 0; i < sizeof order / sizeof *order; ++i)
        if (id == order[i]) return i;
      return sizeof order / sizeof *order;
    };
    std::stable_sort(v.begin(), v.end(),
                     [&](const Row& a, const Row& b) { return rank(a.id) < rank(b.id); });
    return v;
  }();
  return all;
}

const Row* find_row(const std::string& id) {
  for (const Row& r : rows())
    if (r.id == id) return &r;
  return nullptr;
}

static Index shape_size(const Shape& s) { return s.d1 * s.d2 * s.k * s.depth + s.m; }

// One trial. A row that throws, or a stat row whose measure is NaN, is a defect (a counterexample
// with its shape and seed), never an error that stops the run: exact and bound rows already
// turn a non-finite comparison into a failing outcome (exact_outcome, bound_outcome).
// The machine epsilon of a precision (the unit of Row::tolerance_eps).
static double precision_epsilon(Precision p) {
  switch (p) {
    case Precision::binary64: return epsilon_of<double>();
#ifndef FLATMIN_DOUBLE_ONLY
    case Precision::quad: return epsilon_of<quad>();
    case Precision::mp50: return epsilon_of<mp50>();
#else
    default: break;
#endif
  }
  throw InvalidArgument(std::string("no epsilon for precision ") + precision_name(p));
}

static Outcome evaluate_guarded(const Row& row, Precision p, const Shape& shape, Variant v) {
  Outcome o;
  try {
    o = row.evaluate(p, shape, v);
  } catch (const std::exception& e) {
    o = Outcome{};
    o.applicable = true;
    o.holds = false;
    o.defect = true;
    o.value = row.kind == Kind::exact ? INFINITY : row.kind == Kind::bound ? -INFINITY : NAN;
    o.relative = o.value;
    o.detail = std::string("the row threw: ") + e.what();
    return o;
  }
  if (o.applicable && row.kind == Kind::stat && std::isnan(o.value)) {
    o.holds = false;
    o.defect = true;
    o.detail += " (measure is NaN)";
  }
  if (o.applicable && !o.defect && row.kind != Kind::stat) {
    // The registered tolerance decides; an evaluator that applied another one is a defect.
    const bool holds = row.kind == Kind::exact
                           ? o.value <= row.tolerance_eps
                           : o.value >= -row.tolerance_eps * precision_epsilon(p);
    if (holds != o.holds) {
      o.defect = true;
      o.detail += " (the evaluator's verdict disagrees with the registered tolerance " +
                  fmt("%g", row.tolerance_eps) + " eps)";
    }
  }
  if (o.defect) {
    o.applicable = true;  // a defect is a counterexample, never a discarded trial
    o.holds = false;
  }
  return o;
}

Report run(const Row& row, Precision p, int trials, std::uint64_t seed, Variant v) {
  if (trials < 1) throw InvalidArgument("run: trials must be at least 1");
  Report rep;
  rep.id = row.id;
  rep.precision = p;
  rep.kind = row.kind;
  rep.trials = trials;
  rep.worst = row.kind == Kind::bound ? INFINITY : 0.0;
  if (p != Precision::binary64 && !has_extended_precision())
    throw InvalidArgument(std::string("this build has no extended precision (") +
                          precision_name(p) + "): configure with FLATMIN_EXTENDED_PRECISION=ON");
  for (int t = 0; t < trials; ++t) {
    Rng rng = Rng::derive(seed, {std::uint64_t(t)});
    const Shape shape = draw_shape(row.spec, rng);
    const Outcome o = evaluate_guarded(row, p, shape, v);
    if (!o.applicable) continue;
    ++rep.applicable;
    if (o.holds) ++rep.events;
    if (row.kind == Kind::exact && o.value >= rep.worst) {
      rep.worst = o.value;
      rep.worst_relative = o.relative;
      rep.worst_shape = shape;
    }
    if (row.kind == Kind::bound && o.value <= rep.worst) {
      rep.worst = o.value;
      rep.worst_shape = shape;
    }
    if (((row.kind != Kind::stat && !o.holds) || o.defect) &&
        (!rep.has_counterexample || shape_size(shape) < shape_size(rep.counterexample))) {
      rep.has_counterexample = true;
      rep.counterexample = shape;
      rep.counterexample_outcome = o;
    }
  }
  if (row.kind == Kind::stat) {
    rep.worst = rep.applicable ? double(rep.events) / rep.applicable : 0.0;
    rep.holds = rep.applicable > 0 && rep.worst >= row.min_frequency && !rep.has_counterexample;
  } else {
    rep.holds = rep.applicable > 0 && !rep.has_counterexample;
  }
  return rep;
}

std::string format_report(const Report& r) {
  std::string s = r.id + " " + precision_name(r.precision) + " " + kind_name(r.kind) +
                  " trials=" + std::to_string(r.trials) +
                  " applicable=" + std::to_string(r.applicable);
  switch (r.kind) {
    case Kind::exact:
      s += " worst_error=" + fmt("%.3g", r.worst) + "eps rel=" + fmt("%.3g", r.worst_relative);
      break;
    case Kind::bound:
      s += " min_slack=" + fmt("%.6g", r.worst);
      break;
    case Kind::stat:
      s += " frequency=" + fmt("%.4f", r.worst) + " (" + std::to_string(r.events) + "/" +
           std::to_string(r.applicable) + ")";
      break;
  }
  // No applicable trial tested nothing: neither HOLDS nor VIOLATED.
  s += r.holds ? " HOLDS" : r.applicable == 0 ? " NO APPLICABLE TRIAL" : " VIOLATED";
  return s;
}

}  // namespace flatmin::catalogue
