#include "property.hpp"

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>

namespace flatmin::props {

using namespace flatmin::catalogue;

rc::Gen<Shape> shapes(const ShapeSpec& spec) {
  return rc::gen::exec([spec] {
    Shape s;
    s.family = *rc::gen::elementOf(spec.families);
    s.d1 = *rc::gen::inRange<Index>(spec.d_min, spec.d_max + 1);
    s.d2 = spec.square ? s.d1 : *rc::gen::inRange<Index>(spec.d_min, spec.d_max + 1);
    const Index rmax = std::min({spec.r_max, s.d1, s.d2});
    s.r = *rc::gen::inRange<Index>(1, rmax + 1);
    s.r2 = spec.symmetric_split ? *rc::gen::inRange<Index>(0, s.r + 1) : 0;
    s.k = s.r + *rc::gen::inRange<Index>(0, spec.k_extra_max + 1);
    s.m = spec.m_min;  // placed in range by normalise_shape, then drawn inside it
    s.p = spec.p_min;
    s.depth = *rc::gen::inRange<Index>(spec.depth_min, spec.depth_max + 1);
    normalise_shape(spec, s);
    Shape hi = s;
    hi.m = std::numeric_limits<Index>::max() / 4;
    normalise_shape(spec, hi);
    s.m = *rc::gen::inRange<Index>(s.m, hi.m + 1);
    const int pct = *rc::gen::inRange(0, 101);
    s.p = spec.p_min + (spec.p_max - spec.p_min) * pct / 100.0;
    s.seed = *rc::gen::arbitrary<std::uint64_t>();
    return s;
  });
}

const Row& row(const std::string& id) {
  const Row* r = find_row(id);
  if (!r) throw std::runtime_error("no catalogue row " + id);
  return *r;
}

std::uint64_t base_seed() {
  const char* env = std::getenv("FLATMIN_SEED");
  return env ? std::strtoull(env, nullptr, 10) : 20221ULL;
}

namespace {
// Worst value seen per (row, precision), printed when the test binary ends.
struct Tracker {
  std::mutex mu;
  std::map<std::string, std::pair<Kind, double>> worst;
  void note(const std::string& key, Kind k, double v) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = worst.find(key);
    if (it == worst.end()) {
      worst[key] = {k, v};
      return;
    }
    if (k == Kind::bound ? v < it->second.second : v > it->second.second) it->second.second = v;
  }
  ~Tracker() {
    for (const auto& [key, kv] : worst)
      std::cout << "[worst seen] " << key << ": "
                << (kv.first == Kind::exact ? "max error " : "min slack ") << kv.second
                << (kv.first == Kind::exact ? " eps" : "") << "\n";
  }
};
Tracker& tracker() {
  static Tracker t;
  return t;
}
std::string key(const Row& r, Precision p) { return r.id + " " + precision_name(p); }
}  // namespace

void property_holds(const std::string& id, Precision p) {
  const Row& r = row(id);
  const Shape s = *shapes(r.spec);
  const Outcome o = r.evaluate(p, s, Variant::statement);
  RC_PRE(o.applicable);
  if (!o.regime.empty()) RC_TAG(o.regime);
  RC_LOG() << s.describe() << "\n" << o.detail << "\n";
  tracker().note(key(r, p), r.kind, o.value);
  RC_ASSERT(o.holds);
}

void holds_on_fixed_seeds(const std::string& id, Precision p, int trials) {
  const Row& r = row(id);
  const Report rep = run(r, p, trials, base_seed());
  std::cout << format_report(rep) << " seed=" << base_seed() << "\n";
  EXPECT_GT(rep.applicable, 0) << "no applicable trial";
  EXPECT_TRUE(rep.holds) << (rep.has_counterexample
                                 ? rep.counterexample.describe() + "\n" +
                                       rep.counterexample_outcome.detail
                                 : std::string());
}

