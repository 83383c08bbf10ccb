// Small CPU helpers shared by the fast attention and the model forward: a dot product with eight
// partial sums and a parallel-for over an index range on short-lived threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace aspd {

// Eight partial sums so the compiler can keep several multiply-adds in flight without -ffast-math.
inline float dot(const float* a, const float* b, int64_t n) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t d = 0;
  for (; d + 8 <= n; d += 8)
    for (int u = 0; u < 8; ++u) s[u] += a[d + u] * b[d + u];
  float total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; d < n; ++d) total += a[d] * b[d];
  return total;
}

// Runs task(index) for index in [0, count) on up to `threads` workers (the caller is one of them).
// Workers take indices from a shared counter, so where a thread cannot be started (a process or
// memory limit: std::system_error) the ones running, at least the caller, do all the work: slower,
// never a std::terminate from a vector of joinable threads unwinding, which would abort the JVM.
// A task that throws (std::bad_alloc under memory pressure) stops the others from taking more
// indices; the first exception is rethrown on the caller once every worker has joined, for the
// JNI layer to turn into a Java exception (an exception leaving a std::thread is a std::terminate).
// parallel_for_with takes the thread starter as an argument, so that a test can make it fail.
template <typename Task, typename StartThread>
void parallel_for_with(StartThread start_thread, int32_t threads, int64_t count, Task task) {
  std::atomic<int64_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_lock;
  auto worker = [&] {
    for (int64_t t = next++; t < count; t = next++) {
      try {
        task(t);
      } catch (...) {
        std::lock_guard<std::mutex> hold(failure_lock);
        if (!failure) failure = std::current_exception();
        next = count;
      }
    }
  };
  const int64_t n = std::min<int64_t>(std::max(threads, 1), count);
  std::vector<std::thread> pool;
  try {
    pool.reserve(static_cast<size_t>(std::max<int64_t>(n - 1, 0)));
    for (int64_t w = 1; w < n; ++w) pool.push_back(start_thread(worker));
  } catch (const std::exception&) {  // std::system_error from the thread, std::bad_alloc from the vector
  }
  worker();
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

template <typename Task>
void parallel_for(int32_t threads, int64_t count, Task task) {
  parallel_for_with([](auto& worker) { return std::thread(worker); }, threads, count, std::move(task));
}

}  // namespace aspd
