// Reader for the safetensors format, written from its specification:
//   [8 bytes: N, little-endian uint64][N bytes: JSON header][data section]
// The header maps tensor name -> {"dtype", "shape", "data_offsets": [begin, end)} (offsets relative
// to the data section), plus an optional "__metadata__" object of strings. Checked here: N within
// the file and <= 100 MB, JSON well formed, every entry complete, byte length = prod(shape) * dtype
// size, offsets inside the data section, and the entries tiling the data section with no gap or
// overlap (a truncated file fails this). Tensor data is read one tensor at a time and converted to
// float32 (F32, F16, BF16; other dtypes are recognised and refused).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aspd {

struct SafeTensor {
  std::string name;
  std::string dtype;           // as written: "F32", "F16", "BF16", ...
  std::vector<int64_t> shape;  // row-major
  uint64_t begin = 0, end = 0;  // byte range within the data section
};

struct SafeTensorsFile {
  std::string path;
  uint64_t data_start = 0;  // 8 + N
  uint64_t data_size = 0;   // file size - data_start
  std::vector<SafeTensor> tensors;

  const SafeTensor* find(const std::string& name) const;
};

// Bytes per element of a safetensors dtype name, or 0 when the name is unknown.
int64_t safetensors_dtype_size(const std::string& dtype);

bool read_safetensors_header(const std::string& path, SafeTensorsFile* out, std::string* err);

// Reads tensor t ([numel] elements) and converts it to float32 into dst[numel].
bool read_tensor_as_f32(const SafeTensorsFile& file, const SafeTensor& t, float* dst, std::string* err);

// Float conversions shared with tests: IEEE half and bfloat16 bit patterns to float.
float half_to_float(uint16_t h);
float bf16_to_float(uint16_t b);

}  // namespace aspd
