// reproductions/record.hpp — moving a cell's record between processes (shard files, the MPI
// gather) as exact text. Used only for transport: a figure never reads this text, it gets the
// records themselves; the CSVs are formatted by the figure alone.
//
// A record type lists its fields once, for both directions:
//
//   struct Trial {
//     SolveStatus status;
//     double error;
//     std::vector<Point> path;   // Point lists its own fields the same way
//     template <class IO, class Self> static void fields(IO& io, Self& r) {
//       io(r.status, r.error, r.path);
//     }
//   };
//
// Text: the fields in order, separated by one space, ended by '\n'. Doubles in C99 hexadecimal
// ("%a": every finite value, the infinities and nan round-trip to the same value), integers
// and enumerations in decimal, strings as <length>:<bytes>, vectors as their length then the
// elements, bools as 0 or 1.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <vector>

#include "flatmin/scalar.hpp"

namespace flatmin::repro {

namespace record_detail {
template <class T> struct is_vector : std::false_type {};
template <class T> struct is_vector<std::vector<T>> : std::true_type {};
}  // namespace record_detail

class RecordWriter {
 public:
  template <class... T> void operator()(const T&... x) { (put(x), ...); }
  const std::string& text() const { return text_; }

 private:
  void sep() {
    if (!text_.empty()) text_ += ' ';
  }
  void put(double x) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%a", x);
    sep();
    text_ += buf;
  }
  void put(const std::string& s) {
    sep();
    text_ += std::to_string(s.size()) + ":" + s;
  }
  template <class T> void put(const T& x) {
    if constexpr (std::is_enum_v<T>) {
      put_int(static_cast<long long>(x));
    } else if constexpr (std::is_integral_v<T>) {
      put_int(static_cast<long long>(x));
    } else if constexpr (record_detail::is_vector<T>::value) {
      put_int(static_cast<long long>(x.size()));
      for (const auto& e : x) put(e);
    } else {
      T::fields(*this, x);
    }
  }
  void put_int(long long v) {
    sep();
    text_ += std::to_string(v);
  }
  std::string text_;
};

class RecordReader {
 public:
  explicit RecordReader(const std::string& text) : t_(text) {}
  template <class... T> void operator()(T&... x) { (get(x), ...); }
  // After the last field: only the final newline may remain.
  void finish() const {
    if (pos_ != t_.size() && !(pos_ + 1 == t_.size() && t_[pos_] == '\n'))
      bad("trailing text");
  }

 private:
  [[noreturn]] void bad(const char* what) const {
    throw InvalidArgument(std::string("malformed cell record (") + what + " at byte " +
                          std::to_string(pos_) + ")");
  }
  // Past the space before every field but the first.
  void separator() {
    if (pos_ == 0) return;
    if (pos_ >= t_.size() || t_[pos_] != ' ') bad("missing field");
    ++pos_;
  }
  // The next space-separated word.
  std::string word() {
    separator();
    const std::size_t end = t_.find_first_of(" \n", pos_);
    const std::size_t stop = end == std::string::npos ? t_.size() : end;
    if (stop == pos_) bad("empty field");
    std::string w = t_.substr(pos_, stop - pos_);
    pos_ = stop;
    return w;
  }
  void get(double& x) {
    const std::string w = word();
    char* end = nullptr;
    x = std::strtod(w.c_str(), &end);
    if (end != w.c_str() + w.size()) bad("not a number");
  }
  void get(std::string& s) {
    separator();
    const std::size_t colon = t_.find(':', pos_);
    if (colon == std::string::npos) bad("no string length");
    const long long n = to_int(t_.substr(pos_, colon - pos_));
    if (n < 0 || colon + 1 + std::size_t(n) > t_.size()) bad("string length");
    s = t_.substr(colon + 1, std::size_t(n));
    pos_ = colon + 1 + std::size_t(n);
  }
  template <class T> void get(T& x) {
    if constexpr (std::is_enum_v<T> || std::is_integral_v<T>) {
      x = static_cast<T>(to_int(word()));
    } else if constexpr (record_detail::is_vector<T>::value) {
      const long long n = to_int(word());
      if (n < 0 || std::size_t(n) > t_.size()) bad("vector length");
      x.assign(std::size_t(n), typename T::value_type{});
      for (auto& e : x) get(e);
    } else {
      T::fields(*this, x);
    }
  }
  long long to_int(const std::string& w) const {
    const std::size_t digits = w.size() - (w[0] == '-' ? 1 : 0);
    if (digits == 0 || digits > 18 || w.find_first_not_of("0123456789", w[0] == '-') != std::string::npos)
      bad("not an integer");
    return std::stoll(w);
  }
  const std::string& t_;
  std::size_t pos_ = 0;
};

// The transport text of a record, and the record back from it (InvalidArgument when malformed).
template <class R> std::string record_text(const R& r) {
  RecordWriter w;
  w(r);
  return w.text() + "\n";
}
template <class R> R record_from_text(const std::string& text) {
  RecordReader in(text);
  R r{};
  in(r);
  in.finish();
  return r;
}

}  // namespace flatmin::repro
