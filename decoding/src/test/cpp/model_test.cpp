// The model loader and forward: JSON and safetensors parsing (good and corrupt inputs), and the
// §8(b)/(c) properties on a random-weight model (branch alone = packed rows; a perturbed branch
// leaves siblings and earlier rows untouched and changes the rows after its group).
#include <atomic>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <unistd.h>

#include "core/cpu_util.h"
#include "core/layout.h"
#include "mini_test.h"
#include "model/json.h"
#include "model/model.h"
#include "model/safetensors.h"
#include "random_layouts.h"
#include "tiny_models.h"

using namespace aspd;
using namespace aspd::testing;

namespace {

struct Entry {
  std::string name, dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

// A minimal safetensors writer: header JSON padded with spaces to 8 bytes, then the data.
std::string safetensors_bytes(const std::vector<Entry>& entries) {
  std::string header = "{";
  size_t offset = 0;
  for (size_t k = 0; k < entries.size(); ++k) {
    const Entry& e = entries[k];
    header += (k ? "," : "") + std::string("\"") + e.name + "\":{\"dtype\":\"" + e.dtype + "\",\"shape\":[";
    for (size_t d = 0; d < e.shape.size(); ++d) header += (d ? "," : "") + std::to_string(e.shape[d]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + e.bytes.size()) + "]}";
    offset += e.bytes.size();
  }
  header += "}";
  while (header.size() % 8 != 0) header += ' ';
  std::string out(8, '\0');
  for (int b = 0; b < 8; ++b) out[b] = static_cast<char>((static_cast<uint64_t>(header.size()) >> (8 * b)) & 0xFF);
  out += header;
  for (const Entry& e : entries) out += e.bytes;
  return out;
}

// Files this test binary writes, removed when it exits (a run leaves nothing in the temp folder).
struct TempFiles {
  std::set<std::string> paths;
  ~TempFiles() {
    for (const std::string& p : paths) std::remove(p.c_str());
  }
};

std::string write_temp(const std::string& name, const std::string& bytes) {
  static TempFiles files;
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("aspd_model_test_" + std::to_string(::getpid()) + "_" + name)).string();
  std::ofstream(path, std::ios::binary) << bytes;
  files.paths.insert(path);
  return path;
}

std::string f32_bytes(const std::vector<float>& x) {
  return std::string(reinterpret_cast<const char*>(x.data()), x.size() * 4);
}

bool header_fails(const std::string& bytes, const std::string& needle) {
  SafeTensorsFile f;
  std::string err;
  const bool ok = read_safetensors_header(write_temp("corrupt.safetensors", bytes), &f, &err);
  if (ok) return false;
  if (err.find(needle) == std::string::npos) throw mini::Failure("error '" + err + "' does not mention '" + needle + "'");
  return true;
}

ModelConfig tiny_config() { return tiny_qwen2_config(300, true); }

std::vector<float> forward(const Model& m, const std::vector<int32_t>& ids, const std::vector<int32_t>& pos,
                           const std::vector<int32_t>& g, const std::vector<int32_t>& b) {
  const int64_t T = static_cast<int64_t>(ids.size());
  std::vector<int32_t> rows(T);
  for (int64_t t = 0; t < T; ++t) rows[t] = static_cast<int32_t>(t);
  std::vector<float> out(T * m.config.vocab_size);
  std::string err;
  if (!model_forward(m, ids.data(), pos.data(), g.data(), b.data(), T, rows.data(), T, out.data(), &err))
    throw mini::Failure(err);
  return out;
}

double row_diff(const std::vector<float>& a, int64_t ra, const std::vector<float>& b, int64_t rb, int64_t V) {
  double d = 0;
  for (int64_t v = 0; v < V; ++v) d = std::max(d, std::fabs(double(a[ra * V + v]) - double(b[rb * V + v])));
  return d;
}

}  // namespace

