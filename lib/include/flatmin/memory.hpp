// flatmin/memory.hpp — the memory a command will need, estimated from the sizes alone before
// anything large is allocated, and the memory the machine has. The command line refuses a run
// whose estimate exceeds the limit (exit 2, naming the need and the limit) instead of dying in
// std::bad_alloc or being killed half-way.
//
// Each estimate counts the largest arrays the computation certainly forms (sizes in scalars,
// times the scalar's bytes); it is a lower bound of the peak within a small factor (tested in
// lib/tests/test_memory.cpp against the measured peak resident size), not an exact figure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "flatmin/scalar.hpp"
#include "flatmin/sensing.hpp"
#include "flatmin/solver.hpp"

namespace flatmin::memory {

// Saturating size arithmetic (sizes from a command line or a file header may be anything):
// 2^64 - 1 on overflow.
inline std::uint64_t mul_sat(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? ~std::uint64_t(0) : r;
}
inline std::uint64_t add_sat(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? ~std::uint64_t(0) : r;
}

// MemAvailable of /proc/meminfo in bytes (what can be allocated without swapping); nullopt
// when it cannot be read (not Linux).
std::optional<std::uint64_t> available_bytes();

// A byte count as given to --memory-limit or FLATMIN_MEMORY_LIMIT: decimal digits, optionally
// followed by K, M, G or T (powers of 1024); nullopt for anything else (0 included).
std::optional<std::uint64_t> parse_bytes(const std::string& text);

// "1.5 GB" (powers of 1000, three significant digits), for messages.
std::string human(std::uint64_t bytes);

// flatmin solve, per scalar of `scalar_bytes` (8 double, 16 quad): with n = d1 d2,
//   6 n                    ADMM's iterates X, Z, U and the dual image A^*(y), SVD workspace
//   + min(d1, d2)^2        the smaller Gram matrix of an iterate (its singular values)
//   + m^2                  the Gram matrix A A^* of the projection (m for entries maps: diagonal)
// and for the flat method also
//   + 4 (d1^2 + d2^2)      D1, D2 and their inverses
//   + m n (dense maps), m (d1 + d2) (rank-one), m d1 (quadratic), m (entries): the composed map.
std::uint64_t solve_bytes(Index d1, Index d2, Index m, Structure s, Method method,
                          std::size_t scalar_bytes);

// flatmin eval (k = the factors' columns): D1, D2, their eigendecompositions and L R^T with its
// SVD, 3 (d1^2 + d2^2) + 4 d1 d2 + (d1 + d2) k scalars.
std::uint64_t eval_bytes(Index d1, Index d2, Index k, std::size_t scalar_bytes);

// flatmin instance: the generated numbers N = d^2 (truth) + m * per-record + m (observations)
// with per-record d^2 (gaussian), 2d (bilinear), d (quadnn), and for completion m = p d^2
// records of two indices; 8 bytes each in memory plus 25 bytes each as text (the file is
// formatted in memory, then written): 33 N bytes (completion: 16 bytes an index pair).
std::uint64_t instance_bytes(const std::string& family, Index d, Index m, double p);

// flatmin train with layer widths w_0 .. w_L (w_0 = d_0, w_L = d_L), n measurements, R log
// records and, with --export, S updates of batch B written as a schedule:
//   8 (6 sum_j w_j w_{j+1}      the layers: current, next, SAM's, two gradients, the start
//      + 2 w_0 sum_j w_j        forward and backward products
//      + n w_0 w_L)             the sensing matrices, dense
// (the balance terms W_{j+1}^T W_{j+1} - W_j W_j^T are evaluated lazily, never stored; with
// depth >= 3 a width w makes w x w layers, the first term)
//   + 280 R                     a record, its step in the schedule and its CSV line
//   + S (12 B + 1)              the export schedule's text
std::uint64_t train_bytes(const std::vector<Index>& widths, Index n, std::uint64_t records,
                          std::uint64_t export_steps, Index batch);

}  // namespace flatmin::memory
