#include <chrono>
#include <cstdio>

#include "mini_test.h"

namespace mini {

std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

std::vector<std::string (*)()>& skip_checks() {
  static std::vector<std::string (*)()> checks;
  return checks;
}

static std::vector<std::string> g_args;
const std::string& arg(size_t index) {
  if (index >= g_args.size()) throw Failure("missing command-line argument " + std::to_string(index));
  return g_args[index];
}

}  // namespace mini

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) mini::g_args.emplace_back(argv[i]);
  for (auto check : mini::skip_checks()) {
    const std::string why = check();
    if (!why.empty()) {
      std::printf("SKIP: %s\n", why.c_str());
      return 77;
    }
  }
  int failed = 0;
  for (const mini::TestCase& t : mini::registry()) {
    const auto start = std::chrono::steady_clock::now();
    try {
      t.fn();
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      std::printf("[ PASS ] %s (%.0f ms)\n", t.name, ms);
    } catch (const std::exception& e) {
      ++failed;
      std::printf("[ FAIL ] %s: %s\n", t.name, e.what());
    }
  }
  std::printf("%zu tests, %d failed\n", mini::registry().size(), failed);
  return failed == 0 ? 0 : 1;
}
