// Comparison helper (style: absolute + relative tolerance, print the first mismatches, fail loudly).
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

#include "mini_test.h"

namespace aspd::testing {

struct CompareResult {
  double max_abs = 0.0;
  long mismatches = 0;
};

template <typename Got>
CompareResult compare(const std::string& what, const Got* got, const double* want, size_t n,
                      double atol, double rtol) {
  CompareResult r;
  for (size_t i = 0; i < n; ++i) {
    const double diff = std::fabs(static_cast<double>(got[i]) - want[i]);
    if (!(diff <= r.max_abs)) r.max_abs = diff;  // also catches NaN
    if (!(diff <= atol + rtol * std::fabs(want[i]))) {
      if (r.mismatches < 5)
        std::printf("  %s mismatch at %zu: got %.7g want %.7g\n", what.c_str(), i,
                    static_cast<double>(got[i]), want[i]);
      ++r.mismatches;
    }
  }
  if (r.mismatches > 0)
    throw mini::Failure(what + ": " + std::to_string(r.mismatches) + " of " + std::to_string(n) +
                        " values outside tolerance, max |diff| " + std::to_string(r.max_abs));
  return r;
}

}  // namespace aspd::testing
