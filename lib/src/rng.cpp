// Compiled with -ffp-contract=off (see lib/CMakeLists.txt): the operation sequence below is the
// specification of flatmin's random numbers.
#include "flatmin/rng.hpp"

#include <cmath>
#include <string>

namespace flatmin {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double portable_log(double x) {
  if (!(x > 0.0) || !std::isfinite(x))
    throw InvalidArgument("portable_log: argument must be positive and finite, got " +
                          std::to_string(x));
  int e = 0;
  double f = std::frexp(x, &e);  // x = f * 2^e, f in [0.5, 1), exact
  if (f < 0.70710678118654752440) {  // bring f into [sqrt(1/2), sqrt(2))
    f *= 2.0;                        // exact
    e -= 1;
  }
  const double s = (f - 1.0) / (f + 1.0);
  const double s2 = s * s;
  // atanh(s)/s = sum_{k>=0} s^{2k} / (2k+1), Horner from k = 13 down.
  double p = 1.0 / 27.0;
  for (int k = 12; k >= 0; --k) p = p * s2 + 1.0 / double(2 * k + 1);
  const double log_f = 2.0 * s * p;
  // ln 2 = LN2_HI + LN2_LO with LN2_HI having trailing zero bits, so e * LN2_HI is exact.
  const double LN2_HI = 6.93147180369123816490e-01;
  const double LN2_LO = 1.90821492927058770002e-10;
  const double de = double(e);
  return de * LN2_HI + (log_f + de * LN2_LO);
}

Rng::Rng(std::uint64_t seed) {
  std::uint64_t st = seed;
  for (auto& w : s_) w = splitmix64(st);
}

Rng Rng::derive(std::uint64_t seed, std::initializer_list<std::uint64_t> path) {
  std::uint64_t key = seed;
  std::uint64_t mix = splitmix64(key);
  for (std::uint64_t p : path) {
    std::uint64_t st = mix ^ (p + 0x632be59bd9b4e019ULL);
    mix = splitmix64(st);
  }
  return Rng(mix);
}

static inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

std::uint64_t Rng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return double(next() >> 11) * 0x1.0p-53; }

double Rng::uniform(double a, double b) { return a + (b - a) * uniform(); }

std::uint64_t Rng::below(std::uint64_t n) {
  if (n == 0) throw InvalidArgument("Rng::below: n must be positive");
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // accept draws < limit
  std::uint64_t x;
  do x = next();
  while (x >= limit);
  return x % n;
}

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform() - 1.0;  // exact
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (!(s > 0.0 && s < 1.0));
  const double factor = std::sqrt(-2.0 * portable_log(s) / s);
  spare_ = v * factor;
  has_spare_ = true;
  return u * factor;
}

bool Rng::bernoulli(double p) { return uniform() < p; }

Mat<double> Rng::normal_matrix(Index rows, Index cols) {
  if (rows < 0 || cols < 0) throw InvalidArgument("Rng::normal_matrix: negative dimension");
  Mat<double> X(rows, cols);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) X(i, j) = normal();
  return X;
}

Vec<double> Rng::normal_vector(Index n) {
  if (n < 0) throw InvalidArgument("Rng::normal_vector: negative length");
  Vec<double> x(n);
  for (Index i = 0; i < n; ++i) x(i) = normal();
  return x;
}

}  // namespace flatmin
