#include "safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "json.h"

namespace aspd {

namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

bool fail(std::string* err, const std::string& path, const std::string& what) {
  *err = path + ": " + what;
  return false;
}

bool parse_entry(const std::string& name, const json::Value& v, SafeTensor* t, std::string* what) {
  if (v.kind != json::Kind::kObject) {
    *what = "tensor \"" + name + "\": entry must be an object";
    return false;
  }
  const json::Value* dtype = v.find("dtype");
  const json::Value* shape = v.find("shape");
  const json::Value* offsets = v.find("data_offsets");
  if (dtype == nullptr || dtype->kind != json::Kind::kString) {
    *what = "tensor \"" + name + "\": missing string \"dtype\"";
    return false;
  }
  if (shape == nullptr || shape->kind != json::Kind::kArray) {
    *what = "tensor \"" + name + "\": missing array \"shape\"";
    return false;
  }
  if (offsets == nullptr || offsets->kind != json::Kind::kArray || offsets->items.size() != 2) {
    *what = "tensor \"" + name + "\": \"data_offsets\" must be [begin, end]";
    return false;
  }
  t->name = name;
  t->dtype = dtype->text;
  for (const json::Value& d : shape->items) {
    if (!d.is_integer() || d.text[0] == '-' || d.text.size() > 12) {
      *what = "tensor \"" + name + "\": shape entries must be integers in [0, 10^12)";
      return false;
    }
    t->shape.push_back(std::strtoll(d.text.c_str(), nullptr, 10));
  }
  uint64_t off[2];
  for (int k = 0; k < 2; ++k) {
    const json::Value& o = offsets->items[k];
    if (!o.is_integer() || o.text[0] == '-' || o.text.size() > 18) {
      *what = "tensor \"" + name + "\": data_offsets must be non-negative integers";
      return false;
    }
    off[k] = std::strtoull(o.text.c_str(), nullptr, 10);
  }
  t->begin = off[0];
  t->end = off[1];
  return true;
}

}  // namespace