TEST(parallel_for_rethrows_a_task_failure_after_every_worker_joined) {
  // A task's exception inside a std::thread would be a std::terminate (the JVM aborts): parallel_for
  // catches it, stops handing out indices and rethrows it on the caller once the workers joined.
  for (int32_t threads : {1, 4}) {
    std::atomic<int64_t> ran{0};
    std::string caught;
    try {
      aspd::parallel_for(threads, 100000, [&](int64_t i) {
        if (i == 100) throw std::runtime_error("task 100 failed");
        ++ran;
      });
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
    CHECK_MSG(caught == "task 100 failed", threads << " threads: " << caught);
    // On the caller alone the indices come in order: none after the failure runs.
    if (threads == 1) CHECK_EQ(ran.load(), int64_t{100});
  }
  std::atomic<int64_t> all{0};
  aspd::parallel_for(3, 1000, [&](int64_t) { ++all; });
  CHECK_EQ(all.load(), int64_t{1000});
}

TEST(parallel_for_runs_every_index_once_when_threads_cannot_be_started) {
  // A process at its thread limit: std::thread throws std::system_error. The threads already
  // running, at least the caller, take the remaining indices.
  for (int fail_at : {0, 1, 2}) {
    int started = 0;
    auto start = [&](auto& worker) {
      if (started == fail_at) throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
      ++started;
      return std::thread(worker);
    };
    std::vector<std::atomic<int>> runs(5000);
    aspd::parallel_for_with(start, 8, 5000, [&](int64_t i) { ++runs[static_cast<size_t>(i)]; });
    CHECK_EQ(started, fail_at);
    int64_t wrong = 0;
    for (const std::atomic<int>& r : runs) wrong += r.load() != 1;
    CHECK_MSG(wrong == 0, "failing at thread " << fail_at << ": " << wrong << " indices not run exactly once");
  }
}

TEST(json_parses_and_rejects) {
  json::Value v;
  std::string err;
  CHECK(json::parse(" {\"a\": [1, 2.5e1, -0, true, null, \"x\\u00e9\\ud83d\\ude00\"]} ", &v, &err));
  const json::Value* a = v.find("a");
  CHECK(a != nullptr && a->items.size() == 6);
  CHECK(a->items[0].is_integer() && !a->items[1].is_integer());
  CHECK_EQ(a->items[1].number, 25.0);
  CHECK_EQ(a->items[5].text, std::string("x\xC3\xA9\xF0\x9F\x98\x80"));
  for (const char* bad : {"{\"a\":1,\"a\":2}", "{\"a\":1} x", "[1,]", "{\"a\" 1}", "\"\\q\"", "01", "[",
                          "\"\\ud800\"", "{\"a\":.5}", "tru"}) {
    err.clear();
    CHECK_MSG(!json::parse(bad, &v, &err), bad);
    CHECK(err.find("offset") == 0);
  }
}

TEST(safetensors_reads_f32_f16_bf16_and_rejects_corruption) {
  const std::vector<float> values = {1.f, -2.5f, 0.375f, 65504.f};
  std::string f16, bf16;
  for (uint16_t h : {0x3C00, 0xC100, 0x3600, 0x7BFF}) f16 += std::string{char(h & 0xFF), char(h >> 8)};
  for (uint16_t h : {0x3F80, 0xC020, 0x3EC0, 0x477F}) bf16 += std::string{char(h & 0xFF), char(h >> 8)};
  const std::string good = safetensors_bytes({{"a", "F32", {2, 2}, f32_bytes(values)},
                                              {"b", "F16", {4}, f16},
                                              {"c", "BF16", {1, 4}, bf16}});
  SafeTensorsFile f;
  std::string err;
  CHECK_MSG(read_safetensors_header(write_temp("good.safetensors", good), &f, &err), err);
  CHECK_EQ(f.tensors.size(), size_t{3});
  std::vector<float> got(4);
  CHECK(read_tensor_as_f32(f, *f.find("a"), got.data(), &err));
  CHECK(got == values);
  CHECK(read_tensor_as_f32(f, *f.find("b"), got.data(), &err));
  CHECK(got == values);
  CHECK(read_tensor_as_f32(f, *f.find("c"), got.data(), &err));
  CHECK_EQ(got[0], 1.f);
  CHECK_EQ(got[1], -2.5f);
  CHECK_EQ(got[3], 65280.f);  // 0x477F in bf16
  CHECK_EQ(half_to_float(0x0001), std::ldexp(1.f, -24));  // smallest subnormal half

  CHECK(header_fails(good.substr(0, good.size() - 1), "truncated"));
  CHECK(header_fails(good.substr(0, 6), "8-byte"));
  CHECK(header_fails(good + "xx", "trailing bytes"));
  CHECK(header_fails(safetensors_bytes({{"a", "F32", {3}, f32_bytes(values)}}), "need 12"));
  CHECK(header_fails(safetensors_bytes({{"a", "Q4", {4}, f32_bytes(values)}}), "unknown dtype \"Q4\""));
  std::string huge = good;
  huge[5] = 1;  // header length ~ 2^40
  CHECK(header_fails(huge, "exceeds 100 MB"));
  std::string broken = good;
  broken[8] = '[';
  CHECK(header_fails(broken, "not valid JSON"));
}

TEST(random_model_branch_alone_and_perturbation) {
  std::string err;
  Model* m = create_random_model(tiny_config(), 7, 2, &err);
  CHECK_MSG(m != nullptr, err);
  const int64_t V = m->config.vocab_size;
  std::mt19937 rng(11);
  SampleSpec spec;
  spec.groups_min = 2;
  spec.groups_max = 2;
  spec.branches_max = 3;
  spec.content_max = 6;
  spec.serial_max = 5;
  const SpecialTokens st = random_specials(rng, static_cast<int32_t>(V));
  const GeneratedSample s = generate_sample(rng, st, static_cast<int32_t>(V), spec);
  SampleLayout lay;
  LayoutError lerr;
  CHECK_MSG(compute_layout(s.ids.data(), s.ids.size(), st, V, &lay, &lerr), lerr.message);
  const std::vector<int32_t>& pos = lay.positions[0];
  const std::vector<float> packed = forward(*m, s.ids, pos, lay.group_id, lay.branch_id);

  // §8(b): prefix (tokens <= p, training labels) ++ one branch, same positions; for the first group
  // the reference is a plain causal forward with default positions.
  for (size_t gi = 0; gi < lay.groups.size(); ++gi) {
    const GroupSpan& g = lay.groups[gi];
    for (const BranchSpan& br : g.branches) {
      std::vector<int32_t> ids(s.ids.begin(), s.ids.begin() + g.para + 1);
      std::vector<int32_t> p(pos.begin(), pos.begin() + g.para + 1);
      std::vector<int32_t> gg(lay.group_id.begin(), lay.group_id.begin() + g.para + 1);
      std::vector<int32_t> bb(lay.branch_id.begin(), lay.branch_id.begin() + g.para + 1);
      for (int64_t j = 0; j < br.length; ++j) {
        ids.push_back(s.ids[br.start + j]);
        p.push_back(pos[br.start + j]);
        gg.push_back(gi == 0 ? -1 : lay.group_id[br.start + j]);
        bb.push_back(gi == 0 ? 0 : lay.branch_id[br.start + j]);
      }
      if (gi == 0)
        for (size_t t = 0; t < p.size(); ++t) CHECK_EQ(p[t], static_cast<int32_t>(t));  // default positions
      const std::vector<float> alone = forward(*m, ids, p, gg, bb);
      for (int64_t j = 0; j < br.length; ++j) {
        const double d = row_diff(packed, br.start + j, alone, g.para + 1 + j, V);
        CHECK_MSG(d <= 1e-3, "group " << gi << " branch at " << br.start << " row " << j << ": |diff| " << d);
      }
    }
  }

  // §8(c): perturb one content token of the first group's first branch.
  const GroupSpan& g0 = lay.groups[0];
  const BranchSpan& b0 = g0.branches[0];
  std::vector<int32_t> ids = s.ids;
  const int64_t victim = b0.start + b0.length - 2;  // last token before <|/branch|>
  ids[victim] = (ids[victim] + 1) % static_cast<int32_t>(V);
  while (ids[victim] == st.branch || ids[victim] == st.branch_end || ids[victim] == st.title ||
         ids[victim] == st.title_end || ids[victim] == st.para || ids[victim] == st.para_end)
    ids[victim] = (ids[victim] + 1) % static_cast<int32_t>(V);
  const std::vector<float> perturbed = forward(*m, ids, pos, lay.group_id, lay.branch_id);
  for (int64_t t = 0; t < static_cast<int64_t>(ids.size()); ++t) {
    const double d = row_diff(packed, t, perturbed, t, V);
    const bool sibling = lay.group_id[t] == 0 && lay.branch_id[t] != lay.branch_id[b0.start];
    if (t < victim || sibling) CHECK_MSG(d == 0.0, "row " << t << " changed by " << d);  // never reads the token
    if (t >= g0.para_end && lay.group_id[t] < 0) CHECK_MSG(d > 1e-3, "main row " << t << " did not change");
  }
  free_model(m);
}

TEST(safetensors_refuses_nan_and_infinite_weights) {
  std::string err;
  SafeTensorsFile f;
  std::vector<float> got(4);
  const std::string nan_f32 = safetensors_bytes({{"w", "F32", {4}, f32_bytes({1.f, 2.f, std::nanf(""), 3.f})}});
  CHECK_MSG(read_safetensors_header(write_temp("nan.safetensors", nan_f32), &f, &err), err);
  CHECK(!read_tensor_as_f32(f, *f.find("w"), got.data(), &err));
  CHECK_MSG(err.find("tensor \"w\": element 2 is NaN") != std::string::npos, err);
  for (const auto& [dtype, bits] : {std::pair<std::string, uint16_t>{"F16", 0x7C00}, {"BF16", 0xFF80}}) {
    std::string bytes;
    for (uint16_t h : {uint16_t{0x3C00}, bits}) bytes += std::string{char(h & 0xFF), char(h >> 8)};
    const std::string file = safetensors_bytes({{"inf", dtype, {2}, bytes}});
    err.clear();
    CHECK_MSG(read_safetensors_header(write_temp("inf.safetensors", file), &f, &err), err);
    CHECK(!read_tensor_as_f32(f, *f.find("inf"), got.data(), &err));
    CHECK_MSG(err.find("element 1 is infinite") != std::string::npos, dtype << ": " << err);
  }
}

namespace {

// Enters a locale whose decimal point is ',' for LC_NUMERIC: an installed one, else one built
// with localedef into a temporary folder (glibc reads LOCPATH at each setlocale). Empty when
// neither is possible on this machine.
std::string enter_comma_decimal_locale() {
  for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8"})
    if (std::setlocale(LC_NUMERIC, name) != nullptr) return name;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("aspd_locale_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cmd = "localedef -i de_DE -f UTF-8 '" + (dir / "de_DE.UTF-8").string() + "' >/dev/null 2>&1";
  if (std::system(cmd.c_str()) == -1) return "";
  ::setenv("LOCPATH", dir.string().c_str(), 1);
  const bool ok = std::setlocale(LC_NUMERIC, "de_DE.UTF-8") != nullptr;
  ::unsetenv("LOCPATH");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // a locale in force is held in memory
  return ok ? "de_DE.UTF-8 (built with localedef)" : "";
}

}  // namespace

// The JVM sets the process locale from the user's environment; under de_DE the C library's
// strtod read "1.0E-6" as 1.0, so a Hugging Face config loaded with rms_norm_eps = 1.
TEST(json_numbers_are_read_the_same_under_a_comma_decimal_locale) {
  const std::string before = std::setlocale(LC_NUMERIC, nullptr);
  const std::string entered = enter_comma_decimal_locale();
  if (entered.empty()) {
    std::printf("NOTE: no comma-decimal locale on this machine (none installed, no localedef); not exercised\n");
    return;
  }
  const double c_library = std::strtod("1.5", nullptr);  // the locale is in force: '.' ends the number
  json::Value v;
  std::string err;
  const bool ok = json::parse("[1.0E-6, 0.000001, 10000.5, -2.5e-3, 1e999]", &v, &err);
  std::setlocale(LC_NUMERIC, before.c_str());
  CHECK_MSG(c_library == 1.0, entered << " read 1.5 as " << c_library);
  CHECK_MSG(ok, err);
  CHECK_EQ(v.items[0].number, 1.0e-6);
  CHECK_EQ(v.items[1].number, 1.0e-6);
  CHECK_EQ(v.items[2].number, 10000.5);
  CHECK_EQ(v.items[3].number, -2.5e-3);
  CHECK(std::isinf(v.items[4].number));  // range errors still come out as inf, refused by the config check
}
