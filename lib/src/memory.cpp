#include "flatmin/memory.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <limits>
#include <system_error>

namespace flatmin::memory {

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

constexpr auto mul = mul_sat;
constexpr auto add = add_sat;
std::uint64_t u(Index x) { return x > 0 ? std::uint64_t(x) : 0; }
std::uint64_t sq(Index x) { return mul(u(x), u(x)); }

}  // namespace

std::optional<std::uint64_t> available_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  std::uint64_t kb = 0;
  while (in >> key >> kb) {
    std::getline(in, unit);
    if (key == "MemAvailable:") return mul(kb, 1024);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_bytes(const std::string& text) {
  std::uint64_t v = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  if (first == last || *first < '0' || *first > '9') return std::nullopt;
  const auto [ptr, ec] = std::from_chars(first, last, v, 10);
  if (ec != std::errc() || v == 0) return std::nullopt;
  if (ptr == last) return v;
  if (ptr + 1 != last) return std::nullopt;
  const std::string units = "KMGT";
  const auto k = units.find(*ptr);
  if (k == std::string::npos) return std::nullopt;
  std::uint64_t r = v;
  for (std::size_t i = 0; i <= k; ++i) {
    if (r > kMax / 1024) return std::nullopt;
    r *= 1024;
  }
  return r;
}

std::string human(std::uint64_t bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
  double x = double(bytes);
  int i = 0;
  while (x >= 1000 && i < 6) x /= 1000, ++i;
  char buf[32];
  std::snprintf(buf, sizeof buf, i == 0 ? "%.0f %s" : "%.3g %s", x, units[i]);
  return buf;
}

std::uint64_t solve_bytes(Index d1, Index d2, Index m, Structure s, Method method,
                          std::size_t scalar_bytes) {
  const std::uint64_t n = mul(u(d1), u(d2));
  std::uint64_t scalars = add(mul(6, n), sq(std::min(d1, d2)));
  scalars = add(scalars, s == Structure::entries ? u(m) : sq(m));
  if (method == Method::flat) {
    scalars = add(scalars, mul(4, add(sq(d1), sq(d2))));
    const std::uint64_t per = s == Structure::dense      ? n
                              : s == Structure::rank_one ? add(u(d1), u(d2))
                              : s == Structure::quadratic ? u(d1)
                                                          : 1;
    scalars = add(scalars, mul(u(m), per));
  }
  return mul(scalars, scalar_bytes);
}

std::uint64_t eval_bytes(Index d1, Index d2, Index k, std::size_t scalar_bytes) {
  std::uint64_t scalars = mul(3, add(sq(d1), sq(d2)));
  scalars = add(scalars, mul(4, mul(u(d1), u(d2))));
  scalars = add(scalars, mul(add(u(d1), u(d2)), u(k)));
  return mul(scalars, scalar_bytes);
}

std::uint64_t instance_bytes(const std::string& family, Index d, Index m, double p) {
  const std::uint64_t dd = sq(d);
  if (family == "completion") {
    // m = p d^2 observed entries: an index pair (16 bytes), an observation (8) and their text
    const double records = std::clamp(p, 0.0, 1.0) * double(dd);
    const std::uint64_t r = records >= 1.8e19 ? kMax : std::uint64_t(records);
    return add(mul(33, dd), mul(r, 16 + 8 + 25 * 3));
  }
  const std::uint64_t per = family == "gaussian" ? dd : family == "bilinear" ? mul(2, u(d)) : u(d);
  const std::uint64_t numbers = add(add(dd, mul(u(m), per)), u(m));
  return mul(numbers, 8 + 25);
}

std::uint64_t train_bytes(const std::vector<Index>& widths, Index n, std::uint64_t records,
                          std::uint64_t export_steps, Index batch) {
  std::uint64_t layers = 0, products = 0;
  for (std::size_t j = 0; j < widths.size(); ++j) {
    if (j + 1 < widths.size()) layers = add(layers, mul(u(widths[j]), u(widths[j + 1])));
    products = add(products, u(widths[j]));
  }
  const Index w0 = widths.empty() ? 0 : widths.front(), wl = widths.empty() ? 0 : widths.back();
  std::uint64_t scalars = add(mul(6, layers), mul(2, mul(u(w0), products)));
  scalars = add(scalars, mul(u(n), mul(u(w0), u(wl))));
  std::uint64_t bytes = add(mul(8, scalars), mul(280, records));
  return add(bytes, mul(export_steps, add(mul(12, u(batch)), 1)));
}

}  // namespace flatmin::memory