void control_rejected(const std::string& id, int trials) {
  const Row& r = row(id);
  int applicable = 0, rejected = 0;
  std::string accepted_example;
  for (int t = 0; t < trials; ++t) {
    Rng rng = Rng::derive(base_seed(), {0xC0u, std::uint64_t(t)});
    const Shape s = draw_shape(r.spec, rng);
    const Outcome o = r.evaluate(Precision::binary64, s, Variant::negative_control);
    if (!o.applicable) continue;
    ++applicable;
    if (!o.holds)
      ++rejected;
    else if (accepted_example.empty())
      accepted_example = s.describe() + "\n" + o.detail;
  }
  std::cout << r.id << " negative control rejected on " << rejected << "/" << applicable
            << " applicable shapes (seed " << base_seed() << ")\n";
  ASSERT_GT(applicable, trials / 4) << "the negative control is rarely applicable";
  if (r.kind == Kind::exact)
    EXPECT_EQ(rejected, applicable) << "wrong formula accepted on:\n" << accepted_example;
  else
    EXPECT_GT(rejected, 0) << "wrong bound never rejected";
}

void error_shrinks_with_precision(const std::string& id, int trials) {
  const Row& r = row(id);
  if (r.kind != Kind::exact) GTEST_SKIP() << "only exact rows have an error that shrinks";
  double worst_double = 0, worst_quad = 0;
  int n = 0;
  for (int t = 0; t < trials; ++t) {
    Rng rng = Rng::derive(base_seed(), {0x5Au, std::uint64_t(t)});
    const Shape s = draw_shape(r.spec, rng);
    const Outcome od = r.evaluate(Precision::binary64, s, Variant::statement);
    const Outcome oq = r.evaluate(Precision::quad, s, Variant::statement);
    if (!od.applicable || !oq.applicable) continue;
    ++n;
    worst_double = std::max(worst_double, od.relative);
    worst_quad = std::max(worst_quad, oq.relative);
    EXPECT_LT(oq.relative, 1e-25) << s.describe() << "\n" << oq.detail;
    EXPECT_LT(od.relative, 1e-9) << s.describe() << "\n" << od.detail;
  }
  std::cout << std::scientific << std::setprecision(3) << r.id << " max relative error over "
            << n << " shapes: double " << worst_double << ", quad " << worst_quad << "\n"
            << std::defaultfloat;
  EXPECT_GT(n, 0);
}

std::map<std::string, int> count_tags(const std::string& id, Precision p, Variant v, int trials,
                                      const std::vector<std::string>& tags, int& applicable) {
  const Row& r = row(id);
  std::map<std::string, int> n;
  applicable = 0;
  for (int t = 0; t < trials; ++t) {
    Rng rng = Rng::derive(base_seed(), {0x0F7u, std::uint64_t(t)});
    const Outcome o = r.evaluate(p, draw_shape(r.spec, rng), v);
    if (!o.applicable) continue;
    ++applicable;
    for (const std::string& tag : tags)
      if (o.regime.find(tag) != std::string::npos) ++n[tag];
  }
  return n;
}

void frequency_meets(const std::string& id, Precision p, int trials) {
  const Row& r = row(id);
  const Report rep = run(r, p, trials, base_seed());
  std::cout << format_report(rep) << " seed=" << base_seed() << "\n";
  EXPECT_GE(rep.applicable, trials / 2);
  EXPECT_GE(rep.worst, r.min_frequency);
}

void control_frequency_fails(const std::string& id, int trials) {
  const Row& r = row(id);
  const Report rep = run(r, Precision::binary64, trials, base_seed(), Variant::negative_control);
  std::cout << "control: " << format_report(rep) << " seed=" << base_seed() << "\n";
  EXPECT_GE(rep.applicable, trials / 2);
  EXPECT_LT(rep.worst, r.min_frequency) << "the wrong statement met the required frequency";
}

}  // namespace flatmin::props