const SafeTensor* SafeTensorsFile::find(const std::string& name) const {
  for (const SafeTensor& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

int64_t safetensors_dtype_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
  return 0;
}

bool read_safetensors_header(const std::string& path, SafeTensorsFile* out, std::string* err) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return fail(err, path, "cannot open");
  const uint64_t file_size = static_cast<uint64_t>(in.tellg());
  if (file_size < 8) return fail(err, path, "file of " + std::to_string(file_size) + " bytes has no 8-byte header length");
  in.seekg(0);
  unsigned char len_bytes[8];
  in.read(reinterpret_cast<char*>(len_bytes), 8);
  uint64_t n = 0;
  for (int b = 7; b >= 0; --b) n = (n << 8) | len_bytes[b];  // little-endian
  if (n > kMaxHeaderBytes) return fail(err, path, "header length " + std::to_string(n) + " exceeds 100 MB");
  if (n > file_size - 8)
    return fail(err, path, "header length " + std::to_string(n) + " runs past the end of the " +
                               std::to_string(file_size) + "-byte file (truncated?)");
  std::string header(n, '\0');
  in.read(&header[0], static_cast<std::streamsize>(n));
  if (!in) return fail(err, path, "cannot read the header");
  json::Value root;
  std::string perr;
  if (!json::parse(header, &root, &perr)) return fail(err, path, "header is not valid JSON (" + perr + ")");
  if (root.kind != json::Kind::kObject) return fail(err, path, "header must be a JSON object");

  SafeTensorsFile f;
  f.path = path;
  f.data_start = 8 + n;
  f.data_size = file_size - f.data_start;
  for (const auto& m : root.members) {
    if (m.first == "__metadata__") continue;
    SafeTensor t;
    std::string what;
    if (!parse_entry(m.first, m.second, &t, &what)) return fail(err, path, what);
    const int64_t elem = safetensors_dtype_size(t.dtype);
    if (elem == 0) return fail(err, path, "tensor \"" + t.name + "\": unknown dtype \"" + t.dtype + "\"");
    uint64_t numel = 1;
    for (int64_t d : t.shape) {
      if (d != 0 && numel > std::numeric_limits<uint64_t>::max() / 16 / static_cast<uint64_t>(d))
        return fail(err, path, "tensor \"" + t.name + "\": shape too large");
      numel *= static_cast<uint64_t>(d);
    }
    if (t.end < t.begin || t.end - t.begin != numel * static_cast<uint64_t>(elem))
      return fail(err, path, "tensor \"" + t.name + "\": data_offsets [" + std::to_string(t.begin) + ", " +
                                 std::to_string(t.end) + ") hold " + std::to_string(t.end - t.begin) +
                                 " bytes, shape and dtype " + t.dtype + " need " +
                                 std::to_string(numel * elem));
    if (t.end > f.data_size)
      return fail(err, path, "tensor \"" + t.name + "\": bytes [" + std::to_string(t.begin) + ", " +
                                 std::to_string(t.end) + ") run past the " + std::to_string(f.data_size) +
                                 "-byte data section (file truncated?)");
    f.tensors.push_back(std::move(t));
  }
  // The entries must tile the data section exactly, as the reference implementation requires.
  std::vector<const SafeTensor*> order;
  for (const SafeTensor& t : f.tensors) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](const SafeTensor* a, const SafeTensor* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t cursor = 0;
  for (const SafeTensor* t : order) {
    if (t->begin != cursor)
      return fail(err, path, "tensor \"" + t->name + "\" starts at byte " + std::to_string(t->begin) +
                                 (t->begin < cursor ? ", overlapping the tensor before it" : ", leaving a gap") +
                                 " (expected " + std::to_string(cursor) + ")");
    cursor = t->end;
  }
  if (cursor != f.data_size)
    return fail(err, path, "tensors cover " + std::to_string(cursor) + " of the " + std::to_string(f.data_size) +
                               " data bytes (trailing bytes after the last tensor)");
  *out = std::move(f);
  return true;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1F;
  uint32_t mant = h & 0x3FF;
  uint32_t bits;
  if (exp == 0x1F) {
    bits = sign | 0x7F800000u | (mant << 13);  // inf / nan
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {  // subnormal half -> normal float
    exp = 113;
    while ((mant & 0x400) == 0) {
      mant <<= 1;
      --exp;
    }
    bits = sign | (exp << 23) | ((mant & 0x3FF) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bf16_to_float(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

bool read_tensor_as_f32(const SafeTensorsFile& file, const SafeTensor& t, float* dst, std::string* err) {
  if (t.dtype != "F32" && t.dtype != "F16" && t.dtype != "BF16")
    return fail(err, file.path, "tensor \"" + t.name + "\": dtype " + t.dtype +
                                    " is not supported (F32, F16 or BF16)");
  std::ifstream in(file.path, std::ios::binary);
  if (!in) return fail(err, file.path, "cannot open");
  in.seekg(static_cast<std::streamoff>(file.data_start + t.begin));
  const uint64_t bytes = t.end - t.begin;
  const uint64_t elem = static_cast<uint64_t>(safetensors_dtype_size(t.dtype));
  const uint64_t numel = bytes / elem;
  const bool is_bf16 = t.dtype == "BF16";
  // Little-endian files on a little-endian host (x86-64, aarch64): raw copy, then widen.
  std::vector<unsigned char> buf(std::min<uint64_t>(bytes, 1u << 24));
  uint64_t done = 0;
  while (done < numel) {
    const uint64_t chunk = std::min<uint64_t>(numel - done, buf.size() / elem);
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(chunk * elem));
    if (!in) return fail(err, file.path, "tensor \"" + t.name + "\": read failed (file changed or truncated?)");
    for (uint64_t e = 0; e < chunk; ++e) {
      const unsigned char* p = buf.data() + e * elem;
      if (elem == 4) {
        std::memcpy(dst + done + e, p, 4);
      } else {
        const uint16_t h = static_cast<uint16_t>(p[0] | (p[1] << 8));
        dst[done + e] = is_bf16 ? bf16_to_float(h) : half_to_float(h);
      }
    }
    // A NaN or Inf weight makes every logit downstream NaN (or, through attention, finite and
    // wrong): refuse the checkpoint here, where the tensor and element can still be named.
    for (uint64_t e = 0; e < chunk; ++e) {
      if (!std::isfinite(dst[done + e]))
        return fail(err, file.path, "tensor \"" + t.name + "\": element " + std::to_string(done + e) + " is " +
                                        (std::isnan(dst[done + e]) ? "NaN" : "infinite") +
                                        " (a damaged or overflowed checkpoint)");
    }
    done += chunk;
  }
  return true;
}

}  // namespace aspd
