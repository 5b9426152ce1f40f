// Google Benchmark: the costs behind the catalogue.
//   BM_ScaledTrace{Definition,Closed}/d   str(D^2 f) by definition (5 (d1+d2) k loss evaluations)
//                                        vs by (16) (two d x d products); Gaussian map, m = 4 r d,
//                                        r = 2, k = 3. The speedup grows like m d^2 k / d^2 ~ d^2.
//   BM_Rescaling<family>/d               building D1, D2 (Gram matrices + PSD square roots)
//   BM_Trial<precision>                  one trial of row A.L3.1 (instance, both traces) per type
#include <benchmark/benchmark.h>

#include "flatmin/catalogue.hpp"
#include "flatmin/objective.hpp"
#include "flatmin/sensing.hpp"

using namespace flatmin;

namespace {
struct TraceCase {
  SensingMap<double> A;
  Vec<double> b;
  Mat<double> L, R;
};
TraceCase trace_case(Index d) {
  Rng rng(1);
  const Index r = 2, k = 3, m = 4 * r * d;
  Mat<double> M = assemble<double>(random_low_rank(rng, d, d, r));
  TraceCase c{gaussian_map(rng, d, d, m), Vec<double>(), Mat<double>(), Mat<double>()};
  c.b = c.A.apply(M);
  const Factors<double> f = svd_factors<double>(M, k);
  c.L = f.L;
  c.R = f.R;
  return c;
}
}  // namespace

static void BM_ScaledTraceDefinition(benchmark::State& st) {
  const TraceCase c = trace_case(st.range(0));
  for (auto _ : st) benchmark::DoNotOptimize(scaled_trace_definition(c.A, c.b, c.L, c.R));
  st.SetComplexityN(st.range(0));
}
BENCHMARK(BM_ScaledTraceDefinition)->RangeMultiplier(2)->Range(4, 32)->Unit(benchmark::kMicrosecond)->Complexity();

static void BM_ScaledTraceClosed(benchmark::State& st) {
  const TraceCase c = trace_case(st.range(0));
  const Rescaling<double> D = rescaling(c.A);  // computed once per map, as the library uses it
  for (auto _ : st) benchmark::DoNotOptimize(scaled_trace_closed(c.A, D, c.L, c.R));
  st.SetComplexityN(st.range(0));
}
BENCHMARK(BM_ScaledTraceClosed)->RangeMultiplier(2)->Range(4, 32)->Unit(benchmark::kMicrosecond)->Complexity();

template <int Family> static void BM_Rescaling(benchmark::State& st) {
  const Index d = st.range(0), m = 4 * 2 * d;
  Rng rng(2);
  SensingMap<double> A = Family == 0   ? gaussian_map(rng, d, d, m)
                         : Family == 1 ? bilinear_map(rng, d, d, m)
                         : Family == 2 ? completion_map(rng, d, d, 0.3)
                                       : quadratic_map(rng, d, m);
  for (auto _ : st) benchmark::DoNotOptimize(rescaling(A));
}
BENCHMARK_TEMPLATE(BM_Rescaling, 0)->Name("BM_RescalingGaussian")->RangeMultiplier(2)->Range(8, 64)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_Rescaling, 1)->Name("BM_RescalingBilinear")->RangeMultiplier(2)->Range(8, 64)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_Rescaling, 2)->Name("BM_RescalingCompletion")->RangeMultiplier(2)->Range(8, 64)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_Rescaling, 3)->Name("BM_RescalingQuadratic")->RangeMultiplier(2)->Range(8, 64)->Unit(benchmark::kMicrosecond);

static void BM_Trial(benchmark::State& st, Precision p) {
  const catalogue::Row* row = catalogue::find_row("A.L3.1");
  catalogue::Shape s;
  s.family = catalogue::FamilyId::gaussian;
  s.d1 = 4;
  s.d2 = 5;
  s.r = 2;
  s.k = 3;
  s.m = 30;
  s.seed = 7;
  for (auto _ : st) benchmark::DoNotOptimize(row->evaluate(p, s, catalogue::Variant::statement));
}
BENCHMARK_CAPTURE(BM_Trial, double, Precision::binary64)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Trial, quad, Precision::quad)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Trial, mp50, Precision::mp50)->Unit(benchmark::kMicrosecond);
