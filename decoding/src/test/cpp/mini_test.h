// A tiny test harness (no framework dependency): TEST registers a function, CHECK* throw on
// failure with file and line, the runner counts and prints a ctest-friendly summary.
#pragma once

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace mini {

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TestCase {
  const char* name;
  void (*fn)();
};

std::vector<TestCase>& registry();
const std::string& arg(size_t index);  // command-line arguments after the program name

struct Registrar {
  Registrar(const char* name, void (*fn)()) { registry().push_back({name, fn}); }
};

// Checks run before any test: a non-empty reason skips the whole binary (exit 77, ctest's
// SKIP_RETURN_CODE), e.g. "no usable GPU".
std::vector<std::string (*)()>& skip_checks();
struct SkipCheck {
  explicit SkipCheck(std::string (*fn)()) { skip_checks().push_back(fn); }
};

[[noreturn]] inline void fail(const char* file, int line, const std::string& what) {
  std::ostringstream os;
  os << file << ":" << line << ": " << what;
  throw Failure(os.str());
}

}  // namespace mini

#define TEST(name)                                              \
  static void name();                                           \
  static const mini::Registrar registrar_##name(#name, name);   \
  static void name()

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) mini::fail(__FILE__, __LINE__, "CHECK(" #cond ")");  \
  } while (0)

#define CHECK_EQ(a, b)                                                                   \
  do {                                                                                   \
    const auto va_ = (a);                                                                \
    const auto vb_ = (b);                                                                \
    if (!(va_ == vb_)) {                                                                 \
      std::ostringstream os_;                                                            \
      os_ << "CHECK_EQ(" #a ", " #b "): " << va_ << " != " << vb_;                       \
      mini::fail(__FILE__, __LINE__, os_.str());                                         \
    }                                                                                    \
  } while (0)

#define CHECK_MSG(cond, msg)                                                   \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::ostringstream os_;                                                  \
      os_ << "CHECK(" #cond "): " << msg;                                      \
      mini::fail(__FILE__, __LINE__, os_.str());                               \
    }                                                                          \
  } while (0)
