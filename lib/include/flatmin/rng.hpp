// flatmin/rng.hpp — the project's own portable random generator.
//
// Every random number flatmin uses comes from here, so that an instance drawn with a given seed
// is bit-for-bit the same on every machine, compiler, standard library and precision.
//
// Algorithm (all of it is specified here; nothing comes from <random>):
//  * Seeding: SplitMix64 (Steele, Lea, Flood 2014) expands a 64-bit key into the four words of
//    the state. Independent streams are addressed by a path of integers (seed, figure, cell,
//    trial, ...): Rng::derive(seed, {a, b, c}) mixes each element into the key with SplitMix64.
//  * Stream: xoshiro256** (Blackman, Vigna 2018), 64-bit outputs.
//  * uniform(): (next() >> 11) * 2^-53, a double in [0, 1) with 53 random bits (exact).
//  * below(n): unbiased integer in [0, n) by rejection of the top partial block.
//  * normal(): Marsaglia's polar method. u, v uniform in (-1, 1) from 53-bit uniforms (exact),
//    s = u^2 + v^2 rejected unless 0 < s < 1, then u * sqrt(-2 log(s) / s); the second value of
//    the pair is cached. sqrt is correctly rounded by IEEE 754; log is flatmin's own
//    portable_log below (not libm's, whose last bit differs between libm versions).
// Bitwise reproducibility requires IEEE-754 binary64 arithmetic in round-to-nearest without
// contraction of a*b+c into fma: lib/src/rng.cpp is always compiled with -ffp-contract=off.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "flatmin/scalar.hpp"

namespace flatmin {

// Natural logarithm of a positive finite double, computed with a fixed sequence of IEEE
// operations: x = f 2^e with f in [sqrt(1/2), sqrt(2)) (exact, by frexp), then
// log f = 2 atanh(s), s = (f-1)/(f+1), by its odd Taylor series through s^27 (|s| < 0.1716, the
// truncation error is below 2^-60 relative), and e*ln2 added in two parts (Cody-Waite).
// Within 2 ulp of libm's log (measured over 10^5 random arguments, lib/tests/test_rng.cpp);
// what matters is that it is deterministic everywhere. Throws InvalidArgument for x <= 0 or non-finite.
double portable_log(double x);

class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  // The stream addressed by a path of integers: the same path always gives the same stream,
  // and different paths give statistically independent streams.
  static Rng derive(std::uint64_t seed, std::initializer_list<std::uint64_t> path);

  std::uint64_t next();            // xoshiro256**
  double uniform();                // [0, 1), 53 bits
  double uniform(double a, double b);
  std::uint64_t below(std::uint64_t n);  // uniform in [0, n); n > 0
  double normal();                 // standard normal, polar method
  bool bernoulli(double p);        // uniform() < p

  // Matrices are filled row by row (entry (i, j) is draw number i*cols + j): the order is part
  // of the specification so that other tools can replay an instance.
  Mat<double> normal_matrix(Index rows, Index cols);
  Vec<double> normal_vector(Index n);

 private:
  std::uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

std::uint64_t splitmix64(std::uint64_t& state);

}  // namespace flatmin
