// flatmin/number_syntax.hpp — the one number syntax of everything flatmin reads: instance files
// (lib/src/instance.cpp), factor files (lib/src/factors_io.cpp) and the command line's seeds and
// counts (cli/args.hpp); and how a token is shown in a message. README "Input files" documents
// the syntax.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace flatmin::text {

inline bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// A token as shown in a message: at most 40 bytes, bytes outside printable ASCII as \xHH
// (the input may be anything: a binary file, a fuzzer's bytes).
inline std::string shown(std::string_view tok) {
  static const char hex[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < tok.size() && i < 40; ++i) {
    const unsigned char c = static_cast<unsigned char>(tok[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      s += char(c);
    } else {
      s += "\\x";
      s += hex[c >> 4];
      s += hex[c & 15];
    }
  }
  if (tok.size() > 40) s += "...";
  return s;
}

// A finite double, the whole token consumed; one leading '+' allowed (strtod accepts it).
// Rejects nan, inf, hexadecimal, and reals outside the range of double (1e999, 1e-400).
inline bool parse_real(std::string_view tok, double& x) {
  const char* first = tok.data();
  const char* last = first + tok.size();
  if (first != last && *first == '+') {
    ++first;
    if (first != last && (*first == '-' || *first == '+')) return false;
  }
  const auto [ptr, ec] = std::from_chars(first, last, x, std::chars_format::general);
  return ec == std::errc() && ptr == last && std::isfinite(x);
}

// A non-negative decimal integer below 2^64, digits only (no sign, no exponent, no point).
inline bool parse_uint(std::string_view tok, std::uint64_t& v) {
  if (tok.empty() || tok[0] < '0' || tok[0] > '9') return false;
  const auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v, 10);
  return ec == std::errc() && ptr == tok.data() + tok.size();
}

}  // namespace flatmin::text
