// flatmin/catalogue.hpp — every row of the catalogue (docs/catalogue.md, generated from rows()) as a runnable check.
//
// A row turns a Shape (dimensions, rank, family, seed) into one trial in a chosen precision:
// it draws the instance from the portable generator seeded by shape.seed, computes both sides of
// the statement, and returns an Outcome. The same row evaluated with Variant::negative_control
// computes a plausible wrong version (missing D1, wrong constant, transposed factor, ...) that the
// same acceptance test must reject. The property tests (properties/), `flatmin check` (cli/) and
// the benchmarks all run rows through this one interface.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "flatmin/rng.hpp"
#include "flatmin/scalar.hpp"

namespace flatmin::catalogue {

enum class Kind {
  exact,  // identity: |lhs - rhs| / scale <= tolerance_eps * eps in every precision
  bound,  // inequality lhs <= rhs: slack (rhs - lhs) / scale >= -tolerance_eps * eps
  stat    // event with high probability: frequency over trials >= min_frequency
};
const char* kind_name(Kind k);

enum class Variant { statement, negative_control };

enum class FamilyId { identity, gaussian, bilinear, completion, quadratic };
const char* family_name(FamilyId f);

// One random instance's size and seed. Rows read the fields they need and ignore the others.
struct Shape {
  FamilyId family = FamilyId::gaussian;
  Index d1 = 1, d2 = 1;  // matrix dimensions (d = d1 = d2 for symmetric rows)
  Index r = 1;           // rank of the ground truth (r1 + r2 for symmetric rows)
  Index r2 = 0;          // symmetric rows: number of negative eigenvalues of the truth
  Index k = 1;           // factor width, k >= r
  Index m = 1;           // number of measurements (completion: ignored, p is used)
  double p = 0.5;        // completion probability
  Index depth = 2;       // deep rows: number of layers L
  std::uint64_t seed = 0;
  std::string describe() const;  // one line, replayable
};

// Where a row draws its shapes from: used identically by `flatmin check` (portable generator)
// and by the RapidCheck generators of properties/ (so both explore the same regime).
struct ShapeSpec {
  std::vector<FamilyId> families{FamilyId::gaussian};
  Index d_min = 1, d_max = 6;
  bool square = false;             // d1 = d2
  Index r_max = 3;                 // r in [1, min(r_max, d_min(d1,d2))]
  bool symmetric_split = false;    // draw r2 in [0, r]
  Index k_extra_max = 2;           // k in [r, r + k_extra_max]
  // m in [m_lo, m_hi], m_lo = max(m_min, ceil(m_lo_rd * r (d1 + d2))),
  //                    m_hi = max(m_lo, ceil(m_hi_rd * r (d1 + d2)), m_hi_abs)
  Index m_min = 1;
  double m_lo_rd = 0.0, m_hi_rd = 2.0;
  Index m_hi_abs = 0;
  double p_min = 0.2, p_max = 1.0;
  Index depth_min = 2, depth_max = 2;
};
Shape draw_shape(const ShapeSpec& spec, Rng& rng);
// Clamp a shape into a spec (used after shrinking). Returns false if it cannot be made valid.
bool normalise_shape(const ShapeSpec& spec, Shape& s);

struct Outcome {
  bool applicable = true;   // the statement's hypotheses held (else: discard, RC_PRE)
  bool holds = false;       // exact/bound: within tolerance; stat: the event occurred
  double value = 0.0;       // exact: error in units of eps; bound: relative slack; stat: measure
  double relative = 0.0;    // exact: the relative error itself (to show it shrink with precision)
  std::string regime;       // classification label for RC_CLASSIFY and reports
  std::string detail;       // what was compared, with numbers
  // A defect of the computation rather than of the statement: a library function the row
  // relies on contradicted its definition (a row's invariant, see rows/common.hpp), the row
  // threw, or a stat row's measure is NaN. A counterexample for every kind of row, stat rows
  // included (run() reports it with its shape and seed); holds is then false.
  bool defect = false;
};

using Evaluator = std::function<Outcome(Precision, const Shape&, Variant)>;

struct Row {
  std::string id;
  std::string source;        // e.g. "A Lemma 3.1"
  Kind kind = Kind::exact;
  std::string statement;     // one line: what is checked (and any typo corrected)
  // The public functions of lib/include/flatmin/*.hpp whose results the row compares with the
  // statement (spelled as declared there; instance generators and generic linear algebra left
  // out unless the statement is about them). ci/check_catalogue_doc.sh checks each is declared.
  std::vector<std::string> functions;
  // Ids of the figures (`flatmin reproduce`) whose drivers, reproductions/fig_*.cpp, call one of
  // `functions`: the figures whose numbers rest on what the row checks. Empty: none.
  std::vector<std::string> figures;
  ShapeSpec spec;
  // exact: allowed error in eps; bound: allowed violation in eps; stat (when nonzero): the one
  // of the comparisons inside each trial. An entry of the rows' tolerance table
  // (rows/tolerances.hpp). For exact and bound rows it is what decides: run() re-derives every
  // trial's verdict from it (error <= tolerance_eps eps; slack >= -tolerance_eps eps), and a trial
  // whose evaluator applied another tolerance is a defect. `flatmin check --list --long` and
  // docs/catalogue.md print it.
  double tolerance_eps = 0;
  double min_frequency = 0;  // stat rows: required frequency of the event
  int default_trials = 100;  // `flatmin check` default; stat rows use more
  bool long_running = false; // excluded from the default test run (ctest label "long")
  Evaluator evaluate;
};

const std::vector<Row>& rows();
const Row* find_row(const std::string& id);  // nullptr if unknown

// Aggregate of many trials of one row in one precision (what `flatmin check` prints).
struct Report {
  std::string id;
  Precision precision = Precision::binary64;
  Kind kind = Kind::exact;
  int trials = 0, applicable = 0, events = 0;
  double worst = 0;          // exact: max error (eps); bound: min slack; stat: frequency
  double worst_relative = 0; // exact: max relative error
  bool holds = true;
  bool has_counterexample = false;
  Shape counterexample;      // smallest violating shape (exact/bound rows; any row: a defect)
  Outcome counterexample_outcome;
  Shape worst_shape;
};
// Trials whose evaluation throws (a defect: the message becomes the detail) or whose outcome is
// a defect are counterexamples whatever the row's kind, so a stat row with one is violated
// however high its frequency. For exact and bound rows the verdict of a trial is the registered
// tolerance's (Row::tolerance_eps); an evaluator that disagrees with it makes the trial a defect. Throws InvalidArgument only for a precision this build lacks.
Report run(const Row& row, Precision p, int trials, std::uint64_t seed,
           Variant v = Variant::statement);
// One line, same bytes for the same input, ending in HOLDS, VIOLATED, or NO APPLICABLE TRIAL
// when applicable == 0 (holds is then false, and nothing was violated).
std::string format_report(const Report& r);

// Helpers for rows: dispatch a template evaluator over the runtime precision.
template <template <class> class Fn> Evaluator dispatch() {
  return [](Precision p, const Shape& s, Variant v) -> Outcome {
    switch (p) {
      case Precision::binary64: return Fn<double>::run(s, v);
#ifdef FLATMIN_DOUBLE_ONLY
      case Precision::quad:
      case Precision::mp50:
        throw InvalidArgument(std::string("this build has no extended precision (") +
                              precision_name(p) + "): configure with FLATMIN_EXTENDED_PRECISION=ON");
#else
      case Precision::quad: return Fn<quad>::run(s, v);
      case Precision::mp50: return Fn<mp50>::run(s, v);
#endif
    }
    throw InvalidArgument("unknown precision");
  };
}

// Outcome builders. scale must be positive (the size the error is relative to).
template <class S> Outcome exact_outcome(const S& lhs, const S& rhs, const S& scale,
                                         double tolerance_eps, std::string detail);
template <class S> Outcome bound_outcome(const S& lhs, const S& rhs, const S& scale,
                                         double tolerance_eps, std::string detail);
// A trial's hypothesis "lhs > rhs" on computed numbers (a row's applicability test). A NaN on
// either side is no answer: the trial becomes a defect (o.defect, the test named in o.detail)
// and the function returns true, so that run() counts it as a counterexample with its shape and
// seed instead of discarding it as not applicable.
template <class S> bool hypothesis_exceeds(Outcome& o, const S& lhs, const S& rhs,
                                           const std::string& what);

// Several comparisons of one trial: the worst one decides (largest error / smallest slack);
// details are joined. All must be of the same kind.
Outcome worst_of(Kind kind, const std::vector<Outcome>& parts);

}  // namespace flatmin::catalogue
